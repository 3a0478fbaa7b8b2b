package io.seatline.app

import android.Manifest
import android.content.pm.PackageManager
import android.os.Bundle
import androidx.activity.ComponentActivity
import androidx.activity.compose.setContent
import androidx.activity.enableEdgeToEdge
import androidx.activity.result.contract.ActivityResultContracts
import androidx.activity.viewModels
import androidx.core.content.ContextCompat
import io.seatline.app.ui.SeatlineRoot
import io.seatline.app.ui.SeatlineTheme

class MainActivity : ComponentActivity() {
    private val shell: ShellViewModel by viewModels()

    // VoIP needs the microphone; CALL_PHONE lets a native call (R12) go out without the
    // dialer's confirmation. Either may be refused: the calls that need them degrade.
    private val permissions = registerForActivityResult(ActivityResultContracts.RequestMultiplePermissions()) { }

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        enableEdgeToEdge()
        val missing = listOf(Manifest.permission.RECORD_AUDIO, Manifest.permission.CALL_PHONE).filter {
            ContextCompat.checkSelfPermission(this, it) != PackageManager.PERMISSION_GRANTED
        }
        if (missing.isNotEmpty()) permissions.launch(missing.toTypedArray())
        setContent {
            SeatlineTheme {
                SeatlineRoot(shell.models)
            }
        }
    }

    override fun onResume() {
        super.onResume()
        // Back from the phone's dialer: the native call is over (R12), the core records its end.
        shell.models.call?.nativeCallReturned()
    }
}
