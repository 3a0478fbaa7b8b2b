package io.seatline.shell

import io.seatline.core.AgentProfile
import io.seatline.core.AudioDevicesProvider
import io.seatline.core.ClientEvent
import io.seatline.core.DialPadInterface
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.launch
import kotlin.coroutines.CoroutineContext

/**
 * The app's models over one core, and the one subscription that feeds them. Events
 * arrive on a core thread; each is re-launched on [scope], the UI thread, so the models
 * change state on one thread and in the order the core sent them.
 *
 * [worker] is where calls that touch the core's SQLite store run (Dispatchers.IO).
 */
class AppModel(
    private val core: AgentCore,
    private val scope: CoroutineScope,
    private val worker: CoroutineContext,
    audio: AudioDevicesProvider,
    dialPad: DialPadInterface,
    calls: CallStarter,
    /** The core's calls (R12–R18); with it the dial pad places calls through [call]. */
    callCore: CallCore? = null,
) : AutoCloseable {
    val call: CallModel? = callCore?.let { CallModel(it, scope, worker) }
    val phone = PhoneModel(core, scope)
    val library = LibraryModel(core, scope, worker)
    val settings = SettingsModel(core, audio, scope, worker)
    val dial = DialModel(dialPad, core, call ?: calls)
    val session = SessionModel(core, scope, worker, onLoggedIn = ::loggedIn, onLoggedOut = ::loggedOut)

    private val subscription: AutoCloseable = core.subscribe { event -> scope.launch { dispatch(event) } }

    /** Starts auto-login (R8) if the agent turned it on. */
    fun start() {
        settings.load()
        session.start()
    }

    fun card(id: Long) = CustomerCardModel(id, core, scope, worker).also { it.load() }

    /** R15: from the dial pad, the number being dialed is prefilled. */
    fun addCustomer(prefill: String = "") = AddCustomerModel(prefill, core, scope, worker)

    /** Every event to every model that cares; public for tests that feed events by hand. */
    fun dispatch(event: ClientEvent) {
        session.onEvent(event)
        phone.onEvent(event)
        library.onEvent(event)
        call?.onEvent(event)
    }

    private fun loggedIn(profile: AgentProfile) {
        phone.refresh(profile)
        library.reload()
    }

    private fun loggedOut() {
        phone.refresh(null)
        library.clear()
        dial.clear()
        call?.dismiss()
    }

    override fun close() = subscription.close()
}
