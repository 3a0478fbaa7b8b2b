//! Drawing the console. Layout:
//! ```text
//! ┌ status: agent · phone/answer state · reception · devices ┐
//! ├ dial pad ─────────┬ customer library ───────────────────┤
//! │ number, cursor    │ query, results  │ selected card      │
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
    lines.push(Line::from("Enter 拨号 dial · Esc 清空 clear"));
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

fn draw_card(f: &mut Frame, app: &App, area: ratatui::layout::Rect) {
    let text = app
        .selected_customer()
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
