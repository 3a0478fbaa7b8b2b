package io.seatline.shell

import io.seatline.core.CallMethod
import io.seatline.core.CallView
import io.seatline.core.Seatline

/**
 * The core's calls (R12–R18) as the call screen uses them: like [AgentCore], an
 * interface so that [CallModel]'s tests run with a fake. Functions that are not
 * `suspend` may touch the core's store: the model runs them on its worker.
 */
interface CallCore {
    /** R12/R13: VoIP or callback; the call id, or a typed refusal with its texts. */
    suspend fun startCall(method: CallMethod, number: String): String

    /** R12: through the phone's own dialer; the reference for [nativeCallEnded]. */
    fun startNativeCall(number: String): String
    fun nativeCallEnded(clientRef: String, endedAtMs: Long)

    suspend fun hangUp()
    /** R17: the customer hears music while held. */
    suspend fun setHold(on: Boolean)
    suspend fun sendDtmf(digits: String)
    fun setMuted(on: Boolean)

    /** The call panel, or null before the first call. */
    fun call(): CallView?

    /** Wi-Fi ⇄ cellular: the core restarts ICE. */
    fun networkChanged()
}

/** [CallCore] over the generated `Seatline` object: forwarding only, no decisions. */
class SeatlineCallCore(private val core: Seatline) : CallCore {
    override suspend fun startCall(method: CallMethod, number: String): String = core.startCall(method, number)
    override fun startNativeCall(number: String): String = core.startNativeCall(number)
    override fun nativeCallEnded(clientRef: String, endedAtMs: Long) = core.nativeCallEnded(clientRef, endedAtMs)
    override suspend fun hangUp() = core.hangUp()
    override suspend fun setHold(on: Boolean) = core.setHold(on)
    override suspend fun sendDtmf(digits: String) = core.sendDtmf(digits)
    override fun setMuted(on: Boolean) = core.setMuted(on)
    override fun call(): CallView? = core.call()
    override fun networkChanged() = core.networkChanged()
}
