// The Kotlin bindings on the JVM, against a real platform process with the demo data
// (bindings/kotlin/run-tests.sh starts it). One narrow test per binding feature; rule
// ids from shared/spec/RULES.md in the names.
package io.seatline

import io.seatline.core.*
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Assertions.*
import org.junit.jupiter.api.Test
import java.nio.file.Files
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.TimeUnit

/** The exception `block` throws, which must be a `T`. */
inline fun <reified T : Throwable> expect(block: () -> Unit): T {
    try {
        block()
    } catch (e: Throwable) {
        if (e is T) return e
        throw AssertionError("expected ${T::class.simpleName}, got $e", e)
    }
    throw AssertionError("expected ${T::class.simpleName}, nothing was thrown")
}

class BindingsTest {
    private val url = System.getenv("SEATLINE_PLATFORM_URL") ?: error("SEATLINE_PLATFORM_URL is not set")
    private val opened = mutableListOf<Seatline>()

    private fun client(kind: DeviceKind): Seatline {
        val dir = Files.createTempDirectory(System.getenv("SEATLINE_TEST_DIR")?.let { java.nio.file.Path.of(it) }
            ?: java.nio.file.Path.of("/tmp"), "core-").toString()
        return Seatline(url, dir, kind, null).also { opened += it }
    }

    @AfterEach
    fun logOutEverything() = runBlocking<Unit> {
        for (c in opened) {
            try { c.logout() } catch (_: SeatlineException) {}
            c.close()
        }
    }

