package io.seatline.shell

import io.seatline.core.ClientEvent
import io.seatline.core.LoginFailure
import io.seatline.core.SeatlineException
import io.seatline.core.SessionEndReason
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

class SessionModelTest {
    private val core = FakeCore()
    private var loggedIn = 0
    private var loggedOut = 0
    private val model = SessionModel(core, testScope(), testWorker, { loggedIn++ }, { loggedOut++ })

    private fun fill() = model.editForm { LoginForm(" demo ", "1001", "1001pass") }

    @Test
    fun r1_login_needs_all_three_fields() {
        assertFalse(model.state.value.canSubmit)
        model.editForm { it.copy(enterprise = "demo", jobNumber = "1001") }
        assertFalse(model.state.value.canSubmit)
        model.logIn()
        assertTrue(core.calls.isEmpty(), "nothing is sent without a password")
        model.editForm { it.copy(password = "x") }
        assertTrue(model.state.value.canSubmit)
    }

    @Test
    fun r1_login_sends_trimmed_identity_and_keeps_no_password() {
        fill()
        model.logIn()
        assertEquals(listOf("login demo 1001"), core.calls)
        val s = model.state.value
        assertTrue(s.loggedIn)
        assertEquals(1, loggedIn)
        assertEquals("", s.form.password)
        assertEquals("1001", s.form.jobNumber)
    }

    @Test
    fun r1_wrong_password_shows_the_cores_texts() {
        core.loginResult = { throw SeatlineException.LoginFailed(LoginFailure.WRONG_PASSWORD, null, "密码错误", "Wrong password") }
        fill()
        model.logIn()
        val s = model.state.value
        assertFalse(s.loggedIn)
        assertFalse(s.busy)
        assertEquals(Bilingual("密码错误", "Wrong password"), s.error)
        // Typing again clears the error.
        model.editForm { it.copy(password = "y") }
        assertNull(model.state.value.error)
    }

    @Test
    fun too_many_attempts_says_when_to_retry() {
        core.loginResult = {
            throw SeatlineException.LoginFailed(LoginFailure.TOO_MANY_ATTEMPTS, 60uL, "尝试次数过多，请稍后再试", "Too many attempts")
        }
        fill()
        model.logIn()
        assertEquals("尝试次数过多，请稍后再试（60 秒后可重试）", model.state.value.error?.zh)
        assertEquals("Too many attempts (retry in 60 s)", model.state.value.error?.en)
    }

    @Test
    fun offline_login_is_a_clear_notice() {
        core.loginResult = { throw SeatlineException.Offline("connection refused") }
        fill()
        model.logIn()
        assertEquals("无法连接平台，请检查网络", model.state.value.error?.zh)
    }

    @Test
    fun r8_auto_login_resumes_only_when_turned_on() {
        core.resumeResult = testProfile()
        model.start()
        assertFalse(core.calls.contains("resume"), "auto-login is off by default")
        core.stored = testSettings(autoLogin = true)
        model.start()
        assertTrue(model.state.value.loggedIn)
        assertFalse(model.state.value.resuming)
        assertEquals(1, loggedIn)
    }

    @Test
    fun r8_auto_login_without_a_saved_session_shows_the_form() {
        core.stored = testSettings(autoLogin = true)
        model.start()
        assertFalse(model.state.value.loggedIn)
        assertFalse(model.state.value.resuming)
        assertNull(model.state.value.error)
    }

    @Test
    fun logout_goes_back_to_the_form() {
        fill()
        model.logIn()
        model.logOut()
        assertFalse(model.state.value.loggedIn)
        assertEquals(1, loggedOut)
        assertNull(model.state.value.error)
        // The core's own SessionEnded(LoggedOut) coming after changes nothing.
        model.onEvent(ClientEvent.SessionEnded(SessionEndReason.LOGGED_OUT))
        assertEquals(1, loggedOut)
    }

    @Test
    fun a_session_ended_elsewhere_says_why() {
        fill()
        model.logIn()
        model.onEvent(ClientEvent.SessionEnded(SessionEndReason.REPLACED_BY_NEW_LOGIN))
        assertFalse(model.state.value.loggedIn)
        assertEquals("账号已在另一台同类设备上登录", model.state.value.error?.zh)
        assertEquals(1, loggedOut)
    }

    @Test
    fun a_rebuilt_screen_adopts_the_session_the_core_has() {
        core.me = testProfile()
        model.start()
        assertTrue(model.state.value.loggedIn)
        assertFalse(core.calls.contains("resume"))
        assertEquals(1, loggedIn)
    }
}
