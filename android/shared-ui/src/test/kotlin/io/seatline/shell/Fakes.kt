package io.seatline.shell

import io.seatline.core.AgentProfile
import io.seatline.core.AnswerState
import io.seatline.core.AudioDeviceInfo
import io.seatline.core.AudioDevicesProvider
import io.seatline.core.ClientEvent
import io.seatline.core.ContactKind
import io.seatline.core.ContactMethod
import io.seatline.core.Customer
import io.seatline.core.DeviceKind
import io.seatline.core.DialPadInterface
import io.seatline.core.DialPadState
import io.seatline.core.PadKey
import io.seatline.core.PhoneState
import io.seatline.core.PhoneView
import io.seatline.core.SeatlineException
import io.seatline.core.Settings
import io.seatline.core.SyncReport
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob

/**
 * Test doubles. Dispatchers.Unconfined runs every launched coroutine at once on the
 * calling thread, up to its first real suspension, so a test reads the state right after
 * the action; a [CompletableDeferred] gate holds a call open to see the in-between state.
 */
fun testScope() = CoroutineScope(SupervisorJob() + Dispatchers.Unconfined)
val testWorker = Dispatchers.Unconfined

fun testProfile(agentId: Long = 7, onlineService: Boolean = false, bound: String? = "13800138000") = AgentProfile(
    agentId = agentId,
    enterprise = "demo",
    enterpriseName = "演示企业",
    jobNumber = "1001",
    displayName = "张三",
    boundNumber = bound,
    hasOnlineService = onlineService,
    canDeleteRecords = false,
)

/** The core's mobile panel texts (core/src/answer/state.rs, session/phone_state.rs). */
fun view(
    phone: PhoneState = PhoneState.READY,
    on: Boolean = false,
    holder: DeviceKind? = null,
    reception: Boolean = false,
    pending: Boolean = false,
): PhoneView {
    val (zh, en) = when (phone) {
        PhoneState.NOT_LOGGED_IN -> "尚未登录" to "Not logged in"
        PhoneState.FAULT -> "电话异常" to "Phone fault"
        PhoneState.READY -> if (on) "开启接听" to "Answering on" else "关闭接听" to "Answering off"
    }
    val fault = phone == PhoneState.FAULT
    return PhoneView(
        phone = phone,
        answer = if (on) AnswerState.MOBILE_ON else AnswerState.MOBILE_OFF,
        answerOn = on,
        answerPending = pending,
        answerHolder = holder,
        receptionOpen = reception,
        devicesOnline = listOf(DeviceKind.MOBILE),
        textZh = zh,
        textEn = en,
        faultDetailZh = if (fault) "电话功能异常，请尝试重新登录" else "",
        faultDetailEn = if (fault) "The phone function failed; please log in again" else "",
    )
}

fun customer(
    id: Long,
    mobile: String,
    name: String? = null,
    owner: Long? = null,
    company: String? = null,
    contacts: List<ContactMethod> = emptyList(),
    pending: Boolean = false,
) = Customer(id, mobile, name, company, null, owner, contacts, pending)

fun testSettings(autoLogin: Boolean = false, autoAnswer: Boolean = false) = Settings(
    autoLogin = autoLogin,
    notifications = true,
    microphone = null,
    speaker = null,
    microphoneVolume = 80u,
    speakerVolume = 80u,
    autoAnswer = autoAnswer,
)

fun answerRefusedByPc() = SeatlineException.AnswerRefused(
    DeviceKind.PC,
    "电脑端已开启接听，请先在电脑端关闭",
    "Answering is on at your PC (idle); switch it to busy there first",
)

class FakeCore : AgentCore {
    var panel = view(PhoneState.NOT_LOGGED_IN)
    var me: AgentProfile? = null
    var loginResult: () -> AgentProfile = { testProfile() }
    var resumeResult: AgentProfile? = null
    var answerResult: (Boolean) -> PhoneView = { on -> view(on = on) }
    var answerGate: CompletableDeferred<Unit>? = null
    var dialResult: (String) -> String = { it }
    var stored: Settings = testSettings()
    var settingsError: SeatlineException? = null
    val customers = mutableListOf<Customer>()
    var syncResult: () -> SyncReport = { SyncReport(0u, 0u, 0u, 0u, 0u, 0u, null) }
    val calls = mutableListOf<String>()
    var listener: ((ClientEvent) -> Unit)? = null
    var unsubscribed = false

    /** Sends an event as the core would (the test calls this on its own thread). */
    fun emit(event: ClientEvent) = listener!!.invoke(event)

    override fun phoneView() = panel
    override fun profile() = me

    override suspend fun login(enterprise: String, jobNumber: String, password: String): AgentProfile {
        calls += "login $enterprise $jobNumber"
        return loginResult().also { me = it; panel = view() }
    }

    override suspend fun resume(): AgentProfile? {
        calls += "resume"
        return resumeResult?.also { me = it; panel = view() }
    }

    override suspend fun logout() {
        calls += "logout"
        me = null
        panel = view(PhoneState.NOT_LOGGED_IN)
    }

