import Foundation
import SeatlineCore
@testable import SeatlineKit

// Test doubles. Models run with InlineWorker, so every action's effect is visible when
// its `await` returns.

func testProfile(agentId: Int64 = 7, onlineService: Bool = false) -> AgentProfile {
    AgentProfile(
        agentId: agentId, enterprise: "demo", enterpriseName: "演示企业", jobNumber: "1001",
        displayName: "张三", boundNumber: "13800138000", hasOnlineService: onlineService
    )
}

/// The core's mobile panel texts (core/src/answer/state.rs, session/phone_state.rs).
func testView(_ phone: PhoneState = .ready, on: Bool = false, holder: DeviceKind? = nil) -> PhoneView {
    let texts: (String, String)
    switch phone {
    case .notLoggedIn: texts = ("尚未登录", "Not logged in")
    case .fault: texts = ("电话异常", "Phone fault")
    case .ready: texts = on ? ("开启接听", "Answering on") : ("关闭接听", "Answering off")
    }
    let fault = phone == .fault
    return PhoneView(
        phone: phone, answer: on ? .mobileOn : .mobileOff, answerOn: on, answerPending: false,
        answerHolder: holder, receptionOpen: false, devicesOnline: [.mobile],
        textZh: texts.0, textEn: texts.1,
        faultDetailZh: fault ? "电话功能异常，请尝试重新登录" : "",
        faultDetailEn: fault ? "The phone function failed; please log in again" : ""
    )
}

func testCustomer(_ id: Int64, _ mobile: String, name: String? = nil, owner: Int64? = nil,
                  company: String? = nil, contacts: [ContactMethod] = [], pending: Bool = false) -> Customer {
    Customer(id: id, mobile: mobile, name: name, company: company, title: nil, ownerAgentId: owner,
             contacts: contacts, pendingSync: pending)
}

func testSettings(autoLogin: Bool = false, autoAnswer: Bool = false) -> Settings {
    Settings(autoLogin: autoLogin, notifications: true, microphone: nil, speaker: nil,
             microphoneVolume: 80, speakerVolume: 80, autoAnswer: autoAnswer)
}

let refusedByPc = SeatlineError.AnswerRefused(
    holder: .pc,
    textZh: "电脑端已开启接听，请先在电脑端关闭",
    textEn: "Answering is on at your PC (idle); switch it to busy there first"
)

final class FakeSubscription: CoreSubscription {
    var cancelled = false
    func cancel() { cancelled = true }
}

final class FakeCore: AgentCore, @unchecked Sendable {
    var panel = testView(.notLoggedIn)
    var me: AgentProfile?
    var loginResult: () throws -> AgentProfile = { testProfile() }
    var resumeResult: AgentProfile?
    var answerResult: (Bool) throws -> PhoneView = { testView(on: $0) }
    var dialResult: (String) throws -> String = { $0 }
    var stored = testSettings()
    var settingsError: SeatlineError?
    var customers: [Customer] = []
    var syncResult: () throws -> SyncReport = { SyncReport(pushed: 0, merged: 0, conflicts: 0, rejected: 0, pulled: 0, pending: 0, interrupted: nil) }
    var calls: [String] = []
    var listener: (@Sendable (ClientEvent) -> Void)?
    let subscription = FakeSubscription()

    /// Sends an event as the core would, from whatever thread the test calls it on.
    func emit(_ event: ClientEvent) { listener?(event) }

    func phoneView() -> PhoneView { panel }
    func profile() -> AgentProfile? { me }

    func login(enterprise: String, jobNumber: String, password: String) async throws -> AgentProfile {
        calls.append("login \(enterprise) \(jobNumber)")
        let p = try loginResult()
        me = p
        panel = testView()
        return p
    }

    func resume() async throws -> AgentProfile? {
        calls.append("resume")
        if let p = resumeResult {
            me = p
            panel = testView()
        }
        return resumeResult
    }

    func logout() async throws {
        calls.append("logout")
        me = nil
        panel = testView(.notLoggedIn)
    }

    func setAnswering(on: Bool) async throws -> PhoneView {
        calls.append("answer \(on)")
        panel = try answerResult(on)
        return panel
    }

    func setReception(isOpen: Bool) async throws -> PhoneView {
        calls.append("reception \(isOpen)")
        panel.receptionOpen = isOpen
        return panel
    }

    func checkDial(number: String) throws -> String {
        calls.append("checkDial \(number)")
        return try dialResult(number)
    }

    func settings() -> Settings { stored }

    func setSettings(_ settings: Settings) throws {
        if let e = settingsError { throw e }
        stored = settings
    }

