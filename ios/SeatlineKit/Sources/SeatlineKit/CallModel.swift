import Combine
import Foundation
import SeatlineCore

/// The call panel as the screen draws it, made from the core's `CallView`.
public struct CallPanel: Equatable {
    public var number: String
    public var method: CallMethod
    /// The core's phase text, e.g. R18's "正在接通中" before the customer answers.
    public var phase: Bilingual
    /// R16: the library's name for the number (its mobile when it has no name).
    public var customerName: String?
    public var customerId: Int64?
    /// R15: not in the library yet, so the panel offers "加入客户库 add to library".
    public var canAddToLibrary: Bool
    public var connectedAtMs: Int64?
    /// Time since the customer answered, "mm:ss"; nil before.
    public var elapsed: String?
    public var held: Bool
    public var muted: Bool
    /// R17: hold and resume while talking.
    public var canHold: Bool
    /// The DTMF keypad, once connected.
    public var canSendDtmf: Bool
    /// The voice link when it is not simply up (callback: talk on your own phone, R13).
    public var voice: Bilingual?
    /// From the core's MOS estimate, VoIP only.
    public var quality: Bilingual?
    /// False once ended: the panel stays until closed or the next call.
    public var active: Bool
}

public struct CallUi: Equatable {
    public var methods: [CallMethod]
    /// R12: VoIP is recommended, so it is chosen first.
    public var method: CallMethod
    public var panel: CallPanel?
    /// Digits sent with DTMF during this call.
    public var dtmf = ""
    /// A call is being placed or a button's request is on its way.
    public var busy = false
    /// Why the last request failed: the core's own text (R2, R3, R9, R11).
    public var refusal: Bilingual?
    /// R12: a native call went to the phone's dialer and is not reported ended yet.
    public var nativeCall: String?

    public init(methods: [CallMethod]) {
        self.methods = methods
        method = methods.first ?? .voip
    }
}

/// The call screen (R12–R18), as Kotlin's `CallModel`. The dial pad hands it an accepted
/// number (`CallStarter`); it places the call with the chosen method and then shows the
/// core's call panel, read again with `call()` on each `callChanged` event. Hold, mute,
/// DTMF and hang-up go to the core; whether they are allowed is the core's answer.
@MainActor
public final class CallModel: ObservableObject, CallStarter {
    /// R12: on a phone, VoIP (recommended), callback and the phone's own line.
    public static let mobileMethods: [CallMethod] = [.voip, .callback, .native]

    @Published public private(set) var state: CallUi
    private let core: CallCore
    private let worker: Worker
    private let clock: () -> Int64

