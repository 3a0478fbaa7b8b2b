//! The terminal UI: a status line (login and answer state), the dial pad, the customer
//! library search with the selected card, and a message line. Keys and paste come from a
//! reader thread, core events from a listener; both land on one channel.

mod app;
mod view;

use crate::render;
use app::{Action, App, LoginForm};
use crossterm::event::{self, Event as TermEvent, KeyEventKind};
use crossterm::execute;
use seatline_core::{ClientEvent, ClientListener, SeatlineClient};
use seatline_proto::{CardText, NewCustomer, PhoneNumber};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

enum Input {
    Term(TermEvent),
    Core(ClientEvent),
}

struct Forward(mpsc::UnboundedSender<Input>);

impl ClientListener for Forward {
    fn on_event(&self, event: ClientEvent) {
        let _ = self.0.send(Input::Core(event));
    }
}

pub async fn run(
    client: SeatlineClient,
    enterprise: Option<String>,
    job: Option<String>,
    password: Option<String>,
) -> anyhow::Result<()> {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let _subscription = client.subscribe(Arc::new(Forward(tx.clone())));

    let mut app = App::new(client.phone_view());
    match (enterprise, job, password) {
        (Some(e), Some(j), Some(p)) => {
            if let Err(err) = client.login(&e, &j, &p).await {
                app.message = render::error_text(&err.into());
            }
        }
        _ => {
            if client.resume().await.ok().flatten().is_none() {
                app.login = Some(LoginForm::default());
            }
        }
    }
    refresh(&client, &mut app);

    let mut terminal = ratatui::init();
    let _ = execute!(std::io::stdout(), crossterm::event::EnableBracketedPaste);
    // Terminal input is blocking: read it on its own thread.
    let reader_tx = tx.clone();
    std::thread::spawn(move || loop {
        match event::poll(Duration::from_millis(250)) {
            Ok(true) => match event::read() {
                Ok(ev) => {
                    if reader_tx.send(Input::Term(ev)).is_err() {
                        return;
                    }
                }
                Err(_) => return,
            },
            Ok(false) => {
                if reader_tx.is_closed() {
                    return;
                }
            }
            Err(_) => return,
        }
    });

    let result = async {
        loop {
            terminal.draw(|f| view::draw(f, &app))?;
            let Some(input) = rx.recv().await else { break };
            let action = match input {
                Input::Term(TermEvent::Key(k)) if k.kind != KeyEventKind::Release => app.on_key(k),
                Input::Term(TermEvent::Paste(text)) => app.on_paste(&text),
                Input::Term(_) => Action::None,
                Input::Core(event) => {
                    on_core_event(&client, &mut app, event);
                    Action::None
                }
            };
            if action == Action::Quit {
                break;
            }
            perform(&client, &mut app, action).await;
        }
        anyhow::Ok(())
    }
    .await;
    let _ = execute!(std::io::stdout(), crossterm::event::DisableBracketedPaste);
    ratatui::restore();
    result
}

fn on_core_event(client: &SeatlineClient, app: &mut App, event: ClientEvent) {
    match event {
        ClientEvent::PhoneChanged(view) => app.view = view,
        ClientEvent::AnswerRefused(r) => app.message = render::answer_refusal_text(r),
        ClientEvent::MicrophonePrompt => {
            app.message = format!(
                "{} / {}",
                seatline_core::answer::MIC_PROMPT_ZH,
                seatline_core::answer::MIC_PROMPT_EN
            )
        }
        ClientEvent::LibraryChanged => search(client, app),
        ClientEvent::SessionEnded(reason) => {
            app.message = format!("已下线 / Session ended: {reason:?}");
            app.login = Some(LoginForm::default());
        }
        ClientEvent::CallChanged => app.call = client.call(),
        ClientEvent::Connection { .. } | ClientEvent::RecordsChanged => {}
    }
}

async fn perform(client: &SeatlineClient, app: &mut App, action: Action) {
    let outcome: Result<String, seatline_core::CoreError> = match action {
        Action::None | Action::Quit => return,
        Action::Login {
            enterprise,
            job,
            password,
        } => match client.login(&enterprise, &job, &password).await {
            Ok(status) => {
                app.login = None;
                refresh(client, app);
                Ok(format!(
                    "已登录 / Logged in: {}",
                    status.profile.display_name
                ))
            }
            Err(e) => Err(e),
        },
        Action::ToggleAnswer => {
            let on = !app.view.answer.is_on();
            client
                .set_answering(on)
                .await
                .map(|v| render::phone_line(&v))
        }
        Action::ToggleReception => {
            let open = !app.view.reception_open;
            client.set_reception(open).await.map(|v| {
                if v.reception_open {
                    "开启接待 / Reception open"
                } else {
                    "关闭接待 / Reception closed"
                }
                .into()
            })
        }
        Action::Dial(number, method) => {
            client.start_call(method, number.as_str()).await.map(|_| {
                format!("呼叫 / Calling {number} · F8 挂断 hang up · F7 保持 hold · F9 静音 mute")
            })
        }
        Action::HangUp => client.hang_up().await.map(|_| "挂断 / Hanging up".into()),
        Action::Hold(on) => client.set_hold(on).await.map(|_| {
            if on {
                "保持中，客户听到音乐 / On hold: the customer hears music".into()
            } else {
                "已恢复通话 / Resumed".into()
            }
        }),
        Action::Mute(on) => {
            client.set_muted(on);
            Ok(if on {
                "已静音 / Muted"
            } else {
                "已取消静音 / Unmuted"
            }
            .into())
        }
        Action::Dtmf(c) => client
            .send_dtmf(&c.to_string())
            .await
            .map(|_| format!("按键 / Key {c}")),
        Action::Search(_) => {
            search(client, app);
            return;
        }
        Action::AddCustomer { mobile, name } => add_customer(client, &mobile, &name).await,
        Action::Sync => client
            .sync_library()
            .await
            .map(|r| format!("同步完成 / Synced: {r:?}")),
        Action::Logout => client.logout().await.map(|_| {
            app.login = Some(LoginForm::default());
            "已退出 / Logged out".into()
        }),
    };
    app.message = match outcome {
        Ok(text) => text,
        Err(e) => render::core_error_text(&e),
    };
    app.view = client.phone_view();
    app.call = client.call();
    search(client, app);
}

async fn add_customer(
    client: &SeatlineClient,
    mobile: &str,
    name: &str,
) -> Result<String, seatline_core::CoreError> {
    let new = NewCustomer {
        mobile: PhoneNumber::parse(mobile)?,
        name: if name.trim().is_empty() {
            None
        } else {
            Some(CardText::parse(name)?)
        },
        company: None,
        title: None,
        owned_by_me: false,
    };
    let c = client.add_customer(new)?;
    Ok(format!("已加入客户库 / Added: {}", c.mobile))
}

fn refresh(client: &SeatlineClient, app: &mut App) {
    app.view = client.phone_view();
    if let Some(status) = client.status() {
        app.agent = format!(
            "{} {}",
            status.profile.job_number, status.profile.display_name
        );
    }
    search(client, app);
}

fn search(client: &SeatlineClient, app: &mut App) {
    match client.library().search(&app.query, 50, 0) {
        Ok(found) => {
            app.results = found;
            app.selected = app.selected.min(app.results.len().saturating_sub(1));
        }
        Err(e) => app.message = format!("搜索 / search: {e}"),
    }
}
