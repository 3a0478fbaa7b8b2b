package io.seatline.shell

import io.seatline.core.CallMethod
import io.seatline.core.CallOutcome
import io.seatline.core.CallPhase
import io.seatline.core.CallQuality
import io.seatline.core.CallView
import io.seatline.core.ClientEvent
import io.seatline.core.Customer
import io.seatline.core.SeatlineException
import io.seatline.core.VoiceLink
import kotlinx.coroutines.CompletableDeferred
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

/** The core's call panel as `Seatline.call()` returns it (texts of core/src/client). */
fun callView(
    number: String = "13800138000",
    method: CallMethod = CallMethod.VOIP,
    phase: CallPhase = CallPhase.CallingCustomer,
    zh: String = "正在接通中",
    en: String = "Connecting",
    connectedAtMs: Long? = null,
    endedAtMs: Long? = null,
    held: Boolean = false,
    muted: Boolean = false,
    voice: VoiceLink = VoiceLink.UP,
    mos: Double? = null,
    customer: Customer? = null,
    active: Boolean = true,
) = CallView(
    callId = "c1",
    method = method,
    number = number,
    phase = phase,
    textZh = zh,
    textEn = en,
    startedAtMs = 1_000L,
    connectedAtMs = connectedAtMs,
    endedAtMs = endedAtMs,
    held = held,
    muted = muted,
    voice = voice,
    quality = mos?.let { CallQuality(jitterMs = 5.0, lossPct = 0.0, rttMs = 40.0, oneWayDelayMs = 20.0, mos = it) },
    customer = customer,
    active = active,
)

class FakeCallCore : CallCore {
    var panel: CallView? = null
    var startError: SeatlineException? = null
    var startGate: CompletableDeferred<Unit>? = null
    var holdError: SeatlineException? = null
    val calls = mutableListOf<String>()

    override suspend fun startCall(method: CallMethod, number: String): String {
        calls += "start $method $number"
        startGate?.await()
        startError?.let { throw it }
        panel = callView(number = number, method = method)
        return "c1"
    }

    override fun startNativeCall(number: String): String {
        calls += "native $number"
        startError?.let { throw it }
        return "n1"
    }

    override fun nativeCallEnded(clientRef: String, endedAtMs: Long) {
        calls += "nativeEnded $clientRef $endedAtMs"
    }

    override suspend fun hangUp() {
        calls += "hangUp"
        panel = panel?.copy(phase = CallPhase.Ended(CallOutcome.ANSWERED, null), textZh = "通话结束", textEn = "Call ended",
            active = false, endedAtMs = 70_000L)
    }

    override suspend fun setHold(on: Boolean) {
        calls += "hold $on"
        holdError?.let { throw it }
        panel = panel?.copy(held = on, phase = if (on) CallPhase.Held else CallPhase.Connected)
    }

    override suspend fun sendDtmf(digits: String) {
        calls += "dtmf $digits"
    }

    override fun setMuted(on: Boolean) {
        calls += "mute $on"
        panel = panel?.copy(muted = on)
    }

    override fun call(): CallView? = panel

    override fun networkChanged() {
        calls += "network"
    }
}

class CallModelTest {
    private val core = FakeCallCore()
    private var now = 10_000L
    private val model = CallModel(core, testScope(), testWorker, clock = { now })

    private fun connected(customer: Customer? = null, mos: Double? = 4.2) {
        core.panel = callView(phase = CallPhase.Connected, zh = "通话中", en = "In call", connectedAtMs = 5_000L,
            mos = mos, customer = customer)
        model.onEvent(ClientEvent.CallChanged)
    }

    @Test
    fun r12_voip_is_recommended_and_chosen_first_among_the_mobile_methods() {
        val ui = model.state.value
        assertEquals(listOf(CallMethod.VOIP, CallMethod.CALLBACK, CallMethod.NATIVE), ui.methods)
        assertEquals(CallMethod.VOIP, ui.method)
        assertEquals("网络电话（推荐）", CallLabels.method(CallMethod.VOIP).zh)
        assertEquals("回拨", CallLabels.method(CallMethod.CALLBACK).zh)
        assertEquals("本机", CallLabels.method(CallMethod.NATIVE).zh)
    }

