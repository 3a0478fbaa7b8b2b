import Combine
import SeatlineCore

/// The "add contact" form of the card: which kind, and what was typed.
public struct ContactDraft: Equatable {
    public let kind: ContactKind
    public var value = ""

    public var canSave: Bool { !value.trimmed.isEmpty }
}

/// A customer card (R15, R40): the five kinds of contact with "add", and ownership.
@MainActor
public final class CustomerCardModel: ObservableObject {
    @Published public private(set) var customer: Customer?
    @Published public private(set) var loading = true
    @Published public private(set) var me: Int64?
    /// Bound to the add-contact dialog's field.
    @Published public var draft: ContactDraft?
    @Published public private(set) var saving = false
    @Published public private(set) var notice: Bilingual?

    public let id: Int64
    private let core: AgentCore
    private let worker: Worker

    public init(id: Int64, core: AgentCore, worker: Worker) {
        self.id = id
        self.core = core
        self.worker = worker
    }

    public var sections: [ContactSection] { customer.map(CustomerTexts.sections) ?? [] }
    public var owner: Bilingual? { customer.map { CustomerTexts.owner($0, me: me) } }
    public var isMine: Bool { customer?.ownerAgentId != nil && customer?.ownerAgentId == me }

    public func load() async {
        let (core, id) = (self.core, self.id)
        do {
            let (me, found) = try await worker.run { try (core.profile()?.agentId, core.customer(id: id)) }
            self.me = me
            customer = found
            if found == nil { notice = Labels.customerNotFound }
        } catch {
            notice = Notices.of(error)
        }
        loading = false
    }

    public func startContact(_ kind: ContactKind) {
        draft = ContactDraft(kind: kind)
        notice = nil
    }

    public func cancelContact() { draft = nil }

    /// The core checks the value for its kind (a number, an address ...) and says if it is wrong.
    public func saveContact() async {
        guard let d = draft, d.canSave, !saving else { return }
        let (core, id, value) = (self.core, self.id, d.value.trimmed)
        await save(invalid: {
            let kind = Labels.contactKind(d.kind)
            return Bilingual("\(kind.zh)格式不正确", "Not a valid \(kind.en)")
        }) {
            let updated = try await self.worker.run { try core.addContact(id: id, kind: d.kind, value: value) }
            self.customer = updated
            self.draft = nil
        }
    }

    /// R40: take the customer as mine, or return it to the public pool.
    public func setMine(_ mine: Bool) async {
        guard !saving else { return }
        let (core, id) = (self.core, self.id)
        await save {
            self.customer = try await self.worker.run { try core.setOwnedByMe(id: id, mine: mine) }
        }
    }

    public func dismissNotice() { notice = nil }

    private func save(invalid: (() -> Bilingual)? = nil, _ work: () async throws -> Void) async {
        saving = true
        do {
            try await work()
        } catch SeatlineError.InvalidInput where invalid != nil {
            notice = invalid?()
        } catch {
            notice = Notices.of(error)
        }
        saving = false
    }
}
