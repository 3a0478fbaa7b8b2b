// Call records (R38) and native calls (R12) through the Kotlin bindings, against the real
// platform that bindings/kotlin/run-tests.sh starts: a Kotlin NativeDialer (the shell's
// OS dialer, faked) is handed to the constructor; the call it placed is listed.
package io.seatline

import io.seatline.core.*
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.*
import org.junit.jupiter.api.Test
import java.nio.file.Files
import java.util.concurrent.CopyOnWriteArrayList

class RecordsTest {
    private val url = System.getenv("SEATLINE_PLATFORM_URL") ?: error("SEATLINE_PLATFORM_URL is not set")

    private class FakeDialer : NativeDialer {
        val dialled = CopyOnWriteArrayList<String>()
        override fun dial(number: String) { dialled += number }
    }

    private class Events : EventListener {
        val events = CopyOnWriteArrayList<ClientEvent>()
        override fun onEvent(event: ClientEvent) { events += event }
    }

    private fun until(timeoutMs: Long = 5000, check: () -> Boolean): Boolean {
        val end = System.currentTimeMillis() + timeoutMs
        while (System.currentTimeMillis() < end) {
            if (check()) return true
            Thread.sleep(50)
        }
        return check()
    }

    @Test
    fun r12_r38_a_native_call_is_listed_in_the_records() = runBlocking<Unit> {
        val dir = Files.createTempDirectory(System.getenv("SEATLINE_TEST_DIR")?.let { java.nio.file.Path.of(it) }
            ?: java.nio.file.Path.of("/tmp"), "records-").toString()
        val dialer = FakeDialer()
        val phone = Seatline(url, dir, DeviceKind.MOBILE, null, dialer)
        val events = Events()
        val sub = phone.subscribe(events)
        try {
            phone.login("demo", "1002", "1002pass")
            val ref = phone.startNativeCall("13700005555")
            assertEquals(listOf("13700005555"), dialer.dialled.toList(), "R12: the phone's own dialer placed it")
            phone.nativeCallEnded(ref, System.currentTimeMillis() + 1)
            assertTrue(until { events.events.any { it is ClientEvent.RecordsChanged } }, "RecordsChanged arrives")
            var record: CallRecord? = null
            assertTrue(until {
                record = runBlocking { phone.recordsForNumber("13700005555") }.records
                    .firstOrNull { it.endedAtMs != null }
                record != null
            }, "the native call and its end reach the records")
            val r = record!!
            assertEquals(CallMethod.NATIVE, r.method)
            assertEquals(CallDirection.OUTBOUND, r.direction)
            assertEquals(DeviceKind.MOBILE, r.device)
            assertEquals("本机通话", r.outcomeZh)
            assertEquals("Native call", r.outcomeEn)
            assertFalse(r.missed)
            assertTrue(phone.records(null, 10u).records.any { it.id == r.id }, "in the list, newest first")
            assertEquals(0u, phone.pendingNativeCalls())
            // R38: agent 1002 has no permission to delete records.
            expect<SeatlineException.Other> { runBlocking { phone.deleteRecord(r.id) } }
        } finally {
            sub.cancel()
            try { phone.logout() } catch (_: SeatlineException) {}
            phone.close()
        }
    }

    @Test
    fun r12_a_pc_has_no_native_calls() = runBlocking<Unit> {
        val dir = Files.createTempDirectory(System.getenv("SEATLINE_TEST_DIR")?.let { java.nio.file.Path.of(it) }
            ?: java.nio.file.Path.of("/tmp"), "records-pc-").toString()
        val dialer = FakeDialer()
        val pc = Seatline(url, dir, DeviceKind.PC, null, dialer)
        try {
            pc.login("demo", "1003", "1003pass")
            val refused = expect<SeatlineException.DialRefused> { pc.startNativeCall("13700005555") }
            assertEquals("此设备不支持本机呼叫", refused.textZh)
            assertTrue(dialer.dialled.isEmpty())
        } finally {
            try { pc.logout() } catch (_: SeatlineException) {}
            pc.close()
        }
    }
}
