//! Search text rules shared by the platform's search and the core's offline search, so
//! both find the same customers for the same words.

/// `%text%` for `LIKE ... ESCAPE '\'`: `%`, `_` and `\` in user text are escaped, so the
/// text matches literally as a substring and never as a pattern.
pub fn like_contains(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_metacharacters_are_escaped() {
        assert_eq!(like_contains("50%_a\\b"), "%50\\%\\_a\\\\b%");
        assert_eq!(like_contains(""), "%%");
        assert_eq!(like_contains("' OR 1=1 --"), "%' OR 1=1 --%");
    }
}
