package io.seatline.shell

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

class TextEditTest {
    @Test
    fun typing_at_the_end_and_at_the_start_of_repeated_digits() {
        assertEquals(TextEdit(2, 0, "1"), TextEdit.between("11", "111", 3))
        assertEquals(TextEdit(0, 0, "1"), TextEdit.between("11", "111", 1))
    }

    @Test
    fun deletion_and_replacement() {
        assertEquals(TextEdit(1, 1, ""), TextEdit.between("123", "13", 1))
        assertEquals(TextEdit(1, 2, "9"), TextEdit.between("1234", "194", 2))
        assertEquals(TextEdit(0, 3, ""), TextEdit.between("123", "", 0))
    }

    @Test
    fun no_change_is_empty() {
        assertTrue(TextEdit.between("123", "123", 1).isEmpty)
    }

    @Test
    fun a_cursor_beyond_the_text_is_clamped() {
        assertEquals(TextEdit(0, 0, "5"), TextEdit.between("", "5", 99))
    }
}
