//! `hunch run` (the monitor) and `hunch demo` (the whole chain on the bundled recording):
//! both build a [`Daemon`] and run it.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc;
use std::sync::Arc;

use anyhow::Context;
use clap::Args;
use hunch::camera::replay::Replay;
use hunch::camera::webcam::Webcam;
use hunch::camera::FrameSource;
use hunch::daemon::session::NoSession;
use hunch::daemon::{Daemon, Parts, Settings};
use hunch::monitor::Monitor;
use hunch::posture::Calibration;
use hunch::support::clock::{Clock, SystemClock, VirtualClock};

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Monitor a recording (directory of frames or one image) instead of the camera.
    #[arg(long, value_name = "PATH")]
    pub source: Option<PathBuf>,
    /// With --source: replay as fast as possible (the same timeline, not waited for).
    #[arg(long, requires = "source", conflicts_with = "speed")]
    pub fast: bool,
    /// With --source: replay N times faster than recorded.
    #[arg(long, requires = "source", value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub speed: Option<u16>,
    /// Journal file (default: $XDG_DATA_HOME/hunch/journal.sqlite; a replay with --source
    /// needs one of its own).
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
    /// No tray icon (by default one is shown when the desktop has a system tray).
    #[arg(long)]
    pub no_tray: bool,
    #[command(flatten)]
    pub engine: super::EngineArgs,
}

/// Stops the loop when the process is asked to stop (SIGTERM, SIGINT and SIGHUP on Unix;
/// the console's control events on Windows): the daemon then flushes the journal, records
/// the stop and removes its socket.
pub fn stop_on_signals() -> anyhow::Result<Arc<AtomicBool>> {
    Ok(hunch::platform::signals::stop_flag()?)
}

/// The frames and the clock for `hunch run` and `hunch watch`: the camera in real time,
/// or a recording paced (N times faster with `speed`) or as fast as possible (`fast`).
pub fn source_and_clock(
    config: &hunch::config::Config,
    source: Option<&std::path::Path>,
    fast: bool,
    speed: Option<u16>,
) -> anyhow::Result<(Box<dyn FrameSource>, Box<dyn Clock>)> {
    Ok(match source {
        Some(path) => (
            Box::new(Replay::open(path, hunch::recording::DEFAULT_FPS)?),
            match (fast, speed) {
                (true, _) => Box::new(VirtualClock::new()),
                (false, speed) => Box::new(SystemClock::with_speed(speed.unwrap_or(1) as f64)),
            },
        ),
        None => (
            Box::new(Webcam::new(config.camera)),
            Box::new(SystemClock::new()),
        ),
    })
}

pub fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    if args.source.is_some() && args.journal.is_none() {
        // A recording's timeline is not the user's day: replayed fast, or paced faster
        // than real time, its samples would even lie in the future.
        anyhow::bail!(
            "a replay (--source) writes the recording's timeline, not your day: give it a journal of its own with --journal FILE, and read it with `hunch report --journal FILE`"
        );
    }
    let config = super::load_config()?;
    let calibration = Calibration::load(&Calibration::default_path()?)?;
    // One monitor per user; the lock goes with the process, even on SIGKILL.
    let _lock = hunch::control::lock(&hunch::support::paths::runtime_dir()?)?;
    // The journal before the camera or the models: a journal that cannot be written, or
    // that another monitor writes, stops hunch here with the fix, having touched nothing.
    let journal = super::journal::monitor(args.journal.as_deref())?;
    let (tx, commands) = mpsc::channel();
    hunch::control::serve(&hunch::control::socket_path()?, tx.clone())?;
    let stop = stop_on_signals()?;

    let (source, clock) = source_and_clock(&config, args.source.as_deref(), args.fast, args.speed)?;
    // One model session in memory at a time: a lower peak and steady memory for a monitor
    // left running all day, for two model loads when the track is lost (README, "Speed
    // and memory").
    let monitor = Monitor::new(
        args.engine.engine_with(hunch::pose::Residency::One)?,
        calibration.neutral,
        config.posture,
        config.filter,
        config.policy,
    );
    let journal_path = journal.path().to_path_buf();
    let tray = if args.no_tray {
        None
    } else {
        hunch::tray::Tray::spawn(
            tx.clone(),
            hunch::tray::TrayOptions {
                journal: journal_path.clone(),
                page: hunch::report::render::html::Context {
                    tz: jiff::tz::TimeZone::system(),
                    enter_deg: config.filter.enter_deg,
                    exit_deg: config.filter.exit_deg,
                },
                goal: config.report.goal_hunched_share,
                report_path: hunch::support::paths::runtime_dir()?.join("today.html"),
                exe: std::env::current_exe().unwrap_or_else(|_| "hunch".into()),
            },
        )
    };
    let mut daemon = Daemon::new(Parts {
        source,
        clock,
        monitor,
        notifier: Box::new(hunch::notify::DesktopNotifier::new(
            tx,
            config.policy.snooze_seconds,
        )),
        journal,
        session: if args.source.is_some() && args.fast {
            Box::new(NoSession)
        } else {
            hunch::platform::session::session_watch()
        },
        commands,
        settings: Settings::from_config(
            &config,
            Some((calibration, args.engine.model.as_str().to_string())),
        ),
    })?;
    if let Some(tray) = &tray {
        daemon.observe(tray.observer());
    }
    eprintln!(
        "hunch: monitoring {} (journal {})",
        daemon.source_id(),
        journal_path.display()
    );
    let reason = daemon.run(&stop)?;
    let done = daemon.finish(reason)?;
    if let Some(tray) = tray {
        tray.stop();
    }
    hunch::control::close(&hunch::control::socket_path()?);
    eprintln!(
        "hunch: stopped ({}); {} samples, {} alerts",
        reason.as_str(),
        done.samples,
        done.alerts
    );
    Ok(ExitCode::SUCCESS)
}

/// `hunch cameras`: what V4L2 offers.
pub fn cameras() -> anyhow::Result<ExitCode> {
    let list = hunch::camera::webcam::list()?;
    if list.is_empty() {
        outln!("no cameras found ({})", hunch::platform::camera::NO_CAMERA);
        return Ok(ExitCode::from(1));
    }
    let p = super::load_config()?.camera;
    for cam in list {
        // Names the device reports: shown escaped, whatever it put in them.
        outln!(
            "{}: {} ({})",
            cam.index,
            hunch::support::human::printable(&cam.name),
            hunch::support::human::printable(&cam.description)
        );
        match cam.formats {
            Ok(mut formats) => {
                formats.sort_by_key(|f| {
                    (
                        std::cmp::Reverse(f.width() * f.height()),
                        f.format().to_string(),
                        f.frame_rate(),
                    )
                });
                let chosen = hunch::camera::webcam::choose_format(
                    &formats,
                    p.max_width,
                    p.max_height,
                    p.pixel_format,
                );
                for f in formats {
                    let mark = if Some(f) == chosen {
                        "  ← hunch's choice"
                    } else {
                        ""
                    };
                    outln!(
                        "    {}×{} {} {} fps{mark}",
                        f.width(),
                        f.height(),
                        f.format(),
                        f.frame_rate()
                    );
                }
            }
            Err(e) => outln!("    cannot read its formats: {e}"),
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes a temporary directory for the demo's journal (removed afterwards).
pub fn private_tempdir(prefix: &str) -> anyhow::Result<PathBuf> {
    let d = std::env::temp_dir().join(format!("{prefix}-{}", std::process::id()));
    hunch::support::paths::create_private_dir(&d)
        .with_context(|| format!("cannot create {}", d.display()))?;
    Ok(d)
}
