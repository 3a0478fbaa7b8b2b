package io.seatline.shell

import io.seatline.core.CallMethod
import io.seatline.core.CallPhase
import io.seatline.core.CallView
import io.seatline.core.ClientEvent
import io.seatline.core.SeatlineException
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import kotlin.coroutines.CoroutineContext

/** The call panel as the screen draws it, made from the core's `CallView`. */
data class CallPanel(
    val number: String,
    val method: CallMethod,
    /** The core's phase text, e.g. R18's "正在接通中" before the customer answers. */
    val phase: Bilingual,
    /** R16: the library's name for the number (its mobile when it has no name). */
    val customerName: String?,
    val customerId: Long?,
    /** R15: not in the library yet, so the panel offers "加入客户库 add to library". */
    val canAddToLibrary: Boolean,
    val connectedAtMs: Long?,
    /** Time since the customer answered, "mm:ss"; null before. */
    val elapsed: String?,
    val held: Boolean,
    val muted: Boolean,
    /** R17: hold and resume while talking. */
    val canHold: Boolean,
    /** The DTMF keypad, once connected. */
    val canSendDtmf: Boolean,
    /** The voice link when it is not simply up (callback: talk on your own phone, R13). */
    val voice: Bilingual?,
    /** From the core's MOS estimate, VoIP only. */
    val quality: Bilingual?,
    /** False once ended: the panel stays until closed or the next call. */
    val active: Boolean,
)

data class CallUi(
    val methods: List<CallMethod>,
    /** R12: VoIP is recommended, so it is chosen first. */
    val method: CallMethod = CallMethod.VOIP,
    val panel: CallPanel? = null,
    /** Digits sent with DTMF during this call. */
    val dtmf: String = "",
    /** A call is being placed or a button's request is on its way. */
    val busy: Boolean = false,
    /** Why the last request failed: the core's own text (R2, R3, R9, R11). */
    val refusal: Bilingual? = null,
    /** R12: a native call went to the phone's dialer and is not reported ended yet. */
    val nativeCall: String? = null,
)

/**
 * The call screen (R12–R18). The dial pad hands it an accepted number ([CallStarter]);
 * it places the call with the chosen method and then shows the core's call panel, read
 * again with `call()` on each `CallChanged` event. Hold, mute, DTMF and hang-up go to
 * the core; whether they are allowed is the core's answer, shown as it comes.
 *
 * Runs on [scope] (the UI thread); calls that may touch the core's store run on [worker].
 * [clock] gives Unix milliseconds for the timer.
 */
