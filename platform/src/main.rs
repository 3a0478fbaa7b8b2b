//! `seatline-platform`: see `cli` for the commands.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = seatline_platform::cli::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("seatline-platform: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(seatline_platform::cli::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("seatline-platform: {e:#}");
            ExitCode::FAILURE
        }
    }
}
