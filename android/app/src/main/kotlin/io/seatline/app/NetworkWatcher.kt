package io.seatline.app

import android.net.ConnectivityManager
import android.net.Network

/**
 * Tells the core when the phone moves to another network (Wi-Fi ⇄ cellular), so a VoIP
 * call restarts ICE at once instead of waiting for the old path to time out. The first
 * network seen at start is not a change.
 */
class NetworkWatcher(
    private val connectivity: ConnectivityManager,
    private val onChange: () -> Unit,
) : AutoCloseable {
    @Volatile private var current: Network? = null
    @Volatile private var seen = false

    private val callback = object : ConnectivityManager.NetworkCallback() {
        override fun onAvailable(network: Network) {
            val changed = seen && network != current
            current = network
            seen = true
            if (changed) onChange()
        }

        override fun onLost(network: Network) {
            if (network == current) current = null
        }
    }

    fun start() = connectivity.registerDefaultNetworkCallback(callback)

    override fun close() = connectivity.unregisterNetworkCallback(callback)
}
