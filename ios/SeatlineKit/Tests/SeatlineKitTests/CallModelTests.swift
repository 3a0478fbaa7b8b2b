import SeatlineCore
import XCTest
@testable import SeatlineKit

/// The core's call panel as `Seatline.call()` returns it.
func testCallView(
    number: String = "13800138000",
    method: CallMethod = .voip,
    phase: CallPhase = .callingCustomer,
    zh: String = "正在接通中",
    en: String = "Connecting",
    connectedAtMs: Int64? = nil,
    endedAtMs: Int64? = nil,
    held: Bool = false,
    muted: Bool = false,
    voice: VoiceLink = .up,
    mos: Double? = nil,
    customer: Customer? = nil,
    active: Bool = true
) -> CallView {
    CallView(
        callId: "c1",
        method: method,
        number: number,
        phase: phase,
        textZh: zh,
        textEn: en,
        startedAtMs: 1_000,
        connectedAtMs: connectedAtMs,
        endedAtMs: endedAtMs,
        held: held,
        muted: muted,
        voice: voice,
        quality: mos.map { CallQuality(jitterMs: 5, lossPct: 0, rttMs: 40, oneWayDelayMs: 20, mos: $0) },
        customer: customer,
        active: active
    )
}

final class FakeCallCore: CallCore, @unchecked Sendable {
    var panel: CallView?
    var startError: Error?
    var holdError: Error?
    var calls: [String] = []

    func startCall(method: CallMethod, number: String) async throws -> String {
        calls.append("start \(method) \(number)")
        if let e = startError { throw e }
        panel = testCallView(number: number, method: method)
        return "c1"
    }

    func startNativeCall(number: String) throws -> String {
        calls.append("native \(number)")
        if let e = startError { throw e }
        return "n1"
    }

    func nativeCallEnded(clientRef: String, endedAtMs: Int64) throws {
        calls.append("nativeEnded \(clientRef) \(endedAtMs)")
    }

    func hangUp() async throws {
        calls.append("hangUp")
        panel?.phase = .ended(outcome: .answered, by: nil)
        panel?.textZh = "通话结束"
        panel?.textEn = "Call ended"
        panel?.active = false
        panel?.endedAtMs = 70_000
    }

    func setHold(on: Bool) async throws {
        calls.append("hold \(on)")
        if let e = holdError { throw e }
        panel?.held = on
        panel?.phase = on ? .held : .connected
    }

    func sendDtmf(digits: String) async throws { calls.append("dtmf \(digits)") }

    func setMuted(on: Bool) {
        calls.append("mute \(on)")
        panel?.muted = on
    }

    func call() -> CallView? { panel }
    func networkChanged() { calls.append("network") }
}

@MainActor
final class CallModelTests: XCTestCase {
    private var core: FakeCallCore!
    private var now: Int64 = 10_000
    private var model: CallModel!

    override func setUp() async throws {
        core = FakeCallCore()
        now = 10_000
        model = CallModel(core: core, worker: InlineWorker(), clock: { [unowned self] in self.now })
    }

    private func connected(customer: Customer? = nil, mos: Double? = 4.2) async {
        core.panel = testCallView(phase: .connected, zh: "通话中", en: "In call", connectedAtMs: 5_000, mos: mos, customer: customer)
        await model.refresh()
    }

    func testR12VoipIsRecommendedAndChosenFirst() {
        XCTAssertEqual(model.state.methods, [.voip, .callback, .native])
        XCTAssertEqual(model.state.method, .voip)
        XCTAssertEqual(CallLabels.method(.voip).zh, "网络电话（推荐）")
        XCTAssertEqual(CallLabels.method(.callback).zh, "回拨")
        XCTAssertEqual(CallLabels.method(.native).zh, "本机")
    }

    func testR18VoipCallShowsTheCoresConnectingText() async {
        let refusal = await model.start(number: "13800138000")
        XCTAssertNil(refusal)
        XCTAssertEqual(core.calls, ["start voip 13800138000"])
        XCTAssertEqual(model.state.panel?.phase.zh, "正在接通中")
        XCTAssertNil(model.state.panel?.elapsed)
        XCTAssertEqual(model.state.panel?.canSendDtmf, false)
    }

    func testR11RefusalsShowTheCoresTexts() async {
        core.startError = SeatlineError.DialRefused(textZh: "暂无法发起呼叫，请稍后重试", textEn: "Calls cannot be placed right now")
        _ = await model.start(number: "13800138000")
        XCTAssertEqual(model.state.refusal?.zh, "暂无法发起呼叫，请稍后重试")
        XCTAssertNil(model.state.panel)
    }

    func testR12NativeCallGoesToTheDialerAndItsEndIsReported() async {
        model.choose(.native)
        let refusal = await model.start(number: "13800138000")
        XCTAssertNil(refusal)
        XCTAssertEqual(model.state.nativeCall, "n1")
        now = 99_000
        await model.nativeCallReturned()
        XCTAssertEqual(core.calls.last, "nativeEnded n1 99000")
        XCTAssertNil(model.state.nativeCall)
    }

    func testR15UnknownNumberOffersAddToLibraryAndKnownShowsTheName() async {
        await connected()
        XCTAssertEqual(model.state.panel?.canAddToLibrary, true)
        core.panel?.customer = testCustomer(5, "13800138000", name: "李四")
        await model.refresh()
        XCTAssertEqual(model.state.panel?.canAddToLibrary, false)
        XCTAssertEqual(model.state.panel?.customerName, "李四")
    }

    func testTimerAndQuality() async {
        await connected()
        XCTAssertEqual(model.state.panel?.elapsed, "00:05")
        XCTAssertEqual(model.state.panel?.quality?.zh, "通话质量良好（MOS 4.2）")
        now = 5_000 + 3_725_000
        model.tick()
        XCTAssertEqual(model.state.panel?.elapsed, "1:02:05")
    }

    func testR17HoldAndResume() async {
        await connected()
        await model.toggleHold()
        XCTAssertEqual(core.calls.last, "hold true")
        XCTAssertEqual(model.state.panel?.held, true)
        XCTAssertEqual(model.state.panel?.canSendDtmf, false)
        await model.toggleHold()
        XCTAssertEqual(model.state.panel?.held, false)
    }

    func testMuteAndDtmf() async {
        await connected()
        await model.toggleMute()
        XCTAssertEqual(model.state.panel?.muted, true)
        for key in "12#" { await model.dtmf(key) }
        XCTAssertEqual(model.state.dtmf, "12#")
        XCTAssertEqual(core.calls.suffix(3), ["dtmf 1", "dtmf 2", "dtmf #"])
    }

    func testHangUpKeepsThePanelUntilClosed() async {
        await connected()
        await model.hangUp()
        XCTAssertEqual(model.state.panel?.active, false)
        XCTAssertEqual(model.state.panel?.elapsed, "01:05")
        model.dismiss()
        XCTAssertNil(model.state.panel)
    }
}
