import SeatlineCore
import XCTest
@testable import SeatlineKit

@MainActor
final class SessionModelTests: XCTestCase {
    private var core: FakeCore!
    private var model: SessionModel!
    private var loggedIn = 0
    private var loggedOut = 0

    override func setUp() async throws {
        core = FakeCore()
        model = SessionModel(core: core, worker: InlineWorker())
        model.onLoggedIn = { [unowned self] _ in self.loggedIn += 1 }
        model.onLoggedOut = { [unowned self] in self.loggedOut += 1 }
    }

    private func fill() {
        model.form = LoginForm(enterprise: " demo ", jobNumber: "1001", password: "1001pass")
    }

    func testR1LoginNeedsAllThreeFields() async {
        XCTAssertFalse(model.canSubmit)
        model.form.enterprise = "demo"
        model.form.jobNumber = "1001"
        await model.logIn()
        XCTAssertTrue(core.calls.isEmpty, "nothing is sent without a password")
        model.form.password = "x"
        XCTAssertTrue(model.canSubmit)
    }

    func testR1LoginSendsTrimmedIdentityAndKeepsNoPassword() async {
        fill()
        await model.logIn()
        XCTAssertEqual(core.calls, ["login demo 1001"])
        XCTAssertTrue(model.loggedIn)
        XCTAssertEqual(loggedIn, 1)
        XCTAssertEqual(model.form.password, "")
    }

    func testR1WrongPasswordShowsTheCoresTexts() async {
        core.loginResult = {
            throw SeatlineError.LoginFailed(reason: .wrongPassword, retryAfterS: nil, textZh: "密码错误", textEn: "Wrong password")
        }
        fill()
        await model.logIn()
        XCTAssertFalse(model.loggedIn)
        XCTAssertFalse(model.busy)
        XCTAssertEqual(model.error, Bilingual("密码错误", "Wrong password"))
        model.form.password = "y"
        XCTAssertNil(model.error, "typing again clears the error")
    }

    func testTooManyAttemptsSaysWhenToRetry() async {
        core.loginResult = {
            throw SeatlineError.LoginFailed(reason: .tooManyAttempts, retryAfterS: 60, textZh: "尝试次数过多，请稍后再试", textEn: "Too many attempts")
        }
        fill()
        await model.logIn()
        XCTAssertEqual(model.error?.zh, "尝试次数过多，请稍后再试（60 秒后可重试）")
    }

    func testR8AutoLoginResumesOnlyWhenTurnedOn() async {
        core.resumeResult = testProfile()
        await model.start()
        XCTAssertFalse(core.calls.contains("resume"), "auto-login is off by default")
        core.stored = testSettings(autoLogin: true)
        await model.start()
        XCTAssertTrue(model.loggedIn)
        XCTAssertFalse(model.resuming)
    }

    func testARebuiltScreenAdoptsTheSessionTheCoreHas() async {
        core.me = testProfile()
        await model.start()
        XCTAssertTrue(model.loggedIn)
        XCTAssertFalse(core.calls.contains("resume"))
    }

    func testLogoutAndTheLateSessionEndedEvent() async {
        fill()
        await model.logIn()
        await model.logOut()
        XCTAssertFalse(model.loggedIn)
        XCTAssertEqual(loggedOut, 1)
        XCTAssertNil(model.error)
        model.onEvent(.sessionEnded(reason: .loggedOut))
        XCTAssertEqual(loggedOut, 1)
    }

    func testASessionEndedElsewhereSaysWhy() async {
        fill()
        await model.logIn()
        model.onEvent(.sessionEnded(reason: .replacedByNewLogin))
        XCTAssertFalse(model.loggedIn)
        XCTAssertEqual(model.error?.zh, "账号已在另一台同类设备上登录")
    }
}
