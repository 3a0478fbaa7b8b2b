import SeatlineCore
import XCTest
@testable import SeatlineKit

@MainActor
final class LibraryModelTests: XCTestCase {
    private var core: FakeCore!
    private var model: LibraryModel!

    override func setUp() async throws {
        core = FakeCore()
        core.me = testProfile(agentId: 7)
        core.customers = [
            testCustomer(1, "13800000001", name: "王五", owner: 7, company: "北辰贸易"),
            testCustomer(2, "13900000002"),
            testCustomer(3, "13700000003", name: "赵六", owner: 9),
        ]
        model = LibraryModel(core: core, worker: InlineWorker())
    }

    private func search(_ q: String) async -> [String] {
        model.query = q
        await model.reload()
        return model.rows.map(\.title)
    }

    func testSearchByNameCompanyOrAnyPartOfTheNumber() async {
        let byName = await search("王")
        XCTAssertEqual(byName, ["王五"])
        let byCompany = await search("北辰")
        XCTAssertEqual(byCompany, ["王五"])
        let byNumber = await search("0000002")
        XCTAssertEqual(byNumber, ["13900000002"], "R15: a customer without a name shows the number")
        let recent = await search("  ")
        XCTAssertEqual(recent.count, 3, "an empty query lists the recent customers")
    }

    func testR40MyCustomers() async {
        model.mineOnly = true
        let mine = await search("")
        XCTAssertEqual(mine, ["王五"])
        XCTAssertEqual(core.calls.last, "mine")
        let colleague = await search("赵")
        XCTAssertTrue(colleague.isEmpty, "a search narrowed to mine leaves out a colleague's customer")
    }

    func testRowsSayMinePublicPoolAndNotSynced() async {
        core.customers.append(testCustomer(4, "13600000004", name: "孙七", pending: true))
        _ = await search("")
        let rows = Dictionary(uniqueKeysWithValues: model.rows.map { ($0.id, $0) })
        XCTAssertEqual(rows[1]?.badges, [Labels.ownedByMe])
        XCTAssertEqual(rows[1]?.subtitle, "北辰贸易 · 13800000001")
        XCTAssertEqual(rows[2]?.badges, [Labels.publicPool])
        XCTAssertEqual(rows[3]?.badges, [], "a colleague's customer: no badge")
        XCTAssertEqual(rows[4]?.badges, [Labels.publicPool, Labels.notSynced])
    }

    func testPullToRefreshSyncsThenReloads() async {
        core.syncResult = { SyncReport(pushed: 1, merged: 0, conflicts: 0, rejected: 0, pulled: 4, pending: 0, interrupted: nil) }
        await model.refresh()
        XCTAssertEqual(core.calls, ["sync", "search "])
        XCTAssertEqual(model.note?.zh, "已同步：上传 1 条，更新 4 条")
    }

    func testAnInterruptedSyncSaysWhatIsWaiting() async {
        core.syncResult = { SyncReport(pushed: 0, merged: 0, conflicts: 0, rejected: 0, pulled: 0, pending: 2, interrupted: "connection refused") }
        await model.refresh()
        XCTAssertEqual(model.note?.zh, "同步未完成，稍后重试，2 条待上传")
    }

    func testLibraryChangedEventRerunsTheQuery() async {
        let before = await search("孙")
        XCTAssertTrue(before.isEmpty)
        core.customers.append(testCustomer(5, "13500000005", name: "孙八"))
        await model.onEvent(.libraryChanged)?.value
        XCTAssertEqual(model.rows.map(\.title), ["孙八"])
    }

    func testLoggedOutTheListIsEmpty() async {
        core.me = nil
        let rows = await search("")
        XCTAssertTrue(rows.isEmpty)
        XCTAssertFalse(core.calls.contains { $0.hasPrefix("search") }, "the library is not even asked")
    }
}