    @Test
    fun r12_a_pc_offers_no_native_call() {
        val pc = CallModel(core, testScope(), testWorker, methods = listOf(CallMethod.VOIP, CallMethod.CALLBACK))
        pc.choose(CallMethod.NATIVE)
        assertEquals(CallMethod.VOIP, pc.state.value.method)
    }

    @Test
    fun r18_voip_call_starts_and_shows_the_cores_connecting_text() {
        val gate = CompletableDeferred<Unit>()
        core.startGate = gate
        assertNull(model.start("13800138000"))
        assertTrue(model.state.value.busy)
        gate.complete(Unit)
        assertEquals(listOf("start VOIP 13800138000"), core.calls)
        val panel = model.state.value.panel!!
        assertFalse(model.state.value.busy)
        assertEquals("正在接通中", panel.phase.zh, "R18: before the customer answers")
        assertEquals("13800138000", panel.number)
        assertNull(panel.elapsed)
        assertFalse(panel.canSendDtmf)
        assertFalse(panel.canHold)
    }

    @Test
    fun r13_callback_goes_to_the_core_and_asks_the_agent_to_talk_on_their_phone() {
        model.choose(CallMethod.CALLBACK)
        model.start("13800138000")
        assertEquals(listOf("start CALLBACK 13800138000"), core.calls)
        core.panel = callView(method = CallMethod.CALLBACK, phase = CallPhase.CallingAgent, zh = "正在呼叫您的手机",
            en = "Calling your phone", voice = VoiceLink.NO_VOICE)
        model.onEvent(ClientEvent.CallChanged)
        val panel = model.state.value.panel!!
        assertEquals("正在呼叫您的手机", panel.phase.zh)
        assertEquals(CallLabels.onYourPhone, panel.voice)
        assertNull(panel.quality, "no media on the agent's side (R13)")
    }

    @Test
    fun r11_r9_refusals_show_the_cores_texts() {
        core.startError = SeatlineException.DialRefused("暂无法发起呼叫，请稍后重试", "Calls cannot be placed right now")
        model.start("13800138000")
        assertEquals("暂无法发起呼叫，请稍后重试", model.state.value.refusal?.zh)
        assertEquals("Calls cannot be placed right now", model.state.value.refusal?.en)
        assertNull(model.state.value.panel)
        model.dismissRefusal()
        assertNull(model.state.value.refusal)
    }

    @Test
    fun r12_native_call_goes_to_the_phones_dialer_and_its_end_is_reported() {
        model.choose(CallMethod.NATIVE)
        assertNull(model.start("13800138000"))
        assertEquals(listOf("native 13800138000"), core.calls)
        assertEquals("n1", model.state.value.nativeCall)
        now = 99_000L
        model.nativeCallReturned()
        assertEquals("nativeEnded n1 99000", core.calls.last())
        assertNull(model.state.value.nativeCall)
        model.nativeCallReturned()
        assertEquals(2, core.calls.size, "reported once")
    }

    @Test
    fun r12_a_refused_native_call_returns_the_text_for_the_dial_pad() {
        model.choose(CallMethod.NATIVE)
        core.startError = SeatlineException.DialRefused("暂无法发起呼叫，请稍后重试", "Calls cannot be placed right now")
        val refusal = model.start("13800138000")
        assertEquals("暂无法发起呼叫，请稍后重试", refusal?.zh)
        assertNull(model.state.value.nativeCall)
    }

    @Test
    fun the_dial_pad_places_calls_through_the_call_model() {
        val dial = DialModel(FakePad(), FakeCore(), model)
        dial.paste("13800138000")
        dial.call()
        assertEquals(listOf("start VOIP 13800138000"), core.calls)
        assertNull(dial.state.value.refusal)
    }

