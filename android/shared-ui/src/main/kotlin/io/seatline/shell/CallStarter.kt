package io.seatline.shell

/**
 * Places a call to a number the core has accepted (`checkDial`, R2/R3/R9/R11). The dial
 * pad hands every call here: [CallModel] places it with the method of R12 the agent chose
 * (VoIP, callback or native); without the core's calls, an app's own dialer.
 */
fun interface CallStarter {
    /** Starts the call; returns why it could not start, or null when it is on its way. */
    fun start(number: String): Bilingual?
}
