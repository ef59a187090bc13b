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
mod dates;
mod demo;
mod doctor;
mod eval;
mod generate;
mod headache;
mod journal;
mod record;
mod report;
mod run;
mod service;
mod watch;
mod window;

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
    #[command(subcommand)]
    pub command: Command,
}

/// The pose engine's options, on the commands that run the pose model (and only there).
#[derive(Debug, Args)]
#[command(next_help_heading = "Pose engine")]
pub struct EngineArgs {
    /// The landmark model: full (more accurate) or lite (faster).
    #[arg(long, value_parser = word::<ModelVariant>(), default_value_t = ModelVariant::Full)]
    pub model: ModelVariant,
    /// ONNX Runtime library to load (default: searched; see README).
    #[arg(long, value_name = "PATH")]
    pub ort_lib: Option<PathBuf>,
    /// Directory holding the pose models (default: searched; see README).
    #[arg(long, value_name = "DIR")]
    pub models: Option<PathBuf>,
    /// Inference threads (1 keeps a background monitor on one core).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub threads: u16,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    // Every day.
    /// Monitor posture from the camera (or a recording with --source).
    Run(run::RunArgs),
    /// Show what the running monitor sees.
    Status,
    /// Pause monitoring (and release the camera) for a while, or until `hunch resume`.
    Pause(client::DurationArg),
    /// Resume monitoring after a pause or snooze.
    Resume,
    /// Keep monitoring but hold alerts for a while (default 30 min).
    Snooze(client::DurationArg),
    /// What hunch sees, live: the angle against the thresholds, the state, the hunch timer
    /// (the running monitor; else the camera, or a recording with --source).
    Watch(watch::WatchArgs),
    /// What hunch sees, in a window: the camera's picture with the landmarks and the
    /// angle, and the day at a glance.
    Window(window::WindowArgs),
    /// Daily hunch-time summaries: today, a date, or a range; table, JSON, CSV, HTML, SVG.
    Report(report::ReportArgs),
    /// Log a headache, or list, edit and remove the diary's entries.
    Headache(headache::HeadacheArgs),
    /// The raw journal (samples, or the headache diary) as CSV or JSON lines.
    Export(report::ExportArgs),

    // Setting up.
    /// Record your neutral posture once (a few seconds sitting upright).
    Calibrate(calibrate::CalibrateArgs),
    /// Check what hunch needs, one line each, and say what to fix (exit 1: cannot monitor).
    Doctor(doctor::DoctorArgs),
    /// List cameras and the formats they offer.
    Cameras,
    /// Print the effective configuration and where it comes from.
    Config,
    /// Install or remove the systemd user service.
    #[command(subcommand)]
    Service(service::ServiceCommand),
    /// The whole chain on a bundled recording of a real person: no camera needed.
    Demo(demo::DemoArgs),

    // For developers and evaluation.
    /// Run the pose model on images and print the landmarks.
    Analyze(analyze::AnalyzeArgs),
    /// Save labelled frames and a manifest for `hunch eval`.
    Record(record::RecordArgs),
    /// Score the posture classifier on labelled recordings (see `hunch::recording::manifest`).
    Eval(eval::EvalArgs),
    /// Write shell completions or man pages (the packages ship them already).
    #[command(subcommand)]
    Generate(generate::GenerateCommand),
}

/// How `hunch --help` groups the commands, for the people each is for. Every visible
/// command is in exactly one group (a unit test checks).
pub const GROUPS: &[(&str, &[&str])] = &[
    (
        "Every day",
        &[
            "run", "status", "pause", "resume", "snooze", "watch", "window", "report", "headache",
            "export",
        ],
    ),
    (
        "Setting up",
        &[
            "calibrate",
            "doctor",
            "cameras",
            "config",
            "service",
            "demo",
        ],
    ),
    (
        "For developers and evaluation",
        &["analyze", "record", "eval", "generate"],
    ),
];

/// `hunch --help`'s command list, grouped as [`GROUPS`] says, each line the command's own
/// one-line help (so the groups cannot drift from the definitions).
pub fn grouped_help(cmd: &clap::Command) -> String {
    let mut out = String::new();
    let width = GROUPS
        .iter()
        .flat_map(|(_, names)| names.iter())
        .map(|n| n.len())
        .max()
        .unwrap_or(0);
    for (title, names) in GROUPS {
        out += &format!("{title}:\n");
        for name in *names {
            let about = cmd
                .find_subcommand(name)
                .and_then(|c| c.get_about())
                .map(|a| a.to_string())
                .unwrap_or_default();
            out += &format!("  {name:<width$}  {about}\n");
        }
        out.push('\n');
    }
    out
}

