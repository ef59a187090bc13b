//! `hunch eval`: precision and recall of the whole chain on labelled recordings.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use hunch::eval::{evaluate, EvalReport, Mode, Scores};
use hunch::recording::Manifest;

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// A manifest file, or a directory holding `manifest.csv`.
    pub path: PathBuf,
    /// Track frames like the monitor (video) or treat each on its own (image).
    #[arg(long, value_parser = super::word::<Mode>(), default_value_t = Mode::Video)]
    pub mode: Mode,
    /// Print the report as one JSON object.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub engine: super::EngineArgs,
}

pub fn run(args: EvalArgs) -> anyhow::Result<ExitCode> {
    let config = super::load_config()?;
    let manifest = Manifest::load(&args.path)?;
    let frames = manifest.frames()?;
    if frames.is_empty() {
        anyhow::bail!("{} lists no frames", manifest.path.display());
    }
    let mut engine = args.engine.engine()?;
    let tty = std::io::stderr().is_terminal();
    let report = evaluate(
        &frames,
        &mut engine,
        args.mode,
        &config.posture,
        &config.filter,
        |done, total| {
            if tty {
                eprint!("\r  {done}/{total} frames");
            }
        },
    )?;
    if tty {
        eprintln!();
    }
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        out!("{}", table(&report));
    }
    Ok(ExitCode::SUCCESS)
}

fn pct(v: Option<f64>) -> String {
    v.map_or("—".into(), |v| format!("{:.2}", v))
}

fn scores_line(name: &str, s: &Scores) -> String {
    let c = s.confusion;
    format!(
        "{name:<16} {:>9} {:>7} {:>6}   tp {:>3}  fp {:>3}  tn {:>3}  fn {:>3}\n",
        pct(s.precision),
        pct(s.recall),
        pct(s.f1),
        c.tp,
        c.fp,
        c.tn,
        c.fn_
    )
}

pub fn table(r: &EvalReport) -> String {
    let mut s = String::new();
    s += &format!(
        "mode {:?}, hunched when forward angle ≥ {:.1}°, {} subject(s)\n\n",
        r.mode, r.threshold_deg, r.subjects
    );
    s += "subject          session                         calib  scored  calibration\n";
    for g in &r.groups {
        s += &format!(
            "{:<16} {:<31} {:>5}  {:>6}  {}\n",
            truncate(&g.subject, 16),
            truncate(&g.session, 31),
            g.calibration_frames,
            g.scored,
            g.calibration_refused
                .as_deref()
                .or(g.calibration_note.as_deref())
                .unwrap_or("ok")
        );
    }
    s += "\nframes:";
    for (k, v) in &r.frames {
        s += &format!("  {k} {v}");
    }
    s += "\nnot measured:";
    if r.rejected.is_empty() {
        s += "  none";
    }
    for (k, v) in &r.rejected {
        s += &format!("  {k} {v}");
    }
    s += "\n\nhunched vs upright precision  recall     f1\n";
    s += &scores_line("combined", &r.scores);
    s += &scores_line("frontal cue only", &r.frontal_only);
    s += &scores_line("world cue only", &r.world_only);
    s += "\nforward angle (°)    n     mean    p10  median    p90\n";
    for (k, d) in &r.angles {
        let f = |v: Option<f32>| v.map_or("—".into(), |v| format!("{v:.1}"));
        s += &format!(
            "{:<16} {:>5} {:>8} {:>6} {:>7} {:>6}\n",
            k,
            d.n,
            f(d.mean),
            f(d.p10),
            f(d.median),
            f(d.p90)
        );
    }
    s
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let t: String = s.chars().take(n - 1).collect();
        t + "…"
    }
}
