import SeatlineCore
import XCTest
@testable import SeatlineKit

@MainActor
final class CustomerModelsTests: XCTestCase {
    private var core: FakeCore!

    override func setUp() async throws {
        core = FakeCore()
        core.me = testProfile(agentId: 7)
        core.customers = [
            testCustomer(1, "13800000001", name: "王五",
                         contacts: [ContactMethod(kind: .email, kindZh: "邮箱", value: "wang@example.cn")]),
        ]
    }

    private func loadCard(_ id: Int64 = 1) async -> CustomerCardModel {
        let card = CustomerCardModel(id: id, core: core, worker: InlineWorker())
        await card.load()
        return card
    }

    func testR15TheCardOffersAllFiveKinds() async {
        let sections = await loadCard().sections
        XCTAssertEqual(sections.map(\.label.zh), ["手机", "座机", "邮箱", "微信", "QQ"])
        XCTAssertEqual(sections.first { $0.kind == .email }?.values, ["wang@example.cn"])
        XCTAssertEqual(sections.first { $0.kind == .wechat }?.values, [])
    }

    func testR15AddAContactOfAKind() async {
        let card = await loadCard()
        card.startContact(.wechat)
        XCTAssertEqual(card.draft?.canSave, false)
        card.draft?.value = " wangwu_88 "
        await card.saveContact()
        XCTAssertNil(card.draft)
        XCTAssertEqual(card.sections.first { $0.kind == .wechat }?.values, ["wangwu_88"])
    }

    func testARefusedContactValueNamesItsKindAndKeepsTheDraft() async {
        let card = await loadCard()
        card.startContact(.email)
        card.draft?.value = "not-an-address"
        await card.saveContact()
        XCTAssertEqual(card.notice?.zh, "邮箱格式不正确")
        XCTAssertNotNil(card.draft)
        XCTAssertFalse(card.saving)
    }

    func testR40MakeMineAndReturnToThePublicPool() async {
        let card = await loadCard()
        XCTAssertEqual(card.owner, Labels.publicPool)
        await card.setMine(true)
        XCTAssertTrue(card.isMine)
        await card.setMine(false)
        XCTAssertFalse(card.isMine)
    }

    func testAMissingCustomerSaysSo() async {
        let card = await loadCard(99)
        XCTAssertFalse(card.loading)
        XCTAssertEqual(card.notice, Labels.customerNotFound)
    }

    func testR15AddCustomerNeedsOnlyTheMobileAndStartsInThePublicPool() async {
        let add = AddCustomerModel(prefill: "13600000006", core: core, worker: InlineWorker())
        XCTAssertTrue(add.canSave, "prefilled from the dial pad")
        await add.save()
        XCTAssertEqual(add.saved?.mobile, "13600000006")
        XCTAssertNil(add.saved?.name)
        XCTAssertNil(add.saved?.ownerAgentId)
        XCTAssertFalse(add.canSave, "saved once")
    }

    func testR15TheMobileIsUniqueAndTheExistingCardIsOffered() async {
        let add = AddCustomerModel(prefill: "", core: core, worker: InlineWorker())
        XCTAssertFalse(add.canSave, "the mobile number is required")
        add.mobile = "13800000001"
        add.name = "  王五  "
        await add.save()
        XCTAssertEqual(add.error?.zh, "该号码已在客户库中")
        XCTAssertEqual(add.existingId, 1)
        add.mobile = "13800000009"
        XCTAssertNil(add.existingId)
        await add.save()
        XCTAssertEqual(add.saved?.name, "王五")
    }

    func testAMalformedMobileIsNamed() async {
        let add = AddCustomerModel(prefill: "12ab", core: core, worker: InlineWorker())
        await add.save()
        XCTAssertEqual(add.error?.zh, "手机号码格式不正确")
        XCTAssertNil(add.saved)
    }
}
