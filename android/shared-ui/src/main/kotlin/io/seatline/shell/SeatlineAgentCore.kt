package io.seatline.shell

import io.seatline.core.AgentProfile
import io.seatline.core.ClientEvent
import io.seatline.core.ContactKind
import io.seatline.core.Customer
import io.seatline.core.EventListener
import io.seatline.core.PhoneView
import io.seatline.core.Seatline
import io.seatline.core.Settings
import io.seatline.core.SyncReport

/** [AgentCore] over the generated `Seatline` object: forwarding only, no decisions. */
class SeatlineAgentCore(private val core: Seatline) : AgentCore {
    override fun phoneView(): PhoneView = core.phoneView()
    override fun profile(): AgentProfile? = core.profile()

    override suspend fun login(enterprise: String, jobNumber: String, password: String): AgentProfile =
        core.login(enterprise, jobNumber, password)
    override suspend fun resume(): AgentProfile? = core.resume()
    override suspend fun logout() = core.logout()

    override suspend fun setAnswering(on: Boolean): PhoneView = core.setAnswering(on)
    override suspend fun setReception(open: Boolean): PhoneView = core.setReception(open)
    override fun checkDial(number: String): String = core.checkDial(number)

    override fun settings(): Settings = core.settings()
    override fun setSettings(settings: Settings) = core.setSettings(settings)

    override fun searchCustomers(query: String, limit: Int): List<Customer> =
        core.searchCustomers(query, limit.toUInt(), 0u)
    override fun myCustomers(limit: Int): List<Customer> = core.myCustomers(limit.toUInt(), 0u)
    override fun customer(id: Long): Customer? = core.customer(id)
    override fun addCustomer(mobile: String, name: String?): Customer =
        // R15: name optional; owner, company and title are set later on the card.
        core.addCustomer(mobile, name, null, null, false)
    override fun addContact(id: Long, kind: ContactKind, value: String): Customer =
        core.addContact(id, kind, value)
    override fun setOwnedByMe(id: Long, mine: Boolean): Customer = core.setOwnedByMe(id, mine)
    override suspend fun syncLibrary(): SyncReport = core.syncLibrary()

    override fun subscribe(listener: (ClientEvent) -> Unit): AutoCloseable =
        // The handle unsubscribes when closed (it frees the Rust side's subscription).
        core.subscribe(object : EventListener {
            override fun onEvent(event: ClientEvent) = listener(event)
        })
}
