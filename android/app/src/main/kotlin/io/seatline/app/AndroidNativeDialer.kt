package io.seatline.app

import android.Manifest
import android.content.ActivityNotFoundException
import android.content.Context
import android.content.Intent
import android.content.pm.PackageManager
import android.net.Uri
import android.telecom.TelecomManager
import androidx.core.content.ContextCompat
import io.seatline.core.DialerException
import io.seatline.core.NativeDialer

/**
 * R12's native call behind the core's `NativeDialer`: the core writes the call record
 * and then asks this to place the call on the phone's own line. With CALL_PHONE granted
 * the call goes out at once (`TelecomManager.placeCall`, or `ACTION_CALL` when Telecom
 * refuses); without it the system dialer opens with the number for the agent to confirm.
 * Called on a core thread: both only hand an intent to the system.
 */
class AndroidNativeDialer(private val context: Context) : NativeDialer {
    override fun dial(number: String) {
        val uri = Uri.fromParts("tel", number, null)
        val granted = ContextCompat.checkSelfPermission(context, Manifest.permission.CALL_PHONE) ==
            PackageManager.PERMISSION_GRANTED
        try {
            if (granted) {
                val telecom = context.getSystemService(TelecomManager::class.java)
                try {
                    if (telecom != null) {
                        telecom.placeCall(uri, null)
                        return
                    }
                } catch (e: SecurityException) {
                    // Fall through to ACTION_CALL.
                }
                context.startActivity(Intent(Intent.ACTION_CALL, uri).addFlags(Intent.FLAG_ACTIVITY_NEW_TASK))
            } else {
                context.startActivity(Intent(Intent.ACTION_DIAL, uri).addFlags(Intent.FLAG_ACTIVITY_NEW_TASK))
            }
        } catch (e: ActivityNotFoundException) {
            throw DialerException.Refused("no dialer app on this device")
        } catch (e: SecurityException) {
            throw DialerException.Refused("calls not permitted: ${e.message ?: "CALL_PHONE"}")
        }
    }
}
