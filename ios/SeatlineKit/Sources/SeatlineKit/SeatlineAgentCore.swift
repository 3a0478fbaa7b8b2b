import SeatlineCore

/// `AgentCore` over the generated `Seatline` object: forwarding only, no decisions.
public final class SeatlineAgentCore: AgentCore, @unchecked Sendable {
    // `Seatline` is thread-safe (the Rust side locks); the class only holds it.
    private let core: Seatline

    public init(_ core: Seatline) {
        self.core = core
    }

    public func phoneView() -> PhoneView { core.phoneView() }
    public func profile() -> AgentProfile? { core.profile() }

    public func login(enterprise: String, jobNumber: String, password: String) async throws -> AgentProfile {
        try await core.login(enterprise: enterprise, jobNumber: jobNumber, password: password)
    }

    public func resume() async throws -> AgentProfile? { try await core.resume() }
    public func logout() async throws { try await core.logout() }

    public func setAnswering(on: Bool) async throws -> PhoneView { try await core.setAnswering(on: on) }
    public func setReception(isOpen: Bool) async throws -> PhoneView { try await core.setReception(open: isOpen) }
    public func checkDial(number: String) throws -> String { try core.checkDial(number: number) }

    public func settings() -> Settings { core.settings() }
    public func setSettings(_ settings: Settings) throws { try core.setSettings(settings: settings) }

    public func searchCustomers(query: String, limit: Int) throws -> [Customer] {
        try core.searchCustomers(query: query, limit: UInt32(limit), offset: 0)
    }

    public func myCustomers(limit: Int) throws -> [Customer] {
        try core.myCustomers(limit: UInt32(limit), offset: 0)
    }

    public func customer(id: Int64) throws -> Customer? { try core.customer(id: id) }

    /// R15: name optional; owner, company and title are set later on the card.
    public func addCustomer(mobile: String, name: String?) throws -> Customer {
        try core.addCustomer(mobile: mobile, name: name, company: nil, title: nil, ownedByMe: false)
    }

    public func addContact(id: Int64, kind: ContactKind, value: String) throws -> Customer {
        try core.addContact(id: id, kind: kind, value: value)
    }

    public func setOwnedByMe(id: Int64, mine: Bool) throws -> Customer {
        try core.setOwnedByMe(id: id, mine: mine)
    }

    public func syncLibrary() async throws -> SyncReport { try await core.syncLibrary() }

    public func subscribe(_ listener: @escaping @Sendable (ClientEvent) -> Void) -> CoreSubscription {
        core.subscribe(listener: Forward(listener))
    }
}

/// The generated `EventListener` around a closure.
private final class Forward: EventListener, @unchecked Sendable {
    private let listener: @Sendable (ClientEvent) -> Void

    init(_ listener: @escaping @Sendable (ClientEvent) -> Void) {
        self.listener = listener
    }

    func onEvent(event: ClientEvent) {
        listener(event)
    }
}
