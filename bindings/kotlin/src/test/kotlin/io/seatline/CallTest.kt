// A real VoIP call through the Kotlin bindings on the JVM (R12, R17, R38): the platform
// that bindings/kotlin/run-tests.sh starts trunks every number to a baresip customer
// phone that answers by itself; the agent's audio is WAV files instead of a sound card.
package io.seatline

import io.seatline.core.*
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeoutOrNull
import org.junit.jupiter.api.Assertions.*
import org.junit.jupiter.api.Test
import java.nio.file.Files
import java.nio.file.Path

class CallTest {
    private val url = System.getenv("SEATLINE_PLATFORM_URL") ?: error("SEATLINE_PLATFORM_URL is not set")
    private val callsDir = System.getenv("SEATLINE_CALLS_DIR") ?: error("SEATLINE_CALLS_DIR is not set")

    /** Feeds a channel on every CallChanged, so the test can wait without polling blindly. */
    private class CallEvents : EventListener {
        val changed = Channel<Unit>(Channel.CONFLATED)
        override fun onEvent(event: ClientEvent) {
            if (event is ClientEvent.CallChanged) changed.trySend(Unit)
        }
    }

    private fun dataDir(prefix: String): String =
        Files.createTempDirectory(System.getenv("SEATLINE_TEST_DIR")?.let { Path.of(it) } ?: Path.of("/tmp"), prefix)
            .toString()

    /** The call panel once `check` holds, within `timeoutMs`; fails with the last panel otherwise. */
    private suspend fun Seatline.waitCall(
        events: CallEvents, what: String, timeoutMs: Long = 20_000, check: (CallView) -> Boolean,
    ): CallView {
        val end = System.currentTimeMillis() + timeoutMs
        var found: CallView? = null
        while (found == null && System.currentTimeMillis() < end) {
            found = call()?.takeIf(check)
            // A CallChanged, or a quarter second (quality updates may not raise one).
            if (found == null) withTimeoutOrNull(250) { events.changed.receive() }
        }
        return found ?: throw AssertionError("$what: not within ${timeoutMs} ms; the panel is ${call()}")
    }

    @Test
    fun r12_r17_r38_a_voip_call_connects_holds_hangs_up_and_is_listed() = runBlocking<Unit> {
        val pc = Seatline(url, dataDir("call-"), DeviceKind.PC, null, null)
        val events = CallEvents()
        val sub = pc.subscribe(events)
        try {
            pc.login("demo", "1001", "1001pass")
            pc.useWavAudio(null, "$callsDir/agent-heard.wav")
            val id = pc.startCall(CallMethod.VOIP, "13900000001")
            assertTrue(id.isNotEmpty(), "startCall returns the call id")

            val connected = pc.waitCall(events, "connected") { it.phase == CallPhase.Connected }
            assertEquals("13900000001", connected.number)
            assertEquals(CallMethod.VOIP, connected.method)
            assertTrue(connected.active)
            pc.waitCall(events, "voice up") { it.voice == VoiceLink.UP }
            val quality = pc.waitCall(events, "call quality") { it.quality != null }.quality!!
            assertTrue(quality.mos in 1.0..4.5, "MOS in range: $quality")

            pc.setHold(true)
            val held = pc.waitCall(events, "held") { it.phase == CallPhase.Held }
            assertTrue(held.held)
            pc.setHold(false)
            pc.waitCall(events, "back from hold") { it.phase == CallPhase.Connected && !it.held }

            pc.hangUp()
            val ended = pc.waitCall(events, "ended") { it.phase is CallPhase.Ended }
            assertEquals(CallOutcome.ANSWERED, (ended.phase as CallPhase.Ended).outcome)
            assertFalse(ended.active)

            var record: CallRecord? = null
            val end = System.currentTimeMillis() + 10_000
            while (record == null && System.currentTimeMillis() < end) {
                record = pc.records(null, 20u).records.firstOrNull { it.number == "13900000001" && it.endedAtMs != null }
                if (record == null) Thread.sleep(100)
            }
            assertNotNull(record, "R38: the call is listed in the records")
            assertEquals(CallMethod.VOIP, record!!.method)
            assertEquals(CallOutcome.ANSWERED, record.outcome)
            assertEquals(DeviceKind.PC, record.device)

            // Audio flowed both ways: the agent's WAV was written, and the customer phone
            // keeps a call-N.wav of what it heard once its call closed.
            val agentHeard = Path.of("$callsDir/agent-heard.wav")
            assertTrue(Files.exists(agentHeard) && Files.size(agentHeard) > 44, "the agent's recording has audio")
            val until = System.currentTimeMillis() + 10_000
            fun customerHeard() = Files.list(Path.of(callsDir)).use { l -> l.anyMatch { it.fileName.toString().matches(Regex("call-\\d+\\.wav")) } }
            while (!customerHeard() && System.currentTimeMillis() < until) Thread.sleep(100)
            assertTrue(customerHeard(), "the customer phone answered and kept what it heard")
        } finally {
            sub.cancel()
            try { pc.hangUp() } catch (_: SeatlineException) {}
            try { pc.logout() } catch (_: SeatlineException) {}
            pc.close()
        }
    }

    @Test
    fun r12_native_through_startCall_and_a_second_call_are_refused() = runBlocking<Unit> {
        val pc = Seatline(url, dataDir("call-refused-"), DeviceKind.PC, null, null)
        val events = CallEvents()
        val sub = pc.subscribe(events)
        try {
            pc.login("demo", "1001", "1001pass")
            pc.useWavAudio(null, null)
            expect<SeatlineException> { runBlocking { pc.startCall(CallMethod.NATIVE, "13900000002") } }
            pc.startCall(CallMethod.VOIP, "13900000002")
            expect<SeatlineException> { runBlocking { pc.startCall(CallMethod.VOIP, "13900000003") } }
            pc.hangUp()
            pc.waitCall(events, "ended") { it.phase is CallPhase.Ended }
        } finally {
            sub.cancel()
            try { pc.hangUp() } catch (_: SeatlineException) {}
            try { pc.logout() } catch (_: SeatlineException) {}
            pc.close()
        }
    }
}
