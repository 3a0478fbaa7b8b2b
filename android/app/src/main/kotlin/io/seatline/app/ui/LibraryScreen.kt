package io.seatline.app.ui

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.Spacer
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.filled.Search
import androidx.compose.material3.ExperimentalMaterial3Api
import androidx.compose.material3.FilterChip
import androidx.compose.material3.Icon
import androidx.compose.material3.ListItem
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.material3.pulltorefresh.PullToRefreshBox
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import io.seatline.shell.CustomerRow
import io.seatline.shell.LibraryModel
import io.seatline.shell.Labels

/** The customer library: search, "my customers" (R40), add (R15), pull to sync. */
@OptIn(ExperimentalMaterial3Api::class)
@Composable
fun LibraryScreen(model: LibraryModel, onOpen: (Long) -> Unit, onAdd: () -> Unit) {
    val ui by model.state.collectAsStateWithLifecycle()
    // Coming back to the tab shows edits made on a card meanwhile.
    LaunchedEffect(Unit) { model.reload() }

    Column(Modifier.fillMaxSize().padding(horizontal = 16.dp)) {
        OutlinedTextField(
            value = ui.query,
            onValueChange = model::setQuery,
            placeholder = { Text(Labels.searchHint.line) },
            leadingIcon = { Icon(Icons.Filled.Search, contentDescription = null) },
            singleLine = true,
            modifier = Modifier.fillMaxWidth().padding(top = 8.dp),
        )
        Row(verticalAlignment = Alignment.CenterVertically) {
            FilterChip(
                selected = ui.mineOnly,
                onClick = { model.setMineOnly(!ui.mineOnly) },
                label = { Text(Labels.mineOnly.line) },
            )
            Spacer(Modifier.weight(1f))
            TextButton(onClick = onAdd) { Text(Labels.addCustomer.line) }
        }
        ui.note?.let { note ->
            BilingualText(
                note,
                style = MaterialTheme.typography.bodySmall,
                modifier = Modifier.clickable(onClick = model::dismissNote).padding(vertical = 4.dp),
            )
        }
        PullToRefreshBox(
            isRefreshing = ui.refreshing,
            onRefresh = model::refresh,
            modifier = Modifier.weight(1f),
        ) {
            LazyColumn(Modifier.fillMaxSize()) {
                if (ui.rows.isEmpty()) {
                    item { BilingualText(Labels.noCustomers, modifier = Modifier.padding(16.dp)) }
                }
                items(ui.rows, key = { it.id }) { row -> CustomerLine(row) { onOpen(row.id) } }
            }
        }
    }
}

@Composable
private fun CustomerLine(row: CustomerRow, onClick: () -> Unit) {
    ListItem(
        headlineContent = { Text(row.title) },
        supportingContent = if (row.subtitle.isNotEmpty()) {
            { Text(row.subtitle) }
        } else {
            null
        },
        trailingContent = {
            Column(horizontalAlignment = Alignment.End, verticalArrangement = Arrangement.spacedBy(2.dp)) {
                row.badges.forEach { Text(it.zh, style = MaterialTheme.typography.labelSmall) }
            }
        },
        modifier = Modifier.clickable(onClick = onClick),
    )
}
