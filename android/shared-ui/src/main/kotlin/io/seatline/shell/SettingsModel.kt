package io.seatline.shell

import io.seatline.core.AudioDeviceInfo
import io.seatline.core.AudioDevicesProvider
import io.seatline.core.SeatlineException
import io.seatline.core.Settings
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import kotlin.coroutines.CoroutineContext

/** A choice in a device list; `id == null` is the system default. */
data class DeviceChoice(val id: String?, val label: Bilingual, val selected: Boolean)

data class SettingsUi(
    val settings: Settings? = null,
    val microphones: List<AudioDeviceInfo> = emptyList(),
    val speakers: List<AudioDeviceInfo> = emptyList(),
    val notice: Bilingual? = null,
) {
    val microphoneChoices: List<DeviceChoice> get() = choices(microphones, settings?.microphone)
    val speakerChoices: List<DeviceChoice> get() = choices(speakers, settings?.speaker)

    companion object {
        /**
         * The system default first, then each device by its name. A saved device that is
         * no longer there (a headset unplugged) is not offered; the default is selected.
         */
        fun choices(devices: List<AudioDeviceInfo>, saved: String?): List<DeviceChoice> {
            val present = saved?.takeIf { id -> devices.any { it.id == id } }
            return listOf(DeviceChoice(null, Labels.systemDefault, present == null)) +
                devices.map { DeviceChoice(it.id, Bilingual(it.name, it.name), it.id == present) }
        }
    }
}

/**
 * Settings of R8 on a phone: auto-login, notifications, microphone and speaker, volumes.
 * Auto-answer (R6) is a PC setting: this screen never shows or changes it, and keeps the
 * stored value as it is. The microphone test and test sound need the voice engine and
 * come with it.
 */
class SettingsModel(
    private val core: AgentCore,
    private val audio: AudioDevicesProvider,
    private val scope: CoroutineScope,
    private val worker: CoroutineContext,
) {
    private val _state = MutableStateFlow(SettingsUi())
    val state: StateFlow<SettingsUi> = _state.asStateFlow()

    /** Reads the settings and the devices present now (a headset may come and go). */
    fun load() {
        scope.launch {
            val loaded = withContext(worker) {
                SettingsUi(settings = core.settings(), microphones = audio.microphones(), speakers = audio.speakers())
            }
            _state.value = loaded
        }
    }

    fun setAutoLogin(on: Boolean) = change { it.copy(autoLogin = on) }
    fun setNotifications(on: Boolean) = change { it.copy(notifications = on) }
    fun setMicrophone(id: String?) = change { it.copy(microphone = id) }
    fun setSpeaker(id: String?) = change { it.copy(speaker = id) }
    fun setMicrophoneVolume(percent: Int) = change { it.copy(microphoneVolume = volume(percent)) }
    fun setSpeakerVolume(percent: Int) = change { it.copy(speakerVolume = volume(percent)) }
    fun dismissNotice() = _state.update { it.copy(notice = null) }

    /** Saves through the core, which validates; the screen shows what was stored. */
    private fun change(edit: (Settings) -> Settings) {
        val current = _state.value.settings ?: return
        val next = edit(current)
        _state.update { it.copy(settings = next) }
        scope.launch {
            try {
                withContext(worker) { core.setSettings(next) }
            } catch (e: SeatlineException) {
                _state.update { it.copy(settings = current, notice = Notices.of(e)) }
            }
        }
    }

    companion object {
        fun volume(percent: Int): UByte = percent.coerceIn(0, 100).toUByte()
    }
}