    override suspend fun setAnswering(on: Boolean): PhoneView {
        calls += "answer $on"
        answerGate?.await()
        return answerResult(on).also { panel = it }
    }

    override suspend fun setReception(open: Boolean): PhoneView {
        calls += "reception $open"
        return panel.copy(receptionOpen = open).also { panel = it }
    }

    override fun checkDial(number: String): String {
        calls += "checkDial $number"
        return dialResult(number)
    }

    override fun settings(): Settings = stored
    override fun setSettings(settings: Settings) {
        settingsError?.let { throw it }
        stored = settings
    }

    override fun searchCustomers(query: String, limit: Int): List<Customer> {
        calls += "search $query"
        return customers.filter {
            query.isEmpty() || it.mobile.contains(query) || it.name.orEmpty().contains(query) ||
                it.company.orEmpty().contains(query)
        }.take(limit)
    }

    override fun myCustomers(limit: Int): List<Customer> {
        calls += "mine"
        return customers.filter { it.ownerAgentId != null && it.ownerAgentId == me?.agentId }.take(limit)
    }

    override fun customer(id: Long) = customers.firstOrNull { it.id == id }

    override fun addCustomer(mobile: String, name: String?): Customer {
        calls += "add $mobile ${name ?: "-"}"
        if (!mobile.all(Char::isDigit)) throw SeatlineException.InvalidInput("number: only digits")
        customers.firstOrNull { it.mobile == mobile }?.let { throw SeatlineException.DuplicateCustomer(it.id) }
        return customer(-(customers.size + 1L), mobile, name, pending = true).also { customers += it }
    }

    override fun addContact(id: Long, kind: ContactKind, value: String): Customer {
        if (kind == ContactKind.EMAIL && '@' !in value) throw SeatlineException.InvalidInput("value: not an e-mail address")
        return replace(id) { it.copy(contacts = it.contacts + ContactMethod(kind, Labels.contactKind(kind).zh, value)) }
    }

    override fun setOwnedByMe(id: Long, mine: Boolean) = replace(id) { it.copy(ownerAgentId = if (mine) me?.agentId else null) }

    override suspend fun syncLibrary(): SyncReport {
        calls += "sync"
        return syncResult()
    }

    override fun subscribe(listener: (ClientEvent) -> Unit): AutoCloseable {
        this.listener = listener
        return AutoCloseable { unsubscribed = true }
    }

    private fun replace(id: Long, change: (Customer) -> Customer): Customer {
        val i = customers.indexOfFirst { it.id == id }
        if (i < 0) throw SeatlineException.NotFound()
        return change(customers[i]).also { customers[i] = it }
    }
}

/**
 * A dial pad that behaves like the core's for the cases the tests use (digits only, 20
 * at most, shrink past 12); the real one is tested in core/ and through the bindings.
 */
class FakePad : DialPadInterface {
    private var text = ""
    private var cursor = 0
    val log = mutableListOf<String>()

    private fun snapshot() = DialPadState(text, cursor.toUInt(), text.length > 12)
    private fun insert(s: String): DialPadState {
        val room = 20 - text.length
        val digits = s.filter(Char::isDigit).take(room)
        text = text.substring(0, cursor) + digits + text.substring(cursor)
        cursor += digits.length
        return snapshot()
    }

    override fun clear(): DialPadState { text = ""; cursor = 0; return snapshot() }
    override fun enter(): String = when {
        text.isEmpty() -> throw SeatlineException.InvalidInput("number: empty")
        text.length < 3 -> throw SeatlineException.InvalidInput("number: too short")
        else -> text
    }
    override fun key(key: PadKey): DialPadState {
        log += "key $key"
        when (key) {
            PadKey.BACKSPACE -> if (cursor > 0) { text = text.removeRange(cursor - 1, cursor); cursor-- }
            PadKey.DELETE -> if (cursor < text.length) text = text.removeRange(cursor, cursor + 1)
            PadKey.LEFT -> cursor = maxOf(0, cursor - 1)
            PadKey.RIGHT -> cursor = minOf(text.length, cursor + 1)
            PadKey.HOME -> cursor = 0
            PadKey.END -> cursor = text.length
        }
        return snapshot()
    }
    override fun paste(text: String): DialPadState { log += "paste $text"; return insert(text) }
    override fun press(digit: String): DialPadState { log += "press $digit"; return insert(digit) }
    override fun setCursor(cursor: UInt): DialPadState { this.cursor = cursor.toInt().coerceIn(0, text.length); return snapshot() }
    override fun state(): DialPadState = snapshot()
}

class FakeAudio(
    var mics: List<AudioDeviceInfo> = listOf(AudioDeviceInfo("15", "Built-in microphone")),
    var outs: List<AudioDeviceInfo> = listOf(AudioDeviceInfo("2", "Earpiece"), AudioDeviceInfo("3", "Speaker")),
) : AudioDevicesProvider {
    override fun microphones() = mics
    override fun speakers() = outs
}
