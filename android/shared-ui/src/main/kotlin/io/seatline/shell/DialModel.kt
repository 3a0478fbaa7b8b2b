package io.seatline.shell

import io.seatline.core.DialPadInterface
import io.seatline.core.DialPadState
import io.seatline.core.PadKey
import io.seatline.core.SeatlineException
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update

data class DialUi(
    val text: String = "",
    val cursor: Int = 0,
    /** R14: past 12 digits the text is drawn smaller. */
    val shrink: Boolean = false,
    /** Why the last call did not start (R2, R3, R9: "暂无法发起呼叫，请稍后重试"). */
    val refusal: Bilingual? = null,
) {
    /** Relative size of the number: 1 up to 12 digits, smaller past them (R14). */
    val textScale: Float get() = if (shrink) SHRUNK else 1f

    companion object {
        const val SHRUNK = 0.72f
    }
}

/**
 * The dial pad screen (R14) over the core's `DialPad`: every key, paste and field edit
 * goes to the core, which keeps digits only, at most 20, and says when to shrink. Enter
 * or the call button asks the core whether a call may start (`checkDial`), then hands
 * the number to [calls].
 *
 * The pad works in memory only, so this runs on the UI thread.
 */
class DialModel(
    private val pad: DialPadInterface,
    private val core: AgentCore,
    private val calls: CallStarter,
) {
    private val _state = MutableStateFlow(DialUi().with(pad.state()))
    val state: StateFlow<DialUi> = _state.asStateFlow()

    fun press(digit: Char) = show(pad.press(digit.toString()))
    fun paste(text: String) = show(pad.paste(text))
    fun backspace() = show(pad.key(PadKey.BACKSPACE))
    fun key(key: PadKey) = show(pad.key(key))
    fun clear() = show(pad.clear())

    /** Replaces the number, e.g. from a customer card; non-digits are dropped by the core. */
    fun set(number: String) {
        pad.clear()
        show(pad.paste(number))
    }

    /**
     * The field's new text and cursor after a keyboard edit: replayed on the core as
     * deletions and a paste, so the field then shows what the core kept.
     */
    fun edit(newText: String, newCursor: Int) {
        val old = _state.value.text
        val change = TextEdit.between(old, newText, newCursor)
        if (change.isEmpty) {
            show(pad.setCursor(newCursor.coerceIn(0, old.length).toUInt()))
            return
        }
        var s = pad.setCursor((change.at + change.removed).toUInt())
        repeat(change.removed) { s = pad.key(PadKey.BACKSPACE) }
        if (change.inserted.isNotEmpty()) s = pad.paste(change.inserted)
        show(s)
    }

    /** Enter or the call button (R14). */
    fun call() {
        val refusal = try {
            val number = pad.enter()
            calls.start(core.checkDial(number))
        } catch (e: SeatlineException.InvalidInput) {
            if (_state.value.text.isEmpty()) Labels.enterNumber else Labels.numberTooShort
        } catch (e: SeatlineException) {
            Notices.of(e)
        }
        _state.update { it.copy(refusal = refusal) }
    }

    fun dismissRefusal() = _state.update { it.copy(refusal = null) }

    private fun show(s: DialPadState) = _state.update { it.with(s) }

    private fun DialUi.with(s: DialPadState) =
        copy(text = s.text, cursor = s.cursor.toInt(), shrink = s.shrink, refusal = null)
}
