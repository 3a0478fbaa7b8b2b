package io.seatline.shell

import io.seatline.core.SeatlineException
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

class DialModelTest {
    private val core = FakeCore()
    private val pad = FakePad()
    private val started = mutableListOf<String>()
    private var starter = CallStarter { started += it; null }
    private val model = DialModel(pad, core, { n -> starter.start(n) })

    @Test
    fun r14_keys_and_paste_go_to_the_core_pad() {
        "138".forEach(model::press)
        model.paste("0013-8000 x")
        assertEquals("13800138000", model.state.value.text)
        assertEquals(11, model.state.value.cursor)
        assertFalse(model.state.value.shrink)
        assertEquals(1f, model.state.value.textScale)
        model.paste("99")
        assertTrue(model.state.value.shrink, "R14: past 12 digits the text shrinks")
        assertTrue(model.state.value.textScale < 1f)
        model.backspace()
        assertEquals("138001380009", model.state.value.text)
    }

    @Test
    fun r14_enter_places_the_call_the_core_accepts() {
        model.paste("13800138000")
        model.call()
        assertEquals(listOf("13800138000"), started)
        assertTrue(core.calls.contains("checkDial 13800138000"))
        assertNull(model.state.value.refusal)
    }

    @Test
    fun r9_r3_refusals_show_the_cores_text_and_start_nothing() {
        core.dialResult = { throw SeatlineException.DialRefused("暂无法发起呼叫，请稍后重试", "Calls cannot be placed right now") }
        model.paste("13800138000")
        model.call()
        assertTrue(started.isEmpty())
        assertEquals("暂无法发起呼叫，请稍后重试", model.state.value.refusal?.zh)
        // Typing on clears the refusal.
        model.press('1')
        assertNull(model.state.value.refusal)
    }

    @Test
    fun an_empty_or_short_number_is_refused_before_asking_the_core() {
        model.call()
        assertEquals(Labels.enterNumber, model.state.value.refusal)
        model.paste("11")
        model.call()
        assertEquals(Labels.numberTooShort, model.state.value.refusal)
        assertTrue(core.calls.isEmpty())
    }

    @Test
    fun a_starter_that_cannot_start_says_why() {
        starter = CallStarter { Bilingual("没有可用的拨号应用", "No dialer app") }
        model.paste("10086")
        model.call()
        assertEquals("没有可用的拨号应用", model.state.value.refusal?.zh)
    }

    @Test
    fun field_edits_replay_as_deletions_and_a_paste_at_the_cursor() {
        model.paste("13800138000")
        // The keyboard typed "5" after "138".
        model.edit("138500138000", 4)
        assertEquals("138500138000", model.state.value.text)
        assertEquals(4, model.state.value.cursor)
        // A paste of letters and digits into the field keeps the digits (R14).
        model.edit("138ab7500138000", 6)
        assertEquals("1387500138000", model.state.value.text)
        // A selection cut: three digits removed.
        model.edit("1387138000", 4)
        assertEquals("1387138000", model.state.value.text)
        assertEquals(4, model.state.value.cursor)
        // The cursor moved only.
        model.edit("1387138000", 1)
        assertEquals(1, model.state.value.cursor)
    }

    @Test
    fun r14_a_long_paste_into_the_field_stops_at_twenty_digits() {
        model.edit("123456789012345678901234", 24)
        assertEquals(20, model.state.value.text.length)
        assertEquals(20, model.state.value.cursor)
    }

    @Test
    fun set_replaces_the_number() {
        model.paste("1")
        model.set("+86 138 0013 8000")
        assertEquals("8613800138000", model.state.value.text)
    }
}
