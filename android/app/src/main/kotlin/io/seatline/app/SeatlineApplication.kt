package io.seatline.app

import android.app.Application
import android.media.AudioManager
import io.seatline.core.DeviceKind
import io.seatline.core.Seatline

/**
 * One core per process: it owns the session, the event socket and the SQLite store in
 * [filesDir], and outlives any screen. The screens reach it through [ShellViewModel].
 */
class SeatlineApplication : Application() {
    lateinit var core: Seatline
        private set
    lateinit var audio: AndroidAudioDevices
        private set

    override fun onCreate() {
        super.onCreate()
        audio = AndroidAudioDevices(getSystemService(AudioManager::class.java))
        core = Seatline(BuildConfig.PLATFORM_URL, filesDir.absolutePath, DeviceKind.MOBILE, audio)
    }
}
