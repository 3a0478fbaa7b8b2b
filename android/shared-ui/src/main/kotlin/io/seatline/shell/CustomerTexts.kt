package io.seatline.shell

import io.seatline.core.ContactKind
import io.seatline.core.Customer
import io.seatline.core.SyncReport

/** One line of the customer list. */
data class CustomerRow(
    val id: Long,
    val title: String,
    val subtitle: String,
    val badges: List<Bilingual>,
)

/** R15: one of the five kinds on the card, with its values and an "add" action. */
data class ContactSection(val kind: ContactKind, val label: Bilingual, val values: List<String>)

object CustomerTexts {
    /** Name first; a customer added with the number only (R15) shows the number. */
    fun row(c: Customer, me: Long?): CustomerRow {
        val name = c.name?.takeIf { it.isNotBlank() }
        val subtitle = listOfNotNull(c.company?.takeIf { it.isNotBlank() }, if (name != null) c.mobile else null)
        return CustomerRow(
            id = c.id,
            title = name ?: c.mobile,
            subtitle = subtitle.joinToString(" · "),
            badges = listOfNotNull(
                owner(c, me).takeIf { c.ownerAgentId == null || c.ownerAgentId == me },
                Labels.notSynced.takeIf { c.pendingSync },
            ),
        )
    }

    /** R40 and R15: mine, the public pool 公海, or a colleague's (shown without a name). */
    fun owner(c: Customer, me: Long?): Bilingual = when (c.ownerAgentId) {
        null -> Labels.publicPool
        me -> Labels.ownedByMe
        else -> Bilingual("其他坐席", "Another agent")
    }

    /** R15: always the five kinds, in the core's order, each with what the card has. */
    fun sections(c: Customer): List<ContactSection> =
        ContactKind.entries.map { kind ->
            ContactSection(kind, Labels.contactKind(kind), c.contacts.filter { it.kind == kind }.map { it.value })
        }

    /** Pull-to-refresh result. */
    fun sync(r: SyncReport): Bilingual {
        val waiting = if (r.pending > 0u) Bilingual("，${r.pending} 条待上传", ", ${r.pending} waiting") else Bilingual("", "")
        val head = when {
            r.interrupted != null -> Bilingual("同步未完成，稍后重试", "Sync interrupted; it will retry")
            r.conflicts > 0u || r.rejected > 0u -> Bilingual(
                "已同步，${r.conflicts} 条冲突、${r.rejected} 条被拒",
                "Synced with ${r.conflicts} conflicts and ${r.rejected} refused",
            )
            else -> Bilingual("已同步：上传 ${r.pushed} 条，更新 ${r.pulled} 条", "Synced: ${r.pushed} sent, ${r.pulled} received")
        }
        return Bilingual(head.zh + waiting.zh, head.en + waiting.en)
    }
}
