package io.seatline.app.ui

import androidx.activity.compose.BackHandler
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.padding
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.filled.Call
import androidx.compose.material.icons.filled.Person
import androidx.compose.material.icons.filled.Phone
import androidx.compose.material.icons.filled.Settings
import androidx.compose.material3.CircularProgressIndicator
import androidx.compose.material3.Icon
import androidx.compose.material3.NavigationBar
import androidx.compose.material3.NavigationBarItem
import androidx.compose.material3.Scaffold
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.vector.ImageVector
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import io.seatline.shell.AppModel
import io.seatline.shell.Bilingual
import io.seatline.shell.Labels

/** Login until there is a session (R1, R8), then the tabs. The R10 prompt shows anywhere. */
@Composable
fun SeatlineRoot(app: AppModel) {
    val session by app.session.state.collectAsStateWithLifecycle()
    val panel by app.phone.state.collectAsStateWithLifecycle()
    when {
        session.resuming -> Resuming()
        session.profile == null -> LoginScreen(session, panel, app.session)
        else -> MainScreen(app)
    }
    NoticeDialog(panel.microphonePrompt, app.phone::dismissMicrophonePrompt)
}

@Composable
private fun Resuming() {
    Column(
        modifier = Modifier.fillMaxSize(),
        verticalArrangement = Arrangement.Center,
        horizontalAlignment = Alignment.CenterHorizontally,
    ) {
        CircularProgressIndicator()
        BilingualText(Labels.resuming)
    }
}

private enum class Tab(val label: Bilingual, val icon: ImageVector) {
    PHONE(Labels.phoneTab, Icons.Filled.Phone),
    DIAL(Labels.dialTab, Icons.Filled.Call),
    CUSTOMERS(Labels.customersTab, Icons.Filled.Person),
    SETTINGS(Labels.settingsTab, Icons.Filled.Settings),
}

/** Pages opened on top of the tabs. */
private sealed interface Page {
    data class Card(val id: Long) : Page
    data class AddCustomer(val prefill: String) : Page
}

@Composable
private fun MainScreen(app: AppModel) {
    var tab by rememberSaveable { mutableStateOf(Tab.PHONE) }
    var page by remember { mutableStateOf<Page?>(null) }
    BackHandler(enabled = page != null) { page = null }

    val open = { id: Long -> page = Page.Card(id) }
    val dial = { number: String ->
        app.dial.set(number)
        page = null
        tab = Tab.DIAL
    }

    Scaffold(
        bottomBar = {
            if (page == null) {
                NavigationBar {
                    Tab.entries.forEach { t ->
                        NavigationBarItem(
                            selected = t == tab,
                            onClick = { tab = t },
                            icon = { Icon(t.icon, contentDescription = null) },
                            label = { Text(t.label.zh) },
                        )
                    }
                }
            }
        },
    ) { insets ->
        Box(Modifier.padding(insets)) {
            when (val p = page) {
                is Page.Card -> {
                    val card = remember(p.id) { app.card(p.id) }
                    CustomerCardScreen(card, onBack = { page = null }, onDial = dial)
                }
                is Page.AddCustomer -> {
                    val add = remember(p) { app.addCustomer(p.prefill) }
                    AddCustomerScreen(add, onBack = { page = null }, onOpen = open)
                }
                null -> when (tab) {
                    Tab.PHONE -> PhoneScreen(app.phone, app.session)
                    Tab.DIAL -> DialTab(app, onAddCustomer = { page = Page.AddCustomer(it) }, onOpen = open)
                    Tab.CUSTOMERS -> LibraryScreen(
                        app.library,
                        onOpen = open,
                        onAdd = { page = Page.AddCustomer("") },
                    )
                    Tab.SETTINGS -> SettingsScreen(app.settings)
                }
            }
        }
    }
}

/** The dial pad with the method choice (R12), or the call panel while there is one. */
@Composable
private fun DialTab(app: AppModel, onAddCustomer: (String) -> Unit, onOpen: (Long) -> Unit) {
    val call = app.call
    if (call == null) {
        DialPadScreen(app.dial, onAddCustomer = onAddCustomer)
        return
    }
    val ui by call.state.collectAsStateWithLifecycle()
    if (ui.panel != null) {
        CallScreen(call, onAddCustomer = onAddCustomer, onOpenCustomer = onOpen)
    } else {
        DialPadScreen(app.dial, onAddCustomer = onAddCustomer, header = { CallMethodChooser(call) })
    }
}
