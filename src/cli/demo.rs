//! `hunch demo`: the whole chain on the bundled recording of a real person — calibration,
//! then the same daemon `hunch run` uses, on a replay — and the run summed from its
//! journal exactly as `hunch report` sums a day.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc;

use anyhow::Context;
use clap::Args;
use hunch::camera::replay::Replay;
use hunch::camera::Exposure;
use hunch::daemon::session::NoSession;
use hunch::daemon::{Daemon, Parts, Settings, Update};
use hunch::monitor::Monitor;
use hunch::notify::DesktopOrPrint;
use hunch::policy::PolicyParams;
use hunch::posture::Calibrator;
use hunch::recording::{Manifest, Recording, Role};
use hunch::report::{store, Period};
use hunch::support::clock::{Clock, SystemClock, VirtualClock};
use hunch::support::human::{duration, percent};
use hunch::vocab::MonitorState;

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Keep the demo's journal here (default: a temporary file, removed afterwards).
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
    /// Replay at the recording's own pace (5 minutes) instead of as fast as possible.
    #[arg(long)]
    pub realtime: bool,
    #[command(flatten)]
    pub engine: super::EngineArgs,
}

/// Where the bundled demo recording lives: installed beside hunch, or in the checkout.
fn demo_dir() -> anyhow::Result<PathBuf> {
    hunch::support::paths::share_dirs("demo", "tests/fixtures/demo")
        .into_iter()
        .find(|d| d.join(hunch::recording::manifest::FILE_NAME).is_file())
        .context("the demo recording was not found (tests/fixtures/demo in the checkout)")
}

fn clock_text(t: f64) -> String {
    let s = t.max(0.0) as u64;
    format!("{:02}:{:02}", s / 60, s % 60)
}

fn describe(s: MonitorState) -> &'static str {
    match s {
        MonitorState::Away => "away",
        MonitorState::Unmeasured => "not measurable (turned away or looking down)",
        MonitorState::Upright => "upright",
        MonitorState::Hunching => "hunching",
        MonitorState::Hunched => "hunched, sustained",
        MonitorState::Paused => "paused",
        MonitorState::Locked => "screen locked",
        MonitorState::CameraInUse => "camera used by another app",
    }
}

pub fn run(args: DemoArgs) -> anyhow::Result<ExitCode> {
    let config = super::load_config()?;
    let dir = demo_dir()?;
    let frames = Manifest::load(&dir)?.frames()?;
    let mut engine = args.engine.engine()?;
    outln!(
        "hunch demo: {} frames of a real person at one frame a second ({}).",
        frames.len(),
        dir.display()
    );
    outln!("Nothing is read from a camera and no frame is written anywhere.\n");

    // 1. Calibrate on the still, upright start, as `hunch calibrate` would.
    let mut calibrator = Calibrator::new();
    for f in frames.iter().filter(|f| f.role == Role::Calibrate) {
        let img = hunch::support::image_io::load_rgb(&f.path)?;
        let est = engine.track(&img)?;
        calibrator.push(Exposure::of(&img), &est);
    }
    let (neutral, used) = calibrator
        .finish()
        .context("the demo's calibration failed")?;
    outln!("calibrated on {used} upright frames (the demo's own profile; yours is untouched)");
    engine.reset();

    // 2. Monitor the rest with the daemon `hunch run` uses, with the default policy
    //    whatever the user's config says, so that it shows one alert in its five minutes.
    let scored: Vec<_> = frames
        .iter()
        .filter(|f| f.role != Role::Calibrate)
        .cloned()
        .collect();
    let recording = Recording::from_labelled(
        format!("replay:{}", dir.display()),
        &scored,
        hunch::recording::DEFAULT_FPS,
    );
    let offset = recording.frames.first().map_or(0.0, |f| f.t);
    let tmp = super::run::private_tempdir("hunch-demo")?;
    let journal = super::journal::monitor(Some(
        &args
            .journal
            .clone()
            .unwrap_or_else(|| tmp.join("journal.sqlite")),
    ))?;
    let journal_path = journal.path().to_path_buf();
    let policy = PolicyParams::default();
    let (tx, commands) = mpsc::channel();
    let clock: Box<dyn Clock> = if args.realtime {
        Box::new(SystemClock::new())
    } else {
        Box::new(VirtualClock::new())
    };
    let tz = jiff::tz::TimeZone::system();
    let mut daemon = Daemon::new(Parts {
        source: Box::new(Replay::new(recording)),
        clock,
        monitor: Monitor::new(engine, neutral, config.posture, config.filter, policy),
        notifier: Box::new(DesktopOrPrint::new(tx, policy.snooze_seconds)),
        journal,
        session: Box::new(NoSession),
        commands,
        settings: Settings {
            sample_interval: 1.0,
            max_sample_seconds: config.camera.max_sample_seconds(),
            retention_days: config.journal.retention_days,
            tz: tz.clone(),
            calibration: None,
            prompt_kinds: config.prompts.kinds.clone(),
        },
    })?;
    let mut last = None;
    let mut origin = None;
    daemon.observe(move |u| match u {
        Update::Sample {
            t,
            state,
            forward_deg,
            ..
        } => {
            let at = offset + t - *origin.get_or_insert(*t);
            if last != Some(*state) {
                let angle =
                    forward_deg.map_or(String::new(), |a| format!(" (head forward {a:+.1}°)"));
                outln!("{}  {}{angle}", clock_text(at), describe(*state));
                last = Some(*state);
            }
        }
        Update::Alert { alert, stretch, .. } => outln!(
            "         alert: hunched for {}, suggesting {}",
            duration(alert.hunched_for),
            stretch.name.to_lowercase()
        ),
        Update::Command { .. } | Update::Frame { .. } => {}
    });
    let reason = daemon.run(&AtomicBool::new(false))?;
    let done = daemon.finish(reason)?;

    // 3. The run, summed from the journal exactly as `hunch report` sums a day.
    let (Some(first), Some(end)) = (done.first_wall_ms, done.last_wall_ms) else {
        anyhow::bail!("the demo recorded nothing");
    };
    let s = store::compute(
        &done.journal,
        &Period::span("demo".into(), first, end, &tz)?,
    )?;
    outln!("\nsummary (from the journal, {} samples):", done.samples);
    outln!("  monitored      {}", duration(s.monitored_s));
    outln!("  upright        {}", duration(s.upright_s));
    outln!(
        "  hunched        {} ({} of monitored time)",
        duration(s.hunched_s),
        percent(s.hunched_share)
    );
    outln!(
        "  episodes       {}, longest {}",
        s.episodes,
        duration(s.longest_hunch_s)
    );
    outln!("  alerts         {}", s.alerts);
    if args.journal.is_some() {
        outln!("  journal        {}", journal_path.display());
    }
    drop(done);
    let _ = std::fs::remove_dir_all(&tmp);
    Ok(ExitCode::SUCCESS)
}
