package io.seatline.app

import android.app.Application
import androidx.lifecycle.AndroidViewModel
import androidx.lifecycle.viewModelScope
import io.seatline.core.DialPad
import io.seatline.shell.AppModel
import io.seatline.shell.SeatlineAgentCore
import io.seatline.shell.SeatlineCallCore
import kotlinx.coroutines.Dispatchers

/**
 * Holds the app's models across configuration changes. They run on viewModelScope (the
 * main thread) and send the core's SQLite work to Dispatchers.IO.
 */
class ShellViewModel(application: Application) : AndroidViewModel(application) {
    private val seatline = application as SeatlineApplication
    private val dialPad = DialPad()

    val models = AppModel(
        core = SeatlineAgentCore(seatline.core),
        scope = viewModelScope,
        worker = Dispatchers.IO,
        audio = seatline.audio,
        dialPad = dialPad,
        // Unused while callCore is given: the call model places calls (R12), and its
        // native method goes through the core to AndroidNativeDialer.
        calls = SystemDialer(application),
        callCore = SeatlineCallCore(seatline.core),
    ).also { it.start() }

    override fun onCleared() {
        models.close()
        dialPad.close()
    }
}
