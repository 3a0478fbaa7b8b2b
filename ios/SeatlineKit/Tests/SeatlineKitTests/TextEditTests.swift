import XCTest
@testable import SeatlineKit

final class TextEditTests: XCTestCase {
    func testTypingAtTheEndAndAtTheStartOfRepeatedDigits() {
        XCTAssertEqual(TextEdit.between("11", "111", cursor: 3), TextEdit(at: 2, removed: 0, inserted: "1"))
        XCTAssertEqual(TextEdit.between("11", "111", cursor: 1), TextEdit(at: 0, removed: 0, inserted: "1"))
    }

    func testDeletionAndReplacement() {
        XCTAssertEqual(TextEdit.between("123", "13", cursor: 1), TextEdit(at: 1, removed: 1, inserted: ""))
        XCTAssertEqual(TextEdit.between("1234", "194", cursor: 2), TextEdit(at: 1, removed: 2, inserted: "9"))
        XCTAssertEqual(TextEdit.between("123", ""), TextEdit(at: 0, removed: 3, inserted: ""))
    }

    func testNoChangeIsEmptyAndTheCursorIsClamped() {
        XCTAssertTrue(TextEdit.between("123", "123", cursor: 1).isEmpty)
        XCTAssertEqual(TextEdit.between("", "5", cursor: 99), TextEdit(at: 0, removed: 0, inserted: "5"))
    }
}
