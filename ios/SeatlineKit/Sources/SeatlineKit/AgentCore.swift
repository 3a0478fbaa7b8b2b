import SeatlineCore

/// Keeps a listener subscribed until cancelled.
public protocol CoreSubscription: AnyObject {
    func cancel()
}

extension SubscriptionHandle: CoreSubscription {}

/// The part of the core the screens use. The models depend on this rather than on the
/// generated `Seatline` class so that their tests run with a fake, without the native
/// library or a platform; `SeatlineAgentCore` is the one real implementation, and the
/// bindings' own tests cover what it forwards to.
///
/// Functions that are not `async` may touch the core's SQLite store: the models run
/// them through a `Worker`, off the main thread.
public protocol AgentCore: AnyObject, Sendable {
    func phoneView() -> PhoneView
    func profile() -> AgentProfile?

    func login(enterprise: String, jobNumber: String, password: String) async throws -> AgentProfile
    func resume() async throws -> AgentProfile?
    func logout() async throws

    func setAnswering(on: Bool) async throws -> PhoneView
    func setReception(isOpen: Bool) async throws -> PhoneView

    /// The number to dial, or `SeatlineError.DialRefused`.
    func checkDial(number: String) throws -> String

    func settings() -> Settings
    func setSettings(_ settings: Settings) throws

    func searchCustomers(query: String, limit: Int) throws -> [Customer]
    func myCustomers(limit: Int) throws -> [Customer]
    func customer(id: Int64) throws -> Customer?
    func addCustomer(mobile: String, name: String?) throws -> Customer
    func addContact(id: Int64, kind: ContactKind, value: String) throws -> Customer
    func setOwnedByMe(id: Int64, mine: Bool) throws -> Customer
    func syncLibrary() async throws -> SyncReport

    /// Events on a core thread until the returned subscription is cancelled.
    func subscribe(_ listener: @escaping @Sendable (ClientEvent) -> Void) -> CoreSubscription
}
