//! Captures what the process logs through `tracing` at INFO and above (the levels that
//! reach production logs), for the check that no personal data is in them (DESIGN
//! invariant 5, STYLE item 10).

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use tracing_subscriber::fmt::MakeWriter;

#[derive(Clone, Default)]
pub struct LogCapture {
    buf: Arc<Mutex<Vec<u8>>>,
}

pub struct CaptureWriter {
    buf: Arc<Mutex<Vec<u8>>>,
}

impl Write for CaptureWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.buf
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for LogCapture {
    type Writer = CaptureWriter;
    fn make_writer(&'a self) -> CaptureWriter {
        CaptureWriter {
            buf: self.buf.clone(),
        }
    }
}

impl LogCapture {
    /// Installs the capture as the process's global subscriber (once; later calls return
    /// the same capture). Every target, INFO and above, with span fields, no colours.
    pub fn install() -> LogCapture {
        static CAPTURE: OnceLock<LogCapture> = OnceLock::new();
        CAPTURE
            .get_or_init(|| {
                let capture = LogCapture::default();
                let subscriber = tracing_subscriber::fmt()
                    .with_max_level(tracing::Level::INFO)
                    .with_ansi(false)
                    .with_target(true)
                    .with_writer(capture.clone())
                    .finish();
                if tracing::subscriber::set_global_default(subscriber).is_err() {
                    // Someone else owns the global subscriber: the capture would stay
                    // empty and the check would pass vacuously, so say it loudly.
                    panic!("a global tracing subscriber is already installed");
                }
                capture
            })
            .clone()
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.buf.lock().unwrap_or_else(|p| p.into_inner())).into_owned()
    }
}

/// Which of `secrets` occur in `text`. A secret made of digits counts only where it is not
/// part of a longer run of digits (an 11-digit mobile number inside a 13-digit timestamp is
/// not a leak).
pub fn leaks<'a>(text: &str, secrets: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut found = Vec::new();
    for secret in secrets {
        if secret.is_empty() {
            continue;
        }
        let digits = secret.bytes().all(|b| b.is_ascii_digit());
        let hit = text.match_indices(secret).any(|(i, _)| {
            if !digits {
                return true;
            }
            let before = text[..i].bytes().next_back();
            let after = text[i + secret.len()..].bytes().next();
            !before.is_some_and(|b| b.is_ascii_digit())
                && !after.is_some_and(|b| b.is_ascii_digit())
        });
        if hit {
            found.push(secret.to_string());
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::leaks;

    #[test]
    fn digits_inside_longer_numbers_are_not_leaks() {
        let text = "at_ms=1713800000001 number 13800000002 name 张三";
        assert!(leaks(text, ["13800000001"]).is_empty());
        assert_eq!(leaks(text, ["13800000002", "张三"]).len(), 2);
    }
}
