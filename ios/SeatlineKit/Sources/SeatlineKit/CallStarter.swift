/// Places a call to a number the core has accepted (`checkDial`, R2/R3/R9/R11). The dial
/// pad hands every call here: `CallModel` places it with the method of R12 the agent chose
/// (VoIP, callback or native); without the core's calls, the app's own dialer.
public protocol CallStarter {
    /// Starts the call; returns why it could not start, or nil when it is on its way.
    @MainActor func start(number: String) async -> Bilingual?
}
