package io.seatline.shell

import io.seatline.core.AnswerState
import io.seatline.core.ClientEvent
import io.seatline.core.DeviceKind
import io.seatline.core.PhoneState
import io.seatline.core.PhoneView

/** What the phone panel shows. Derived texts are properties, so both screens agree. */
data class PhonePanel(
    val view: PhoneView = PhoneViews.loggedOut,
    /** R7: reception exists only with the online-service package. */
    val hasOnlineService: Boolean = false,
    /** R9: the agent opened the fault state. */
    val faultOpen: Boolean = false,
    /** A switch of answering or reception is on its way to the platform. */
    val switching: Boolean = false,
    /** A refusal (R3, R5) or failure to show once. */
    val notice: Bilingual? = null,
    /** R10: "请插入麦克风", shown as a dialog until dismissed. */
    val microphonePrompt: Bilingual? = null,
    val connected: Boolean = true,
) {
    /** R2, R4, R9: "尚未登录", "电话异常" or the answer state, from the core. */
    val status: Bilingual get() = Bilingual(view.textZh, view.textEn)

    val isFault: Boolean get() = view.phone == PhoneState.FAULT

    /** R9: what opening "电话异常" says. */
    val faultDetail: Bilingual?
        get() = if (faultOpen && isFault) Bilingual(view.faultDetailZh, view.faultDetailEn) else null

    val showAnswering: Boolean get() = view.phone != PhoneState.NOT_LOGGED_IN
    val answerLabel: Bilingual get() = Labels.answer(view.answer)
    val canSwitchAnswering: Boolean
        get() = view.phone == PhoneState.READY && !switching && !view.answerPending

    /** R7: hidden without the package, and while logged out. */
    val showReception: Boolean get() = hasOnlineService && view.phone != PhoneState.NOT_LOGGED_IN
    val receptionLabel: Bilingual get() = Labels.reception(view.receptionOpen)

    /** R5: which other device holds answering, if one does. */
    val otherHolder: DeviceKind?
        get() = view.answerHolder?.takeIf { it != deviceOf(view.answer) }

    companion object {
        private fun deviceOf(state: AnswerState): DeviceKind = when (state) {
            AnswerState.PC_BUSY, AnswerState.PC_IDLE -> DeviceKind.PC
            AnswerState.MOBILE_OFF, AnswerState.MOBILE_ON -> DeviceKind.MOBILE
        }
    }
}

/** The events that change the panel, as a pure function: the model and its tests share it. */
object PhoneReducer {
    fun reduce(panel: PhonePanel, event: ClientEvent): PhonePanel = when (event) {
        is ClientEvent.PhoneChanged -> panel.copy(
            view = event.view,
            // A fault that cleared closes its detail; a new one starts closed.
            faultOpen = panel.faultOpen && event.view.phone == PhoneState.FAULT,
        )
        is ClientEvent.AnswerRefused -> panel.copy(notice = Bilingual(event.textZh, event.textEn))
        is ClientEvent.MicrophonePrompt -> panel.copy(microphonePrompt = Bilingual(event.textZh, event.textEn))
        is ClientEvent.Connection -> panel.copy(connected = event.up)
        is ClientEvent.SessionEnded -> panel.copy(
            view = PhoneViews.loggedOut,
            faultOpen = false,
            switching = false,
            hasOnlineService = false,
        )
        ClientEvent.LibraryChanged, ClientEvent.RecordsChanged, ClientEvent.CallChanged -> panel
    }
}

object PhoneViews {
    /** R2: the panel before the core has said anything: "尚未登录". */
    val loggedOut = PhoneView(
        phone = PhoneState.NOT_LOGGED_IN,
        answer = AnswerState.MOBILE_OFF,
        answerOn = false,
        answerPending = false,
        answerHolder = null,
        receptionOpen = false,
        devicesOnline = emptyList(),
        textZh = "尚未登录",
        textEn = "Not logged in",
        faultDetailZh = "",
        faultDetailEn = "",
    )
}
