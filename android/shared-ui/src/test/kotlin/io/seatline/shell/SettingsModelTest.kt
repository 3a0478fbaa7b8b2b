package io.seatline.shell

import io.seatline.core.AudioDeviceInfo
import io.seatline.core.SeatlineException
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

class SettingsModelTest {
    private val core = FakeCore()
    private val audio = FakeAudio()
    private val model = SettingsModel(core, audio, testScope(), testWorker).apply { load() }

    @Test
    fun r8_toggles_and_volumes_are_stored_through_the_core() {
        model.setAutoLogin(true)
        model.setNotifications(false)
        model.setSpeakerVolume(55)
        model.setMicrophoneVolume(140)
        assertTrue(core.stored.autoLogin)
        assertFalse(core.stored.notifications)
        assertEquals(55u.toUByte(), core.stored.speakerVolume)
        assertEquals(100u.toUByte(), core.stored.microphoneVolume, "volumes are percentages")
    }

    @Test
    fun r6_auto_answer_is_a_pc_setting_that_the_phone_keeps_as_it_is() {
        core.stored = testSettings(autoAnswer = true)
        model.load()
        model.setNotifications(false)
        assertTrue(core.stored.autoAnswer)
    }

    @Test
    fun r8_microphone_and_speaker_choices_come_from_the_device() {
        val mics = model.state.value.microphoneChoices
        assertEquals(listOf(null, "15"), mics.map { it.id })
        assertTrue(mics.first().selected, "the system default until one is chosen")
        model.setSpeaker("3")
        assertEquals("3", core.stored.speaker)
        assertEquals(listOf(false, false, true), model.state.value.speakerChoices.map { it.selected })
    }

    @Test
    fun a_chosen_device_that_went_away_falls_back_to_the_default() {
        model.setMicrophone("headset-1")
        audio.mics = listOf(AudioDeviceInfo("15", "Built-in microphone"))
        model.load()
        assertTrue(model.state.value.microphoneChoices.first().selected)
    }

    @Test
    fun a_refused_change_is_undone_on_screen() {
        core.settingsError = SeatlineException.InvalidInput("speaker_volume: at most 100")
        model.setSpeakerVolume(50)
        assertEquals(80u.toUByte(), model.state.value.settings?.speakerVolume)
        assertTrue(model.state.value.notice!!.en.startsWith("Invalid input"))
    }
}
