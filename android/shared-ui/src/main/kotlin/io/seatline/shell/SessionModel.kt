package io.seatline.shell

import io.seatline.core.AgentProfile
import io.seatline.core.ClientEvent
import io.seatline.core.SeatlineException
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import kotlin.coroutines.CoroutineContext

/** R1: the three fields of the login form. */
data class LoginForm(
    val enterprise: String = "",
    val jobNumber: String = "",
    val password: String = "",
) {
    val complete: Boolean
        get() = enterprise.isNotBlank() && jobNumber.isNotBlank() && password.isNotEmpty()
}

data class SessionUi(
    val form: LoginForm = LoginForm(),
    val busy: Boolean = false,
    /** R8 auto-login is resuming the saved session: show progress, not the form. */
    val resuming: Boolean = false,
    val error: Bilingual? = null,
    val profile: AgentProfile? = null,
) {
    val loggedIn: Boolean get() = profile != null
    val canSubmit: Boolean get() = form.complete && !busy && !resuming
}

/**
 * Login (R1), auto-login (R8) and the end of a session. [onLoggedIn] and [onLoggedOut]
 * let the other models refresh; they run on [scope]'s (UI) thread.
 */
class SessionModel(
    private val core: AgentCore,
    private val scope: CoroutineScope,
    private val worker: CoroutineContext,
    private val onLoggedIn: (AgentProfile) -> Unit = {},
    private val onLoggedOut: () -> Unit = {},
) {
    private val _state = MutableStateFlow(SessionUi())
    val state: StateFlow<SessionUi> = _state.asStateFlow()

    fun editForm(change: (LoginForm) -> LoginForm) =
        _state.update { it.copy(form = change(it.form), error = null) }

    /**
     * At start-up: adopt a session the core already has (the screen was rebuilt while the
     * process lived), else resume the saved one when auto-login is on (R8).
     */
    fun start() {
        core.profile()?.let {
            signedIn(it)
            return
        }
        scope.launch {
            val auto = withContext(worker) { core.settings().autoLogin }
            if (!auto) return@launch
            _state.update { it.copy(resuming = true) }
            try {
                val profile = core.resume()
                _state.update { it.copy(resuming = false) }
                if (profile != null) signedIn(profile)
            } catch (e: SeatlineException) {
                _state.update { it.copy(resuming = false, error = Notices.of(e)) }
            }
        }
    }

    fun logIn() {
        val s = _state.value
        if (!s.canSubmit) return
        _state.update { it.copy(busy = true, error = null) }
        scope.launch {
            try {
                val form = s.form
                val profile = core.login(form.enterprise.trim(), form.jobNumber.trim(), form.password)
                _state.update { it.copy(busy = false) }
                signedIn(profile)
            } catch (e: SeatlineException) {
                _state.update { it.copy(busy = false, error = Notices.of(e)) }
            }
        }
    }

    fun logOut() {
        scope.launch {
            // Offline, the core forgets the session anyway: leave, and say why it was odd.
            val error = try {
                core.logout()
                null
            } catch (e: SeatlineException) {
                Notices.of(e)
            }
            // The SessionEnded event may have been quicker.
            if (_state.value.loggedIn) signedOut(error)
        }
    }

    fun onEvent(event: ClientEvent) {
        if (event is ClientEvent.SessionEnded && _state.value.loggedIn) {
            signedOut(error = Labels.sessionEnded(event.reason))
        }
    }

    private fun signedIn(profile: AgentProfile) {
        _state.update {
            // Keep the identity for next time, never the password.
            it.copy(
                profile = profile,
                form = LoginForm(enterprise = profile.enterprise, jobNumber = profile.jobNumber),
                error = null,
            )
        }
        onLoggedIn(profile)
    }

    private fun signedOut(error: Bilingual?) {
        _state.update { it.copy(profile = null, busy = false, error = error, form = it.form.copy(password = "")) }
        onLoggedOut()
    }
}
