//! The `hunch` command line: a thin layer over the library, one file per subcommand.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    // Before any thread starts and before ONNX Runtime can load: no telemetry from it.
    hunch::pose::runtime::disable_telemetry();
    let args = {
        use clap::FromArgMatches;
        let matches = cli::command().get_matches();
        cli::Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
    };
    init_logging(args.command.default_log_level());
    match cli::run(args) {
        Ok(code) => code,
        // The reader of a pipe went away (`hunch export | head`): it has all it wanted.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hunch: {}", message(&e));
            ExitCode::from(2)
        }
    }
}

/// The error and its causes, each said once: most of hunch's errors already quote their
/// cause ("journal X: disk I/O error"), which `{:#}` would print a second time.
fn message(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if out.contains(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || c.downcast_ref::<csv::Error>().is_some_and(|e| {
                matches!(e.kind(), csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::BrokenPipe)
            })
    })
}

/// Plain lines on stderr: journald adds its own time stamps under systemd (which sets
/// JOURNAL_STREAM), so we only add ours on a terminal. `HUNCH_LOG` sets the level
/// (default `info`, or what the command asks for).
fn init_logging(default: &str) {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_env("HUNCH_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let tty = std::io::stderr().is_terminal();
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(tty)
        .with_target(false);
    if std::env::var_os("JOURNAL_STREAM").is_some() || !tty {
        builder.without_time().init();
    } else {
        builder.init();
    }
}
