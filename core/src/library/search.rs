//! Search of the mirror by name or company, or by any part of a number.
//!
//! The user's text never becomes SQL or FTS syntax: every word goes in as a bound
//! parameter, inside an FTS5 string token (`"..."`, quotes doubled) or a LIKE pattern with
//! `%`, `_` and `\` escaped. The SQL itself is put together from fixed fragments only.
//!
//! How a query is read:
//! - empty: the most recently changed customers;
//! - only digits (and `+ - ( )` or spaces, as numbers are written): any part of a number,
//!   through the trigram index for 3 or more digits and a bounded LIKE scan below that
//!   (one or two digits match nearly every number, so the scan stops after a page);
//!   names and companies with a word starting with those digits come after;
//! - otherwise words, all of which must match in the name or the company, ranked by bm25
//!   with the name weighted above the company. Alphabetic text matches by word prefix
//!   ("li" finds "Li Lei"); CJK text matches anywhere ("三丰" and "丰" find "张三丰").
//!
//! CJK text has no spaces, and unicode61 would make "张三丰" one token, findable only by
//! its start. So the index holds a *search form* of name and company ([`search_form`]):
//! every CJK character spaced apart, one token each, and a CJK word of a query becomes a
//! phrase of its characters, which matches exactly where those characters stand side by
//! side. Substrings of any length are found through the index, with no table scan.
//!
//! Everything runs as one statement, so the page comes back in one round trip and the
//! benchmark can hand the very same statement to the sqlite3 shell ([`render_for_shell`]).

use super::store::CUSTOMER_COLUMNS;
use rusqlite::types::Value;
use seatline_proto::search::like_contains;
use seatline_proto::{CustomerQuery, InvalidValue};

/// Most words a query may have; each one adds a condition.
pub const MAX_WORDS: usize = 8;
/// Deepest page a search serves. Deeper paging means a search that should be narrower.
pub const MAX_OFFSET: u32 = 10_000;

/// Column weights for bm25: a hit in the name counts more than one in the company.
const BM25: &str = "bm25(customer_fts, 10.0, 5.0)";

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Plan {
    Recent,
    Nothing,
    Text { words: Vec<String> },
    Number { digits: String },
}

fn ascii_digit(c: char) -> Option<char> {
    match c {
        '0'..='9' => Some(c),
        '\u{FF10}'..='\u{FF19}' => char::from_u32(c as u32 - 0xFF10 + '0' as u32),
        _ => None,
    }
}

/// CJK ideographs, kana and Hangul: scripts written without spaces between words.
fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // Hiragana, Katakana
        | 0x3400..=0x4DBF    // CJK Extension A
        | 0x4E00..=0x9FFF    // CJK Unified Ideographs
        | 0xAC00..=0xD7AF    // Hangul syllables
        | 0xF900..=0xFAFF    // CJK Compatibility Ideographs
        | 0x20000..=0x3134F  // CJK Extensions B..G
    )
}

pub(crate) fn plan(q: &str) -> Result<Plan, InvalidValue> {
    if q.chars().count() > CustomerQuery::MAX_Q_CHARS {
        return Err(InvalidValue::new("q", "more than 64 characters"));
    }
    // Control characters separate words like spaces do.
    let q: String = q
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let q = q.trim();
    if q.is_empty() {
        return Ok(Plan::Recent);
    }
    let number_like = q.chars().all(|c| {
        ascii_digit(c).is_some()
            || c.is_whitespace()
            || matches!(c, '+' | '-' | '(' | ')' | '（' | '）')
    });
    let digits: String = q.chars().filter_map(ascii_digit).collect();
    if number_like && !digits.is_empty() {
        return Ok(Plan::Number { digits });
    }
    // Words without a letter or digit ("*", "'", "%", "\"") would be empty FTS phrases;
    // they carry nothing to search for.
    let words: Vec<String> = q
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .map(str::to_owned)
        .collect();
    if words.is_empty() {
        return Ok(Plan::Nothing);
    }
    if words.len() > MAX_WORDS {
        return Err(InvalidValue::new("q", "more than 8 words"));
    }
    Ok(Plan::Text { words })
}

