import Combine
import SeatlineCore

/// The app's models over one core, and the one subscription that feeds them. Events
/// arrive on a core thread; an AsyncStream carries them, in order, to a task on the main
/// actor, so the models change state on one thread and in the order the core sent them.
@MainActor
public final class AppModel: ObservableObject {
    public let session: SessionModel
    public let phone: PhoneModel
    public let dial: DialModel
    public let library: LibraryModel
    public let settings: SettingsModel
    /// The call screen (R12–R18), when the app gave the core's calls.
    public let call: CallModel?

    private let core: AgentCore
    private let worker: Worker
    private var subscription: CoreSubscription?
    private var pump: Task<Void, Never>?

    /// With `callCore` the dial pad places calls through `call` (R12); `calls` is then unused.
    public init(
        core: AgentCore,
        worker: Worker,
        audio: AudioDevicesProvider,
        dialPad: DialPadProtocol,
        calls: CallStarter,
        callCore: CallCore? = nil
    ) {
        self.core = core
        self.worker = worker
        let callModel = callCore.map { CallModel(core: $0, worker: worker) }
        call = callModel
        session = SessionModel(core: core, worker: worker)
        phone = PhoneModel(core: core)
        let starter: CallStarter = callModel ?? calls
        dial = DialModel(pad: dialPad, core: core, calls: starter)
        library = LibraryModel(core: core, worker: worker)
        settings = SettingsModel(core: core, audio: audio, worker: worker)

        session.onLoggedIn = { [weak self] profile in self?.loggedIn(profile) }
        session.onLoggedOut = { [weak self] in self?.loggedOut() }

        var sink: AsyncStream<ClientEvent>.Continuation?
        let events = AsyncStream<ClientEvent> { sink = $0 }
        let continuation = sink
        subscription = core.subscribe { event in continuation?.yield(event) }
        pump = Task { [weak self] in
            for await event in events {
                self?.dispatch(event)
            }
        }
    }

    /// Starts auto-login (R8) if the agent turned it on.
    public func start() async {
        await settings.load()
        await session.start()
    }

    public func card(_ id: Int64) -> CustomerCardModel {
        CustomerCardModel(id: id, core: core, worker: worker)
    }

    /// R15: from the dial pad, the number being dialed is prefilled.
    public func addCustomer(prefill: String = "") -> AddCustomerModel {
        AddCustomerModel(prefill: prefill, core: core, worker: worker)
    }

    /// Every event to every model that cares; public for tests that feed events by hand.
    public func dispatch(_ event: ClientEvent) {
        session.onEvent(event)
        phone.onEvent(event)
        library.onEvent(event)
        call?.onEvent(event)
    }

    /// Stops the events; the models keep their last state.
    public func close() {
        subscription?.cancel()
        subscription = nil
        pump?.cancel()
        pump = nil
    }

    private func loggedIn(_ profile: AgentProfile) {
        phone.refresh(profile: profile)
        Task { await library.reload() }
    }

    private func loggedOut() {
        phone.refresh(profile: nil)
        library.clear()
        dial.clear()
        call?.dismiss()
    }
}
