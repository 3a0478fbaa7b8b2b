import SeatlineCore
import XCTest
@testable import SeatlineKit

@MainActor
final class AppModelTests: XCTestCase {
    private var core: FakeCore!
    private var app: AppModel!

    override func setUp() async throws {
        core = FakeCore()
        core.customers = [testCustomer(1, "13800000001", name: "王五", owner: 7)]
        app = AppModel(core: core, worker: InlineWorker(), audio: FakeAudio(), dialPad: FakePad(), calls: RecordingStarter())
    }

    override func tearDown() async throws {
        app.close()
    }

    /// Waits for work that the models started on the main actor.
    private func settle(_ done: () -> Bool) async throws {
        for _ in 0..<200 where !done() {
            try await Task.sleep(nanoseconds: 5_000_000)
        }
    }

    func testLoginRefreshesThePanelAndTheLibrary() async throws {
        app.session.form = LoginForm(enterprise: "demo", jobNumber: "1001", password: "pw")
        await app.session.logIn()
        XCTAssertEqual(app.phone.panel.status.zh, "关闭接听")
        try await settle { !app.library.rows.isEmpty }
        XCTAssertEqual(app.library.rows.map(\.title), ["王五"])
    }

    func testEventsFromACoreThreadReachTheModelsInOrder() async throws {
        let core = self.core!
        let sent = expectation(description: "sent")
        DispatchQueue.global().async {
            core.emit(.connection(up: true))
            core.emit(.microphonePrompt(textZh: "请插入麦克风", textEn: "Please plug in a microphone"))
            core.emit(.connection(up: false))
            sent.fulfill()
        }
        await fulfillment(of: [sent], timeout: 2)
        try await settle { app.phone.panel.microphonePrompt != nil && !app.phone.panel.connected }
        XCTAssertEqual(app.phone.panel.microphonePrompt?.zh, "请插入麦克风")
        XCTAssertFalse(app.phone.panel.connected, "in the order sent: the last Connection event wins")
    }

    func testSessionEndClearsWhatTheAgentSaw() async throws {
        app.session.form = LoginForm(enterprise: "demo", jobNumber: "1001", password: "pw")
        await app.session.logIn()
        app.dial.paste("13800000001")
        core.panel = testView(.notLoggedIn)
        app.dispatch(.sessionEnded(reason: .expired))
        XCTAssertFalse(app.session.loggedIn)
        XCTAssertEqual(app.phone.panel.status.zh, "尚未登录")
        XCTAssertTrue(app.library.rows.isEmpty)
        XCTAssertEqual(app.dial.state.text, "")
    }

    func testCloseCancelsTheSubscription() {
        app.close()
        XCTAssertTrue(core.subscription.cancelled)
    }
}