class CallModel(
    private val core: CallCore,
    private val scope: CoroutineScope,
    private val worker: CoroutineContext,
    methods: List<CallMethod> = MOBILE_METHODS,
    private val clock: () -> Long = System::currentTimeMillis,
) : CallStarter {
    private val _state = MutableStateFlow(CallUi(methods = methods, method = methods.first()))
    val state: StateFlow<CallUi> = _state.asStateFlow()

    fun choose(method: CallMethod) {
        if (method in _state.value.methods) _state.update { it.copy(method = method, refusal = null) }
    }

    /**
     * Places the call with the chosen method (R12). VoIP and callback answer later, so
     * their refusals land in [state]; a native call answers now, so its refusal is
     * returned for the dial pad to show (and not kept here, so it shows once).
     */
    override fun start(number: String): Bilingual? {
        val method = _state.value.method
        if (method == CallMethod.NATIVE) return startNative(number)
        _state.update { it.copy(busy = true, refusal = null, dtmf = "") }
        scope.launch {
            val refusal = attempt { core.startCall(method, number) }
            _state.update { it.copy(busy = false, refusal = refusal) }
            refresh()
        }
        return null
    }

    private fun startNative(number: String): Bilingual? {
        var ref: String? = null
        val refusal = attemptNow { ref = core.startNativeCall(number) }
        _state.update { it.copy(refusal = null, nativeCall = ref ?: it.nativeCall) }
        return refusal
    }

    /** The app is back from the phone's dialer: the native call is over (R12's record). */
    fun nativeCallReturned() {
        val ref = _state.value.nativeCall ?: return
        _state.update { it.copy(nativeCall = null) }
        scope.launch {
            val refusal = attempt { withContext(worker) { core.nativeCallEnded(ref, clock()) } }
            if (refusal != null) _state.update { it.copy(refusal = refusal) }
        }
    }

    fun hangUp() = request { core.hangUp() }

    /** R17: hold (the customer hears music) or resume. */
    fun toggleHold() {
        val held = _state.value.panel?.held ?: return
        request { core.setHold(!held) }
    }

    fun toggleMute() {
        val muted = _state.value.panel?.muted ?: return
        scope.launch {
            val refusal = attempt { withContext(worker) { core.setMuted(!muted) } }
            _state.update { it.copy(refusal = refusal) }
            refresh()
        }
    }

    /** One key of the DTMF keypad, sent to the customer's side once connected. */
    fun dtmf(key: Char) {
        if (_state.value.panel?.canSendDtmf != true) return
        _state.update { it.copy(dtmf = it.dtmf + key) }
        scope.launch {
            val refusal = attempt { core.sendDtmf(key.toString()) }
            if (refusal != null) _state.update { it.copy(refusal = refusal) }
        }
    }

    /** Closes an ended call's panel. */
    fun dismiss() = _state.update { if (it.panel?.active == true) it else it.copy(panel = null, dtmf = "") }

    fun dismissRefusal() = _state.update { it.copy(refusal = null) }

    /** The timer: the screen calls this every second while a call is connected. */
    fun tick() = _state.update { ui -> ui.copy(panel = ui.panel?.let { it.copy(elapsed = elapsed(it.connectedAtMs)) }) }

    fun onEvent(event: ClientEvent) {
        when (event) {
            ClientEvent.CallChanged -> scope.launch { refresh() }
            // R15: a customer added from the panel; the core's view now names them (R16).
            ClientEvent.LibraryChanged -> if (_state.value.panel != null) scope.launch { refresh() }
            else -> Unit
        }
    }

    /** Reads the core's panel again. */
    suspend fun refresh() {
        val view = try {
            withContext(worker) { core.call() }
        } catch (e: SeatlineException) {
            _state.update { it.copy(refusal = Notices.of(e)) }
            return
        }
        _state.update { ui ->
            val panel = view?.let(::panel)
            // A new call starts with an empty DTMF line.
            val sameCall = panel != null && ui.panel?.number == panel.number && ui.panel?.active == true
            ui.copy(panel = panel, dtmf = if (sameCall) ui.dtmf else "")
        }
    }

    private fun panel(v: CallView): CallPanel {
        val connected = v.phase == CallPhase.Connected || v.phase == CallPhase.Held
        return CallPanel(
            number = v.number,
            method = v.method,
            phase = Bilingual(v.textZh, v.textEn),
            customerName = v.customer?.let { it.name ?: it.mobile },
            customerId = v.customer?.id,
            canAddToLibrary = v.customer == null && v.number.isNotEmpty(),
            connectedAtMs = v.connectedAtMs,
            elapsed = if (v.active) elapsed(v.connectedAtMs) else v.connectedAtMs?.let { c ->
                CallLabels.elapsed((v.endedAtMs ?: c) - c)
            },
            held = v.held,
            muted = v.muted,
            canHold = v.active && connected,
            canSendDtmf = v.active && v.phase == CallPhase.Connected,
            voice = if (v.active) CallLabels.voice(v.voice) else null,
            quality = if (v.active) v.quality?.let { CallLabels.quality(it.mos) } else null,
            active = v.active,
        )
    }

    private fun elapsed(connectedAtMs: Long?): String? = connectedAtMs?.let { CallLabels.elapsed(clock() - it) }

    private fun request(action: suspend () -> Unit) {
        _state.update { it.copy(busy = true, refusal = null) }
        scope.launch {
            val refusal = attempt { action() }
            _state.update { it.copy(busy = false, refusal = refusal) }
            refresh()
        }
    }

    private suspend fun attempt(action: suspend () -> Unit): Bilingual? = try {
        action()
        null
    } catch (e: SeatlineException) {
        Notices.of(e)
    }

    private inline fun attemptNow(action: () -> Unit): Bilingual? = try {
        action()
        null
    } catch (e: SeatlineException) {
        Notices.of(e)
    }

    companion object {
        /** R12: on a phone, VoIP (recommended), callback and the phone's own line. */
        val MOBILE_METHODS = listOf(CallMethod.VOIP, CallMethod.CALLBACK, CallMethod.NATIVE)
    }
}
