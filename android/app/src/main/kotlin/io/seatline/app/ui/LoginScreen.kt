package io.seatline.app.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.imePadding
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.text.KeyboardActions
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.text.input.ImeAction
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.text.input.PasswordVisualTransformation
import androidx.compose.ui.unit.dp
import io.seatline.shell.Bilingual
import io.seatline.shell.Labels
import io.seatline.shell.PhonePanel
import io.seatline.shell.SessionModel
import io.seatline.shell.SessionUi

/** R1: enterprise code, job number and password; R2: the panel reads "尚未登录" meanwhile. */
@Composable
fun LoginScreen(ui: SessionUi, panel: PhonePanel, model: SessionModel) {
    Column(
        modifier = Modifier.fillMaxSize().imePadding().padding(24.dp),
        verticalArrangement = Arrangement.spacedBy(12.dp, Alignment.CenterVertically),
    ) {
        BilingualText(Labels.appName, style = MaterialTheme.typography.headlineMedium)
        BilingualText(panel.status, color = MaterialTheme.colorScheme.onSurfaceVariant)
        Field(Labels.enterprise, ui.form.enterprise, KeyboardType.Ascii) { v -> model.editForm { it.copy(enterprise = v) } }
        Field(Labels.jobNumber, ui.form.jobNumber, KeyboardType.Ascii) { v -> model.editForm { it.copy(jobNumber = v) } }
        OutlinedTextField(
            value = ui.form.password,
            onValueChange = { v -> model.editForm { it.copy(password = v) } },
            label = { Text(Labels.password.line) },
            singleLine = true,
            visualTransformation = PasswordVisualTransformation(),
            keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Password, imeAction = ImeAction.Done),
            keyboardActions = KeyboardActions(onDone = { model.logIn() }),
            modifier = Modifier.fillMaxWidth(),
        )
        ui.error?.let { BilingualText(it, color = MaterialTheme.colorScheme.error) }
        Button(onClick = model::logIn, enabled = ui.canSubmit, modifier = Modifier.fillMaxWidth()) {
            Text(if (ui.busy) Labels.loggingIn.line else Labels.logIn.line)
        }
    }
}

@Composable
private fun Field(label: Bilingual, value: String, type: KeyboardType, onChange: (String) -> Unit) {
    OutlinedTextField(
        value = value,
        onValueChange = onChange,
        label = { Text(label.line) },
        singleLine = true,
        keyboardOptions = KeyboardOptions(keyboardType = type, imeAction = ImeAction.Next),
        modifier = Modifier.fillMaxWidth(),
    )
}
