//! The `seatline-platform` command line: `serve`, `create-enterprise`, `seed-demo`.

use crate::api::{self, AppState};
use crate::auth::password;
use crate::calls::CallService;
use crate::config::ServeConfig;
use crate::store::{now_ms, Store};
use anyhow::Context;
use clap::{Parser, Subcommand};
use seatline_proto::{EnterpriseCode, Password, Username};
use std::io::Write;
use std::net::SocketAddr;

/// The default database: an embedded SQLite file in the working directory.
pub const DEFAULT_DB: &str = "sqlite://seatline-platform.db";

#[derive(Debug, Parser)]
#[command(
    name = "seatline-platform",
    version,
    about = "The Seatline contact-center platform server"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the REST API and event sockets. Prints `listening on http://ADDR` once bound.
    Serve {
        /// `sqlite://FILE` (embedded, created if missing) or `postgres://USER@HOST:PORT/DB`.
        #[arg(long, env = "SEATLINE_DB", default_value = DEFAULT_DB)]
        db: String,
        /// Address to listen on; port 0 picks a free port (see the printed line).
        #[arg(long, env = "SEATLINE_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// PEM certificate chain: serve HTTPS/WSS (for a platform that faces the internet
        /// without a TLS terminator in front). Needs `--tls-key`.
        #[arg(long, env = "SEATLINE_TLS_CERT", requires = "tls_key")]
        tls_cert: Option<std::path::PathBuf>,
        /// PEM private key of `--tls-cert`.
        #[arg(long, env = "SEATLINE_TLS_KEY", requires = "tls_cert")]
        tls_key: Option<std::path::PathBuf>,
        /// The SIP trunk and the media of calls.
        #[command(flatten)]
        calls: crate::calls::config::CallArgs,
    },
    /// Create an enterprise and its first administrator.
    CreateEnterprise {
        #[arg(long, env = "SEATLINE_DB", default_value = DEFAULT_DB)]
        db: String,
        /// Short login code, e.g. `demo` (lower-cased).
        #[arg(long)]
        code: String,
        /// Display name of the enterprise.
        #[arg(long)]
        name: String,
        #[arg(long)]
        admin_user: String,
        #[arg(long, env = "SEATLINE_ADMIN_PASSWORD", hide_env_values = true)]
        admin_password: String,
        /// The enterprise has the online-service package (chat reception, R7).
        #[arg(long)]
        online_service: bool,
    },
    /// Create the demo enterprises, accounts and customers (idempotent).
    SeedDemo {
        #[arg(long, env = "SEATLINE_DB", default_value = DEFAULT_DB)]
        db: String,
    },
}

/// The log filter: `RUST_LOG` or `info,sqlx=warn`, and rsipstack at `warn` unless
/// `RUST_LOG` names it: its info level prints whole SIP messages, phone numbers and all
/// (DESIGN invariant 5).
pub fn log_directives(env: Option<&str>) -> String {
    let base = env
        .filter(|s| !s.trim().is_empty())
        .unwrap_or("info,sqlx=warn");
    if base.contains("rsipstack") {
        base.to_string()
    } else {
        format!("{base},rsipstack=warn")
    }
}

