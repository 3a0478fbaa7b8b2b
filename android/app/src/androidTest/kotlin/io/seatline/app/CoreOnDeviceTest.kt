package io.seatline.app

import android.media.AudioManager
import androidx.test.ext.junit.runners.AndroidJUnit4
import androidx.test.platform.app.InstrumentationRegistry
import io.seatline.core.DeviceKind
import io.seatline.core.DialPad
import io.seatline.core.PhoneState
import io.seatline.core.Seatline
import io.seatline.core.SeatlineException
import io.seatline.shell.SeatlineAgentCore
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.Test
import org.junit.runner.RunWith
import java.io.File

/**
 * What only a device can show: the cargo-ndk library loads through JNA's aar, and the
 * generated bindings work on ART (sync calls, async calls, errors, foreign traits). The
 * JVM tests cover the same calls on the desktop; the models are tested in :shared-ui.
 */
@RunWith(AndroidJUnit4::class)
class CoreOnDeviceTest {
    private val context = InstrumentationRegistry.getInstrumentation().targetContext

    // Port 9 on loopback: nothing listens, so a platform call fails at once.
    private fun core(): Seatline {
        val dir = File(context.cacheDir, "core-test-${System.nanoTime()}").apply { mkdirs() }
        val audio = AndroidAudioDevices(context.getSystemService(AudioManager::class.java))
        return Seatline("http://127.0.0.1:9", dir.absolutePath, DeviceKind.MOBILE, audio)
    }

    @Test
    fun r2_the_core_loads_and_reads_not_logged_in() {
        core().use { core ->
            val view = core.phoneView()
            assertEquals(PhoneState.NOT_LOGGED_IN, view.phone)
            assertEquals("尚未登录", view.textZh)
            try {
                core.checkDial("13800138000")
                fail("R2: no calls while logged out")
            } catch (e: SeatlineException.DialRefused) {
                assertEquals("尚未登录", e.textZh)
            }
        }
    }

    @Test
    fun r14_dial_pad_through_jna() {
        DialPad().use { pad ->
            val s = pad.paste("138-0013 8000")
            assertEquals("13800138000", s.text)
            assertEquals("13800138000", pad.enter())
        }
    }

    @Test
    fun an_unreachable_platform_is_a_typed_offline_error() = runBlocking<Unit> {
        core().use { core ->
            try {
                SeatlineAgentCore(core).login("demo", "1001", "1001pass")
                fail("nothing listens on port 9")
            } catch (e: SeatlineException.Offline) {
                assertTrue(e.detail.isNotEmpty())
            }
        }
    }

    @Test
    fun settings_round_trip_in_the_apps_files() {
        core().use { core ->
            val s = core.settings()
            core.setSettings(s.copy(autoLogin = true, speakerVolume = 40u))
            assertTrue(core.settings().autoLogin)
            assertEquals(40u.toUByte(), core.settings().speakerVolume)
        }
    }
}
