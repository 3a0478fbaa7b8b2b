package io.seatline.app.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.aspectRatio
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.Button
import androidx.compose.material3.ButtonDefaults
import androidx.compose.material3.FilledTonalButton
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import io.seatline.shell.CallLabels
import io.seatline.shell.CallModel
import kotlinx.coroutines.delay

private val DTMF_KEYS = listOf("123", "456", "789", "*0#")

/** R12: the calling method above the dial pad; VoIP is recommended and chosen first. */
@Composable
fun CallMethodChooser(model: CallModel) {
    val ui by model.state.collectAsStateWithLifecycle()
    Column(verticalArrangement = Arrangement.spacedBy(4.dp)) {
        Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
            ui.methods.forEach { m ->
                // The chosen method filled, the others outlined (stable Material 3 only).
                if (m == ui.method) {
                    Button(onClick = { model.choose(m) }) { Text(CallLabels.method(m).zh) }
                } else {
                    OutlinedButton(onClick = { model.choose(m) }) { Text(CallLabels.method(m).zh) }
                }
            }
        }
        BilingualText(CallLabels.methodHint(ui.method))
    }
    NoticeDialog(ui.refusal, model::dismissRefusal)
}

/**
 * The call panel (R13–R18): the core's phase text ("正在接通中" before the customer
 * answers), the number and the library's name or "加入客户库" (R15), the timer, hold,
 * mute, the DTMF keypad once connected, the quality from the core's MOS, and hang-up.
 */
@Composable
fun CallScreen(model: CallModel, onAddCustomer: (String) -> Unit, onOpenCustomer: (Long) -> Unit) {
    val ui by model.state.collectAsStateWithLifecycle()
    val panel = ui.panel ?: return

    // The timer: once a second while the call is connected.
    LaunchedEffect(panel.active, panel.connectedAtMs) {
        while (panel.active && panel.connectedAtMs != null) {
            model.tick()
            delay(1_000)
        }
    }

    Column(
        modifier = Modifier.fillMaxSize().padding(16.dp),
        verticalArrangement = Arrangement.spacedBy(12.dp),
        horizontalAlignment = Alignment.CenterHorizontally,
    ) {
        BilingualText(CallLabels.method(panel.method))
        Text(panel.number, style = MaterialTheme.typography.headlineMedium)
        val name = panel.customerName
        val id = panel.customerId
        if (name != null) {
            TextButton(onClick = { if (id != null) onOpenCustomer(id) }) {
                Text(name, style = MaterialTheme.typography.titleLarge)
            }
        } else if (panel.canAddToLibrary) {
            // R15: phone prefilled with the current number, name optional.
            OutlinedButton(onClick = { onAddCustomer(panel.number) }) { Text(CallLabels.addToLibrary.line) }
        }
        BilingualText(panel.phase)
        panel.elapsed?.let { Text(it, style = MaterialTheme.typography.titleMedium) }
        panel.voice?.let { BilingualText(it) }
        panel.quality?.let { BilingualText(it) }

        if (panel.active) {
            Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                FilledTonalButton(onClick = model::toggleHold, enabled = panel.canHold && !ui.busy) {
                    Text((if (panel.held) CallLabels.resume else CallLabels.hold).zh)
                }
                FilledTonalButton(onClick = model::toggleMute) {
                    Text((if (panel.muted) CallLabels.unmute else CallLabels.mute).zh)
                }
            }
            if (panel.canSendDtmf) {
                if (ui.dtmf.isNotEmpty()) Text(ui.dtmf, style = MaterialTheme.typography.titleMedium)
                DTMF_KEYS.forEach { row ->
                    Row(horizontalArrangement = Arrangement.spacedBy(8.dp), modifier = Modifier.fillMaxWidth()) {
                        row.forEach { k ->
                            FilledTonalButton(onClick = { model.dtmf(k) }, modifier = Modifier.weight(1f).aspectRatio(2f)) {
                                Text(k.toString(), style = MaterialTheme.typography.titleLarge)
                            }
                        }
                    }
                }
            }
            Button(
                onClick = model::hangUp,
                colors = ButtonDefaults.buttonColors(containerColor = MaterialTheme.colorScheme.error),
                modifier = Modifier.fillMaxWidth(),
            ) {
                Text(CallLabels.hangUp.line)
            }
        } else {
            Button(onClick = model::dismiss, modifier = Modifier.fillMaxWidth()) { Text(CallLabels.close.line) }
        }
    }
    NoticeDialog(ui.refusal, model::dismissRefusal)
}
