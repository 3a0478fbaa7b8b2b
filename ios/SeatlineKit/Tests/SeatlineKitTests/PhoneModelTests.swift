import SeatlineCore
import XCTest
@testable import SeatlineKit

@MainActor
final class PhoneModelTests: XCTestCase {
    private var core: FakeCore!
    private var model: PhoneModel!

    override func setUp() async throws {
        core = FakeCore()
        model = PhoneModel(core: core)
    }

    func testR2BeforeLoginThePanelReadsNotLoggedInAndOffersNoSwitches() {
        let p = model.panel
        XCTAssertEqual(p.status, Bilingual("尚未登录", "Not logged in"))
        XCTAssertFalse(p.showAnswering)
        XCTAssertFalse(p.showReception)
        XCTAssertFalse(p.canSwitchAnswering)
    }

    func testR4AnsweringSwitchesOffToOnThroughTheCore() async {
        core.panel = testView()
        model.refresh(profile: testProfile())
        XCTAssertEqual(model.panel.answerLabel.zh, "关闭接听")
        await model.setAnswering(true)
        XCTAssertEqual(core.calls, ["answer true"])
        XCTAssertEqual(model.panel.status.zh, "开启接听")
        XCTAssertEqual(model.panel.answerLabel.zh, "开启接听")
        XCTAssertFalse(model.panel.switching)
    }

    func testR5ARefusalNamesTheOtherDevice() async {
        core.panel = testView()
        model.refresh(profile: testProfile())
        core.answerResult = { _ in throw refusedByPc }
        await model.setAnswering(true)
        let notice = model.panel.notice
        XCTAssertTrue(notice?.zh.contains("电脑") ?? false)
        XCTAssertTrue(notice?.en.contains("PC") ?? false)
        XCTAssertFalse(model.panel.view.answerOn, "R5: still off")
        model.dismissNotice()
        XCTAssertNil(model.panel.notice)
    }

    func testR5TheOtherHolderReachesThePanelByEvent() {
        model.onEvent(.phoneChanged(view: testView(holder: .pc)))
        XCTAssertEqual(model.panel.otherHolder, .pc)
        XCTAssertEqual(Labels.answeringElsewhere(.pc).zh, "电脑端正在接听")
    }

    func testR9TheFaultStateOpensItsDetailOnTap() {
        model.onEvent(.phoneChanged(view: testView(.fault)))
        XCTAssertEqual(model.panel.status.zh, "电话异常")
        XCTAssertNil(model.panel.faultDetail, "closed until tapped")
        XCTAssertFalse(model.panel.canSwitchAnswering)
        model.openFault()
        XCTAssertEqual(model.panel.faultDetail?.zh, "电话功能异常，请尝试重新登录")
        model.onEvent(.phoneChanged(view: testView()))
        XCTAssertNil(model.panel.faultDetail)
        XCTAssertFalse(model.panel.faultOpen)
    }

    func testR7ReceptionOnlyWithTheOnlineServicePackage() async {
        core.panel = testView()
        model.refresh(profile: testProfile(onlineService: false))
        XCTAssertFalse(model.panel.showReception)
        model.refresh(profile: testProfile(onlineService: true))
        XCTAssertTrue(model.panel.showReception)
        XCTAssertEqual(model.panel.receptionLabel.zh, "关闭接待")
        await model.setReception(true)
        XCTAssertEqual(model.panel.receptionLabel.zh, "开启接待")
        XCTAssertFalse(model.panel.view.answerOn, "R7: independent of the answer state")
    }

    func testR10MicrophonePromptShowsUntilDismissed() {
        model.onEvent(.microphonePrompt(textZh: "请插入麦克风", textEn: "Please plug in a microphone"))
        XCTAssertEqual(model.panel.microphonePrompt?.zh, "请插入麦克风")
        model.dismissMicrophonePrompt()
        XCTAssertNil(model.panel.microphonePrompt)
    }

    func testSessionEndReturnsThePanelToNotLoggedIn() {
        core.panel = testView(on: true)
        model.refresh(profile: testProfile(onlineService: true))
        model.onEvent(.sessionEnded(reason: .expired))
        XCTAssertEqual(model.panel.view.phone, .notLoggedIn)
        XCTAssertFalse(model.panel.showReception)
    }
}
