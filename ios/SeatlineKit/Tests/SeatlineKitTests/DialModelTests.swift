import SeatlineCore
import XCTest
@testable import SeatlineKit

@MainActor
final class DialModelTests: XCTestCase {
    private var core: FakeCore!
    private var starter: RecordingStarter!
    private var model: DialModel!

    override func setUp() async throws {
        core = FakeCore()
        starter = RecordingStarter()
        model = DialModel(pad: FakePad(), core: core, calls: starter)
    }

    func testR14KeysAndPasteGoToTheCorePad() {
        for digit in "138" { model.press(digit) }
        model.paste("0013-8000 x")
        XCTAssertEqual(model.state.text, "13800138000")
        XCTAssertEqual(model.state.cursor, 11)
        XCTAssertEqual(model.state.textScale, 1)
        model.paste("99")
        XCTAssertTrue(model.state.shrink, "R14: past 12 digits the text shrinks")
        XCTAssertLessThan(model.state.textScale, 1)
        model.backspace()
        XCTAssertEqual(model.state.text, "138001380009")
    }

    func testR14EnterPlacesTheCallTheCoreAccepts() async {
        model.paste("13800138000")
        await model.call()
        XCTAssertEqual(starter.started, ["13800138000"])
        XCTAssertNil(model.state.refusal)
    }

    func testR9RefusalsShowTheCoresTextAndStartNothing() async {
        core.dialResult = { _ in throw SeatlineError.DialRefused(textZh: "暂无法发起呼叫，请稍后重试", textEn: "Calls cannot be placed right now") }
        model.paste("13800138000")
        await model.call()
        XCTAssertTrue(starter.started.isEmpty)
        XCTAssertEqual(model.state.refusal?.zh, "暂无法发起呼叫，请稍后重试")
        model.press("1")
        XCTAssertNil(model.state.refusal, "typing on clears the refusal")
    }

    func testAnEmptyOrShortNumberIsRefusedBeforeAskingTheCore() async {
        await model.call()
        XCTAssertEqual(model.state.refusal, Labels.enterNumber)
        model.paste("11")
        await model.call()
        XCTAssertEqual(model.state.refusal, Labels.numberTooShort)
        XCTAssertTrue(core.calls.isEmpty)
    }

    func testFieldEditsReplayAsDeletionsAndAPaste() {
        model.paste("13800138000")
        model.edit("138500138000", cursor: 4)
        XCTAssertEqual(model.state.text, "138500138000")
        model.edit("138ab7500138000", cursor: 6)
        XCTAssertEqual(model.state.text, "1387500138000", "R14: a paste keeps the digits")
        model.edit("1387138000", cursor: 4)
        XCTAssertEqual(model.state.text, "1387138000")
        XCTAssertEqual(model.state.cursor, 4)
    }

    func testR14ALongPasteIntoTheFieldStopsAtTwentyDigits() {
        model.edit("123456789012345678901234")
        XCTAssertEqual(model.state.text.count, 20)
    }
}
