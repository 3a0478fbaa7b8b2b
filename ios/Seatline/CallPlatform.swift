import AVFoundation
import Network
import SeatlineCore
import SeatlineKit
import UIKit

/// R12's native call behind the core's `NativeDialer`: the core writes the call record,
/// then this opens a `tel:` URL, which iOS confirms with the agent. Called on a core
/// thread, so the URL opens on the main queue; the call is then the system's.
final class IOSNativeDialer: NativeDialer, @unchecked Sendable {
    func dial(number: String) throws {
        guard let url = URL(string: "tel:\(number)") else {
            throw DialerError.Refused(detail: "not a phone number")
        }
        DispatchQueue.main.async {
            UIApplication.shared.open(url)
        }
    }
}

/// Tells the core when the phone moves to another network (Wi-Fi ⇄ cellular) or comes
/// back after losing it, so a VoIP call restarts ICE at once. The first path is not a change.
final class NetworkWatcher: @unchecked Sendable {
    private let monitor = NWPathMonitor()
    private let queue = DispatchQueue(label: "io.seatline.network")
    private var last: String?
    private let onChange: @Sendable () -> Void

    init(onChange: @escaping @Sendable () -> Void) {
        self.onChange = onChange
    }

    func start() {
        monitor.pathUpdateHandler = { [weak self] path in
            self?.update(path)
        }
        monitor.start(queue: queue)
    }

    func stop() {
        monitor.cancel()
    }

    /// Runs on `queue` only.
    private func update(_ path: NWPath) {
        let key = Self.describe(path)
        defer { last = key }
        guard let previous = last, previous != key, path.status == .satisfied else { return }
        onChange()
    }

    private static func describe(_ path: NWPath) -> String {
        guard path.status == .satisfied else { return "none" }
        if path.usesInterfaceType(.wifi) { return "wifi" }
        if path.usesInterfaceType(.cellular) { return "cellular" }
        if path.usesInterfaceType(.wiredEthernet) { return "wired" }
        return "other"
    }
}

/// VoIP's audio session: play and record with the voice-chat mode (the system's echo
/// cancellation and gain), set before the core opens the VoiceProcessingIO unit.
enum CallAudio {
    static func configure() {
        let session = AVAudioSession.sharedInstance()
        do {
            try session.setCategory(.playAndRecord, mode: .voiceChat, options: [.allowBluetooth, .defaultToSpeaker])
            try session.setActive(true)
        } catch {
            // VoIP then has no sound; callback and native calls still work.
            NSLog("Seatline: audio session not configured: \(error)")
        }
    }
}
