//! `spire`: the one binary. Thin: parses arguments and wires the crates together.

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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Version => {
            println!("spire {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
    }
}
