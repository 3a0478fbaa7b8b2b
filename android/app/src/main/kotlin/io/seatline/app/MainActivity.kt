package io.seatline.app

import android.os.Bundle
import androidx.activity.ComponentActivity
import androidx.activity.compose.setContent
import androidx.activity.enableEdgeToEdge
import androidx.activity.viewModels
import io.seatline.app.ui.SeatlineRoot
import io.seatline.app.ui.SeatlineTheme

class MainActivity : ComponentActivity() {
    private val shell: ShellViewModel by viewModels()

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        enableEdgeToEdge()
        setContent {
            SeatlineTheme {
                SeatlineRoot(shell.models)
            }
        }
    }
}