/// CJK characters spaced apart, everything else as it is (see the module doc).
fn spaced(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 2);
    for c in text.chars() {
        if is_cjk(c) {
            out.push(' ');
            out.push(c);
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    out
}

/// The search form of a name or company, as the index holds it.
pub(crate) fn search_form(text: &Option<seatline_proto::CardText>) -> Option<String> {
    text.as_ref().map(|t| spaced(t.as_str()))
}

/// An FTS5 query that matches rows having every word. Each word is one FTS5 string (so
/// `OR`, `NEAR`, `*`, `:`, `^` and quotes inside it are plain text) in search form: a
/// phrase of its tokens. A word ending in alphabetic text or digits matches as a prefix
/// ("li" finds "Li Lei"); one ending in a CJK character needs no prefix operator, each
/// CJK character being a whole token.
fn fts_query(words: &[String]) -> String {
    words
        .iter()
        .map(|w| {
            let phrase = spaced(w).trim().replace('"', "\"\"");
            let last = w.chars().rev().find(|c| c.is_alphanumeric());
            let star = if last.is_some_and(is_cjk) { "" } else { "*" };
            format!("\"{phrase}\"{star}")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A statement under construction: fixed SQL text plus the values bound to it.
struct Sql {
    text: String,
    params: Vec<Value>,
}

impl Sql {
    /// Binds a value and returns its placeholder.
    fn bind(&mut self, v: impl Into<Value>) -> String {
        self.params.push(v.into());
        format!("?{}", self.params.len())
    }
}

/// The statement `search` runs and its parameters; `None` when nothing can match.
pub(crate) fn statement(plan: &Plan, limit: u32, offset: u32) -> Option<(String, Vec<Value>)> {
    let mut s = Sql {
        text: String::new(),
        params: Vec::new(),
    };
    let want = i64::from(limit) + i64::from(offset);
    let hits = match plan {
        Plan::Nothing => return None,
        Plan::Recent => {
            let (l, o) = (s.bind(i64::from(limit)), s.bind(i64::from(offset)));
            s.text = format!(
                "SELECT {CUSTOMER_COLUMNS} FROM customers c
                 ORDER BY c.updated_at_ms DESC, c.id DESC LIMIT {l} OFFSET {o}"
            );
            return Some((s.text, s.params));
        }
        Plan::Text { words } => vec![text_stage(&mut s, words, 0, want)],
        Plan::Number { digits } => {
            let w = s.bind(want);
            let d = s.bind(digits.clone());
            // Rank: where in the number the digits occur (a prefix first), then shorter
            // numbers (closer to an exact match).
            let number_stage = if digits.chars().count() >= 3 {
                let m = s.bind(format!("\"{digits}\""));
                format!(
                    "SELECT * FROM (SELECT n.customer_id AS id, 0 AS g,
                            MIN(instr(n.number, {d}) * 100 + length(n.number)) AS r
                        FROM number_fts JOIN numbers n ON n.id = number_fts.rowid
                        WHERE number_fts MATCH {m}
                        GROUP BY n.customer_id ORDER BY r LIMIT {w})"
                )
            } else {
                // Trigrams need 3 characters. One or two digits match nearly every number,
                // so the scan ends after a page's worth of rows.
                let p = s.bind(like_contains(digits));
                format!(
                    "SELECT * FROM (SELECT customer_id AS id, 0 AS g,
                            instr(number, {d}) * 100 + length(number) AS r
                        FROM numbers WHERE number LIKE {p} ESCAPE '\\' LIMIT {w})"
                )
            };
            vec![
                number_stage,
                text_stage(&mut s, std::slice::from_ref(digits), 1, want),
            ]
        }
    };
    let (l, o) = (s.bind(i64::from(limit)), s.bind(i64::from(offset)));
    // A customer found by several stages counts once, at its best stage: with a single
    // MIN() SQLite takes the bare column `r` from the row that holds the minimum.
    s.text = format!(
        "WITH hits(id, g, r) AS ({}),
              best AS (SELECT id, MIN(g) AS g, r FROM hits GROUP BY id)
         SELECT {CUSTOMER_COLUMNS} FROM best JOIN customers c ON c.id = best.id
         ORDER BY best.g, best.r, best.id LIMIT {l} OFFSET {o}",
        hits.join(" UNION ALL ")
    );
    Some((s.text, s.params))
}

fn text_stage(s: &mut Sql, words: &[String], group: i64, want: i64) -> String {
    let m = s.bind(fts_query(words));
    let w = s.bind(want);
    format!(
        "SELECT * FROM (SELECT rowid AS id, {group} AS g, {BM25} AS r
            FROM customer_fts WHERE customer_fts MATCH {m} ORDER BY r LIMIT {w})"
    )
}

fn literal(v: &Value) -> String {
    match v {
        Value::Null => "NULL".to_owned(),
        Value::Integer(i) => i.to_string(),
        Value::Real(f) => format!("{f:?}"),
        Value::Text(t) => format!("'{}'", t.replace('\'', "''")),
        Value::Blob(b) => format!(
            "X'{}'",
            b.iter().map(|x| format!("{x:02X}")).collect::<String>()
        ),
    }
}

/// The statement [`Library::search`](super::Library::search) runs for `q`, with its
/// parameters written in as SQL literals, for the `sqlite3` shell (the benchmark, or
/// `EXPLAIN QUERY PLAN` by hand). `Ok(None)` when the query cannot match anything.
/// The library itself never runs this text: it binds the parameters.
pub fn render_for_shell(q: &str, limit: u32, offset: u32) -> Result<Option<String>, InvalidValue> {
    let plan = plan(q)?;
    let Some((text, params)) = statement(&plan, limit, offset) else {
        return Ok(None);
    };
    // One pass over the text: a literal that happens to contain "?3" is not rescanned.
    let mut out = String::with_capacity(text.len() + 64);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '?' {
            out.push(c);
            continue;
        }
        let mut n = String::new();
        while let Some(d) = chars.peek().copied().filter(char::is_ascii_digit) {
            n.push(d);
            chars.next();
        }
        match n
            .parse::<usize>()
            .ok()
            .and_then(|i| params.get(i.wrapping_sub(1)))
        {
            Some(v) => out.push_str(&literal(v)),
            None => {
                out.push('?');
                out.push_str(&n);
            }
        }
    }
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn queries_are_read_as_numbers_words_or_nothing() {
        assert_eq!(plan("  ").unwrap(), Plan::Recent);
        assert_eq!(
            plan("138-0013 8000").unwrap(),
            Plan::Number {
                digits: "13800138000".into()
            }
        );
        assert_eq!(
            plan("１３８").unwrap(),
            Plan::Number {
                digits: "138".into()
            }
        );
        assert_eq!(plan("* ' % \"").unwrap(), Plan::Nothing);
        assert_eq!(
            plan("王 华为").unwrap(),
            Plan::Text {
                words: vec!["王".into(), "华为".into()],
            }
        );
        assert_eq!(
            plan("Li OR").unwrap(),
            Plan::Text {
                words: vec!["Li".into(), "OR".into()],
            }
        );
        assert!(plan(&"x".repeat(65)).is_err());
        assert!(plan("a b c d e f g h i").is_err());
    }

    #[test]
    fn words_become_fts_strings_and_escaped_like_patterns() {
        assert_eq!(
            fts_query(&["a\"b".into(), "OR".into()]),
            "\"a\"\"b\"* \"OR\"*"
        );
        // CJK characters become a phrase of one-character tokens, exact at the end.
        assert_eq!(fts_query(&["三丰".into()]), "\"三  丰\"");
        assert_eq!(fts_query(&["IBM中国".into()]), "\"IBM 中  国\"");
        assert_eq!(fts_query(&["中国IBM".into()]), "\"中  国 IBM\"*");
        assert_eq!(
            fts_query(&["王%".into()]),
            "\"王 %\"",
            "punctuation is not a wildcard"
        );
        assert_eq!(spaced("张三 Li"), " 张  三  Li");
        assert_eq!(like_contains("5%_\\"), "%5\\%\\_\\\\%");
    }

    #[test]
    fn shell_rendering_quotes_literals() {
        let sql = render_for_shell("O'Neil", 20, 0).unwrap().unwrap();
        assert!(sql.contains("'\"O''Neil\"*'"), "{sql}");
        assert!(!sql.contains('?'), "{sql}");
        assert_eq!(render_for_shell("**", 20, 0).unwrap(), None);
    }
}
