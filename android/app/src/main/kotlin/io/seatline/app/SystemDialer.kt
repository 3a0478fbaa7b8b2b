package io.seatline.app

import android.content.ActivityNotFoundException
import android.content.Context
import android.content.Intent
import android.net.Uri
import io.seatline.shell.Bilingual
import io.seatline.shell.CallStarter
import io.seatline.shell.Labels

/**
 * R12's native call: the phone's own dialer, with the number filled in for the agent to
 * confirm (ACTION_DIAL needs no permission). The VoIP and callback starters replace this
 * as the default when the voice engine arrives; the dial pad does not change.
 */
class SystemDialer(private val context: Context) : CallStarter {
    override fun start(number: String): Bilingual? {
        val intent = Intent(Intent.ACTION_DIAL, Uri.fromParts("tel", number, null))
            .addFlags(Intent.FLAG_ACTIVITY_NEW_TASK)
        return try {
            context.startActivity(intent)
            null
        } catch (e: ActivityNotFoundException) {
            Labels.noDialer
        }
    }
}
