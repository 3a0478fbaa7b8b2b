//! What a record's row says, in zh-CN and English, decided once here for every shell
//! (STYLE item 3: nothing written twice in Kotlin and Swift).

use seatline_proto::{CallDirection, CallMethod, CallOutcome, CallRecord};

/// The outcome column of a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutcomeText {
    pub zh: &'static str,
    pub en: &'static str,
    /// R34: a missed call is shown in red.
    pub missed: bool,
}

/// How the call went, as the records list shows it (R34: missed calls in red).
pub fn outcome_text(r: &CallRecord) -> OutcomeText {
    let t = |zh, en| OutcomeText {
        zh,
        en,
        missed: false,
    };
    match r.outcome {
        Some(CallOutcome::Answered) => t("已接通", "Answered"),
        Some(CallOutcome::Busy) => t("忙线", "Busy"),
        Some(CallOutcome::NoAnswer) => t("无人接听", "No answer"),
        Some(CallOutcome::Rejected) => t("被拒接", "Rejected"),
        Some(CallOutcome::Failed) => t("呼叫失败", "Failed"),
        Some(CallOutcome::AgentNoAnswer) => t("您未接听回拨", "You did not answer the callback"),
        Some(CallOutcome::Missed) => OutcomeText {
            zh: "未接",
            en: "Missed",
            missed: true,
        },
        // The phone's dialer does not say how a native call went, only that it ended.
        None if r.method == CallMethod::Native && r.ended_at_ms.is_some() => {
            t("本机通话", "Native call")
        }
        None if r.ended_at_ms.is_some() => t("已结束", "Ended"),
        None => t("通话中", "In progress"),
    }
}

pub fn direction_text(d: CallDirection) -> (&'static str, &'static str) {
    match d {
        CallDirection::Outbound => ("呼出", "Outbound"),
        CallDirection::Inbound => ("呼入", "Inbound"),
    }
}

/// R12's three methods.
pub fn method_text(m: CallMethod) -> (&'static str, &'static str) {
    match m {
        CallMethod::Voip => ("网络电话", "VoIP"),
        CallMethod::Callback => ("回拨", "Callback"),
        CallMethod::Native => ("本机拨号", "Native"),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use seatline_proto::{DeviceKind, PhoneNumber};

    fn record(method: CallMethod, outcome: Option<CallOutcome>, ended: bool) -> CallRecord {
        CallRecord {
            id: 1,
            call_id: "c".into(),
            direction: CallDirection::Outbound,
            method,
            device: DeviceKind::Mobile,
            number: PhoneNumber::parse("13700001111").unwrap(),
            customer_name: None,
            started_at_ms: 1,
            answered_at_ms: None,
            ended_at_ms: ended.then_some(2),
            outcome,
        }
    }

    #[test]
    fn outcomes_read_in_both_languages_and_missed_is_red() {
        let missed = outcome_text(&record(CallMethod::Voip, Some(CallOutcome::Missed), true));
        assert_eq!(
            (missed.zh, missed.en, missed.missed),
            ("未接", "Missed", true)
        );
        let cb = outcome_text(&record(
            CallMethod::Callback,
            Some(CallOutcome::AgentNoAnswer),
            true,
        ));
        assert_eq!(cb.zh, "您未接听回拨");
        assert!(!cb.missed);
        assert_eq!(
            outcome_text(&record(CallMethod::Voip, Some(CallOutcome::Answered), true)).zh,
            "已接通"
        );
        assert_eq!(
            outcome_text(&record(CallMethod::Native, None, true)).en,
            "Native call"
        );
        assert_eq!(
            outcome_text(&record(CallMethod::Voip, None, false)).zh,
            "通话中"
        );
    }
}
