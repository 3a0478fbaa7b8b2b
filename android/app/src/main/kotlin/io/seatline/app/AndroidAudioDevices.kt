package io.seatline.app

import android.media.AudioManager
import android.os.Build
import io.seatline.core.AudioDeviceInfo
import io.seatline.core.AudioDevicesProvider
import android.media.AudioDeviceInfo as PlatformDevice

/**
 * R8 device choice and R10 microphone check: the core asks which microphones and
 * speakers a call could use. Called on a core thread; AudioManager allows that.
 */
class AndroidAudioDevices(private val audio: AudioManager) : AudioDevicesProvider {
    override fun microphones(): List<AudioDeviceInfo> = list(AudioManager.GET_DEVICES_INPUTS, INPUTS)

    override fun speakers(): List<AudioDeviceInfo> = list(AudioManager.GET_DEVICES_OUTPUTS, OUTPUTS)

    private fun list(flag: Int, kinds: Map<Int, String>): List<AudioDeviceInfo> =
        audio.getDevices(flag)
            .filter { it.type in kinds }
            .map { AudioDeviceInfo(id = stableId(it), name = name(it, kinds.getValue(it.type))) }
            .distinctBy { it.id }

    // AudioDeviceInfo.getId() changes each time a device reconnects, so a saved choice
    // would not find its headset again; the type plus the address (Bluetooth, USB) does.
    // getAddress() exists from API 28; below it, the type alone.
    private fun stableId(d: PlatformDevice): String {
        val address = if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.P) d.address else null
        return if (address.isNullOrEmpty()) "type:${d.type}" else "type:${d.type}:$address"
    }

    // Built-in devices report the phone's model as their product name: the kind says more.
    private fun name(d: PlatformDevice, kind: String): String {
        val product = d.productName?.toString().orEmpty()
        return if (d.type in BUILT_IN || product.isBlank()) kind else "$kind · $product"
    }

    private companion object {
        val BUILT_IN = setOf(
            PlatformDevice.TYPE_BUILTIN_MIC,
            PlatformDevice.TYPE_BUILTIN_EARPIECE,
            PlatformDevice.TYPE_BUILTIN_SPEAKER,
        )

        /** Devices a call can use, with the names the settings screen lists. */
        val INPUTS = mapOf(
            PlatformDevice.TYPE_BUILTIN_MIC to "内置麦克风 Built-in microphone",
            PlatformDevice.TYPE_WIRED_HEADSET to "有线耳机 Wired headset",
            PlatformDevice.TYPE_USB_HEADSET to "USB 耳机 USB headset",
            PlatformDevice.TYPE_USB_DEVICE to "USB 麦克风 USB microphone",
            PlatformDevice.TYPE_BLUETOOTH_SCO to "蓝牙耳机 Bluetooth headset",
        )
        val OUTPUTS = mapOf(
            PlatformDevice.TYPE_BUILTIN_EARPIECE to "听筒 Earpiece",
            PlatformDevice.TYPE_BUILTIN_SPEAKER to "扬声器 Speaker",
            PlatformDevice.TYPE_WIRED_HEADSET to "有线耳机 Wired headset",
            PlatformDevice.TYPE_WIRED_HEADPHONES to "有线耳机 Wired headphones",
            PlatformDevice.TYPE_USB_HEADSET to "USB 耳机 USB headset",
            PlatformDevice.TYPE_BLUETOOTH_SCO to "蓝牙耳机 Bluetooth headset",
        )
    }
}
