//! `seatline-desk records [--number N]` (R38): the agent's call records, newest first, or
//! every call with one number; zh-CN and English side by side, missed calls in red (R34)
//! on a terminal. The texts come from the core (`seatline_core::records`).

use seatline_core::records::{direction_text, method_text, outcome_text};
use seatline_core::SeatlineClient;
use seatline_proto::{CallRecord, RecordQuery};
use serde_json::json;
use std::io::IsTerminal;

/// How many records the list shows without `--number` (the platform's largest page).
const LIST_LIMIT: u32 = 200;

pub async fn print(
    client: &SeatlineClient,
    number: Option<String>,
    json: bool,
) -> anyhow::Result<()> {
    let page = match number {
        Some(n) => client.records_for_number(&n).await?,
        None => {
            client
                .records(RecordQuery {
                    number: None,
                    before: None,
                    limit: Some(LIST_LIMIT),
                })
                .await?
        }
    };
    if json {
        let rows: Vec<_> = page.records.iter().map(record_json).collect();
        println!(
            "{}",
            json!({ "records": rows, "next_before": page.next_before })
        );
        return Ok(());
    }
    if page.records.is_empty() {
        println!("暂无通话记录 / No call records");
        return Ok(());
    }
    let color = std::io::stdout().is_terminal();
    println!("{}", heading());
    for r in &page.records {
        println!("{}", record_line(r, color));
    }
    if page.next_before.is_some() {
        println!("… 更多记录 / more records");
    }
    Ok(())
}

pub fn heading() -> String {
    format!(
        "{} {} {} {} {} {} {}",
        pad("编号/ID", 7),
        pad("时间/Time (UTC)", 17),
        pad("号码/Number", 14),
        pad("客户/Customer", 14),
        pad("方向/Direction", 14),
        pad("方式/Method", 16),
        "结果/Outcome"
    )
}

/// One row: id, start time, number, the library's name (R16), direction, method and
/// outcome; a missed call in red when `color` (R34).
pub fn record_line(r: &CallRecord, color: bool) -> String {
    let outcome = outcome_text(r);
    let (dir_zh, dir_en) = direction_text(r.direction);
    let (method_zh, method_en) = method_text(r.method);
    let mut outcome_cell = format!("{} {}", outcome.zh, outcome.en);
    if outcome.missed && color {
        outcome_cell = format!("\x1b[31m{outcome_cell}\x1b[0m");
    }
    format!(
        "#{:<6} {:<17} {:<14} {} {} {} {}",
        r.id,
        utc_minutes(r.started_at_ms),
        r.number,
        pad(r.customer_name.as_deref().unwrap_or("-"), 14),
        pad(&format!("{dir_zh} {dir_en}"), 14),
        pad(&format!("{method_zh} {method_en}"), 16),
        outcome_cell
    )
}

fn record_json(r: &CallRecord) -> serde_json::Value {
    let outcome = outcome_text(r);
    let mut v = serde_json::to_value(r).unwrap_or_default();
    v["outcome_zh"] = outcome.zh.into();
    v["outcome_en"] = outcome.en.into();
    v["missed"] = outcome.missed.into();
    v
}

/// Pads to `width` terminal cells (CJK characters take two).
fn pad(s: &str, width: usize) -> String {
    let used = unicode_width::UnicodeWidthStr::width(s);
    format!("{s}{}", " ".repeat(width.saturating_sub(used)))
}

/// `YYYY-MM-DD HH:MM` in UTC for Unix milliseconds.
fn utc_minutes(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}",
        rem / 3600,
        (rem % 3600) / 60
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use seatline_proto::{CallDirection, CallMethod, CallOutcome, DeviceKind, PhoneNumber};

    fn record(outcome: Option<CallOutcome>) -> CallRecord {
        CallRecord {
            id: 42,
            call_id: "c".into(),
            direction: CallDirection::Inbound,
            method: CallMethod::Voip,
            device: DeviceKind::Pc,
            number: PhoneNumber::parse("13700001111").unwrap(),
            customer_name: Some("王娟".into()),
            started_at_ms: 1_780_000_000_000,
            answered_at_ms: None,
            ended_at_ms: Some(1_780_000_030_000),
            outcome,
        }
    }

    #[test]
    fn rows_read_in_both_languages_and_missed_is_red_on_a_terminal() {
        let missed = record_line(&record(Some(CallOutcome::Missed)), true);
        assert!(missed.contains("\x1b[31m未接 Missed\x1b[0m"), "{missed}");
        assert!(missed.contains("王娟"));
        assert!(missed.contains("呼入 Inbound"));
        assert!(missed.contains("2026-05-28 20:26"), "{missed}");
        let plain = record_line(&record(Some(CallOutcome::Missed)), false);
        assert!(!plain.contains('\x1b'));
        let busy = record_line(&record(Some(CallOutcome::Busy)), true);
        assert!(busy.contains("忙线 Busy") && !busy.contains('\x1b'));
        assert!(heading().contains("结果/Outcome"));
    }

    #[test]
    fn utc_dates() {
        assert_eq!(utc_minutes(0), "1970-01-01 00:00");
        assert_eq!(utc_minutes(951_782_400_000), "2000-02-29 00:00");
        assert_eq!(utc_minutes(1_764_084_000_000), "2025-11-25 15:20");
    }
}
