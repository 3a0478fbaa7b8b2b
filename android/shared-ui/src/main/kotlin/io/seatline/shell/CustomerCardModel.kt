package io.seatline.shell

import io.seatline.core.ContactKind
import io.seatline.core.Customer
import io.seatline.core.SeatlineException
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import kotlin.coroutines.CoroutineContext

/** The "add contact" form of the card: which kind, and what was typed. */
data class ContactDraft(val kind: ContactKind, val value: String = "") {
    val canSave: Boolean get() = value.isNotBlank()
}

data class CardUi(
    val customer: Customer? = null,
    val loading: Boolean = true,
    val me: Long? = null,
    val draft: ContactDraft? = null,
    val saving: Boolean = false,
    val notice: Bilingual? = null,
) {
    val sections: List<ContactSection> get() = customer?.let(CustomerTexts::sections).orEmpty()
    val owner: Bilingual? get() = customer?.let { CustomerTexts.owner(it, me) }
    val isMine: Boolean get() = customer?.ownerAgentId != null && customer.ownerAgentId == me
}

/** A customer card (R15, R40): the five kinds of contact with "add", and ownership. */
class CustomerCardModel(
    private val id: Long,
    private val core: AgentCore,
    private val scope: CoroutineScope,
    private val worker: CoroutineContext,
) {
    private val _state = MutableStateFlow(CardUi())
    val state: StateFlow<CardUi> = _state.asStateFlow()

    fun load() = run {
        val (me, customer) = withContext(worker) { core.profile()?.agentId to core.customer(id) }
        _state.update {
            it.copy(customer = customer, me = me, loading = false, notice = if (customer == null) Labels.customerNotFound else null)
        }
    }

    fun startContact(kind: ContactKind) = _state.update { it.copy(draft = ContactDraft(kind), notice = null) }
    fun editContact(value: String) = _state.update { it.copy(draft = it.draft?.copy(value = value)) }
    fun cancelContact() = _state.update { it.copy(draft = null) }

    /** The core checks the value for its kind (a number, an address ...) and says if it is wrong. */
    fun saveContact() {
        val draft = _state.value.draft ?: return
        if (!draft.canSave || _state.value.saving) return
        _state.update { it.copy(saving = true) }
        run {
            try {
                val updated = withContext(worker) { core.addContact(id, draft.kind, draft.value.trim()) }
                _state.update { it.copy(customer = updated, draft = null) }
            } catch (e: SeatlineException.InvalidInput) {
                val kind = Labels.contactKind(draft.kind)
                _state.update { it.copy(notice = Bilingual("${kind.zh}格式不正确", "Not a valid ${kind.en}")) }
            }
        }
    }

    /** R40: take the customer as mine, or return it to the public pool. */
    fun setMine(mine: Boolean) {
        if (_state.value.saving) return
        _state.update { it.copy(saving = true) }
        run {
            val updated = withContext(worker) { core.setOwnedByMe(id, mine) }
            _state.update { it.copy(customer = updated) }
        }
    }

    fun dismissNotice() = _state.update { it.copy(notice = null) }

    private fun run(block: suspend () -> Unit) {
        scope.launch {
            try {
                block()
            } catch (e: SeatlineException) {
                _state.update { it.copy(notice = Notices.of(e), loading = false) }
            } finally {
                _state.update { it.copy(saving = false) }
            }
        }
    }
}
