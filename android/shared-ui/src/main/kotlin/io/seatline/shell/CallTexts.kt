package io.seatline.shell

import io.seatline.core.CallMethod
import io.seatline.core.VoiceLink

/** The call screen's own labels (R12–R18); the phase texts come from the core. */
object CallLabels {
    fun method(m: CallMethod): Bilingual = when (m) {
        CallMethod.VOIP -> Bilingual("网络电话（推荐）", "VoIP (recommended)")
        CallMethod.CALLBACK -> Bilingual("回拨", "Callback")
        CallMethod.NATIVE -> Bilingual("本机", "Native call")
    }

    /** R12: what each method costs and shows, under the choice. */
    fun methodHint(m: CallMethod): Bilingual = when (m) {
        CallMethod.VOIP -> Bilingual("企业计费，对方显示企业号码", "Billed to the enterprise; shows the main number")
        CallMethod.CALLBACK -> Bilingual("平台先呼叫您的手机，接听后再呼叫客户", "The platform calls your phone first, then the customer")
        CallMethod.NATIVE -> Bilingual("使用本机号码和线路", "Uses this phone's own line and number")
    }

    val hangUp = Bilingual("挂断", "Hang up")
    val hold = Bilingual("保持", "Hold")
    val resume = Bilingual("恢复通话", "Resume")
    val mute = Bilingual("静音", "Mute")
    val unmute = Bilingual("取消静音", "Unmute")
    val keypad = Bilingual("拨号键盘", "Keypad")
    /** R15: the number is not in the library yet. */
    val addToLibrary = Bilingual("加入客户库", "add to library")
    val close = Bilingual("关闭", "Close")
    val nativeInProgress = Bilingual("正在使用本机拨号", "Calling with the phone's dialer")
    val reconnecting = Bilingual("网络重连中", "Reconnecting")
    val voiceConnecting = Bilingual("语音连接中", "Voice connecting")
    val onYourPhone = Bilingual("请在您的手机上通话", "Talk on your own phone")

    /** The received audio's quality from the core's MOS estimate (1.0–4.5). */
    fun quality(mos: Double): Bilingual {
        val grade = when {
            mos >= 4.0 -> Bilingual("良好", "good")
            mos >= 3.6 -> Bilingual("一般", "fair")
            else -> Bilingual("较差", "poor")
        }
        val m = String.format(java.util.Locale.ROOT, "%.1f", mos)
        return Bilingual("通话质量${grade.zh}（MOS $m）", "Call quality ${grade.en} (MOS $m)")
    }

    fun voice(v: VoiceLink): Bilingual? = when (v) {
        VoiceLink.NO_VOICE -> onYourPhone
        VoiceLink.CONNECTING -> voiceConnecting
        VoiceLink.UP -> null
        VoiceLink.RECONNECTING -> reconnecting
    }

    /** "mm:ss", or "h:mm:ss" past an hour. */
    fun elapsed(ms: Long): String {
        val s = (ms.coerceAtLeast(0) / 1000)
        val h = s / 3600
        val m = (s % 3600) / 60
        val sec = s % 60
        return if (h > 0) "%d:%02d:%02d".format(h, m, sec) else "%02d:%02d".format(m, sec)
    }
}
