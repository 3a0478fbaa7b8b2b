package io.seatline.app.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.aspectRatio
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.text.KeyboardActions
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.material3.Button
import androidx.compose.material3.FilledTonalButton
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.input.key.Key
import androidx.compose.ui.input.key.KeyEventType
import androidx.compose.ui.input.key.key
import androidx.compose.ui.input.key.onPreviewKeyEvent
import androidx.compose.ui.input.key.type
import androidx.compose.ui.platform.LocalClipboardManager
import androidx.compose.ui.text.TextRange
import androidx.compose.ui.text.input.ImeAction
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.text.input.TextFieldValue
import androidx.compose.ui.text.style.TextAlign
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import io.seatline.shell.DialModel
import io.seatline.shell.Labels

private val KEYS = listOf("123", "456", "789")

/**
 * R14: keys, keyboard and paste all go through the core's dial pad, which keeps digits
 * only, stops at 20 and says when to shrink; Enter or the call button dials.
 */
@Composable
fun DialPadScreen(model: DialModel, onAddCustomer: (String) -> Unit, header: @Composable () -> Unit = {}) {
    val ui by model.state.collectAsStateWithLifecycle()
    val clipboard = LocalClipboardManager.current
    val big = MaterialTheme.typography.headlineLarge

    Column(
        modifier = Modifier.fillMaxSize().padding(16.dp),
        verticalArrangement = Arrangement.spacedBy(8.dp),
    ) {
        header()
        // The field shows what the core kept; each edit is replayed on the core (DialModel.edit).
        OutlinedTextField(
            value = TextFieldValue(ui.text, TextRange(ui.cursor)),
            onValueChange = { v -> model.edit(v.text, v.selection.end) },
            singleLine = true,
            textStyle = big.copy(fontSize = big.fontSize * ui.textScale, textAlign = TextAlign.Center),
            keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Phone, imeAction = ImeAction.Go),
            keyboardActions = KeyboardActions(onGo = { model.call() }),
            modifier = Modifier.fillMaxWidth().onPreviewKeyEvent { e ->
                // A hardware keyboard's Enter dials (R14).
                val enter = e.key == Key.Enter || e.key == Key.NumPadEnter
                if (enter && e.type == KeyEventType.KeyDown) model.call()
                enter
            },
        )

        KEYS.forEach { row ->
            Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                row.forEach { d -> KeyButton(d.toString(), Modifier.weight(1f)) { model.press(d) } }
            }
        }
        Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
            KeyButton(Labels.paste.zh, Modifier.weight(1f)) {
                clipboard.getText()?.text?.let(model::paste)
            }
            KeyButton("0", Modifier.weight(1f)) { model.press('0') }
            KeyButton("⌫", Modifier.weight(1f)) { model.backspace() }
        }

        Button(onClick = model::call, modifier = Modifier.fillMaxWidth()) {
            Text(Labels.call.line)
        }
        // R15: while dialing, the number can go into the customer library.
        TextButton(
            onClick = { onAddCustomer(ui.text) },
            enabled = ui.text.isNotEmpty(),
            modifier = Modifier.fillMaxWidth(),
        ) {
            Text(Labels.addToLibrary.line)
        }
    }

    NoticeDialog(ui.refusal, model::dismissRefusal)
}

@Composable
private fun KeyButton(label: String, modifier: Modifier, onClick: () -> Unit) {
    FilledTonalButton(onClick = onClick, modifier = modifier.aspectRatio(2f)) {
        Text(label, style = MaterialTheme.typography.titleLarge)
    }
}
