import SeatlineKit
import UIKit

/// R12's native call: the phone's own dialer via a `tel:` URL, which iOS confirms with
/// the agent. The VoIP and callback starters replace this as the default when the voice
/// engine arrives; the dial pad does not change.
struct SystemDialer: CallStarter {
    @MainActor func start(number: String) async -> Bilingual? {
        // No canOpenURL: it would need the scheme declared, and open() says the same.
        guard let url = URL(string: "tel:\(number)") else { return Labels.noDialer }
        return await UIApplication.shared.open(url) ? nil : Labels.noDialer
    }
}
