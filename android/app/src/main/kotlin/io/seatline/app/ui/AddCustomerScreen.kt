package io.seatline.app.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import io.seatline.shell.AddCustomerModel
import io.seatline.shell.Labels

/** R15: mobile number (required, unique, fixed once saved) and an optional name. */
@Composable
fun AddCustomerScreen(model: AddCustomerModel, onBack: () -> Unit, onOpen: (Long) -> Unit) {
    val ui by model.state.collectAsStateWithLifecycle()
    // Saved: show the new card, where owner and the rest are set.
    LaunchedEffect(ui.saved) { ui.saved?.let { onOpen(it.id) } }

    Column(
        modifier = Modifier.fillMaxSize().padding(16.dp),
        verticalArrangement = Arrangement.spacedBy(12.dp),
    ) {
        BackRow(Labels.addCustomer, onBack)
        OutlinedTextField(
            value = ui.mobile,
            onValueChange = model::setMobile,
            label = { Text(Labels.mobile.line) },
            singleLine = true,
            keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Phone),
            modifier = Modifier.fillMaxWidth(),
        )
        BilingualText(Labels.mobileFixed, style = MaterialTheme.typography.bodySmall)
        OutlinedTextField(
            value = ui.name,
            onValueChange = model::setName,
            label = { Text(Labels.nameOptional.line) },
            singleLine = true,
            modifier = Modifier.fillMaxWidth(),
        )
        ui.error?.let { BilingualText(it, color = MaterialTheme.colorScheme.error) }
        ui.existingId?.let { id ->
            TextButton(onClick = { onOpen(id) }) { Text(Labels.openExisting.line) }
        }
        Button(onClick = model::save, enabled = ui.canSave, modifier = Modifier.fillMaxWidth()) {
            Text(Labels.save.line)
        }
    }
}
