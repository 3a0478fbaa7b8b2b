//! `seatline-desk`: the PC agent console (the `pc` device of R4-R6).
//!
//! With no subcommand it opens the terminal UI. Subcommands do one thing and exit, so
//! tests, scripts and the demo can drive the same core the UI uses; they share the
//! console's data directory, so `login` once and the other subcommands run as that agent.

mod audio;
mod call;
mod commands;
mod records;
mod render;
mod tui;

use clap::{Parser, Subcommand, ValueEnum};
use seatline_core::{ClientConfig, SeatlineClient};
use seatline_proto::DeviceKind;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Parser, Debug)]
#[command(
    name = "seatline-desk",
    version,
    about = "Seatline agent console / 坐席工作台"
)]
struct Cli {
    /// The platform's address.
    #[arg(
        long,
        env = "SEATLINE_PLATFORM",
        default_value = "http://127.0.0.1:8080"
    )]
    platform: String,
    /// Where this console keeps its database (session, settings, customer library).
    #[arg(long, env = "SEATLINE_DATA_DIR", default_value = ".seatline-desk")]
    data_dir: PathBuf,
    /// Which kind of device this console acts as. `mobile` stands in for the phone app
    /// (a second terminal logged in as the same agent).
    #[arg(long, value_enum, default_value = "pc")]
    device: Device,
    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
    /// Where call audio comes from and goes to.
    #[arg(long, global = true, value_enum, default_value = "auto")]
    audio: audio::AudioChoice,
    /// A WAV file to use as the microphone (implies file audio unless --audio device).
    #[arg(long, global = true)]
    play: Option<PathBuf>,
    /// Record what the agent hears to this WAV file (file audio).
    #[arg(long, global = true)]
    record: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Copy, Clone, Debug, ValueEnum)]
enum Device {
    Pc,
    Mobile,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Open the terminal UI (the default).
    Tui {
        /// Log in first with these credentials (the demo uses this).
        #[arg(long)]
        enterprise: Option<String>,
        #[arg(long)]
        job: Option<String>,
        #[arg(long, env = "SEATLINE_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// R1: log in with the job number and password the administrator assigned.
    Login {
        #[arg(long)]
        enterprise: String,
        #[arg(long)]
        job: String,
        /// The password; read from standard input when not given.
        #[arg(long, env = "SEATLINE_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// Log out (releases this device's answering).
    Logout,
    /// Show the phone state (R2, R4, R5, R7, R9).
    Status,
    /// R4/R5: answering on or off (PC: idle or busy).
    Answer {
        #[arg(value_enum)]
        state: Switch,
    },
    /// R7: chat reception open or closed.
    Reception {
        #[arg(value_enum)]
        state: Switch,
    },
    /// Search the customer library by name, company or any part of a number (R15, R40).
    Search {
        #[arg(default_value = "")]
        query: String,
        /// R40: only my customers.
        #[arg(long)]
        mine: bool,
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
    /// R15: add a customer; the mobile number is the key and cannot change later.
    Add {
        #[arg(long)]
        mobile: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        company: Option<String>,
        #[arg(long)]
        title: Option<String>,
        /// Own the customer instead of leaving it in the public pool (公海).
        #[arg(long)]
        mine: bool,
    },
    /// Show one customer card.
    Show { id: i64 },
    /// R15: add a contact method (mobile, landline, email, wechat, qq) to a customer.
    Contact {
        id: i64,
        #[arg(long)]
        kind: String,
        #[arg(long)]
        value: String,
    },
    /// Push queued library edits and pull the platform's changes.
    Sync,
    /// R2, R3, R9, R11, R14: check that a number (typed or pasted text) may be dialled now.
    Dial { text: String },
    /// R12, R13, R17: call a number (typed or pasted text), print the call's phases, and
    /// hang up after --seconds (or when the customer does).
    Call {
        text: String,
        /// VoIP (recommended) or callback (the platform rings your bound phone first).
        #[arg(long, value_enum, default_value = "voip")]
        method: CallMethodArg,
        /// Hang up this many seconds after the customer answers.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// R17: put the customer on hold this many seconds after answering, for --hold-for.
        #[arg(long)]
        hold_at: Option<u64>,
        #[arg(long, default_value_t = 3)]
        hold_for: u64,
        /// Send these DTMF digits once connected.
        #[arg(long)]
        dtmf: Option<String>,
    },
    /// R6, R8: show or change settings.
    Settings {
        #[arg(long)]
        auto_login: Option<bool>,
        #[arg(long)]
        notifications: Option<bool>,
        #[arg(long)]
        auto_answer: Option<bool>,
        #[arg(long)]
        microphone: Option<String>,
        #[arg(long)]
        speaker: Option<String>,
        #[arg(long)]
        microphone_volume: Option<u8>,
        #[arg(long)]
        speaker_volume: Option<u8>,
    },
    /// R38: the call records, newest first; with --number every call with that number.
    Records {
        #[arg(long)]
        number: Option<String>,
    },
    /// Print events as they arrive (one line each) for a while.
    Watch {
        /// Stop after this many seconds.
        #[arg(long, default_value_t = 30)]
        seconds: u64,
    },
}

#[derive(Copy, Clone, Debug, ValueEnum)]
pub enum CallMethodArg {
    Voip,
    Callback,
}

impl From<CallMethodArg> for seatline_proto::CallMethod {
    fn from(m: CallMethodArg) -> Self {
        match m {
            CallMethodArg::Voip => seatline_proto::CallMethod::Voip,
            CallMethodArg::Callback => seatline_proto::CallMethod::Callback,
        }
    }
}

#[derive(Copy, Clone, Debug, ValueEnum)]
pub enum Switch {
    #[value(alias = "idle", alias = "open")]
    On,
    #[value(alias = "busy", alias = "close", alias = "closed")]
    Off,
}

impl Switch {
    fn is_on(self) -> bool {
        matches!(self, Switch::On)
    }
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Tui {
        enterprise: None,
        job: None,
        password: None,
    });
    let tui = matches!(command, Command::Tui { .. });
    // The UI owns the terminal: logs go to a file in the data directory instead.
    init_logging(&cli.data_dir, tui);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let device_kind = match cli.device {
        Device::Pc => DeviceKind::Pc,
        Device::Mobile => DeviceKind::Mobile,
    };
    let config = ClientConfig {
        platform_url: cli.platform.clone(),
        data_dir: cli.data_dir.clone(),
        device_kind,
    };
    let result = runtime.block_on(async move {
        let client = SeatlineClient::new(
            config,
            tokio::runtime::Handle::current(),
            Some(audio::devices()),
        )?;
        let (backend, audio_text) = audio::voice_backend(
            cli.audio,
            cli.play.as_deref(),
            cli.record.as_deref(),
            &cli.data_dir,
        );
        client.set_audio_backend(Some(backend));
        tracing::info!(audio = %audio_text, "call audio");
        match command {
            Command::Tui {
                enterprise,
                job,
                password,
            } => tui::run(client, enterprise, job, password).await,
            other => commands::run(&client, other, cli.json).await,
        }
    });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}", render::error_text(&e));
            std::process::ExitCode::from(2)
        }
    }
}

fn init_logging(data_dir: &std::path::Path, to_file: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("SEATLINE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,rtc=error"));
    if to_file {
        if std::fs::create_dir_all(data_dir).is_ok() {
            if let Ok(file) = std::fs::File::create(data_dir.join("desk.log")) {
                tracing_subscriber::fmt()
                    .with_env_filter(filter)
                    .with_writer(Arc::new(file))
                    .with_ansi(false)
                    .init();
            }
        }
    } else {
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .init();
    }
}