    private class Recorder : EventListener {
        val events = CopyOnWriteArrayList<ClientEvent>()
        override fun onEvent(event: ClientEvent) { events += event }
        fun waitFor(timeoutMs: Long = 3000, what: (ClientEvent) -> Boolean): ClientEvent? {
            val end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs)
            while (System.nanoTime() < end) {
                events.firstOrNull(what)?.let { return it }
                Thread.sleep(20)
            }
            return null
        }
    }

    @Test
    fun r14_dial_pad_keeps_digits_and_caps_at_twenty() {
        DialPad().use { pad ->
            var s = pad.paste("138-0013 8000 abc")
            assertEquals("13800138000", s.text)
            assertFalse(s.shrink)
            s = pad.paste("1234567890123")
            assertEquals(20, s.text.length, "R14: at most 20 digits")
            assertTrue(s.shrink, "R14: past 12 digits the text shrinks")
            s = pad.clear()
            assertEquals("", s.text)
            expect<SeatlineException.InvalidInput> { pad.enter() }
            pad.press("1"); pad.press("1"); pad.press("0")
            assertEquals("110", pad.enter())
        }
    }

    @Test
    fun r1_wrong_password_and_unknown_job_number_are_typed_errors() = runBlocking<Unit> {
        val pc = client(DeviceKind.PC)
        val wrong = expect<SeatlineException.LoginFailed> { runBlocking { pc.login("demo", "1002", "nope") } }
        assertEquals(LoginFailure.WRONG_PASSWORD, wrong.reason)
        val unknown = expect<SeatlineException.LoginFailed> { runBlocking { pc.login("demo", "9999", "x") } }
        assertEquals(LoginFailure.UNKNOWN_JOB_NUMBER, unknown.reason)
        expect<SeatlineException.InvalidInput> { runBlocking { pc.login("demo", "", "x") } }
        // R2: still logged out.
        assertEquals(PhoneState.NOT_LOGGED_IN, pc.phoneView().phone)
        assertEquals("尚未登录", pc.phoneView().textZh)
    }

    @Test
    fun r4_r5_answer_lease_between_pc_and_mobile_with_events() = runBlocking<Unit> {
        val pc = client(DeviceKind.PC)
        val mobile = client(DeviceKind.MOBILE)
        val profile = pc.login("demo", "1001", "1001pass")
        assertEquals("1001", profile.jobNumber)
        assertEquals("忙碌", pc.phoneView().textZh, "R4: PC is busy after login")
        mobile.login("demo", "1001", "1001pass")
        assertEquals("关闭接听", mobile.phoneView().textZh, "R4: mobile answering is off after login")

        val mobileEvents = Recorder()
        mobile.subscribe(mobileEvents).use {
            assertEquals("空闲", pc.setAnswering(true).textZh)
            // The lease change reaches the other device.
            assertNotNull(mobileEvents.waitFor { it is ClientEvent.PhoneChanged && it.view.answerHolder == DeviceKind.PC })
            val refused = expect<SeatlineException.AnswerRefused> { runBlocking { mobile.setAnswering(true) } }
            assertEquals(DeviceKind.PC, refused.holder, "R5: the refusal names the other device")
            assertTrue(refused.textZh.contains("电脑"))
            pc.setAnswering(false)
            assertEquals("开启接听", mobile.setAnswering(true).textZh)
        }
    }

    @Test
    fun r3_mobile_without_bound_number_cannot_answer_or_dial() = runBlocking<Unit> {
        val mobile = client(DeviceKind.MOBILE)
        mobile.login("demo", "1003", "1003pass")
        expect<SeatlineException.AnswerRefused> { runBlocking { mobile.setAnswering(true) } }
        val dial = expect<SeatlineException.DialRefused> { mobile.checkDial("13800138000") }
        assertTrue(dial.textZh.isNotEmpty())
    }

    @Test
    fun r2_r11_logged_out_core_refuses_to_dial() {
        val pc = client(DeviceKind.PC)
        val e = expect<SeatlineException.DialRefused> { pc.checkDial("13800138000") }
        assertEquals("尚未登录", e.textZh)
    }

    @Test
    fun r15_r16_add_and_find_a_customer_through_the_library() = runBlocking<Unit> {
        val pc = client(DeviceKind.PC)
        pc.login("demo", "1002", "1002pass")
        val number = "139" + (System.nanoTime() % 100_000_000).toString().padStart(8, '0')
        val added = pc.addCustomer(number, "钱七", "Kotlin 测试公司", null, false)
        assertNull(added.ownerAgentId, "R15: without an owner the customer is in the public pool")
        pc.syncLibrary()
        val found = pc.searchCustomers(number.substring(3, 9), 10u, 0u)
        assertTrue(found.any { it.mobile == number }, "search by a part of the number")
        val card = pc.customerByNumber(number)
        assertNotNull(card)
        assertFalse(card!!.pendingSync)
        val withMail = pc.addContact(card.id, ContactKind.EMAIL, "qian@example.cn")
        assertTrue(withMail.contacts.any { it.kind == ContactKind.EMAIL && it.kindZh == "邮箱" })
        expect<SeatlineException.InvalidInput> { pc.addCustomer("12ab", null, null, null, false) }
        val mine = pc.setOwnedByMe(card.id, true)
        assertNotNull(mine.ownerAgentId)
        assertTrue(pc.myCustomers(50u, 0u).any { it.id == card.id }, "R40: my customers")
    }

    @Test
    fun r8_settings_round_trip_and_validate() {
        val pc = client(DeviceKind.PC)
        val s = pc.settings()
        assertFalse(s.autoAnswer, "R6: manual answer by default")
        pc.setSettings(s.copy(autoAnswer = true, speakerVolume = 55u))
        assertEquals(55u.toUByte(), pc.settings().speakerVolume)
        expect<SeatlineException.InvalidInput> { pc.setSettings(s.copy(speakerVolume = 101u)) }
    }

    @Test
    fun cancelled_subscription_gets_no_more_events() = runBlocking<Unit> {
        val pc = client(DeviceKind.PC)
        val rec = Recorder()
        val handle = pc.subscribe(rec)
        pc.login("demo", "1002", "1002pass")
        assertNotNull(rec.waitFor { it is ClientEvent.PhoneChanged })
        handle.cancel()
        val before = rec.events.size
        pc.setAnswering(true)
        Thread.sleep(300)
        assertEquals(before, rec.events.size)
        pc.setAnswering(false)
    }
}
