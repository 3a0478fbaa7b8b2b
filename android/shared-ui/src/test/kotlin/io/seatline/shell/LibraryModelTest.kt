package io.seatline.shell

import io.seatline.core.ClientEvent
import io.seatline.core.SeatlineException
import io.seatline.core.SyncReport
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

class LibraryModelTest {
    private val core = FakeCore().apply {
        me = testProfile(agentId = 7)
        customers += customer(1, "13800000001", "王五", owner = 7, company = "北辰贸易")
        customers += customer(2, "13900000002", null)
        customers += customer(3, "13700000003", "赵六", owner = 9)
    }
    private val model = LibraryModel(core, testScope(), testWorker)

    private fun titles() = model.state.value.rows.map { it.title }

    @Test
    fun search_by_name_company_or_any_part_of_the_number() {
        model.setQuery("王")
        assertEquals(listOf("王五"), titles())
        model.setQuery("北辰")
        assertEquals(listOf("王五"), titles())
        model.setQuery("0000002")
        assertEquals(listOf("13900000002"), titles(), "R15: a customer without a name shows the number")
        model.setQuery("  ")
        assertEquals(3, titles().size, "an empty query lists the recent customers")
        assertEquals("search ", core.calls.last(), "the query is trimmed")
    }

    @Test
    fun r40_my_customers() {
        model.setMineOnly(true)
        assertEquals(listOf("王五"), titles())
        assertEquals("mine", core.calls.last())
        model.setQuery("赵")
        assertTrue(titles().isEmpty(), "a search narrowed to mine leaves out a colleague's customer")
        model.setQuery("13")
        assertEquals(listOf("王五"), titles())
    }

    @Test
    fun rows_say_mine_public_pool_and_not_synced() {
        core.customers += customer(4, "13600000004", "孙七", pending = true)
        model.setQuery("")
        val rows = model.state.value.rows.associateBy { it.id }
        assertEquals(listOf(Labels.ownedByMe), rows.getValue(1).badges)
        assertEquals("北辰贸易 · 13800000001", rows.getValue(1).subtitle)
        assertEquals(listOf(Labels.publicPool), rows.getValue(2).badges)
        assertEquals(emptyList<Bilingual>(), rows.getValue(3).badges, "a colleague's customer: no badge")
        assertEquals(listOf(Labels.publicPool, Labels.notSynced), rows.getValue(4).badges)
    }

    @Test
    fun pull_to_refresh_syncs_then_reloads() {
        core.syncResult = { SyncReport(pushed = 1u, merged = 0u, conflicts = 0u, rejected = 0u, pulled = 4u, pending = 0u, interrupted = null) }
        model.refresh()
        assertEquals(listOf("sync", "search "), core.calls)
        assertFalse(model.state.value.refreshing)
        assertEquals("已同步：上传 1 条，更新 4 条", model.state.value.note?.zh)
        assertEquals("Synced: 1 sent, 4 received", model.state.value.note?.en)
    }

    @Test
    fun an_interrupted_sync_says_what_is_waiting() {
        core.syncResult = { SyncReport(0u, 0u, 0u, 0u, 0u, 2u, "connection refused") }
        model.refresh()
        assertEquals("同步未完成，稍后重试，2 条待上传", model.state.value.note?.zh)
    }

    @Test
    fun a_failed_sync_is_a_note_not_a_crash() {
        core.syncResult = { throw SeatlineException.NotLoggedIn() }
        model.refresh()
        assertEquals("尚未登录", model.state.value.note?.zh)
        assertFalse(model.state.value.refreshing)
    }

    @Test
    fun library_changed_event_reruns_the_query() {
        model.setQuery("孙")
        assertTrue(titles().isEmpty())
        core.customers += customer(5, "13500000005", "孙八")
        model.onEvent(ClientEvent.LibraryChanged)
        assertEquals(listOf("孙八"), titles())
    }

    @Test
    fun clear_forgets_the_previous_agents_rows() {
        model.setQuery("")
        model.clear()
        assertTrue(model.state.value.rows.isEmpty())
        assertEquals("", model.state.value.query)
    }

    @Test
    fun logged_out_the_list_is_empty() {
        core.me = null
        model.setQuery("")
        assertTrue(model.state.value.rows.isEmpty())
        assertFalse(core.calls.any { it.startsWith("search") }, "the library is not even asked")
    }
}