    public init(
        core: CallCore,
        worker: Worker,
        methods: [CallMethod] = CallModel.mobileMethods,
        clock: @escaping () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }
    ) {
        self.core = core
        self.worker = worker
        self.clock = clock
        state = CallUi(methods: methods)
    }

    public func choose(_ method: CallMethod) {
        guard state.methods.contains(method) else { return }
        state.method = method
        state.refusal = nil
    }

    /// Places the call with the chosen method (R12). A VoIP or callback refusal lands in
    /// `state`; a native call's is returned for the dial pad to show (once).
    public func start(number: String) async -> Bilingual? {
        let method = state.method
        if method == .native {
            return await startNative(number)
        }
        state.busy = true
        state.refusal = nil
        state.dtmf = ""
        let refusal = await attempt { _ = try await self.core.startCall(method: method, number: number) }
        state.busy = false
        state.refusal = refusal
        await refresh()
        return nil
    }

    private func startNative(_ number: String) async -> Bilingual? {
        let core = self.core
        do {
            let ref = try await worker.run { try core.startNativeCall(number: number) }
            state.nativeCall = ref
            state.refusal = nil
            return nil
        } catch {
            return Notices.of(error)
        }
    }

    /// The app is back from the phone's dialer: the native call is over (R12's record).
    public func nativeCallReturned() async {
        guard let ref = state.nativeCall else { return }
        state.nativeCall = nil
        let core = self.core
        let now = clock()
        if let refusal = await attempt({ try await self.worker.run { try core.nativeCallEnded(clientRef: ref, endedAtMs: now) } }) {
            state.refusal = refusal
        }
    }

    public func hangUp() async {
        await request { try await self.core.hangUp() }
    }

    /// R17: hold (the customer hears music) or resume.
    public func toggleHold() async {
        guard let held = state.panel?.held else { return }
        await request { try await self.core.setHold(on: !held) }
    }

    public func toggleMute() async {
        guard let muted = state.panel?.muted else { return }
        let core = self.core
        let refusal = await attempt { try await self.worker.run { core.setMuted(on: !muted) } }
        state.refusal = refusal
        await refresh()
    }

    /// One key of the DTMF keypad, sent to the customer's side once connected.
    public func dtmf(_ key: Character) async {
        guard state.panel?.canSendDtmf == true else { return }
        state.dtmf.append(key)
        if let refusal = await attempt({ try await self.core.sendDtmf(digits: String(key)) }) {
            state.refusal = refusal
        }
    }

    /// Closes an ended call's panel.
    public func dismiss() {
        guard state.panel?.active != true else { return }
        state.panel = nil
        state.dtmf = ""
    }

    public func dismissRefusal() { state.refusal = nil }

    /// The timer: the screen calls this every second while a call is connected.
    public func tick() {
        guard var panel = state.panel else { return }
        panel.elapsed = elapsed(panel.connectedAtMs)
        state.panel = panel
    }

    public func onEvent(_ event: ClientEvent) {
        switch event {
        case .callChanged:
            Task { await refresh() }
        case .libraryChanged:
            // R15: a customer added from the panel; the core's view now names them (R16).
            if state.panel != nil { Task { await refresh() } }
        default:
            break
        }
    }

    /// Reads the core's panel again.
    public func refresh() async {
        let core = self.core
        let view: CallView?
        do {
            view = try await worker.run { core.call() }
        } catch {
            state.refusal = Notices.of(error)
            return
        }
        let next = view.map { self.panel($0) }
        // A new call starts with an empty DTMF line.
        let sameCall = next != nil && state.panel?.number == next?.number && state.panel?.active == true
        state.panel = next
        if !sameCall { state.dtmf = "" }
    }

    private func panel(_ v: CallView) -> CallPanel {
        let connected = v.phase == .connected || v.phase == .held
        var shown: String?
        if v.active {
            shown = elapsed(v.connectedAtMs)
        } else if let c = v.connectedAtMs {
            shown = CallLabels.elapsed(ms: (v.endedAtMs ?? c) - c)
        }
        return CallPanel(
            number: v.number,
            method: v.method,
            phase: Bilingual(v.textZh, v.textEn),
            customerName: v.customer.map { $0.name ?? $0.mobile },
            customerId: v.customer?.id,
            canAddToLibrary: v.customer == nil && !v.number.isEmpty,
            connectedAtMs: v.connectedAtMs,
            elapsed: shown,
            held: v.held,
            muted: v.muted,
            canHold: v.active && connected,
            canSendDtmf: v.active && v.phase == .connected,
            voice: v.active ? CallLabels.voice(v.voice) : nil,
            quality: v.active ? v.quality.map { CallLabels.quality(mos: $0.mos) } : nil,
            active: v.active
        )
    }

    private func elapsed(_ connectedAtMs: Int64?) -> String? {
        connectedAtMs.map { CallLabels.elapsed(ms: clock() - $0) }
    }

    private func request(_ action: @escaping () async throws -> Void) async {
        state.busy = true
        state.refusal = nil
        let refusal = await attempt(action)
        state.busy = false
        state.refusal = refusal
        await refresh()
    }

    private func attempt(_ action: () async throws -> Void) async -> Bilingual? {
        do {
            try await action()
            return nil
        } catch {
            return Notices.of(error)
        }
    }
}
