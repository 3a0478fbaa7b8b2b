import Combine
import Foundation
import SeatlineCore

/// The customer library: search by name, company or any part of a number (the core's
/// full-text search, offline too), "my customers" (R40), and pull-to-refresh (sync).
/// The screen runs `reload()` in `.task(id:)` of the query, so a newer query cancels
/// the older one.
@MainActor
public final class LibraryModel: ObservableObject {
    @Published public var query = ""
    /// R40: only the customers owned by this agent.
    @Published public var mineOnly = false
    @Published public private(set) var rows: [CustomerRow] = []
    /// Result of the last pull-to-refresh, or why a search failed.
    @Published public private(set) var note: Bilingual?

    nonisolated public static let page = 50

    private let core: AgentCore
    private let worker: Worker

    public init(core: AgentCore, worker: Worker) {
        self.core = core
        self.worker = worker
    }

    public func reload() async {
        let core = self.core
        let query = self.query.trimmed
        let mineOnly = self.mineOnly
        do {
            let (me, found) = try await worker.run { () throws -> (Int64?, [Customer]) in
                // Logged out: no one's customers are on screen.
                guard let me = core.profile()?.agentId else { return (nil, []) }
                return (me, try LibraryModel.find(core, query: query, mineOnly: mineOnly, me: me))
            }
            // A newer query took over meanwhile.
            if Task.isCancelled { return }
            rows = found.map { CustomerTexts.row($0, me: me) }
        } catch {
            if Task.isCancelled { return }
            rows = []
            note = Notices.of(error)
        }
    }

    /// Pull-to-refresh: sync with the platform, then show the result.
    public func refresh() async {
        do {
            note = CustomerTexts.sync(try await core.syncLibrary())
        } catch {
            note = Notices.of(error)
        }
        await reload()
    }

    /// Returns the reload it started, for tests to wait on.
    @discardableResult
    public func onEvent(_ event: ClientEvent) -> Task<Void, Never>? {
        guard case .libraryChanged = event else { return nil }
        return Task { await reload() }
    }

    /// After logout: nothing of the previous agent stays on screen.
    public func clear() {
        query = ""
        mineOnly = false
        rows = []
        note = nil
    }

    public func dismissNote() { note = nil }

    nonisolated static func find(_ core: AgentCore, query: String, mineOnly: Bool, me: Int64?) throws -> [Customer] {
        // An empty query lists the most recently changed customers.
        if !mineOnly { return try core.searchCustomers(query: query, limit: page) }
        if query.isEmpty { return try core.myCustomers(limit: page) }
        // The core's search, narrowed to mine: no matching logic is repeated here.
        return try core.searchCustomers(query: query, limit: page).filter { $0.ownerAgentId != nil && $0.ownerAgentId == me }
    }
}
