package io.seatline.shell

import io.seatline.core.AnswerState
import io.seatline.core.SeatlineException
import io.seatline.core.SyncReport
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test

class NoticesTest {
    @Test
    fun refusals_keep_the_cores_texts() {
        assertEquals(
            Bilingual("电脑端已开启接听，请先在电脑端关闭", "Answering is on at your PC (idle); switch it to busy there first"),
            Notices.of(answerRefusedByPc()),
        )
        assertEquals(Bilingual("未绑定手机号码，无法呼叫", "No number"), Notices.of(SeatlineException.DialRefused("未绑定手机号码，无法呼叫", "No number")))
    }

    @Test
    fun the_shells_own_wording_for_the_rest() {
        assertEquals("未开通所需服务包（online_service）", Notices.of(SeatlineException.PackageMissing("online_service")).zh)
        assertEquals("Failed: disk full", Notices.of(SeatlineException.Other("disk full")).en)
    }

    @Test
    fun r4_mobile_answer_labels() {
        assertEquals("关闭接听 · Answering off", Labels.answer(AnswerState.MOBILE_OFF).line)
        assertEquals("开启接听 · Answering on", Labels.answer(AnswerState.MOBILE_ON).line)
        assertEquals("QQ", Bilingual("QQ", "QQ").line)
    }

    @Test
    fun sync_with_conflicts_says_so() {
        val note = CustomerTexts.sync(SyncReport(2u, 0u, 1u, 1u, 0u, 0u, null))
        assertEquals("已同步，1 条冲突、1 条被拒", note.zh)
    }
}
