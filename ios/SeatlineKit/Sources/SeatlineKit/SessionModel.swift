import Combine
import Foundation
import SeatlineCore

/// R1: the three fields of the login form.
public struct LoginForm: Equatable {
    public var enterprise = ""
    public var jobNumber = ""
    public var password = ""

    public init(enterprise: String = "", jobNumber: String = "", password: String = "") {
        self.enterprise = enterprise
        self.jobNumber = jobNumber
        self.password = password
    }

    public var complete: Bool {
        !enterprise.trimmed.isEmpty && !jobNumber.trimmed.isEmpty && !password.isEmpty
    }
}

/// Login (R1), auto-login (R8) and the end of a session. `onLoggedIn` and `onLoggedOut`
/// let the other models refresh (AppModel sets them).
@MainActor
public final class SessionModel: ObservableObject {
    /// Bound to the form's fields; typing clears the last error.
    @Published public var form = LoginForm() {
        didSet { error = nil }
    }
    @Published public private(set) var busy = false
    /// R8 auto-login is resuming the saved session: show progress, not the form.
    @Published public private(set) var resuming = false
    @Published public private(set) var error: Bilingual?
    @Published public private(set) var profile: AgentProfile?

    var onLoggedIn: (AgentProfile) -> Void = { _ in }
    var onLoggedOut: () -> Void = {}

    private let core: AgentCore
    private let worker: Worker

    public init(core: AgentCore, worker: Worker) {
        self.core = core
        self.worker = worker
    }

    public var loggedIn: Bool { profile != nil }
    public var canSubmit: Bool { form.complete && !busy && !resuming }

    /// At start-up: adopt a session the core already has, else resume the saved one when
    /// auto-login is on (R8).
    public func start() async {
        if let current = core.profile() {
            signedIn(current)
            return
        }
        let core = self.core
        let auto = (try? await worker.run { core.settings().autoLogin }) ?? false
        guard auto else { return }
        resuming = true
        do {
            let resumed = try await core.resume()
            resuming = false
            if let resumed { signedIn(resumed) }
        } catch {
            resuming = false
            self.error = Notices.of(error)
        }
    }

    public func logIn() async {
        guard canSubmit else { return }
        let f = form
        busy = true
        error = nil
        do {
            let p = try await core.login(enterprise: f.enterprise.trimmed, jobNumber: f.jobNumber.trimmed, password: f.password)
            busy = false
            signedIn(p)
        } catch {
            busy = false
            self.error = Notices.of(error)
        }
    }

    public func logOut() async {
        // Offline, the core forgets the session anyway: leave, and say why it was odd.
        var failure: Bilingual?
        do {
            try await core.logout()
        } catch {
            failure = Notices.of(error)
        }
        // The SessionEnded event may have been quicker.
        if loggedIn { signedOut(failure) }
    }

    public func onEvent(_ event: ClientEvent) {
        if case let .sessionEnded(reason) = event, loggedIn {
            signedOut(Labels.sessionEnded(reason))
        }
    }

    private func signedIn(_ p: AgentProfile) {
        // Keep the identity for next time, never the password.
        form = LoginForm(enterprise: p.enterprise, jobNumber: p.jobNumber)
        error = nil
        profile = p
        onLoggedIn(p)
    }

    private func signedOut(_ why: Bilingual?) {
        profile = nil
        busy = false
        form.password = ""
        error = why
        onLoggedOut()
    }
}

extension String {
    var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
