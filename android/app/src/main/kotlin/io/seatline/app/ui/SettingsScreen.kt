package io.seatline.app.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.selection.selectable
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.RadioButton
import androidx.compose.material3.Slider
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableFloatStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.Role
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import io.seatline.shell.Bilingual
import io.seatline.shell.DeviceChoice
import io.seatline.shell.SettingsModel
import io.seatline.shell.Labels
import kotlin.math.roundToInt

/**
 * R8 on a phone. Auto-answer (R6) is the PC's and is not offered here; the microphone test
 * and test sound come with the voice engine.
 */
@Composable
fun SettingsScreen(model: SettingsModel) {
    val ui by model.state.collectAsStateWithLifecycle()
    // Devices come and go (headsets): list them afresh each time the tab opens.
    LaunchedEffect(Unit) { model.load() }
    val s = ui.settings

    Column(
        modifier = Modifier.fillMaxSize().verticalScroll(rememberScrollState()).padding(16.dp),
        verticalArrangement = Arrangement.spacedBy(4.dp),
    ) {
        if (s != null) {
            SwitchRow(Labels.autoLogin, s.autoLogin, enabled = true, onChange = model::setAutoLogin)
            SwitchRow(Labels.notifications, s.notifications, enabled = true, onChange = model::setNotifications)
            HorizontalDivider()
            DevicePicker(Labels.microphone, ui.microphoneChoices, model::setMicrophone)
            Volume(Labels.microphoneVolume, s.microphoneVolume.toInt(), model::setMicrophoneVolume)
            HorizontalDivider()
            DevicePicker(Labels.speaker, ui.speakerChoices, model::setSpeaker)
            Volume(Labels.speakerVolume, s.speakerVolume.toInt(), model::setSpeakerVolume)
        }
    }
    NoticeDialog(ui.notice, model::dismissNotice)
}

@Composable
private fun DevicePicker(title: Bilingual, choices: List<DeviceChoice>, onPick: (String?) -> Unit) {
    BilingualText(title, style = MaterialTheme.typography.titleMedium)
    choices.forEach { choice ->
        Row(
            modifier = Modifier
                .fillMaxWidth()
                .selectable(selected = choice.selected, onClick = { onPick(choice.id) }, role = Role.RadioButton)
                .padding(vertical = 4.dp),
            verticalAlignment = Alignment.CenterVertically,
        ) {
            RadioButton(selected = choice.selected, onClick = null)
            BilingualText(choice.label, modifier = Modifier.padding(start = 8.dp))
        }
    }
    if (choices.size == 1) BilingualText(Labels.noDevice, style = MaterialTheme.typography.bodySmall)
}

/** Saved when the finger lifts, not on every step of the drag. */
@Composable
private fun Volume(title: Bilingual, percent: Int, onChange: (Int) -> Unit) {
    var value by remember(percent) { mutableFloatStateOf(percent.toFloat()) }
    BilingualText(Bilingual("${title.zh} ${value.roundToInt()}%", "${title.en} ${value.roundToInt()}%"))
    Slider(
        value = value,
        onValueChange = { value = it },
        onValueChangeFinished = { onChange(value.roundToInt()) },
        valueRange = 0f..100f,
    )
}
