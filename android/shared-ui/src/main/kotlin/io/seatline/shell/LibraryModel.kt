package io.seatline.shell

import io.seatline.core.ClientEvent
import io.seatline.core.Customer
import io.seatline.core.SeatlineException
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import kotlin.coroutines.CoroutineContext

data class LibraryUi(
    val query: String = "",
    /** R40: only the customers owned by this agent. */
    val mineOnly: Boolean = false,
    val rows: List<CustomerRow> = emptyList(),
    val refreshing: Boolean = false,
    /** Result of the last pull-to-refresh, or why a search failed. */
    val note: Bilingual? = null,
)

/**
 * The customer library: search by name, company or any part of a number (the core's
 * full-text search, offline too), "my customers" (R40), and pull-to-refresh (sync).
 */
class LibraryModel(
    private val core: AgentCore,
    private val scope: CoroutineScope,
    private val worker: CoroutineContext,
) {
    private val _state = MutableStateFlow(LibraryUi())
    val state: StateFlow<LibraryUi> = _state.asStateFlow()
    private var search: Job? = null

    fun setQuery(query: String) {
        _state.update { it.copy(query = query) }
        reload()
    }

    fun setMineOnly(mine: Boolean) {
        _state.update { it.copy(mineOnly = mine) }
        reload()
    }

    /** Pull-to-refresh: sync with the platform, then show the result. */
    fun refresh() {
        if (_state.value.refreshing) return
        _state.update { it.copy(refreshing = true) }
        scope.launch {
            val note = try {
                CustomerTexts.sync(core.syncLibrary())
            } catch (e: SeatlineException) {
                Notices.of(e)
            }
            _state.update { it.copy(refreshing = false, note = note) }
            reload()
        }
    }

    fun onEvent(event: ClientEvent) {
        if (event is ClientEvent.LibraryChanged) reload()
    }

    /** After logout: nothing of the previous agent stays on screen. */
    fun clear() {
        search?.cancel()
        _state.value = LibraryUi()
    }

    fun dismissNote() = _state.update { it.copy(note = null) }

    /** Runs the current query; a newer one cancels it, so results never arrive out of order. */
    fun reload() {
        val s = _state.value
        search?.cancel()
        search = scope.launch {
            try {
                val (me, found) = withContext(worker) {
                    val me = core.profile()?.agentId
                    // Logged out: no one's customers are on screen.
                    me to if (me == null) emptyList() else find(s.query.trim(), s.mineOnly, me)
                }
                _state.update { it.copy(rows = found.map { c -> CustomerTexts.row(c, me) }) }
            } catch (e: SeatlineException) {
                _state.update { it.copy(rows = emptyList(), note = Notices.of(e)) }
            }
        }
    }

    private fun find(query: String, mineOnly: Boolean, me: Long?): List<Customer> = when {
        // An empty query lists the most recently changed customers.
        !mineOnly -> core.searchCustomers(query, PAGE)
        query.isEmpty() -> core.myCustomers(PAGE)
        // The core's search, narrowed to mine: no matching logic is repeated here.
        else -> core.searchCustomers(query, PAGE).filter { it.ownerAgentId != null && it.ownerAgentId == me }
    }

    companion object {
        const val PAGE = 50
    }
}
