import Combine
import SeatlineCore

/// R15: add a customer with the mobile number (required, unique, fixed afterwards) and
/// an optional name; owner and the rest are set later on the card, so a new customer
/// starts in the public pool. The number on the dial pad, if any, is prefilled.
@MainActor
public final class AddCustomerModel: ObservableObject {
    /// Bound to the form; editing clears the last error.
    @Published public var mobile: String {
        didSet { clearError() }
    }
    @Published public var name = "" {
        didSet { clearError() }
    }
    @Published public private(set) var saving = false
    @Published public private(set) var error: Bilingual?
    /// R15: the number is the library's key; when it is taken, offer that customer's card.
    @Published public private(set) var existingId: Int64?
    /// Set once the customer is in the library (possibly waiting for sync).
    @Published public private(set) var saved: Customer?

    private let core: AgentCore
    private let worker: Worker

    public init(prefill: String, core: AgentCore, worker: Worker) {
        mobile = prefill
        self.core = core
        self.worker = worker
    }

    public var canSave: Bool { !mobile.trimmed.isEmpty && !saving && saved == nil }

    public func save() async {
        guard canSave else { return }
        let (core, mobile, name) = (self.core, self.mobile.trimmed, self.name.trimmed)
        saving = true
        error = nil
        existingId = nil
        do {
            saved = try await worker.run { try core.addCustomer(mobile: mobile, name: name.isEmpty ? nil : name) }
        } catch SeatlineError.DuplicateCustomer(let existing) {
            error = Notices.of(SeatlineError.DuplicateCustomer(existingId: existing))
            existingId = existing
        } catch SeatlineError.InvalidInput(let detail) {
            error = Self.invalid(detail)
        } catch {
            self.error = Notices.of(error)
        }
        saving = false
    }

    /// The core names the refused field first ("number: too short").
    nonisolated public static func invalid(_ detail: String) -> Bilingual {
        detail.hasPrefix("number")
            ? Bilingual("手机号码格式不正确", "That is not a valid mobile number")
            : Bilingual("姓名无效（最多 100 个字）", "Invalid name (100 characters at most)")
    }

    private func clearError() {
        error = nil
        existingId = nil
    }
}
