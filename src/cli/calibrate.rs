//! `hunch calibrate`: record the user's neutral posture once.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::Args;
use hunch::camera::replay::Replay;
use hunch::camera::Exposure;
use hunch::camera::FrameSource;
use hunch::posture::calibration::{Calibration, MIN_FRAMES, PROFILE_VERSION};
use hunch::posture::Calibrator;

#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// Calibrate from a recording (a directory of frames or one image) instead of the camera.
    #[arg(long, value_name = "PATH")]
    pub source: Option<PathBuf>,
    /// How many seconds of frames to use.
    #[arg(long, default_value_t = 5.0)]
    pub seconds: f64,
    /// Seconds of countdown before a camera calibration starts.
    #[arg(long, default_value_t = 3)]
    pub countdown: u32,
    /// Print the stored calibration and exit.
    #[arg(long)]
    pub show: bool,
    /// Where the profile lives (default: $XDG_CONFIG_HOME/hunch/calibration.toml).
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,
    #[command(flatten)]
    pub engine: super::EngineArgs,
}

pub fn profile_path(explicit: Option<&PathBuf>) -> anyhow::Result<PathBuf> {
    match explicit {
        Some(p) => Ok(p.clone()),
        None => Ok(Calibration::default_path()?),
    }
}

pub fn run(args: CalibrateArgs) -> anyhow::Result<ExitCode> {
    let path = profile_path(args.profile.as_ref())?;
    if args.show {
        let cal = Calibration::load(&path)?;
        outln!("# {}", path.display());
        out!("{}", toml::to_string_pretty(&cal)?);
        return Ok(ExitCode::SUCCESS);
    }
    if !(args.seconds.is_finite() && args.seconds > 0.0 && args.seconds <= 120.0) {
        bail!("--seconds must be between 0 and 120");
    }
    let config = super::load_config()?;
    // The camera is the monitor's while it runs: pause it (resumed when this ends, however
    // it ends), and have it measure against the new profile once saved.
    let paused = match &args.source {
        None => MonitorPaused::pause(),
        Some(_) => None,
    };
    let mut source: Box<dyn FrameSource> = match &args.source {
        Some(p) => {
            eprintln!("Calibrating from {}.", p.display());
            Box::new(Replay::open(p, 5.0)?)
        }
        None => {
            eprint!("Sit upright, as you mean to sit, and look at the screen.");
            if args.countdown > 0 {
                eprint!(" Starting in");
            }
            for n in (1..=args.countdown).rev() {
                eprint!(" {n}…");
                let _ = std::io::stderr().flush();
                std::thread::sleep(std::time::Duration::from_secs(1));
            }
            eprintln!(" Hold still for {:.0} s.", args.seconds);
            Box::new(hunch::camera::webcam::Webcam::new(
                hunch::camera::CameraParams {
                    interval_seconds: 0.2,
                    release_after_seconds: f64::MAX,
                    ..config.camera
                },
            ))
        }
    };
    let mut engine = args.engine.engine()?;
    let tty = std::io::stderr().is_terminal();
    let colour = tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let mut shown = 0;

    let mut calibrator = Calibrator::new();
    let mut seen = 0usize;
    let mut size = None;
    let mut start = None;
    while let Some(frame) = source.next_frame()? {
        let t0 = *start.get_or_insert(frame.t);
        if frame.t - t0 > args.seconds {
            break;
        }
        let dims = frame.image.dimensions();
        if *size.get_or_insert(dims) != dims {
            bail!(
                "the frames change size ({:?} then {:?}); calibrate from one camera setting",
                size.unwrap_or(dims),
                dims
            );
        }
        seen += 1;
        let est = engine.track(&frame.image)?;
        let verdict = calibrator.push(Exposure::of(&frame.image), &est);
        if tty {
            // Redraw the live view in place (it stays on screen afterwards).
            let lines =
                hunch::live::calibration_view(frame.index + 1, verdict, &calibrator, colour);
            let mut text = if shown > 0 {
                format!("\x1b[{shown}A")
            } else {
                String::new()
            };
            for l in &lines {
                text += &format!("\r{l}\x1b[K\n");
            }
            shown = lines.len();
            eprint!("{text}");
            let _ = std::io::stderr().flush();
        }
    }
    // A mean and a spread need several frames; one image (or a very short recording) is
    // refused for what it is, not for whatever its frames show. Repeating a single image
    // would pass the stillness check by construction, so it is not done.
    if seen > 0 && seen < MIN_FRAMES {
        bail!(
            "calibration needs at least {MIN_FRAMES} frames of you sitting upright, and {} gave {seen}: give a directory with a few seconds of frames, or calibrate from the camera (`hunch calibrate`)",
            args.source
                .as_ref()
                .map_or("the camera".to_string(), |p| p.display().to_string())
        );
    }
    let (neutral, used) = calibrator.finish()?;
    let (width, height) = size.unwrap_or((0, 0));
    let cal = Calibration {
        version: PROFILE_VERSION,
        created: jiff::Timestamp::now().to_string(),
        source: source.id(),
        width,
        height,
        model: args.engine.model.as_str().into(),
        frames: used,
        neutral,
    };
    cal.save(&path).with_context(|| "calibration not saved")?;
    if let Some(p) = &paused {
        p.reload();
    }
    outln!(
        "Calibrated on {used} frames ({width}×{height}); saved to {}.",
        path.display()
    );
    outln!(
        "Neutral: head height {:.3} shoulder widths, head scale {:.3}, neck elevation {:.1}°.",
        neutral.head_height.mean,
        neutral.head_scale.mean,
        neutral.world_elevation_deg.mean
    );
    Ok(ExitCode::SUCCESS)
}

/// A running monitor paused for calibration (it has the camera); resumed when dropped.
struct MonitorPaused {
    sock: PathBuf,
}

impl MonitorPaused {
    /// Pauses the running monitor, if one answers, and waits for it to let go of the camera.
    fn pause() -> Option<MonitorPaused> {
        use hunch::control::command::{Command, PauseFor, Reply};
        let sock = hunch::control::socket_path().ok()?;
        let pause = Command::Pause {
            length: PauseFor::UntilResumed,
        };
        match hunch::control::request(&sock, &pause) {
            Ok(Reply::Ok { .. }) => {
                eprintln!(
                    "The running monitor is paused while you calibrate (it resumes afterwards)."
                );
                // It closes the camera at its next turn.
                std::thread::sleep(std::time::Duration::from_millis(1500));
                Some(MonitorPaused { sock })
            }
            _ => None,
        }
    }

    /// Has the monitor measure against the profile just saved.
    fn reload(&self) {
        use hunch::control::command::{Command, Reply};
        match hunch::control::request(&self.sock, &Command::ReloadCalibration) {
            Ok(Reply::Ok { .. }) => {
                eprintln!("The running monitor now measures against the new calibration.")
            }
            Ok(Reply::Error { message }) => {
                eprintln!("hunch: the monitor kept its calibration: {message}")
            }
            Ok(_) => {}
            Err(e) => eprintln!("hunch: the monitor kept its calibration: {e}"),
        }
    }
}

impl Drop for MonitorPaused {
    fn drop(&mut self) {
        let _ = hunch::control::request(&self.sock, &hunch::control::command::Command::Resume);
    }
}
