package io.seatline.shell

import io.seatline.core.ClientEvent
import io.seatline.core.DeviceKind
import io.seatline.core.PhoneState
import kotlinx.coroutines.CompletableDeferred
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

class PhoneModelTest {
    private val core = FakeCore()
    private val model = PhoneModel(core, testScope())

    @Test
    fun r2_before_login_the_panel_reads_not_logged_in_and_offers_no_switches() {
        val p = model.state.value
        assertEquals(Bilingual("尚未登录", "Not logged in"), p.status)
        assertFalse(p.showAnswering)
        assertFalse(p.showReception)
        assertFalse(p.canSwitchAnswering)
    }

    @Test
    fun r4_answering_switches_off_to_on_through_the_core() {
        core.panel = view()
        model.refresh(testProfile())
        assertEquals(Labels.answer(io.seatline.core.AnswerState.MOBILE_OFF), model.state.value.answerLabel)
        assertEquals("关闭接听", model.state.value.status.zh)

        model.setAnswering(true)
        assertEquals(listOf("answer true"), core.calls)
        assertEquals("开启接听", model.state.value.status.zh)
        assertEquals("开启接听", model.state.value.answerLabel.zh)
        assertFalse(model.state.value.switching)
    }

    @Test
    fun a_switch_in_flight_blocks_a_second_one() {
        core.panel = view()
        model.refresh(testProfile())
        val gate = CompletableDeferred<Unit>()
        core.answerGate = gate
        model.setAnswering(true)
        assertTrue(model.state.value.switching)
        assertFalse(model.state.value.canSwitchAnswering)
        model.setAnswering(true)
        assertEquals(1, core.calls.size, "the second tap is ignored while the first is on its way")
        gate.complete(Unit)
        assertFalse(model.state.value.switching)
        assertTrue(model.state.value.view.answerOn)
    }

    @Test
    fun r5_a_refusal_names_the_other_device() {
        core.panel = view()
        model.refresh(testProfile())
        core.answerResult = { throw answerRefusedByPc() }
        model.setAnswering(true)
        val notice = model.state.value.notice!!
        assertTrue(notice.zh.contains("电脑"), notice.zh)
        assertTrue(notice.en.contains("PC"), notice.en)
        assertFalse(model.state.value.view.answerOn, "R5: still off")
        model.dismissNotice()
        assertNull(model.state.value.notice)
    }

    @Test
    fun r5_the_other_device_holding_answering_reaches_the_panel_by_event() {
        core.panel = view()
        model.refresh(testProfile())
        model.onEvent(ClientEvent.PhoneChanged(view(holder = DeviceKind.PC)))
        assertEquals(DeviceKind.PC, model.state.value.otherHolder)
        model.onEvent(ClientEvent.AnswerRefused(DeviceKind.PC, "电脑端已开启接听，请先在电脑端关闭", "PC"))
        assertEquals("电脑端已开启接听，请先在电脑端关闭", model.state.value.notice?.zh)
    }

    @Test
    fun r9_the_fault_state_opens_its_detail_on_tap() {
        model.onEvent(ClientEvent.PhoneChanged(view(PhoneState.FAULT)))
        val p = model.state.value
        assertEquals("电话异常", p.status.zh)
        assertNull(p.faultDetail, "closed until tapped")
        assertFalse(p.canSwitchAnswering)
        model.openFault()
        assertEquals("电话功能异常，请尝试重新登录", model.state.value.faultDetail?.zh)
        // The fault clears: its detail goes with it.
        model.onEvent(ClientEvent.PhoneChanged(view()))
        assertNull(model.state.value.faultDetail)
        assertFalse(model.state.value.faultOpen)
    }

    @Test
    fun r9_tapping_a_healthy_panel_opens_nothing() {
        core.panel = view()
        model.refresh(testProfile())
        model.openFault()
        assertFalse(model.state.value.faultOpen)
    }

    @Test
    fun r7_reception_only_with_the_online_service_package() {
        core.panel = view()
        model.refresh(testProfile(onlineService = false))
        assertFalse(model.state.value.showReception)
        model.refresh(testProfile(onlineService = true))
        assertTrue(model.state.value.showReception)
        assertEquals("关闭接待", model.state.value.receptionLabel.zh)
        model.setReception(true)
        assertEquals("开启接待", model.state.value.receptionLabel.zh)
        assertFalse(model.state.value.view.answerOn, "R7: independent of the answer state")
    }

    @Test
    fun r10_microphone_prompt_shows_until_dismissed() {
        model.onEvent(ClientEvent.MicrophonePrompt("请插入麦克风", "Please plug in a microphone"))
        assertEquals("请插入麦克风", model.state.value.microphonePrompt?.zh)
        model.dismissMicrophonePrompt()
        assertNull(model.state.value.microphonePrompt)
    }

    @Test
    fun session_end_returns_the_panel_to_not_logged_in() {
        core.panel = view(on = true)
        model.refresh(testProfile(onlineService = true))
        model.onEvent(ClientEvent.SessionEnded(io.seatline.core.SessionEndReason.EXPIRED))
        assertEquals(PhoneState.NOT_LOGGED_IN, model.state.value.view.phone)
        assertFalse(model.state.value.showReception)
    }

    @Test
    fun connection_state_follows_the_event_socket() {
        model.onEvent(ClientEvent.Connection(false))
        assertFalse(model.state.value.connected)
        model.onEvent(ClientEvent.Connection(true))
        assertTrue(model.state.value.connected)
    }
}
