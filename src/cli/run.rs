//! `hunch run` (the monitor) and `hunch demo` (the whole chain on the bundled recording).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc;

use anyhow::{bail, Context};
use clap::Args;
use hunch::camera::replay::{Pace, Replay};
use hunch::camera::{Frame, FrameSource};
use hunch::frame::Exposure;
use hunch::journal::{Journal, Opened};
use hunch::manifest::{Manifest, Role};
use hunch::models::ModelVariant;
use hunch::monitor::Monitor;
use hunch::notify::DesktopOrPrint;
use hunch::policy::{MonitorState, PolicyParams};
use hunch::posture::{Calibration, Calibrator};
use hunch::summary::{duration, Totals};

use super::EngineArgs;

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Keep the demo's journal here (default: a temporary file, removed afterwards).
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
    /// Replay at the recording's own pace (5 minutes) instead of as fast as possible.
    #[arg(long)]
    pub realtime: bool,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Monitor a recording (directory of frames or one image) instead of the camera.
    #[arg(long, value_name = "PATH")]
    pub source: Option<PathBuf>,
    /// With --source: replay as fast as possible instead of at the recording's pace.
    #[arg(long, requires = "source")]
    pub fast: bool,
    /// Journal file (default: $XDG_DATA_HOME/hunch/journal.sqlite).
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = ModelVariant::Full)]
    pub model: ModelVariant,
}

/// Where the bundled demo recording lives: beside the executable once installed, or in
/// the source checkout.
fn demo_dir() -> anyhow::Result<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(exe) = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(Path::to_path_buf))
    {
        dirs.push(exe.join("demo"));
        dirs.push(exe.join("../share/hunch/demo"));
    }
    dirs.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/demo"));
    dirs.into_iter()
        .find(|d| d.join("manifest.csv").is_file())
        .context("the demo recording was not found (tests/fixtures/demo in the checkout)")
}

fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

