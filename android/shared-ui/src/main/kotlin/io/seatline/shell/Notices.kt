package io.seatline.shell

import io.seatline.core.LoginFailure
import io.seatline.core.SeatlineException

/**
 * What to show for an error of the core. The core's refusals carry their own texts
 * (R1, R3, R5, R9); the rest get the shell's wording here, in one place for all screens.
 */
object Notices {
    fun of(e: SeatlineException): Bilingual = when (e) {
        is SeatlineException.LoginFailed -> login(e)
        is SeatlineException.AnswerRefused -> Bilingual(e.textZh, e.textEn)
        is SeatlineException.DialRefused -> Bilingual(e.textZh, e.textEn)
        is SeatlineException.NotLoggedIn -> Bilingual("尚未登录", "Not logged in")
        is SeatlineException.DuplicateCustomer ->
            Bilingual("该号码已在客户库中", "This number is already in the customer library")
        is SeatlineException.NotFound -> Labels.customerNotFound
        is SeatlineException.PackageMissing ->
            Bilingual("未开通所需服务包（${e.`package`}）", "Package not enabled: ${e.`package`}")
        is SeatlineException.Offline ->
            Bilingual("无法连接平台，请检查网络", "Cannot reach the platform; check the network")
        is SeatlineException.InvalidInput -> Bilingual("输入有误：${e.detail}", "Invalid input: ${e.detail}")
        is SeatlineException.Other -> Bilingual("操作失败：${e.detail}", "Failed: ${e.detail}")
    }

    private fun login(e: SeatlineException.LoginFailed): Bilingual {
        val wait = e.retryAfterS
        return if (e.reason == LoginFailure.TOO_MANY_ATTEMPTS && wait != null) {
            Bilingual("${e.textZh}（${wait} 秒后可重试）", "${e.textEn} (retry in $wait s)")
        } else {
            Bilingual(e.textZh, e.textEn)
        }
    }
}
