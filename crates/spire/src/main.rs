//! `spire`: the one binary. Thin: parses arguments and wires the crates together.

mod match_cmd;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "spire", version, about = "Spire: run the youth employment programme and prove whether it works")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the version.
    Version,
    /// Match youth with companies (deferred acceptance), or plan an event's rotation.
    Match(match_cmd::MatchArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Version => {
            println!("spire {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Command::Match(args) => match_cmd::run(args),
    }
}