pub fn demo(engine_args: &EngineArgs, args: DemoArgs) -> anyhow::Result<ExitCode> {
    let config = super::load_config()?;
    let dir = demo_dir()?;
    let frames = Manifest::load(&dir)?.frames()?;
    let mut engine = engine_args.engine(ModelVariant::Full)?;

    println!(
        "hunch demo: {} frames of a real person at one frame a second ({}).",
        frames.len(),
        dir.display()
    );
    println!("Nothing is read from a camera and no frame is written anywhere.\n");

    // 1. Calibrate on the still, upright start, as `hunch calibrate` would.
    let mut calibrator = Calibrator::new();
    for f in frames.iter().filter(|f| f.role == Role::Calibrate) {
        let img = hunch::image_io::load_rgb(&f.path)?;
        let est = engine.track(&img)?;
        calibrator.push(Exposure::of(&img), &est);
    }
    let (neutral, used) = calibrator
        .finish()
        .context("the demo's calibration failed")?;
    println!("calibrated on {used} upright frames (the demo's own profile; yours is untouched)");

    // 2. Monitor the rest, with the default settings except the recording's pace.
    let tmp = tempdir_for_demo()?;
    let journal_path = args
        .journal
        .clone()
        .unwrap_or_else(|| tmp.join("journal.sqlite"));
    let (journal, _) = Journal::open(&journal_path)?;
    let (tx, rx) = mpsc::channel();
    let notifier = DesktopOrPrint::new(tx);
    engine.reset();
    let mut monitor = Monitor::new(
        engine,
        neutral,
        config.posture,
        config.filter,
        PolicyParams::default(),
        notifier,
        journal,
        5.0,
    );
    // The demo keeps default policy timings whatever the user's config says, so that it
    // shows one alert in its five minutes.
    let start_ms = now_ms();
    let started = std::time::Instant::now();
    let mut last_state = None;
    for (i, f) in frames
        .iter()
        .filter(|f| f.role != Role::Calibrate)
        .enumerate()
    {
        let t = f.time_s.unwrap_or(i as f64);
        if args.realtime {
            let due = std::time::Duration::from_secs_f64(t - 10.0);
            if let Some(wait) = due.checked_sub(started.elapsed()) {
                std::thread::sleep(wait);
            }
        }
        let frame = Frame {
            image: hunch::image_io::load_rgb(&f.path)?,
            t,
            index: i as u64,
        };
        let step = monitor.process(&frame, start_ms + (t * 1000.0) as i64)?;
        if last_state != Some(step.state) {
            let angle = step
                .forward_deg
                .map_or(String::new(), |a| format!(" (head forward {a:+.1}°)"));
            println!("{}  {}{angle}", clock(t), describe(step.state));
            last_state = Some(step.state);
        }
        if let Some((alert, stretch)) = step.alert {
            println!(
                "{}  alert: hunched for {}, suggesting {}",
                clock(t),
                duration(alert.hunched_for),
                stretch.name.to_lowercase()
            );
        }
        while let Ok(action) = rx.try_recv() {
            monitor.handle(
                &action,
                t,
                start_ms + (t * 1000.0) as i64,
                Some(t + seconds_to_midnight()),
            )?;
        }
    }
    monitor.journal().flush()?;

    // 3. The day so far, from the journal.
    let samples = monitor.journal().samples(i64::MIN, i64::MAX)?;
    let totals = Totals::of(&samples);
    let events = monitor.journal().events(i64::MIN, i64::MAX)?;
    let alerts = events.iter().filter(|e| e.1 == "alert").count();
    println!("\nsummary (from the journal, {} samples):", samples.len());
    println!("  monitored      {}", duration(totals.monitored_s));
    println!("  upright        {}", duration(totals.upright_s));
    println!(
        "  hunched        {} ({:.0}% of monitored time)",
        duration(totals.hunched_s),
        100.0 * totals.hunched_share().unwrap_or(0.0)
    );
    println!("  longest hunch  {}", duration(totals.longest_hunch_s));
    println!("  alerts         {alerts}");
    if args.journal.is_some() {
        println!("  journal        {}", journal_path.display());
    }
    drop(monitor);
    let _ = std::fs::remove_dir_all(&tmp);
    Ok(ExitCode::SUCCESS)
}

/// Seconds until the next local midnight ("pause for today").
fn seconds_to_midnight() -> f64 {
    let now = jiff::Zoned::now();
    now.date()
        .tomorrow()
        .ok()
        .and_then(|d| d.to_zoned(now.time_zone().clone()).ok())
        .map_or(3600.0 * 8.0, |midnight| {
            (midnight.timestamp().as_second() - now.timestamp().as_second()) as f64
        })
}

fn tempdir_for_demo() -> anyhow::Result<PathBuf> {
    let d = std::env::temp_dir().join(format!("hunch-demo-{}", std::process::id()));
    hunch::paths::create_private_dir(&d)?;
    Ok(d)
}

fn clock(t: f64) -> String {
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
        MonitorState::Snoozed => "snoozed",
        MonitorState::Paused => "paused",
        MonitorState::Locked => "screen locked",
    }
}

/// Where `hunch run` gets frames: a recording, or the camera on its capture thread.
enum Input {
    Replay {
        src: Replay,
        paced: bool,
        first_t: Option<f64>,
        pending: Option<Frame>,
    },
    Camera {
        params: hunch::camera::webcam::CameraParams,
        cam: Option<hunch::camera::webcam::Webcam>,
        last_paused_sample: Option<std::time::Instant>,
    },
}

enum Poll {
    Frame(Frame),
    Nothing,
    /// Paused with the camera released: a paused sample is due.
    PausedTick(f64),
    End,
    CameraError(String),
}

impl Input {
    fn id(&self) -> String {
        match self {
            Input::Replay { src, .. } => src.id(),
            Input::Camera { params, .. } => format!("camera:{}", params.index),
        }
    }

