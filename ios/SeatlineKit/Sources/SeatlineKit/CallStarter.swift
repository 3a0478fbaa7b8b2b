/// Places a call to a number the core has accepted (`checkDial`, R2/R3/R9/R11). The dial
/// pad hands every call here, so the calling methods of R12 plug in without touching the
/// screens: the VoIP and callback starters arrive with the voice engine. Until then the
/// app passes the number to the phone's own dialer, R12's native call.
public protocol CallStarter {
    /// Starts the call; returns why it could not start, or nil when it is on its way.
    @MainActor func start(number: String) async -> Bilingual?
}
