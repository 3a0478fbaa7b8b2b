import SeatlineCore
import SeatlineKit
import SwiftUI

@main
@MainActor
struct SeatlineApp: App {
    @StateObject private var app: AppModel

    init() {
        _app = StateObject(wrappedValue: CoreHost.makeApp())
    }

    var body: some Scene {
        WindowGroup {
            RootView()
                .environmentObject(app)
                .environmentObject(app.session)
                .environmentObject(app.phone)
                .task { await app.start() }
        }
    }
}

/// One core per process: it owns the session, the event socket and the SQLite store in
/// Application Support, and outlives any screen.
@MainActor
enum CoreHost {
    static func makeApp() -> AppModel {
        let audio = IOSAudioDevices()
        let core: Seatline
        do {
            core = try Seatline(platformUrl: platformURL, dataDir: try dataDirectory().path, deviceKind: .mobile, audio: audio)
        } catch {
            // Without its store the app can do nothing at all; the message says why.
            fatalError("Seatline core did not start: \(error)")
        }
        return AppModel(
            core: SeatlineAgentCore(core),
            worker: BackgroundWorker(),
            audio: audio,
            dialPad: DialPad(),
            calls: SystemDialer()
        )
    }

    /// From Info.plist (`SEATLINE_PLATFORM_URL` in project.yml). The simulator shares the
    /// Mac's loopback, where `make demo` serves the platform.
    private static var platformURL: String {
        Bundle.main.object(forInfoDictionaryKey: "SeatlinePlatformURL") as? String ?? "http://127.0.0.1:8080"
    }

    private static func dataDirectory() throws -> URL {
        try FileManager.default.url(for: .applicationSupportDirectory, in: .userDomainMask, appropriateFor: nil, create: true)
    }
}
