//! Drawing the console. Layout:
//! ```text
//! ┌ status: agent · phone/answer state · reception · devices ┐
//! ├ dial pad ─────────┬ customer library ───────────────────┤
//! │ number, cursor    │ query, results  │ selected card      │
//! │ call panel        │                 │ (the caller's card) │
//! ├───────────────────┴──────────────────────────────────────┤
//! └ message / key help ──────────────────────────────────────┘
//! ```

use super::app::{App, Focus};
use crate::render;
use ratatui::layout::{Constraint, Layout};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, List, ListItem, ListState, Paragraph, Wrap};
use ratatui::Frame;
use seatline_core::call::CallStage;
use seatline_core::session::PhoneState;

pub fn draw(f: &mut Frame, app: &App) {
    let rows = Layout::vertical([
        Constraint::Length(3),
        Constraint::Min(8),
        Constraint::Length(3),
    ])
    .split(f.area());
    draw_status(f, app, rows[0]);
    let cols = Layout::horizontal([
        Constraint::Length(30),
        Constraint::Min(30),
        Constraint::Length(40),
    ])
    .split(rows[1]);
    draw_pad(f, app, cols[0]);
    draw_results(f, app, cols[1]);
    draw_card(f, app, cols[2]);
    f.render_widget(
        Paragraph::new(app.message.as_str())
            .wrap(Wrap { trim: true })
            .block(Block::default().borders(Borders::ALL)),
        rows[2],
    );
    if let Some(form) = &app.login {
        let area = centered(f.area(), 50, 9);
        f.render_widget(Clear, area);
        let mask = "*".repeat(form.password.chars().count());
        let mark = |i: usize| if form.field == i { "▶ " } else { "  " };
        let text = vec![
            Line::from(format!("{}企业 Enterprise: {}", mark(0), form.enterprise)),
            Line::from(format!("{}工号 Job number: {}", mark(1), form.job)),
            Line::from(format!("{}密码 Password:   {}", mark(2), mask)),
            Line::from(""),
            Line::from("Enter 登录 log in · Tab 下一项 next field"),
        ];
        f.render_widget(
            Paragraph::new(text).block(
                Block::default()
                    .borders(Borders::ALL)
                    .title(" 登录 Log in "),
            ),
            area,
        );
    }
    if let Some(form) = &app.add {
        let area = centered(f.area(), 50, 7);
        f.render_widget(Clear, area);
        let mark = |i: usize| if form.field == i { "▶ " } else { "  " };
        let text = vec![
            Line::from(format!("{}手机 Mobile: {}", mark(0), form.mobile)),
            Line::from(format!(
                "{}姓名 Name (可选 optional): {}",
                mark(1),
                form.name
            )),
            Line::from("Enter 保存 save · Esc 取消 cancel"),
        ];
        f.render_widget(
            Paragraph::new(text).block(
                Block::default()
                    .borders(Borders::ALL)
                    .title(" 加入客户库 Add to library "),
            ),
            area,
        );
    }
}

fn draw_status(f: &mut Frame, app: &App, area: ratatui::layout::Rect) {
    let state_style = match app.view.phone {
        PhoneState::NotLoggedIn => Style::default().fg(Color::DarkGray),
        PhoneState::Fault => Style::default().fg(Color::Red).add_modifier(Modifier::BOLD),
        PhoneState::Ready if app.view.answer.is_on() => Style::default().fg(Color::Green),
        PhoneState::Ready => Style::default().fg(Color::Yellow),
    };
    let reception = if app.view.reception_open {
        "开启接待 open"
    } else {
        "关闭接待 closed"
    };
    let devices: Vec<&str> = app
        .view
        .devices_online
        .iter()
        .map(|d| d.label_zh())
        .collect();
    let line = Line::from(vec![
        Span::raw(format!(" {}  ", app.agent)),
        Span::styled(render::phone_line(&app.view), state_style),
        Span::raw(format!(
            "   接待 {reception}   在线设备 devices: {}",
            devices.join(",")
        )),
    ]);
    f.render_widget(
        Paragraph::new(line).block(
            Block::default()
                .borders(Borders::ALL)
                .title(" Seatline 坐席 "),
        ),
        area,
    );
}

