package io.seatline.app

import android.app.Application
import android.media.AudioManager
import android.net.ConnectivityManager
import android.util.Log
import io.seatline.core.DeviceKind
import io.seatline.core.Seatline
import io.seatline.core.SeatlineException

/**
 * One core per process: it owns the session, the event socket and the SQLite store in
 * [filesDir], and outlives any screen. The screens reach it through [ShellViewModel].
 * The core gets the phone's dialer for native calls (R12), the phone's audio path for
 * VoIP (AAudio with the platform's echo cancellation), and network changes.
 */
class SeatlineApplication : Application() {
    lateinit var core: Seatline
        private set
    lateinit var audio: AndroidAudioDevices
        private set
    private var network: NetworkWatcher? = null

    override fun onCreate() {
        super.onCreate()
        audio = AndroidAudioDevices(getSystemService(AudioManager::class.java))
        core = Seatline(
            BuildConfig.PLATFORM_URL,
            filesDir.absolutePath,
            DeviceKind.MOBILE,
            audio,
            AndroidNativeDialer(this),
        )
        try {
            core.useDeviceAudio()
        } catch (e: SeatlineException) {
            // VoIP then has no sound; callback and native calls still work.
            Log.w("Seatline", "device audio unavailable: ${e.message}")
        }
        network = NetworkWatcher(getSystemService(ConnectivityManager::class.java)) { core.networkChanged() }
            .also { it.start() }
    }
}
