/// How an edit of a text field changed its text: `removed` characters at `at` replaced by
/// `inserted`. A keyboard edit, a paste into the field and a cut all come to the shell as
/// "here is the new text"; the dial pad (R14) needs them as deletions and a paste at a
/// cursor, so the core can keep only digits and stop at 20.
public struct TextEdit: Equatable {
    public let at: Int
    public let removed: Int
    public let inserted: String

    public init(at: Int, removed: Int, inserted: String) {
        self.at = at
        self.removed = removed
        self.inserted = inserted
    }

    public var isEmpty: Bool { removed == 0 && inserted.isEmpty }

    /// The smallest edit from `old` to `new`, taking the change to end where the cursor
    /// stands when that is ambiguous ("11" → "111": which 1 is new?). SwiftUI's text field
    /// does not tell the cursor, so it defaults to the end.
    public static func between(_ old: String, _ new: String, cursor: Int? = nil) -> TextEdit {
        let a = Array(old), b = Array(new)
        let end = min(max(cursor ?? b.count, 0), b.count)
        // The part after the cursor is unchanged: at most that much common suffix.
        let maxSuffix = min(a.count, b.count - end)
        var suffix = 0
        while suffix < maxSuffix && a[a.count - 1 - suffix] == b[b.count - 1 - suffix] {
            suffix += 1
        }
        let maxPrefix = min(a.count, b.count) - suffix
        var prefix = 0
        while prefix < maxPrefix && a[prefix] == b[prefix] {
            prefix += 1
        }
        return TextEdit(
            at: prefix,
            removed: a.count - prefix - suffix,
            inserted: String(b[prefix..<(b.count - suffix)])
        )
    }
}
