//! The non-interactive subcommands: one action each, text or `--json` out, exit code 2 on
//! a refusal. They resume the session the last `login` saved in the data directory.

use crate::render;
use crate::Command;
use anyhow::Context;
use seatline_core::dialpad::DialPad;
use seatline_core::{ClientEvent, ClientListener, CoreError, PhoneView, SeatlineClient};
use seatline_proto::{CardText, ContactKind, NewContact, NewCustomer, PhoneNumber};
use serde_json::json;
use std::io::BufRead;
use std::sync::Arc;
use std::time::Duration;

pub async fn run(client: &SeatlineClient, command: Command, json: bool) -> anyhow::Result<()> {
    match command {
        Command::Tui { .. } => return unreachable_tui(),
        Command::Records { number } => {
            resume(client).await?;
            crate::records::print(client, number, json).await?;
        }
        Command::Login {
            enterprise,
            job,
            password,
        } => {
            let password = match password {
                Some(p) => p,
                None => read_password()?,
            };
            let status = client.login(&enterprise, &job, &password).await?;
            let view = client.phone_view();
            if json {
                print_json(
                    &json!({ "agent_id": status.profile.agent_id, "phone": view_json(&view) }),
                );
            } else {
                println!(
                    "已登录 / Logged in: {} {} ({})",
                    status.profile.job_number,
                    status.profile.display_name,
                    status.profile.enterprise_name
                );
                println!("{}", render::phone_line(&view));
            }
        }
        Command::Logout => {
            resume(client).await?;
            client.logout().await?;
            println!("已退出 / Logged out");
        }
        Command::Status => {
            // Offline or logged out is a state to show, not an error.
            let _ = resume(client).await;
            let view = client.phone_view();
            if json {
                print_json(&view_json(&view));
            } else {
                println!("{}", render::phone_line(&view));
            }
        }
        Command::Answer { state } => {
            resume(client).await?;
            let view = client.set_answering(state.is_on()).await?;
            report_view(&view, json);
        }
        Command::Reception { state } => {
            resume(client).await?;
            let view = client.set_reception(state.is_on()).await?;
            if json {
                print_json(&view_json(&view));
            } else {
                let zh = if view.reception_open {
                    "开启接待"
                } else {
                    "关闭接待"
                };
                println!(
                    "{zh} / reception {}",
                    if view.reception_open {
                        "open"
                    } else {
                        "closed"
                    }
                );
            }
        }
        Command::Search { query, mine, limit } => {
            library_session(client).await;
            let library = client.library();
            let found = if mine {
                let agent = library.current_agent()?.ok_or(CoreError::NotLoggedIn)?;
                library.my_customers(agent, limit, 0)?
            } else {
                library.search(&query, limit, 0)?
            };
            if json {
                print_json(&serde_json::to_value(&found)?);
            } else {
                for c in &found {
                    println!("{}", render::customer_line(c));
                }
                println!("({} 条 / results)", found.len());
            }
        }
        Command::Add {
            mobile,
            name,
            company,
            title,
            mine,
        } => {
            let text = |s: Option<String>| s.map(|s| CardText::parse(&s)).transpose();
            let new = NewCustomer {
                mobile: PhoneNumber::parse(&mobile).map_err(CoreError::from)?,
                name: text(name).map_err(CoreError::from)?,
                company: text(company).map_err(CoreError::from)?,
                title: text(title).map_err(CoreError::from)?,
                owned_by_me: mine,
            };
            library_session(client).await;
            let customer = client
                .library()
                .add_customer(new)
                .map_err(CoreError::from)?;
            let pushed = client.sync_library().await;
            let id = client
                .library()
                .get(customer.id)?
                .map(|c| c.id)
                .unwrap_or(customer.id);
            if json {
                print_json(&json!({ "id": id, "synced": pushed.is_ok() }));
            } else {
                println!("已加入客户库 / Added to the library: #{id}");
                if pushed.is_err() {
                    println!("离线，联网后同步 / Offline: it syncs when the platform is back");
                }
            }
        }
        Command::Show { id } => {
            library_session(client).await;
            let c = client.library().get(id)?.ok_or(CoreError::Library(
                seatline_core::library::LibraryError::NotFound,
            ))?;
            if json {
                print_json(&serde_json::to_value(&c)?);
            } else {
                print!("{}", render::customer_card(&c));
            }
        }
        Command::Contact { id, kind, value } => {
            let kind = ContactKind::parse(&kind).map_err(CoreError::from)?;
            library_session(client).await;
            let c = client.add_contact(id, NewContact { kind, value })?;
            let _ = client.sync_library().await;
            if json {
                print_json(&serde_json::to_value(&c)?);
            } else {
                print!("{}", render::customer_card(&c));
            }
        }
        Command::Sync => {
            resume(client).await?;
            let report = client.sync_library().await?;
            println!("{report:?}");
        }
        Command::Call {
            text,
            method,
            seconds,
            hold_at,
            hold_for,
            dtmf,
        } => {
            resume(client).await?;
            let plan = crate::call::CallPlan {
                method: method.into(),
                talk: Duration::from_secs(seconds),
                hold_at: hold_at.map(Duration::from_secs),
                hold_for: Duration::from_secs(hold_for),
                dtmf,
            };
            if !crate::call::run(client, &text, plan, json).await? {
                anyhow::bail!("未接通 / the call was not answered");
            }
        }
        Command::Dial { text } => {
            let _ = resume(client).await;
            // R14: the same dial pad as the UI: pasted text keeps digits, 20 at most.
            let mut pad = DialPad::new();
            pad.paste(&text);
            let number = pad
                .enter()
                .map_err(|e| anyhow::anyhow!("拨号盘 / dial pad: {e}"))?;
            let number = client.check_dial(number.as_str())?;
            if json {
                print_json(&json!({ "number": number.as_str(), "allowed": true }));
            } else {
                println!("可以拨打 / May dial: {number}");
            }
        }
        Command::Settings {
            auto_login,
            notifications,
            auto_answer,
            microphone,
            speaker,
            microphone_volume,
            speaker_volume,
        } => {
            let mut s = client.settings();
            if let Some(v) = auto_login {
                s.auto_login = v;
            }
            if let Some(v) = notifications {
                s.notifications = v;
            }
            if let Some(v) = auto_answer {
                s.auto_answer = v;
            }
            if let Some(v) = microphone {
                s.microphone = (!v.is_empty()).then_some(v);
            }
            if let Some(v) = speaker {
                s.speaker = (!v.is_empty()).then_some(v);
            }
            if let Some(v) = microphone_volume {
                s.microphone_volume = v;
            }
            if let Some(v) = speaker_volume {
                s.speaker_volume = v;
            }
            client.set_settings(s.clone())?;
            println!("{s:#?}");
        }
        Command::Watch { seconds } => {
            let listener = Arc::new(PrintListener { json });
            let _subscription = client.subscribe(listener);
            resume(client).await?;
            report_view(&client.phone_view(), json);
            tokio::time::sleep(Duration::from_secs(seconds)).await;
        }
    }
    Ok(())
}

