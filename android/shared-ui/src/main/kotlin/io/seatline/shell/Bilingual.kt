package io.seatline.shell

/**
 * A text the app shows in zh-CN with the English beside it. Texts of the rules (phone
 * states, refusals, prompts) come from the core in both languages; the shell only adds
 * the labels of its own screens ([Labels]).
 */
data class Bilingual(val zh: String, val en: String) {
    /** Both on one line, for toasts and dialogs: "关闭接听 · Answering off". */
    val line: String
        get() = if (en.isEmpty() || en == zh) zh else "$zh · $en"
}
