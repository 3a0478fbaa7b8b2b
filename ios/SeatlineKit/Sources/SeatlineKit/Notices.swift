import Foundation
import SeatlineCore

/// What to show for an error of the core. The core's refusals carry their own texts
/// (R1, R3, R5, R9); the rest get the shell's wording here, in one place for all screens.
public enum Notices {
    public static func of(_ error: Error) -> Bilingual {
        guard let e = error as? SeatlineError else {
            return Bilingual("操作失败：\(error.localizedDescription)", "Failed: \(error.localizedDescription)")
        }
        switch e {
        case let .LoginFailed(reason, retryAfterS, textZh, textEn):
            if reason == .tooManyAttempts, let wait = retryAfterS {
                return Bilingual("\(textZh)（\(wait) 秒后可重试）", "\(textEn) (retry in \(wait) s)")
            }
            return Bilingual(textZh, textEn)
        case let .AnswerRefused(_, textZh, textEn):
            return Bilingual(textZh, textEn)
        case let .DialRefused(textZh, textEn):
            return Bilingual(textZh, textEn)
        case .NotLoggedIn:
            return Bilingual("尚未登录", "Not logged in")
        case .DuplicateCustomer:
            return Bilingual("该号码已在客户库中", "This number is already in the customer library")
        case .NotFound:
            return Labels.customerNotFound
        case let .PackageMissing(name):
            return Bilingual("未开通所需服务包（\(name)）", "Package not enabled: \(name)")
        case .Offline:
            return Bilingual("无法连接平台，请检查网络", "Cannot reach the platform; check the network")
        case let .InvalidInput(detail):
            return Bilingual("输入有误：\(detail)", "Invalid input: \(detail)")
        case let .Other(detail):
            return Bilingual("操作失败：\(detail)", "Failed: \(detail)")
        }
    }
}
