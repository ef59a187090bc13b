//! Command-line definitions and dispatch.

/// `println!` for command output: a closed pipe (`hunch report | head -1`) ends the
/// program quietly with status 0, as a filter should; other write errors go to stderr.
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::cli::write_out(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `print!` for command output; see [`outln!`].
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::cli::write_out(format_args!($($arg)*))
    };
}

mod analyze;
mod calibrate;
mod client;
mod demo;
mod doctor;
mod eval;
mod generate;
mod journal;
mod log;
mod record;
mod report;
mod run;
mod service;
mod watch;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use hunch::control::command::Command as MonitorCommand;
use hunch::pose::models::{ModelPaths, ModelVariant};
use hunch::pose::{PoseEngine, Residency, SessionOptions};

#[derive(Debug, Parser)]
#[command(
    name = "hunch",
    version,
    about = "A quiet posture monitor: catches sustained forward-head posture and prompts a stretch."
)]
pub struct Cli {
    #[command(flatten)]
    pub engine: EngineArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options shared by every command that runs the pose model.
#[derive(Debug, Args)]
pub struct EngineArgs {
    /// ONNX Runtime library to load (default: searched; see README).
    #[arg(long, global = true, value_name = "PATH")]
    pub ort_lib: Option<PathBuf>,
    /// Directory holding the pose models (default: searched; see README).
    #[arg(long, global = true, value_name = "DIR")]
    pub models: Option<PathBuf>,
    /// Inference threads (1 keeps a background monitor on one core).
    #[arg(long, global = true, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub threads: u16,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the pose model on images and print the landmarks.
    Analyze(analyze::AnalyzeArgs),
    /// The whole chain on a bundled recording of a real person: no camera needed.
    Demo(demo::DemoArgs),
    /// Monitor posture from the camera (or a recording with --source).
    Run(run::RunArgs),
    /// List cameras and the formats they offer.
    Cameras,
    /// Show what the running monitor sees.
    Status,
    /// What hunch sees, live: the angle against the thresholds, the state, the hunch timer
    /// (the running monitor; else the camera, or a recording with --source).
    Watch(watch::WatchArgs),
    /// Pause monitoring (and release the camera) for a while, or until `hunch resume`.
    Pause(client::DurationArg),
    /// Resume monitoring after a pause or snooze.
    Resume,
    /// Keep monitoring but hold alerts for a while (default 30 min).
    Snooze(client::DurationArg),
    /// Daily hunch-time summaries: today, a date, or a range; table, JSON, CSV, HTML, SVG.
    Report(report::ReportArgs),
    /// The raw per-sample journal (or the diary) between two dates, as CSV or JSON lines.
    Export(report::ExportArgs),
    /// Keep a headache diary beside your posture.
    Log(log::LogArgs),
    /// Install or remove the systemd user service.
    #[command(subcommand)]
    Service(service::ServiceCommand),
    /// Print the effective configuration and where it comes from.
    Config,
    /// Record your neutral posture once (a few seconds sitting upright).
    Calibrate(calibrate::CalibrateArgs),
    /// Save labelled frames and a manifest for `hunch eval`.
    Record(record::RecordArgs),
    /// Score the posture classifier on labelled recordings (see `hunch::recording::manifest`).
    Eval(eval::EvalArgs),
    /// Check what hunch needs, one line each, and say what to fix (exit 1: cannot monitor).
    Doctor(doctor::DoctorArgs),
    /// Write shell completions or man pages (the packages ship them already).
    #[command(subcommand)]
    Generate(generate::GenerateCommand),
}

impl Command {
    /// Log level when `HUNCH_LOG` is not set: the monitor logs what it does; the demo
    /// prints its own story and logs only warnings.
    pub fn default_log_level(&self) -> &'static str {
        match self {
            Command::Demo(_) => "warn",
            // Log lines would land on the live view; it shows what matters itself.
            Command::Watch(_) => "error",
            _ => "info",
        }
    }
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Analyze(a) => analyze::run(&cli.engine, a),
        Command::Eval(a) => eval::run(&cli.engine, a),
        Command::Calibrate(a) => calibrate::run(&cli.engine, a),
        Command::Record(a) => record::run(a),
        Command::Demo(a) => demo::run(&cli.engine, a),
        Command::Run(a) => run::run(&cli.engine, a),
        Command::Status => client::send(MonitorCommand::Status),
        Command::Watch(a) => watch::run(&cli.engine, a),
        Command::Cameras => run::cameras(),
        Command::Report(a) => report::run(a),
        Command::Export(a) => report::export(a),
        Command::Log(a) => log::run(a),
        Command::Service(c) => service::run(c),
        Command::Config => {
            let path = hunch::config::Config::default_path();
            let cfg = load_config()?;
            match &path {
                Some(p) if p.exists() => outln!("# {}", p.display()),
                Some(p) => outln!("# defaults ({} does not exist)", p.display()),
                None => outln!("# defaults (no config directory)"),
            }
            out!("{}", toml::to_string_pretty(&cfg)?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Pause(d) => client::pause(d),
        Command::Resume => client::send(MonitorCommand::Resume),
        Command::Snooze(d) => client::snooze(d),
        Command::Doctor(a) => doctor::run(&cli.engine, a),
        Command::Generate(c) => generate::run(c),
    }
}

impl EngineArgs {
    /// Loads ONNX Runtime and the models: the one-off start-up every command shares.
    pub fn engine(&self, variant: ModelVariant) -> anyhow::Result<PoseEngine> {
        self.engine_with(variant, Residency::Both)
    }

    /// As [`EngineArgs::engine`], keeping the given model sessions in memory (the
    /// monitor keeps one at a time).
    pub fn engine_with(
        &self,
        variant: ModelVariant,
        residency: Residency,
    ) -> anyhow::Result<PoseEngine> {
        let env = hunch::pose::runtime::init(self.ort_lib.as_deref())?;
        let models = ModelPaths::resolve(self.models.as_deref(), variant)?;
        let opts = SessionOptions {
            threads: self.threads as usize,
        };
        PoseEngine::with_residency(env, &models, opts, residency)
            .context("could not start the pose engine")
    }
}

/// A clap parser for one of the library's word lists (model, label, mode): the words
/// appear in `--help` and completions, and the library's own `FromStr` parses them.
pub fn word<T>() -> impl clap::builder::TypedValueParser<Value = T>
where
    T: hunch::vocab::Word + std::str::FromStr<Err = hunch::vocab::UnknownWord> + Send + Sync,
{
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(T::ALL.iter().map(|w| w.as_str()))
        .try_map(|s| s.parse::<T>())
}

/// Writes command output to stdout. On a broken pipe the reader has all it wanted: exit
/// 0 at once. Any other failure is reported and exits 2.
pub fn write_out(args: std::fmt::Arguments) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout.write_fmt(args).and_then(|()| stdout.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("hunch: cannot write the output: {e}");
        std::process::exit(2);
    }
}

/// The user's config, or defaults when there is none.
pub fn load_config() -> anyhow::Result<hunch::config::Config> {
    match hunch::config::Config::default_path() {
        Some(p) => Ok(hunch::config::Config::load(&p)?),
        None => Ok(hunch::config::Config::default()),
    }
}