/// The command line as clap sees it, with `--help` listing the commands by group.
pub fn command() -> clap::Command {
    use clap::CommandFactory;
    let cmd = Cli::command();
    let groups = grouped_help(&cmd);
    cmd.help_template(format!(
        "{{about-with-newline}}\n{{usage-heading}} {{usage}}\n\n{groups}Options:\n{{options}}{{after-help}}"
    ))
}

impl Command {
    /// Log level when `HUNCH_LOG` is not set: the monitor logs what it does; the demo
    /// prints its own story and logs only warnings.
    pub fn default_log_level(&self) -> &'static str {
        match self {
            Command::Demo(_) => "warn",
            // Log lines would land on the live view; it shows what matters itself.
            Command::Watch(_) => "error",
            Command::Window(_) => "warn",
            _ => "info",
        }
    }
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Analyze(a) => analyze::run(a),
        Command::Eval(a) => eval::run(a),
        Command::Calibrate(a) => calibrate::run(a),
        Command::Record(a) => record::run(a),
        Command::Demo(a) => demo::run(a),
        Command::Run(a) => run::run(a),
        Command::Status => client::send(MonitorCommand::Status),
        Command::Watch(a) => watch::run(a),
        Command::Window(a) => window::run(a),
        Command::Cameras => run::cameras(),
        Command::Report(a) => report::run(a),
        Command::Export(a) => report::export(a),
        Command::Headache(a) => headache::run(a),
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
        Command::Doctor(a) => doctor::run(a),
        Command::Generate(c) => generate::run(c),
    }
}

impl EngineArgs {
    /// Loads ONNX Runtime and the models: the one-off start-up every command shares.
    pub fn engine(&self) -> anyhow::Result<PoseEngine> {
        self.engine_with(Residency::Both)
    }

    /// As [`EngineArgs::engine`], keeping the given model sessions in memory (the
    /// monitor keeps one at a time).
    pub fn engine_with(&self, residency: Residency) -> anyhow::Result<PoseEngine> {
        let variant = self.model;
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

/// A clap parser for a length of time, in the one grammar hunch reads everywhere
/// ([`hunch::support::human::parse_duration`]): seconds.
pub fn duration(s: &str) -> Result<f64, String> {
    hunch::support::human::parse_duration(s).map_err(|e| e.to_string())
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every command, with its path (`hunch headache edit`).
    fn all(cmd: &clap::Command, path: String, out: &mut Vec<(String, clap::Command)>) {
        out.push((path.clone(), cmd.clone()));
        for sub in cmd.get_subcommands() {
            all(sub, format!("{path} {}", sub.get_name()), out);
        }
    }

    fn commands() -> Vec<(String, clap::Command)> {
        let mut cmd = command();
        cmd.build();
        let mut out = Vec::new();
        all(&cmd, "hunch".into(), &mut out);
        out
    }

    #[test]
    fn every_flag_and_argument_says_what_it_is() {
        let mut missing = Vec::new();
        for (path, cmd) in commands() {
            for arg in cmd.get_arguments() {
                let id = arg.get_id().as_str();
                if matches!(id, "help" | "version") {
                    continue;
                }
                if arg.get_help().is_none() && arg.get_long_help().is_none() {
                    missing.push(format!("{path} {id}"));
                }
            }
        }
        assert!(missing.is_empty(), "without help: {missing:?}");
    }

    #[test]
    fn every_visible_command_is_in_exactly_one_group_and_internal_ones_are_hidden() {
        let cmd = command();
        let visible: Vec<&str> = cmd
            .get_subcommands()
            .filter(|c| !c.is_hide_set())
            .map(|c| c.get_name())
            .collect();
        for name in &visible {
            let n = GROUPS
                .iter()
                .filter(|(_, names)| names.contains(name))
                .count();
            assert_eq!(n, 1, "{name} is in {n} groups");
        }
        let grouped: usize = GROUPS.iter().map(|(_, n)| n.len()).sum();
        assert_eq!(grouped, visible.len());
        let service = cmd.find_subcommand("service").unwrap();
        assert!(service.find_subcommand("autostart").unwrap().is_hide_set());
    }

    #[test]
    fn engine_flags_appear_only_where_a_model_runs() {
        let runs_a_model = [
            "hunch run",
            "hunch watch",
            "hunch window",
            "hunch calibrate",
            "hunch demo",
            "hunch doctor",
            "hunch analyze",
            "hunch eval",
        ];
        for (path, cmd) in commands() {
            let has = cmd.get_arguments().any(|a| a.get_id() == "ort_lib");
            assert_eq!(has, runs_a_model.contains(&path.as_str()), "{path}");
        }
    }
}