    /// The next frame if one is due within `wait`.
    fn poll(
        &mut self,
        started: std::time::Instant,
        wait: std::time::Duration,
        paused: bool,
    ) -> anyhow::Result<Poll> {
        use std::time::{Duration, Instant};
        match self {
            Input::Replay {
                src,
                paced,
                first_t,
                pending,
            } => {
                if pending.is_none() {
                    *pending = src.next_frame()?;
                }
                let Some(frame) = pending.as_ref() else {
                    return Ok(Poll::End);
                };
                let due = started
                    + Duration::from_secs_f64((frame.t - *first_t.get_or_insert(frame.t)).max(0.0));
                let now = Instant::now();
                if *paced && due > now {
                    std::thread::sleep((due - now).min(wait));
                    return Ok(Poll::Nothing);
                }
                Ok(pending.take().map_or(Poll::End, Poll::Frame))
            }
            Input::Camera {
                params,
                cam,
                last_paused_sample,
            } => {
                if paused {
                    // Paused: the device is closed and its light off.
                    *cam = None;
                    std::thread::sleep(wait);
                    let interval = Duration::from_secs_f64(params.interval_seconds);
                    if last_paused_sample.is_none_or(|t| t.elapsed() >= interval) {
                        *last_paused_sample = Some(Instant::now());
                        return Ok(Poll::PausedTick(started.elapsed().as_secs_f64()));
                    }
                    return Ok(Poll::Nothing);
                }
                let webcam =
                    cam.get_or_insert_with(|| hunch::camera::webcam::Webcam::start(*params));
                match webcam.next_frame_timeout(wait) {
                    Ok(Some(mut f)) => {
                        // One clock for the whole run, across camera restarts.
                        f.t = started.elapsed().as_secs_f64();
                        Ok(Poll::Frame(f))
                    }
                    Ok(None) => Ok(Poll::Nothing),
                    Err(e) => Ok(Poll::CameraError(e.to_string())),
                }
            }
        }
    }
}

