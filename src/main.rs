//! The `hunch` command line: a thin layer over the library, one file per subcommand.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("hunch: {e:#}");
            ExitCode::from(2)
        }
    }
}
