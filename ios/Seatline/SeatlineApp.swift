import SeatlineCore
import SeatlineKit
import SwiftUI

@main
@MainActor
struct SeatlineApp: App {
    @StateObject private var app: AppModel
    @Environment(\.scenePhase) private var scenePhase

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
        .onChange(of: scenePhase) { phase in
            // Back from the phone's dialer: the native call is over (R12), the core records its end.
            if phase == .active, let call = app.call {
                Task { await call.nativeCallReturned() }
            }
        }
    }
}

/// One core per process: it owns the session, the event socket and the SQLite store in
/// Application Support, and outlives any screen. It gets the phone's dialer for native
/// calls (R12), the phone's audio path for VoIP, and network changes.
@MainActor
enum CoreHost {
    private static var network: NetworkWatcher?

    static func makeApp() -> AppModel {
        let audio = IOSAudioDevices()
        let core: Seatline
        do {
            core = try Seatline(
                platformUrl: platformURL,
                dataDir: try dataDirectory().path,
                deviceKind: .mobile,
                audio: audio,
                dialer: IOSNativeDialer()
            )
        } catch {
            // Without its store the app can do nothing at all; the message says why.
            fatalError("Seatline core did not start: \(error)")
        }
        // The session first: the core's VoiceProcessingIO unit runs inside it.
        CallAudio.configure()
        do {
            try core.useDeviceAudio()
        } catch {
            NSLog("Seatline: device audio unavailable: \(error)")
        }
        let watcher = NetworkWatcher { core.networkChanged() }
        watcher.start()
        network = watcher
        return AppModel(
            core: SeatlineAgentCore(core),
            worker: BackgroundWorker(),
            audio: audio,
            dialPad: DialPad(),
            // Unused while callCore is given: the call model places calls (R12).
            calls: SystemDialer(),
            callCore: SeatlineCallCore(core)
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
