import SeatlineKit
import SwiftUI

/// Login until there is a session (R1, R8), then the tabs. The R10 prompt shows anywhere.
struct RootView: View {
    @EnvironmentObject private var session: SessionModel
    @EnvironmentObject private var phone: PhoneModel

    var body: some View {
        Group {
            if session.resuming {
                ProgressView { BilingualText(Labels.resuming) }
            } else if session.profile == nil {
                LoginView()
            } else {
                MainTabs()
            }
        }
        .notice(phone.panel.microphonePrompt) { phone.dismissMicrophonePrompt() }
    }
}

struct MainTabs: View {
    private enum Tab: Hashable {
        case phone, dial, customers, settings
    }

    @EnvironmentObject private var app: AppModel
    @State private var tab = Tab.phone
    @State private var libraryPath: [Int64] = []

    var body: some View {
        TabView(selection: $tab) {
            NavigationStack {
                PhoneScreen(phone: app.phone, session: app.session)
            }
            .tabItem { Label(Labels.phoneTab.zh, systemImage: "phone") }
            .tag(Tab.phone)

            NavigationStack {
                if let call = app.call {
                    DialOrCallScreen(call: call, dial: app.dial)
                } else {
                    DialPadScreen(model: app.dial)
                }
            }
            .tabItem { Label(Labels.dialTab.zh, systemImage: "circle.grid.3x3") }
            .tag(Tab.dial)

            NavigationStack(path: $libraryPath) {
                LibraryScreen(model: app.library, path: $libraryPath)
                    .navigationDestination(for: Int64.self) { id in
                        CustomerCardScreen(app: app, id: id, onDial: dial)
                    }
            }
            .tabItem { Label(Labels.customersTab.zh, systemImage: "person.2") }
            .tag(Tab.customers)

            NavigationStack {
                SettingsScreen(model: app.settings)
            }
            .tabItem { Label(Labels.settingsTab.zh, systemImage: "gearshape") }
            .tag(Tab.settings)
        }
    }

    /// "拨打" on a card: the number goes onto the dial pad, where the agent presses call.
    private func dial(_ number: String) {
        app.dial.set(number)
        tab = .dial
    }
}
