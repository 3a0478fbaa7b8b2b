import Combine
import SeatlineCore

/// The phone panel: state (R2, R4, R9), answering (R3, R4, R5), reception (R7) and the
/// microphone prompt (R10). The core decides everything; this keeps what to show.
@MainActor
public final class PhoneModel: ObservableObject {
    @Published public private(set) var panel = PhonePanel()
    private let core: AgentCore

    public init(core: AgentCore) {
        self.core = core
    }

    /// After login or resume: the core's view, and whether reception applies.
    public func refresh(profile: AgentProfile?) {
        panel.view = core.phoneView()
        panel.hasOnlineService = profile?.hasOnlineService ?? false
    }

    public func onEvent(_ event: ClientEvent) {
        panel = PhoneReducer.reduce(panel, event)
    }

    /// R4: 关闭接听 ↔ 开启接听. A refusal (R3, R5 naming the other device) becomes the notice.
    public func setAnswering(_ on: Bool) async {
        await flip { core in try await core.setAnswering(on: on) }
    }

    /// R7: 关闭接待 ↔ 开启接待.
    public func setReception(_ isOpen: Bool) async {
        await flip { core in try await core.setReception(isOpen: isOpen) }
    }

    /// R9: tapping "电话异常" opens its detail.
    public func openFault() { panel.faultOpen = panel.isFault }
    public func closeFault() { panel.faultOpen = false }
    public func dismissNotice() { panel.notice = nil }
    public func dismissMicrophonePrompt() { panel.microphonePrompt = nil }

    private func flip(_ call: (AgentCore) async throws -> PhoneView) async {
        guard !panel.switching else { return }
        panel.switching = true
        panel.notice = nil
        do {
            panel.view = try await call(core)
        } catch {
            panel.notice = Notices.of(error)
        }
        panel.switching = false
    }
}
