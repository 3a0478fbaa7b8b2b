package io.seatline.shell

/**
 * How an edit of a text field changed its text: [removed] characters at [at] replaced by
 * [inserted]. A keyboard edit, a paste into the field and a cut all come to the shells as
 * "here is the new text"; the dial pad (R14) needs them as key presses and pastes at a
 * cursor, so the core can keep only digits and stop at 20.
 */
data class TextEdit(val at: Int, val removed: Int, val inserted: String) {
    val isEmpty: Boolean get() = removed == 0 && inserted.isEmpty()

    companion object {
        /**
         * The smallest edit from [old] to [new], taking the change to end where the new
         * cursor [newCursor] stands when that is ambiguous ("11" → "111": which 1 is new?).
         */
        fun between(old: String, new: String, newCursor: Int = new.length): TextEdit {
            val cursor = newCursor.coerceIn(0, new.length)
            // The part after the cursor is unchanged: at most that much common suffix.
            val maxSuffix = minOf(old.length, new.length - cursor)
            var suffix = 0
            while (suffix < maxSuffix && old[old.length - 1 - suffix] == new[new.length - 1 - suffix]) suffix++
            val maxPrefix = minOf(old.length, new.length) - suffix
            var prefix = 0
            while (prefix < maxPrefix && old[prefix] == new[prefix]) prefix++
            return TextEdit(
                at = prefix,
                removed = old.length - prefix - suffix,
                inserted = new.substring(prefix, new.length - suffix),
            )
        }
    }
}
