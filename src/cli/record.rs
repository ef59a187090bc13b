//! `hunch record`: save labelled frames and a manifest, so a user can check hunch on
//! their own posture and the project can grow a real evaluation set. The only command
//! that writes frames to disk, and only into the directory the user names.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::Args;
use hunch::camera::replay::Replay;
use hunch::camera::FrameSource;
use hunch::recording::manifest::{self, Label, Role, Row};
use hunch::recording::{list_images, natural_key};

#[derive(Debug, Args)]
pub struct RecordArgs {
    /// The posture you are holding while recording.
    #[arg(long, value_parser = super::word::<Label>())]
    pub label: Label,
    /// How long to record, seconds.
    #[arg(long, default_value_t = 10.0)]
    pub seconds: f64,
    /// Frames per second to keep.
    #[arg(long, default_value_t = 2.0)]
    pub fps: f64,
    /// Record from a recording instead of the camera.
    #[arg(long, value_name = "PATH")]
    pub source: Option<PathBuf>,
    /// Who is in the frames (calibration is per subject).
    #[arg(long, default_value = "me")]
    pub subject: String,
    /// The sitting (default: today's date).
    #[arg(long)]
    pub session: Option<String>,
    /// Mark these frames for calibration only (never scored).
    #[arg(long)]
    pub calibration: bool,
    /// Output directory (created user-only); frames go to OUT_DIR/frames, rows are appended
    /// to OUT_DIR/manifest.csv.
    pub out_dir: PathBuf,
}

pub fn run(args: RecordArgs) -> anyhow::Result<ExitCode> {
    if !(args.seconds.is_finite() && args.seconds > 0.0 && args.fps > 0.0 && args.fps <= 30.0) {
        bail!("--seconds must be above 0 and --fps between 0 and 30");
    }
    let mut source: Box<dyn FrameSource> = match &args.source {
        Some(src) => Box::new(Replay::open(src, args.fps)?),
        None => {
            let camera = super::load_config()?.camera;
            eprintln!(
                "Recording {} for {:.0} s from camera {}: hold the posture.",
                args.label.as_str(),
                args.seconds,
                camera.index
            );
            Box::new(hunch::camera::webcam::Webcam::new(
                hunch::camera::CameraParams {
                    interval_seconds: 1.0 / args.fps,
                    release_after_seconds: f64::MAX,
                    ..camera
                },
            ))
        }
    };
    let frames_dir = args.out_dir.join("frames");
    hunch::support::paths::create_private_dir(&frames_dir)
        .with_context(|| format!("cannot create {}", frames_dir.display()))?;
    let session = args
        .session
        .clone()
        .unwrap_or_else(|| jiff::Zoned::now().date().to_string());
    let mut next = next_index(&frames_dir)?;
    let (mut rows, mut start, mut last_kept) = (Vec::new(), None, f64::NEG_INFINITY);
    while let Some(frame) = source.next_frame()? {
        let t0 = *start.get_or_insert(frame.t);
        let t = frame.t - t0;
        if t > args.seconds {
            break;
        }
        // 10% slack: a camera paced at exactly this rate delivers with some jitter.
        if t - last_kept < 0.9 / args.fps {
            continue;
        }
        last_kept = t;
        let name = format!("frame-{next:06}.jpg");
        save_private_jpeg(&frame.image, &frames_dir.join(&name))?;
        rows.push(Row {
            path: format!("frames/{name}"),
            label: args.label,
            subject: args.subject.clone(),
            session: session.clone(),
            role: if args.calibration {
                Role::Calibrate
            } else {
                Role::Score
            },
            frames: String::new(),
            time_ms: Some((t * 1000.0).round() as u64),
        });
        next += 1;
    }
    if rows.is_empty() {
        bail!("no frames were recorded");
    }
    manifest::append(&args.out_dir.join(manifest::FILE_NAME), &rows)?;
    outln!(
        "Recorded {} {} frames into {}.",
        rows.len(),
        args.label.as_str(),
        args.out_dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// One past the highest frame number already in `dir`, so repeated recordings append.
fn next_index(dir: &Path) -> anyhow::Result<u64> {
    let existing = list_images(dir)?;
    Ok(existing
        .iter()
        .filter_map(|p| natural_key(p).first().map(|(_, n)| *n))
        .max()
        .map_or(1, |n| n + 1))
}

fn save_private_jpeg(img: &image::RgbImage, path: &Path) -> anyhow::Result<()> {
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 95)
        .encode_image(img)
        .with_context(|| format!("cannot encode {}", path.display()))?;
    // A frame of the user: 0600, and never over an earlier recording's file.
    hunch::support::files::create_new(path, &bytes, hunch::support::files::Mode::Private)?;
    Ok(())
}