pub fn run(engine_args: &EngineArgs, args: RunArgs) -> anyhow::Result<ExitCode> {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use hunch::control::{self, Reply, Request, Status};

    let config = super::load_config()?;
    let calibration = Calibration::load(&Calibration::default_path()?)?;
    // One monitor per user; the lock goes with the process, even on SIGKILL.
    let runtime = control::runtime_dir()?;
    let _lock = control::lock(&runtime)?;
    let requests = control::serve(&control::socket_path()?)?;
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        signal_hook::flag::register(sig, Arc::clone(&stop))?;
    }

    let mut input = match &args.source {
        Some(src) => Input::Replay {
            src: Replay::open(src, Pace::AsFastAsPossible, 1.0)?,
            paced: !args.fast,
            first_t: None,
            pending: None,
        },
        None => Input::Camera {
            params: config.camera,
            cam: None,
            last_paused_sample: None,
        },
    };
    let engine = engine_args.engine(args.model)?;
    let journal_path = match &args.journal {
        Some(p) => p.clone(),
        None => Journal::default_path()?,
    };
    let (journal, opened) = Journal::open(&journal_path)?;
    if let Opened::Replaced { moved_to, reason } = &opened {
        eprintln!(
            "hunch: the journal could not be read ({reason}); it was moved to {} and a new one started",
            moved_to.display()
        );
    }
    let (tx, actions) = mpsc::channel();
    let notifier = hunch::notify::DesktopNotifier::new(tx);
    let mut monitor = Monitor::new(
        engine,
        calibration.neutral,
        config.posture,
        config.filter,
        config.policy,
        notifier,
        journal,
        5.0_f64.max(3.0 * config.camera.interval_seconds),
    );
    let source_id = input.id();
    monitor.journal().event(now_ms(), "start", &source_id)?;
    eprintln!(
        "hunch: monitoring {source_id} (journal {})",
        journal_path.display()
    );

    let pruned = monitor
        .journal()
        .prune(now_ms(), config.journal.retention_days)?;
    if pruned > 0 {
        tracing::info!(
            "removed {pruned} journal rows older than {} days",
            config.journal.retention_days
        );
    }
    // Keep the day summaries of finished days cached, so that `hunch report --month`
    // reads 30 small rows instead of every sample: the last 31 days now, and each day as
    // it ends.
    let tz = jiff::tz::TimeZone::system();
    let warm =
        |monitor: &mut Monitor<hunch::notify::DesktopNotifier>, days: i64| -> anyhow::Result<()> {
            let today = jiff::Zoned::now().with_time_zone(tz.clone()).date();
            for back in 1..=days {
                let d = today.checked_sub(jiff::Span::new().days(back))?;
                hunch::report::day(monitor.journal(), d, &tz, now_ms())?;
            }
            Ok(())
        };
    warm(&mut monitor, 31)?;
    let mut today = jiff::Zoned::now().with_time_zone(tz.clone()).date();
    let mut warm_at: Option<Instant> = None;
    let mut lock_watch = hunch::screen::LockWatch::new();
    let mut was_locked = false;
    let started = Instant::now();
    let mut now_t = 0.0;
    let mut last = (MonitorState::Unmeasured, None::<f32>);
    let mut samples = 0u64;
    let mut warned_mismatch = false;
    let mut camera_failing = false;
    let ended = loop {
        if stop.load(Ordering::Relaxed) {
            break "signal";
        }
        while let Ok((req, reply)) = requests.try_recv() {
            let wall = now_ms();
            let answer = match req {
                Request::Status => Reply::Status(Status {
                    state: last.0.as_str().into(),
                    forward_deg: last.1,
                    source: source_id.clone(),
                    samples,
                    alerts: monitor.alerts,
                    stretches_done: monitor.stretches_done,
                    uptime_seconds: started.elapsed().as_secs_f64(),
                }),
                Request::Pause { seconds } => {
                    monitor.policy().pause(seconds.map(|s| now_t + s));
                    let how = seconds.map_or("until resumed".into(), |s| format!("{s:.0} s"));
                    monitor.journal().event(wall, "pause", &how)?;
                    Reply::Ok {
                        message: format!(
                            "paused {}",
                            seconds.map_or("until `hunch resume`".into(), |s| format!(
                                "for {}",
                                duration(s)
                            ))
                        ),
                    }
                }
                Request::Resume => {
                    monitor.policy().resume();
                    monitor.journal().event(wall, "resume", "")?;
                    Reply::Ok {
                        message: "resumed".into(),
                    }
                }
                Request::Snooze { seconds } => {
                    let s = seconds.unwrap_or(config.policy.snooze_seconds);
                    monitor.policy().snooze(now_t, s);
                    monitor
                        .journal()
                        .event(wall, "snooze", &format!("{s:.0} s"))?;
                    Reply::Ok {
                        message: format!("snoozed for {}", duration(s)),
                    }
                }
            };
            let _ = reply.send(answer);
        }
        while let Ok(action) = actions.try_recv() {
            monitor.handle(
                &action,
                now_t,
                now_ms(),
                Some(now_t + seconds_to_midnight()),
            )?;
        }
        let date = jiff::Zoned::now().with_time_zone(tz.clone()).date();
        if date != today {
            // Yesterday is cached once its last samples are surely in (a few minutes).
            today = date;
            warm_at = Some(Instant::now() + Duration::from_secs(180));
        }
        if warm_at.is_some_and(|t| Instant::now() >= t) {
            warm_at = None;
            monitor.journal().flush()?;
            warm(&mut monitor, 2)?;
        }
        let clock = started.elapsed().as_secs_f64().max(now_t);
        let paused = monitor.policy().is_paused(clock);
        let locked = lock_watch.locked();
        if locked != was_locked {
            monitor
                .journal()
                .event(now_ms(), if locked { "locked" } else { "unlocked" }, "")?;
            was_locked = locked;
        }
        // Paused or locked: no inference, and the camera is closed.
        let hold = if paused {
            MonitorState::Paused
        } else {
            MonitorState::Locked
        };
        let frame = match input.poll(started, Duration::from_millis(50), paused || locked)? {
            Poll::Frame(f) => f,
            Poll::Nothing => continue,
            Poll::End => break "end of recording",
            Poll::PausedTick(t) => {
                now_t = t;
                let dt = (config.camera.interval_seconds * 1000.0) as i64;
                monitor.journal().sample(now_ms(), dt, hold, None, 0.0)?;
                last = (hold, None);
                continue;
            }
            Poll::CameraError(e) => {
                if !camera_failing {
                    tracing::warn!("camera unavailable: {e}; retrying");
                    monitor.journal().event(now_ms(), "camera_error", &e)?;
                    hunch::notify::notice(
                        "hunch cannot use the camera",
                        &format!("{e}. hunch keeps trying."),
                    );
                    camera_failing = true;
                }
                continue;
            }
        };
        if camera_failing {
            tracing::info!("camera back");
            monitor.journal().event(now_ms(), "camera_ok", "")?;
            camera_failing = false;
        }
        now_t = frame.t;
        if !warned_mismatch {
            let (w, h) = frame.image.dimensions();
            if let Some(why) = calibration.mismatch(Some(&source_id), w, h, args.model.as_str()) {
                eprintln!("hunch: {why}");
            }
            warned_mismatch = true;
        }
        if paused || locked {
            monitor.journal().sample(now_ms(), 0, hold, None, 0.0)?;
            last = (hold, None);
            continue;
        }
        let step = monitor.process(&frame, now_ms())?;
        samples += 1;
        if last.0 != step.state {
            tracing::info!(state = step.state.as_str(), "posture state changed");
        }
        last = (step.state, step.forward_deg);
    };
    drop(input); // releases the camera
    monitor.journal().event(now_ms(), "stop", ended)?;
    monitor.journal().flush()?;
    let _ = std::fs::remove_file(control::socket_path()?);
    eprintln!(
        "hunch: stopped ({ended}); {samples} samples, {} alerts",
        monitor.alerts
    );
    Ok(ExitCode::SUCCESS)
}

