//! Answer state per device (R4), the lease view (R5), auto-answer (R6) and the microphone
//! prompt (R10). The platform owns the lease; this machine only asks and shows.

mod machine;
mod mic_prompt;
mod state;

pub use machine::{AnswerContext, AnswerMachine, AnswerOutput, AnswerRefusal};
pub use mic_prompt::{MicPrompt, MIC_PROMPT_EN, MIC_PROMPT_WINDOW, MIC_PROMPT_ZH};
pub use state::AnswerState;
