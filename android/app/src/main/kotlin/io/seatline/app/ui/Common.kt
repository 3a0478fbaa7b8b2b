package io.seatline.app.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.automirrored.filled.ArrowBack
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.Icon
import androidx.compose.material3.IconButton
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Switch
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.text.SpanStyle
import androidx.compose.ui.text.TextStyle
import androidx.compose.ui.text.buildAnnotatedString
import androidx.compose.ui.text.withStyle
import androidx.compose.ui.unit.dp
import androidx.compose.ui.unit.em
import io.seatline.shell.Bilingual
import io.seatline.shell.Labels

/** The zh-CN text with its English beside it, smaller and quieter. */
@Composable
fun BilingualText(
    text: Bilingual,
    modifier: Modifier = Modifier,
    style: TextStyle = MaterialTheme.typography.bodyLarge,
    color: Color = Color.Unspecified,
) {
    val quiet = MaterialTheme.colorScheme.onSurfaceVariant
    Text(
        buildAnnotatedString {
            append(text.zh)
            if (text.en.isNotEmpty() && text.en != text.zh) {
                append("  ")
                withStyle(SpanStyle(fontSize = 0.8.em, color = quiet)) { append(text.en) }
            }
        },
        modifier = modifier,
        style = style,
        color = color,
    )
}

/** A labelled switch: R4 answering, R7 reception, R8 toggles. */
@Composable
fun SwitchRow(label: Bilingual, checked: Boolean, enabled: Boolean, onChange: (Boolean) -> Unit) {
    Row(
        modifier = Modifier.fillMaxWidth().padding(vertical = 8.dp),
        verticalAlignment = Alignment.CenterVertically,
        horizontalArrangement = Arrangement.SpaceBetween,
    ) {
        BilingualText(label, modifier = Modifier.weight(1f))
        Switch(checked = checked, onCheckedChange = onChange, enabled = enabled)
    }
}

/** A refusal or failure to acknowledge: shown until dismissed, so none goes unread. */
@Composable
fun NoticeDialog(notice: Bilingual?, onDismiss: () -> Unit, title: Bilingual? = null) {
    if (notice == null) return
    AlertDialog(
        onDismissRequest = onDismiss,
        title = if (title != null) {
            { BilingualText(title, style = MaterialTheme.typography.titleMedium) }
        } else {
            null
        },
        text = { BilingualText(notice) },
        confirmButton = { TextButton(onClick = onDismiss) { Text(Labels.ok.line) } },
    )
}

@Composable
fun BackRow(title: Bilingual, onBack: () -> Unit) {
    Row(verticalAlignment = Alignment.CenterVertically) {
        IconButton(onClick = onBack) {
            Icon(Icons.AutoMirrored.Filled.ArrowBack, contentDescription = Labels.back.line)
        }
        BilingualText(title, style = MaterialTheme.typography.titleLarge)
    }
}