/// `hunch cameras`: what V4L2 offers.
pub fn cameras() -> anyhow::Result<ExitCode> {
    let list = hunch::camera::webcam::list()?;
    if list.is_empty() {
        println!("no cameras found (no /dev/video* device)");
        return Ok(ExitCode::from(1));
    }
    for cam in list {
        println!("{}: {} ({})", cam.index, cam.name, cam.description);
        match cam.formats {
            Ok(mut formats) => {
                formats.sort_by_key(|f| {
                    (
                        std::cmp::Reverse(f.width() * f.height()),
                        f.format().to_string(),
                        f.frame_rate(),
                    )
                });
                let p = super::load_config()?.camera;
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
                    println!(
                        "    {}×{} {} {} fps{mark}",
                        f.width(),
                        f.height(),
                        f.format(),
                        f.frame_rate()
                    );
                }
            }
            Err(e) => println!("    cannot read its formats: {e}"),
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
pub struct DurationArg {
    /// How long: 90s, 30m, 1h, 1h30m, or minutes.
    #[arg(value_parser = hunch::control::parse_duration)]
    pub duration: Option<f64>,
}

/// `hunch status`, `pause`, `resume`, `snooze`: one request to the running monitor.
pub fn client(req: hunch::control::Request) -> anyhow::Result<ExitCode> {
    use hunch::control::{request, socket_path, Reply};
    match request(&socket_path()?, &req)? {
        Reply::Status(s) => {
            let angle = s.forward_deg.map_or("—".into(), |a| format!("{a:+.1}°"));
            println!("state          {}", s.state);
            println!("head forward   {angle}");
            println!("source         {}", s.source);
            println!("running for    {}", duration(s.uptime_seconds));
            println!("samples        {}", s.samples);
            println!("alerts         {}", s.alerts);
            println!("stretches done {}", s.stretches_done);
            Ok(ExitCode::SUCCESS)
        }
        Reply::Ok { message } => {
            println!("{message}");
            Ok(ExitCode::SUCCESS)
        }
        Reply::Error { message } => bail!("{message}"),
    }
}
