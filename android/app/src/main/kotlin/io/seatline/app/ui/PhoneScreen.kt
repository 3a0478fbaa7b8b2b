package io.seatline.app.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Spacer
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.Card
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import io.seatline.shell.Labels
import io.seatline.shell.PhoneModel
import io.seatline.shell.SessionModel

/**
 * The phone panel: state (R2, R4; R9 "电话异常" opens its detail on tap), the answering
 * switch 关闭接听/开启接听 (R3, R5 refusals as dialogs), reception (R7, with the package).
 */
@Composable
fun PhoneScreen(phone: PhoneModel, session: SessionModel) {
    val panel by phone.state.collectAsStateWithLifecycle()
    val profile by session.state.collectAsStateWithLifecycle()
    val agent = profile.profile

    Column(
        modifier = Modifier.fillMaxSize().padding(16.dp),
        verticalArrangement = Arrangement.spacedBy(12.dp),
    ) {
        if (agent != null) {
            Text("${agent.displayName} · ${agent.jobNumber}", style = MaterialTheme.typography.titleLarge)
            Text(agent.enterpriseName, color = MaterialTheme.colorScheme.onSurfaceVariant)
        }
        if (!panel.connected) {
            BilingualText(Labels.offlineBanner, color = MaterialTheme.colorScheme.error)
        }

        Card(onClick = phone::openFault, enabled = panel.isFault, modifier = Modifier.fillMaxWidth()) {
            Column(Modifier.padding(16.dp)) {
                BilingualText(Labels.phoneState, style = MaterialTheme.typography.labelMedium)
                BilingualText(
                    panel.status,
                    style = MaterialTheme.typography.headlineSmall,
                    color = if (panel.isFault) MaterialTheme.colorScheme.error else MaterialTheme.colorScheme.onSurface,
                )
                if (panel.isFault) BilingualText(Labels.tapForDetail, style = MaterialTheme.typography.bodySmall)
            }
        }

        if (panel.showAnswering) {
            SwitchRow(
                label = panel.answerLabel,
                checked = panel.view.answerOn,
                enabled = panel.canSwitchAnswering,
                onChange = phone::setAnswering,
            )
            panel.otherHolder?.let { BilingualText(Labels.answeringElsewhere(it), style = MaterialTheme.typography.bodySmall) }
        }
        if (panel.showReception) {
            SwitchRow(
                label = panel.receptionLabel,
                checked = panel.view.receptionOpen,
                enabled = !panel.switching,
                onChange = phone::setReception,
            )
        }

        Spacer(Modifier.weight(1f))
        OutlinedButton(onClick = session::logOut, modifier = Modifier.fillMaxWidth()) {
            Text(Labels.logOut.line)
        }
    }

    NoticeDialog(panel.faultDetail, phone::closeFault, title = panel.status)
    NoticeDialog(panel.notice, phone::dismissNotice)
}
