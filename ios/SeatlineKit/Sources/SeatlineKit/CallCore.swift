import SeatlineCore

/// The core's calls (R12–R18) as the call screen uses them: like `AgentCore`, a protocol
/// so that `CallModel`'s tests run with a fake. Functions that are not `async` may touch
/// the core's store: the model runs them through its `Worker`.
public protocol CallCore: AnyObject, Sendable {
    /// R12/R13: VoIP or callback; the call id, or a typed refusal with its texts.
    func startCall(method: CallMethod, number: String) async throws -> String
    /// R12: through the phone's own dialer; the reference for `nativeCallEnded`.
    func startNativeCall(number: String) throws -> String
    func nativeCallEnded(clientRef: String, endedAtMs: Int64) throws

    func hangUp() async throws
    /// R17: the customer hears music while held.
    func setHold(on: Bool) async throws
    func sendDtmf(digits: String) async throws
    func setMuted(on: Bool)

    /// The call panel, or nil before the first call.
    func call() -> CallView?
    /// Wi-Fi ⇄ cellular: the core restarts ICE.
    func networkChanged()
}

/// `CallCore` over the generated `Seatline` object: forwarding only, no decisions.
public final class SeatlineCallCore: CallCore, @unchecked Sendable {
    // `Seatline` is thread-safe (the Rust side locks); the class only holds it.
    private let core: Seatline

    public init(_ core: Seatline) {
        self.core = core
    }

    public func startCall(method: CallMethod, number: String) async throws -> String {
        try await core.startCall(method: method, number: number)
    }

    public func startNativeCall(number: String) throws -> String { try core.startNativeCall(number: number) }

    public func nativeCallEnded(clientRef: String, endedAtMs: Int64) throws {
        try core.nativeCallEnded(clientRef: clientRef, endedAtMs: endedAtMs)
    }

    public func hangUp() async throws { try await core.hangUp() }
    public func setHold(on: Bool) async throws { try await core.setHold(on: on) }
    public func sendDtmf(digits: String) async throws { try await core.sendDtmf(digits: digits) }
    public func setMuted(on: Bool) { core.setMuted(on: on) }
    public func call() -> CallView? { core.call() }
    public func networkChanged() { core.networkChanged() }
}