fn init_tracing() {
    let env = std::env::var("RUST_LOG").ok();
    let filter = tracing_subscriber::EnvFilter::try_new(log_directives(env.as_deref()))
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,rsipstack=warn"));
    // Logs go to stderr: stdout carries only the lines scripts and tests read.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    init_tracing();
    match cli.command {
        Command::Serve {
            db,
            listen,
            tls_cert,
            tls_key,
            calls,
        } => {
            let tls = tls_cert.zip(tls_key);
            let calls = calls.into_config().context("call settings")?;
            let config = ServeConfig {
                calls,
                ..ServeConfig::default()
            };
            serve(&db, listen, tls, config).await
        }
        Command::CreateEnterprise {
            db,
            code,
            name,
            admin_user,
            admin_password,
            online_service,
        } => {
            let code = EnterpriseCode::parse(&code).context("--code")?;
            let user = Username::parse(&admin_user).context("--admin-user")?;
            let pass = Password::parse(&admin_password).context("--admin-password")?;
            let name = name.trim();
            anyhow::ensure!(!name.is_empty(), "--name must not be empty");
            let store = Store::connect(&db).await.context("opening the database")?;
            let hash = password::hash(pass.expose().to_string()).await?;
            let id = store
                .create_enterprise(&code, name, online_service, user.as_str(), &hash, now_ms())
                .await
                .with_context(|| format!("creating enterprise {code} (does it exist already?)"))?;
            println!("created enterprise {code} (id {id}) with administrator {user}");
            store.close().await;
            Ok(())
        }
        Command::SeedDemo { db } => {
            let store = Store::connect(&db).await.context("opening the database")?;
            crate::seed::seed_demo(&store).await?;
            store.close().await;
            Ok(())
        }
    }
}

/// A certificate chain and its key, both PEM files.
pub type TlsFiles = (std::path::PathBuf, std::path::PathBuf);

/// Opens the store, binds, prints the ready line, serves until SIGINT/SIGTERM; over TLS
/// when `tls` names a certificate and key.
pub async fn serve(
    db: &str,
    listen: SocketAddr,
    tls: Option<TlsFiles>,
    config: ServeConfig,
) -> anyhow::Result<()> {
    let store = Store::connect(db).await.context("opening the database")?;
    tracing::info!(backend = ?store.backend(), "database ready");
    let mut state = AppState::new(store.clone(), config);
    if state.config.calls.trunk.is_some() {
        let calls =
            CallService::start(store.clone(), state.hub.clone(), state.config.calls.clone())
                .await
                .context("starting the SIP trunk")?;
        state.calls = std::sync::Arc::new(calls);
    }
    let calls = state.calls.clone();
    let hub = state.hub.clone();
    let app = api::router(state);
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("binding {listen}"))?;
    let addr = listener.local_addr()?;
    let Some((cert, key)) = tls else {
        ready_line("http", addr)?;
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                shutdown_signal().await;
                tracing::info!("shutting down");
                // Open sockets would otherwise keep the graceful shutdown waiting forever.
                hub.shutdown();
            })
            .await?;
        calls.shutdown().await;
        store.close().await;
        return Ok(());
    };
    // ring is the only provider in the build; installing it makes that explicit (an
    // error means it is installed already).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let tls = axum_server::tls_rustls::RustlsConfig::from_pem_file(&cert, &key)
        .await
        .with_context(|| format!("loading the TLS certificate {cert:?} and key {key:?}"))?;
    let handle = axum_server::Handle::new();
    let stopper = handle.clone();
    tokio::spawn(async move {
        shutdown_signal().await;
        tracing::info!("shutting down");
        hub.shutdown();
        stopper.graceful_shutdown(Some(std::time::Duration::from_secs(5)));
    });
    ready_line("https", addr)?;
    axum_server::from_tcp_rustls(listener.into_std()?, tls)?
        .handle(handle)
        .serve(app.into_make_service())
        .await?;
    calls.shutdown().await;
    store.close().await;
    Ok(())
}

/// The one line scripts and tests wait for, on stdout.
fn ready_line(scheme: &str, addr: SocketAddr) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "listening on {scheme}://{addr}")?;
    out.flush()?;
    tracing::info!(%addr, scheme, "serving");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}

#[cfg(test)]
mod tests {
    use super::log_directives;

    #[test]
    fn invariant_5_sip_messages_stay_out_of_info_logs() {
        assert_eq!(log_directives(None), "info,sqlx=warn,rsipstack=warn");
        assert_eq!(log_directives(Some("debug")), "debug,rsipstack=warn");
        // An engineer who asks for rsipstack's messages explicitly gets them.
        assert_eq!(log_directives(Some("rsipstack=debug")), "rsipstack=debug");
    }
}
