package io.seatline.shell

import io.seatline.core.AgentProfile
import io.seatline.core.ClientEvent
import io.seatline.core.SeatlineException
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch

/**
 * The phone panel: state (R2, R4, R9), answering (R3, R4, R5), reception (R7) and the
 * microphone prompt (R10). The core decides everything; this keeps what to show.
 *
 * [scope] runs on the UI thread; the switches are suspend calls that do not block it.
 */
class PhoneModel(private val core: AgentCore, private val scope: CoroutineScope) {
    private val _state = MutableStateFlow(PhonePanel())
    val state: StateFlow<PhonePanel> = _state.asStateFlow()

    /** After login or resume: the core's view, and whether reception applies. */
    fun refresh(profile: AgentProfile?) {
        _state.update {
            it.copy(view = core.phoneView(), hasOnlineService = profile?.hasOnlineService == true)
        }
    }

    fun onEvent(event: ClientEvent) = _state.update { PhoneReducer.reduce(it, event) }

    /** R4: 关闭接听 ↔ 开启接听. A refusal (R3, R5 naming the other device) becomes the notice. */
    fun setAnswering(on: Boolean) = switch { core.setAnswering(on) }

    /** R7: 关闭接待 ↔ 开启接待. */
    fun setReception(open: Boolean) = switch { core.setReception(open) }

    /** R9: tapping "电话异常" opens its detail. */
    fun openFault() = _state.update { it.copy(faultOpen = it.isFault) }
    fun closeFault() = _state.update { it.copy(faultOpen = false) }
    fun dismissNotice() = _state.update { it.copy(notice = null) }
    fun dismissMicrophonePrompt() = _state.update { it.copy(microphonePrompt = null) }

    private fun switch(call: suspend () -> io.seatline.core.PhoneView) {
        if (_state.value.switching) return
        _state.update { it.copy(switching = true, notice = null) }
        scope.launch {
            try {
                val view = call()
                _state.update { it.copy(view = view, switching = false) }
            } catch (e: SeatlineException) {
                _state.update { it.copy(switching = false, notice = Notices.of(e)) }
            }
        }
    }
}
