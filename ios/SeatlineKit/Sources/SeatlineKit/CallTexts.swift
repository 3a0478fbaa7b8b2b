import Foundation
import SeatlineCore

/// The call screen's own labels (R12–R18); the phase texts come from the core. The same
/// words as Kotlin's `CallLabels`.
public enum CallLabels {
    public static func method(_ m: CallMethod) -> Bilingual {
        switch m {
        case .voip: return Bilingual("网络电话（推荐）", "VoIP (recommended)")
        case .callback: return Bilingual("回拨", "Callback")
        case .native: return Bilingual("本机", "Native call")
        }
    }

    /// R12: what each method costs and shows, under the choice.
    public static func methodHint(_ m: CallMethod) -> Bilingual {
        switch m {
        case .voip: return Bilingual("企业计费，对方显示企业号码", "Billed to the enterprise; shows the main number")
        case .callback: return Bilingual("平台先呼叫您的手机，接听后再呼叫客户", "The platform calls your phone first, then the customer")
        case .native: return Bilingual("使用本机号码和线路", "Uses this phone's own line and number")
        }
    }

    public static let hangUp = Bilingual("挂断", "Hang up")
    public static let hold = Bilingual("保持", "Hold")
    public static let resume = Bilingual("恢复通话", "Resume")
    public static let mute = Bilingual("静音", "Mute")
    public static let unmute = Bilingual("取消静音", "Unmute")
    public static let keypad = Bilingual("拨号键盘", "Keypad")
    /// R15: the number is not in the library yet.
    public static let addToLibrary = Bilingual("加入客户库", "add to library")
    public static let close = Bilingual("关闭", "Close")
    public static let reconnecting = Bilingual("网络重连中", "Reconnecting")
    public static let voiceConnecting = Bilingual("语音连接中", "Voice connecting")
    public static let onYourPhone = Bilingual("请在您的手机上通话", "Talk on your own phone")

    /// The received audio's quality from the core's MOS estimate (1.0–4.5).
    public static func quality(mos: Double) -> Bilingual {
        let grade: Bilingual
        if mos >= 4.0 {
            grade = Bilingual("良好", "good")
        } else if mos >= 3.6 {
            grade = Bilingual("一般", "fair")
        } else {
            grade = Bilingual("较差", "poor")
        }
        let m = String(format: "%.1f", mos)
        return Bilingual("通话质量\(grade.zh)（MOS \(m)）", "Call quality \(grade.en) (MOS \(m))")
    }

    public static func voice(_ v: VoiceLink) -> Bilingual? {
        switch v {
        case .noVoice: return onYourPhone
        case .connecting: return voiceConnecting
        case .up: return nil
        case .reconnecting: return reconnecting
        }
    }

    /// "mm:ss", or "h:mm:ss" past an hour.
    public static func elapsed(ms: Int64) -> String {
        let s = Int(max(ms, 0) / 1000)
        let h = s / 3600
        let m = (s % 3600) / 60
        let sec = s % 60
        return h > 0 ? String(format: "%d:%02d:%02d", h, m, sec) : String(format: "%02d:%02d", m, sec)
    }
}