    @Test
    fun r15_an_unknown_number_offers_add_to_library_and_a_known_one_shows_the_name() {
        connected()
        assertTrue(model.state.value.panel!!.canAddToLibrary)
        assertNull(model.state.value.panel!!.customerName)
        assertEquals("加入客户库", CallLabels.addToLibrary.zh)
        // R16: once added, the core's view carries the customer and the panel names them.
        core.panel = core.panel!!.copy(customer = customer(5, "13800138000", "李四"))
        model.onEvent(ClientEvent.LibraryChanged)
        val panel = model.state.value.panel!!
        assertFalse(panel.canAddToLibrary)
        assertEquals("李四", panel.customerName)
        assertEquals(5L, panel.customerId)
    }

    @Test
    fun r16_a_customer_without_a_name_shows_the_mobile() {
        connected(customer = customer(6, "13900139000"))
        assertEquals("13900139000", model.state.value.panel!!.customerName)
    }

    @Test
    fun the_timer_counts_from_connected_and_the_quality_comes_from_mos() {
        connected(mos = 4.2)
        val panel = model.state.value.panel!!
        assertEquals("00:05", panel.elapsed)
        assertEquals("通话质量良好（MOS 4.2）", panel.quality?.zh)
        assertEquals("Call quality good (MOS 4.2)", panel.quality?.en)
        now = 5_000L + 3_725_000L
        model.tick()
        assertEquals("1:02:05", model.state.value.panel!!.elapsed)
        assertEquals("poor", CallLabels.quality(2.9).en.substringAfter("quality ").substringBefore(" "))
        assertEquals("一般", CallLabels.quality(3.7).zh.removePrefix("通话质量").substringBefore("（"))
    }

    @Test
    fun r17_hold_and_resume_go_to_the_core() {
        connected()
        assertTrue(model.state.value.panel!!.canHold)
        model.toggleHold()
        assertEquals("hold true", core.calls.last())
        assertTrue(model.state.value.panel!!.held)
        assertFalse(model.state.value.panel!!.canSendDtmf, "no keypad while the customer hears music")
        model.toggleHold()
        assertEquals("hold false", core.calls.last())
        assertFalse(model.state.value.panel!!.held)
    }

    @Test
    fun r17_a_refused_hold_shows_the_cores_text() {
        connected()
        core.holdError = SeatlineException.Other("hold refused")
        model.toggleHold()
        assertEquals("Failed: hold refused", model.state.value.refusal?.en)
        assertFalse(model.state.value.panel!!.held)
    }

    @Test
    fun mute_toggles_through_the_core() {
        connected()
        model.toggleMute()
        assertEquals("mute true", core.calls.last())
        assertTrue(model.state.value.panel!!.muted)
        model.toggleMute()
        assertFalse(model.state.value.panel!!.muted)
    }

    @Test
    fun dtmf_keys_go_to_the_core_only_when_connected() {
        core.panel = callView()
        model.onEvent(ClientEvent.CallChanged)
        model.dtmf('1')
        assertTrue(core.calls.isEmpty())
        connected()
        "12#".forEach(model::dtmf)
        assertEquals(listOf("dtmf 1", "dtmf 2", "dtmf #"), core.calls)
        assertEquals("12#", model.state.value.dtmf)
    }

    @Test
    fun hang_up_ends_the_call_and_the_panel_stays_until_closed() {
        connected()
        model.hangUp()
        assertEquals("hangUp", core.calls.last())
        val panel = model.state.value.panel!!
        assertFalse(panel.active)
        assertEquals("通话结束", panel.phase.zh)
        assertEquals("01:05", panel.elapsed, "the call's length, from connected to ended")
        assertFalse(panel.canHold)
        assertNull(panel.quality)
        model.dismiss()
        assertNull(model.state.value.panel)
    }

    @Test
    fun an_active_panel_is_not_dismissed() {
        connected()
        model.dismiss()
        assertTrue(model.state.value.panel != null)
    }

    @Test
    fun reconnecting_voice_is_shown() {
        core.panel = callView(phase = CallPhase.Connected, connectedAtMs = 5_000L, voice = VoiceLink.RECONNECTING)
        model.onEvent(ClientEvent.CallChanged)
        assertEquals(CallLabels.reconnecting, model.state.value.panel!!.voice)
    }
}
