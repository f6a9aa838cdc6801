//! `spire`: the one binary. Thin: parses arguments and wires the crates together.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

mod stats_cmd;

#[derive(Parser)]
#[command(
    name = "spire",
    version,
    about = "Spire: run the youth employment programme and prove whether it works"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the version.
    Version,
    /// Trial statistics on a CSV file (ITT, IV, balance, power, multiple testing, Lee bounds).
    Stats(stats_cmd::StatsArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Version => {
            println!("spire {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Command::Stats(args) => stats_cmd::run(args),
    }
}