    func searchCustomers(query: String, limit: Int) throws -> [Customer] {
        calls.append("search \(query)")
        return Array(customers.filter {
            query.isEmpty || $0.mobile.contains(query) || ($0.name ?? "").contains(query) || ($0.company ?? "").contains(query)
        }.prefix(limit))
    }

    func myCustomers(limit: Int) throws -> [Customer] {
        calls.append("mine")
        return Array(customers.filter { $0.ownerAgentId != nil && $0.ownerAgentId == me?.agentId }.prefix(limit))
    }

    func customer(id: Int64) throws -> Customer? { customers.first { $0.id == id } }

    func addCustomer(mobile: String, name: String?) throws -> Customer {
        calls.append("add \(mobile) \(name ?? "-")")
        guard mobile.allSatisfy(\.isNumber) else { throw SeatlineError.InvalidInput(detail: "number: only digits") }
        if let existing = customers.first(where: { $0.mobile == mobile }) {
            throw SeatlineError.DuplicateCustomer(existingId: existing.id)
        }
        let c = testCustomer(-Int64(customers.count + 1), mobile, name: name, pending: true)
        customers.append(c)
        return c
    }

    func addContact(id: Int64, kind: ContactKind, value: String) throws -> Customer {
        if kind == .email && !value.contains("@") {
            throw SeatlineError.InvalidInput(detail: "value: not an e-mail address")
        }
        return try replace(id) { $0.contacts.append(ContactMethod(kind: kind, kindZh: Labels.contactKind(kind).zh, value: value)) }
    }

    func setOwnedByMe(id: Int64, mine: Bool) throws -> Customer {
        let owner = mine ? me?.agentId : nil
        return try replace(id) { $0.ownerAgentId = owner }
    }

    func syncLibrary() async throws -> SyncReport {
        calls.append("sync")
        return try syncResult()
    }

    func subscribe(_ listener: @escaping @Sendable (ClientEvent) -> Void) -> CoreSubscription {
        self.listener = listener
        return subscription
    }

    private func replace(_ id: Int64, _ change: (inout Customer) -> Void) throws -> Customer {
        guard let i = customers.firstIndex(where: { $0.id == id }) else { throw SeatlineError.NotFound }
        change(&customers[i])
        return customers[i]
    }
}

/// A dial pad that behaves like the core's for the cases the tests use (digits only, 20
/// at most, shrink past 12); the real one is tested in core/ and through the bindings.
final class FakePad: DialPadProtocol, @unchecked Sendable {
    private var text: [Character] = []
    private var cursor = 0

    private func snapshot() -> DialPadState {
        DialPadState(text: String(text), cursor: UInt32(cursor), shrink: text.count > 12)
    }

    private func insert(_ s: String) -> DialPadState {
        let digits = s.filter(\.isASCIIDigit).prefix(20 - text.count)
        text.insert(contentsOf: digits, at: cursor)
        cursor += digits.count
        return snapshot()
    }

    func clear() -> DialPadState {
        text = []
        cursor = 0
        return snapshot()
    }

    func enter() throws -> String {
        if text.isEmpty { throw SeatlineError.InvalidInput(detail: "number: empty") }
        if text.count < 3 { throw SeatlineError.InvalidInput(detail: "number: too short") }
        return String(text)
    }

    func key(key: PadKey) -> DialPadState {
        switch key {
        case .backspace:
            if cursor > 0 {
                text.remove(at: cursor - 1)
                cursor -= 1
            }
        case .delete:
            if cursor < text.count { text.remove(at: cursor) }
        case .left: cursor = max(0, cursor - 1)
        case .right: cursor = min(text.count, cursor + 1)
        case .home: cursor = 0
        case .end: cursor = text.count
        }
        return snapshot()
    }

    func paste(text: String) -> DialPadState { insert(text) }
    func press(digit: String) -> DialPadState { insert(digit) }

    func setCursor(cursor: UInt32) -> DialPadState {
        self.cursor = min(max(Int(cursor), 0), text.count)
        return snapshot()
    }

    func state() -> DialPadState { snapshot() }
}

final class FakeAudio: AudioDevicesProvider, @unchecked Sendable {
    var mics = [AudioDeviceInfo(id: "builtin", name: "iPhone Microphone")]
    var outs = [AudioDeviceInfo(id: "receiver", name: "Receiver"), AudioDeviceInfo(id: "speaker", name: "Speaker")]
    func microphones() -> [AudioDeviceInfo] { mics }
    func speakers() -> [AudioDeviceInfo] { outs }
}

final class RecordingStarter: CallStarter {
    var started: [String] = []
    var answer: Bilingual?
    @MainActor func start(number: String) async -> Bilingual? {
        started.append(number)
        return answer
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
