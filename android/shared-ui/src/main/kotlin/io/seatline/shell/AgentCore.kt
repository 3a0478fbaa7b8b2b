package io.seatline.shell

import io.seatline.core.AgentProfile
import io.seatline.core.ClientEvent
import io.seatline.core.ContactKind
import io.seatline.core.Customer
import io.seatline.core.PhoneView
import io.seatline.core.Settings
import io.seatline.core.SyncReport

/**
 * The part of the core the screens use. The models depend on this rather than on the
 * generated `Seatline` class so that their tests run with a fake, without the native
 * library or a platform; [SeatlineAgentCore] is the one real implementation, and the
 * bindings' own tests cover what it forwards to.
 *
 * Functions that are not `suspend` may touch the core's SQLite store: call them off the
 * main thread (the models run them on their worker context).
 */
interface AgentCore {
    fun phoneView(): PhoneView
    fun profile(): AgentProfile?

    suspend fun login(enterprise: String, jobNumber: String, password: String): AgentProfile
    suspend fun resume(): AgentProfile?
    suspend fun logout()

    suspend fun setAnswering(on: Boolean): PhoneView
    suspend fun setReception(open: Boolean): PhoneView

    /** The number to dial, or [io.seatline.core.SeatlineException.DialRefused]. */
    fun checkDial(number: String): String

    fun settings(): Settings
    fun setSettings(settings: Settings)

    fun searchCustomers(query: String, limit: Int): List<Customer>
    fun myCustomers(limit: Int): List<Customer>
    fun customer(id: Long): Customer?
    fun addCustomer(mobile: String, name: String?): Customer
    fun addContact(id: Long, kind: ContactKind, value: String): Customer
    fun setOwnedByMe(id: Long, mine: Boolean): Customer
    suspend fun syncLibrary(): SyncReport

    /** Events on a core thread until the returned handle is closed. */
    fun subscribe(listener: (ClientEvent) -> Unit): AutoCloseable
}