fn unreachable_tui() -> anyhow::Result<()> {
    anyhow::bail!("the UI is not a subcommand")
}

/// Resumes the saved session; a subcommand that needs the platform fails without one.
async fn resume(client: &SeatlineClient) -> anyhow::Result<()> {
    match client.resume().await? {
        Some(_) => Ok(()),
        None => Err(CoreError::NotLoggedIn.into()),
    }
}

/// Library commands work offline: resume and bring the mirror up to date if the platform
/// answers, else use the mirror as it is.
async fn library_session(client: &SeatlineClient) {
    match client.resume().await {
        Ok(Some(_)) => {
            if let Err(e) = client.sync_library().await {
                tracing::info!(error = %e, "sync failed: using the local library as it is");
            }
        }
        Ok(None) => {}
        Err(e) => tracing::info!(error = %e, "offline: using the local library"),
    }
}

fn read_password() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the password from stdin")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

fn print_json(v: &serde_json::Value) {
    println!("{v}");
}

pub fn view_json(view: &PhoneView) -> serde_json::Value {
    json!({
        "phone": format!("{:?}", view.phone),
        "answer": format!("{:?}", view.answer),
        "text_zh": view.text_zh(),
        "text_en": view.text_en(),
        "answer_on": view.answer.is_on(),
        "answer_holder": view.answer_holder.map(|d| d.as_str()),
        "reception_open": view.reception_open,
        "devices_online": view.devices_online.iter().map(|d| d.as_str()).collect::<Vec<_>>(),
    })
}

fn report_view(view: &PhoneView, json: bool) {
    if json {
        print_json(&view_json(view));
    } else {
        println!("{}", render::phone_line(view));
    }
}

/// `watch`: one line per event, flushed at once so a test reading the pipe sees it.
struct PrintListener {
    json: bool,
}

impl ClientListener for PrintListener {
    fn on_event(&self, event: ClientEvent) {
        let line = match (&event, self.json) {
            (ClientEvent::PhoneChanged(view), true) => {
                json!({"event": "phone", "view": view_json(view)}).to_string()
            }
            (ClientEvent::PhoneChanged(view), false) => render::phone_line(view),
            (ClientEvent::AnswerRefused(r), true) => {
                json!({"event": "answer_refused", "text_zh": r.text_zh()}).to_string()
            }
            (ClientEvent::AnswerRefused(r), false) => render::answer_refusal_text(*r),
            (ClientEvent::MicrophonePrompt, true) => {
                json!({"event": "microphone_prompt"}).to_string()
            }
            (ClientEvent::MicrophonePrompt, false) => {
                format!(
                    "{} / {}",
                    seatline_core::answer::MIC_PROMPT_ZH,
                    seatline_core::answer::MIC_PROMPT_EN
                )
            }
            (ClientEvent::CallChanged, true) => json!({"event": "call_changed"}).to_string(),
            // The call panel changes every second while talking; `call` prints it.
            (ClientEvent::CallChanged, false) => return,
            (ClientEvent::LibraryChanged, true) => json!({"event": "library_changed"}).to_string(),
            (ClientEvent::LibraryChanged, false) => "客户库已更新 / Library updated".into(),
            (ClientEvent::SessionEnded(r), true) => {
                json!({"event": "session_ended", "reason": format!("{r:?}")}).to_string()
            }
            (ClientEvent::SessionEnded(r), false) => format!("已下线 / Session ended: {r:?}"),
            (ClientEvent::Connection { up }, true) => {
                json!({"event": "connection", "up": up}).to_string()
            }
            (ClientEvent::Connection { up }, false) => {
                if *up {
                    "已连接 / Connected".into()
                } else {
                    "连接断开 / Disconnected".into()
                }
            }
            (ClientEvent::RecordsChanged, true) => json!({"event": "records_changed"}).to_string(),
            (ClientEvent::RecordsChanged, false) => "通话记录已更新 / Call records updated".into(),
        };
        println!("{line}");
        use std::io::Write;
        let _ = std::io::stdout().flush();
    }
}
