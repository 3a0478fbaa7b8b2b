//! R10: "请插入麦克风" after login and when answering is switched on without a usable
//! microphone, but not again within a short window (an agent toggling twice should not
//! be nagged twice).

use std::time::{Duration, Instant};

pub const MIC_PROMPT_ZH: &str = "请插入麦克风";
pub const MIC_PROMPT_EN: &str = "Please plug in a microphone";
pub const MIC_PROMPT_WINDOW: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, Default)]
pub struct MicPrompt {
    last_shown: Option<Instant>,
}

impl MicPrompt {
    /// Whether to show the prompt now; remembers that it was shown.
    pub fn check(&mut self, microphone_available: bool, now: Instant) -> bool {
        if microphone_available {
            return false;
        }
        let recently = self
            .last_shown
            .is_some_and(|t| now.saturating_duration_since(t) < MIC_PROMPT_WINDOW);
        if recently {
            return false;
        }
        self.last_shown = Some(now);
        true
    }
}