fn draw_pad(f: &mut Frame, app: &App, area: ratatui::layout::Rect) {
    let text = app.pad.text();
    let (before, after) = text.split_at(app.pad.cursor().min(text.len()));
    // R14: past 12 digits the number is drawn in the compact style.
    let style = if app.pad.shrink() {
        Style::default().add_modifier(Modifier::DIM)
    } else {
        Style::default().add_modifier(Modifier::BOLD)
    };
    let number = Line::from(vec![
        Span::styled(before.to_string(), style),
        Span::styled("│", Style::default().fg(Color::Cyan)),
        Span::styled(after.to_string(), style),
    ]);
    let keys = ["1 2 3", "4 5 6", "7 8 9", "  0  "];
    let mut lines = vec![number, Line::from("")];
    lines.extend(keys.iter().map(|k| Line::from(format!("   {k}"))));
    lines.push(Line::from(""));
    let method = match app.method {
        seatline_proto::CallMethod::Callback => "回拨 callback",
        _ => "网络电话 VoIP",
    };
    lines.push(Line::from(format!("Enter 拨号 dial ({method}) · F4 切换")));
    lines.push(Line::from("Esc 清空 clear"));
    if let Some(call) = &app.call {
        lines.push(Line::from(""));
        lines.extend(call_lines(call));
    }
    f.render_widget(
        Paragraph::new(lines).block(focus_block(" 拨号盘 Dial pad ", app.focus == Focus::Pad)),
        area,
    );
}

fn draw_results(f: &mut Frame, app: &App, area: ratatui::layout::Rect) {
    let items: Vec<ListItem> = app
        .results
        .iter()
        .map(|c| ListItem::new(render::customer_line(c)))
        .collect();
    let title = format!(" 客户库 Library: {}▏", app.query);
    let list = List::new(items)
        .block(focus_block(&title, app.focus == Focus::Search))
        .highlight_style(Style::default().add_modifier(Modifier::REVERSED));
    let mut state = ListState::default();
    if !app.results.is_empty() {
        state.select(Some(app.selected));
    }
    f.render_stateful_widget(list, area, &mut state);
}

/// The call panel (R15-R18): phase, number and the library's name for it, talk time,
/// hold and mute, voice quality, and the keys that act on the call.
fn call_lines(call: &seatline_core::client::CallView) -> Vec<Line<'static>> {
    let phase_style = match call.phase {
        CallStage::Connected => Style::default()
            .fg(Color::Green)
            .add_modifier(Modifier::BOLD),
        CallStage::Held => Style::default()
            .fg(Color::Yellow)
            .add_modifier(Modifier::BOLD),
        CallStage::Ended { .. } => Style::default().fg(Color::DarkGray),
        _ => Style::default().fg(Color::Cyan),
    };
    let who = call
        .customer
        .as_ref()
        .and_then(|c| c.name.as_ref().map(|n| n.to_string()))
        .unwrap_or_else(|| "未在客户库 not in library (F6 加入 add)".into());
    let mut lines = vec![
        Line::from(Span::styled(
            format!("{} {}", call.text_zh(), call.text_en()),
            phase_style,
        )),
        Line::from(format!("{}  {who}", call.number)),
    ];
    if let Some(since) = call.connected_at_ms {
        let end = call.ended_at_ms.unwrap_or_else(now_ms);
        let s = (end - since).max(0) / 1000;
        let mut flags = String::new();
        if call.held {
            flags.push_str(" 保持 held");
        }
        if call.muted {
            flags.push_str(" 静音 muted");
        }
        lines.push(Line::from(format!("{:02}:{:02}{flags}", s / 60, s % 60)));
    }
    if let Some(q) = &call.stats {
        lines.push(Line::from(format!(
            "MOS {:.1} · 丢包 loss {:.1}% · 抖动 {:.0} ms",
            q.mos, q.loss_pct, q.jitter_ms
        )));
    }
    if call.is_active() {
        lines.push(Line::from("F8 挂断 · F7 保持 · F9 静音"));
    }
    lines
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

fn draw_card(f: &mut Frame, app: &App, area: ratatui::layout::Rect) {
    // R15: while dialling or talking, the card is the caller's when the library knows them.
    let in_call_card = app
        .call
        .as_ref()
        .filter(|c| c.is_active())
        .and_then(|c| c.customer.as_ref());
    let text = in_call_card
        .or(app.selected_customer())
        .map(render::customer_card)
        .unwrap_or_default();
    f.render_widget(
        Paragraph::new(text).wrap(Wrap { trim: false }).block(
            Block::default()
                .borders(Borders::ALL)
                .title(" 客户资料 Card "),
        ),
        area,
    );
}

fn focus_block(title: &str, focused: bool) -> Block<'_> {
    let style = if focused {
        Style::default().fg(Color::Cyan)
    } else {
        Style::default()
    };
    Block::default()
        .borders(Borders::ALL)
        .title(title)
        .border_style(style)
}

fn centered(area: ratatui::layout::Rect, width: u16, height: u16) -> ratatui::layout::Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    ratatui::layout::Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}
