package io.seatline.shell

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

data class AddCustomerUi(
    val mobile: String = "",
    val name: String = "",
    val saving: Boolean = false,
    val error: Bilingual? = null,
    /** R15: the number is the library's key; when it is taken, offer that customer's card. */
    val existingId: Long? = null,
    /** Set once the customer is in the library (possibly waiting for sync). */
    val saved: Customer? = null,
) {
    val canSave: Boolean get() = mobile.isNotBlank() && !saving && saved == null
}

/**
 * R15: add a customer with the mobile number (required, unique, fixed afterwards) and
 * an optional name; owner and the rest are set later on the card, so a new customer
 * starts in the public pool. [prefill] is the number on the dial pad, if any.
 */
class AddCustomerModel(
    prefill: String,
    private val core: AgentCore,
    private val scope: CoroutineScope,
    private val worker: CoroutineContext,
) {
    private val _state = MutableStateFlow(AddCustomerUi(mobile = prefill))
    val state: StateFlow<AddCustomerUi> = _state.asStateFlow()

    fun setMobile(value: String) = _state.update { it.copy(mobile = value, error = null, existingId = null) }
    fun setName(value: String) = _state.update { it.copy(name = value, error = null) }

    fun save() {
        val s = _state.value
        if (!s.canSave) return
        _state.update { it.copy(saving = true, error = null, existingId = null) }
        scope.launch {
            try {
                val added = withContext(worker) { core.addCustomer(s.mobile.trim(), s.name.trim().ifEmpty { null }) }
                _state.update { it.copy(saving = false, saved = added) }
            } catch (e: SeatlineException.DuplicateCustomer) {
                _state.update { it.copy(saving = false, error = Notices.of(e), existingId = e.existingId) }
            } catch (e: SeatlineException.InvalidInput) {
                _state.update { it.copy(saving = false, error = invalid(e.detail)) }
            } catch (e: SeatlineException) {
                _state.update { it.copy(saving = false, error = Notices.of(e)) }
            }
        }
    }

    companion object {
        /** The core names the refused field first ("number: too short"). */
        fun invalid(detail: String): Bilingual =
            if (detail.startsWith("number")) {
                Bilingual("手机号码格式不正确", "That is not a valid mobile number")
            } else {
                Bilingual("姓名无效（最多 100 个字）", "Invalid name (100 characters at most)")
            }
    }
}
