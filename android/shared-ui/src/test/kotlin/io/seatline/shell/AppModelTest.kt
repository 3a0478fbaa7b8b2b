package io.seatline.shell

import io.seatline.core.ClientEvent
import io.seatline.core.SessionEndReason
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.asCoroutineDispatcher
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withContext
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.util.concurrent.CountDownLatch
import java.util.concurrent.Executors

class AppModelTest {
    private val core = FakeCore().apply { customers += customer(1, "13800000001", "王五", owner = 7) }

    private fun app(scope: CoroutineScope = testScope()) =
        AppModel(core, scope, testWorker, FakeAudio(), FakePad(), { null })

    @Test
    fun login_refreshes_the_panel_and_the_library() {
        val app = app()
        app.session.editForm { LoginForm("demo", "1001", "pw") }
        app.session.logIn()
        assertEquals("关闭接听", app.phone.state.value.status.zh)
        assertEquals(listOf("王五"), app.library.state.value.rows.map { it.title })
    }

    @Test
    fun session_end_clears_what_the_agent_saw() {
        val app = app()
        app.session.editForm { LoginForm("demo", "1001", "pw") }
        app.session.logIn()
        app.dial.paste("13800000001")
        core.panel = view(io.seatline.core.PhoneState.NOT_LOGGED_IN)
        core.emit(ClientEvent.SessionEnded(SessionEndReason.EXPIRED))
        assertFalse(app.session.state.value.loggedIn)
        assertEquals("尚未登录", app.phone.state.value.status.zh)
        assertTrue(app.library.state.value.rows.isEmpty())
        assertEquals("", app.dial.state.value.text)
    }

    @Test
    fun events_from_a_core_thread_are_handled_on_the_ui_thread_in_order() = runBlocking<Unit> {
        // A one-thread executor stands in for the main thread.
        val ui = Executors.newSingleThreadExecutor { r -> Thread(r, "ui") }
        val dispatcher = ui.asCoroutineDispatcher()
        try {
            val app = withContext(dispatcher) { app(CoroutineScope(SupervisorJob() + dispatcher)) }
            // Hold the UI thread busy while the core thread sends three events.
            val release = CountDownLatch(1)
            ui.execute { release.await() }
            val coreThread = Thread {
                core.emit(ClientEvent.Connection(true))
                core.emit(ClientEvent.MicrophonePrompt("请插入麦克风", "Please plug in a microphone"))
                core.emit(ClientEvent.Connection(false))
            }
            coreThread.start()
            coreThread.join()
            val before = app.phone.state.value
            assertTrue(before.connected && before.microphonePrompt == null, "nothing changes off the UI thread")
            release.countDown()
            withContext(dispatcher) {} // the executor is FIFO: the events ran before this
            val after = app.phone.state.value
            assertFalse(after.connected, "in the order sent: the last Connection event wins")
            assertEquals("请插入麦克风", after.microphonePrompt?.zh)
            withContext(dispatcher) { app.close() }
            assertTrue(core.unsubscribed)
        } finally {
            dispatcher.close()
        }
    }
}
