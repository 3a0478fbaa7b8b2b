package io.seatline.app.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.Spacer
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.CircularProgressIndicator
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import io.seatline.shell.Bilingual
import io.seatline.shell.ContactDraft
import io.seatline.shell.CustomerCardModel
import io.seatline.shell.Labels

/** A customer card: the fixed mobile number, ownership (R40), five kinds of contact (R15). */
@Composable
fun CustomerCardScreen(model: CustomerCardModel, onBack: () -> Unit, onDial: (String) -> Unit) {
    val ui by model.state.collectAsStateWithLifecycle()
    val c = ui.customer

    Column(
        modifier = Modifier.fillMaxSize().verticalScroll(rememberScrollState()).padding(16.dp),
        verticalArrangement = Arrangement.spacedBy(8.dp),
    ) {
        BackRow(Bilingual(c?.name?.takeIf { it.isNotBlank() } ?: c?.mobile.orEmpty(), ""), onBack)
        if (c == null) {
            if (ui.loading) CircularProgressIndicator()
            return@Column
        }

        Field(Labels.mobile, c.mobile)
        Row(verticalAlignment = Alignment.CenterVertically) {
            BilingualText(Labels.mobileFixed, style = MaterialTheme.typography.bodySmall, modifier = Modifier.weight(1f))
            TextButton(onClick = { onDial(c.mobile) }) { Text(Labels.callNumber.line) }
        }
        c.company?.let { Field(Labels.company, it) }
        c.title?.let { Field(Labels.title, it) }
        ui.owner?.let { Field(Labels.owner, it.line) }
        if (c.pendingSync) BilingualText(Labels.notSynced, color = MaterialTheme.colorScheme.tertiary)
        OutlinedButton(onClick = { model.setMine(!ui.isMine) }, enabled = !ui.saving) {
            Text(if (ui.isMine) Labels.returnToPool.line else Labels.makeMine.line)
        }

        HorizontalDivider()
        BilingualText(Labels.contactMethods, style = MaterialTheme.typography.titleMedium)
        ui.sections.forEach { section ->
            Row(verticalAlignment = Alignment.CenterVertically) {
                BilingualText(section.label, modifier = Modifier.weight(1f))
                TextButton(onClick = { model.startContact(section.kind) }) { Text("+ ${Labels.add.line}") }
            }
            section.values.forEach { Text(it, modifier = Modifier.padding(start = 16.dp)) }
        }
        Spacer(Modifier.padding(8.dp))
    }

    ui.draft?.let { ContactDialog(it, ui.saving, model) }
    NoticeDialog(ui.notice, model::dismissNotice)
}

@Composable
private fun Field(label: Bilingual, value: String) {
    Column {
        BilingualText(label, style = MaterialTheme.typography.labelMedium)
        Text(value, style = MaterialTheme.typography.bodyLarge)
    }
}

/** R15 "add": one value of the chosen kind; the core checks it. */
@Composable
private fun ContactDialog(draft: ContactDraft, saving: Boolean, model: CustomerCardModel) {
    val kind = Labels.contactKind(draft.kind)
    AlertDialog(
        onDismissRequest = model::cancelContact,
        title = { BilingualText(Bilingual("${Labels.addContact.zh}：${kind.zh}", "${Labels.addContact.en}: ${kind.en}")) },
        text = {
            OutlinedTextField(
                value = draft.value,
                onValueChange = model::editContact,
                singleLine = true,
                modifier = Modifier.fillMaxWidth(),
            )
        },
        confirmButton = {
            TextButton(onClick = model::saveContact, enabled = draft.canSave && !saving) { Text(Labels.save.line) }
        },
        dismissButton = { TextButton(onClick = model::cancelContact) { Text(Labels.cancel.line) } },
    )
}
