//! `hunch analyze`: the pose engine on still images, or on frames of one stream (`--track`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::bail;
use clap::Args;
use hunch::pose::models::ModelVariant;
use hunch::pose::{PoseEstimate, LANDMARK_NAMES};
use serde_json::json;

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// JSON lines: one object per image, instead of a summary.
    #[arg(long)]
    pub jsonl: bool,
    /// Write the image with the upper-body skeleton drawn on it (a directory when
    /// several images are given).
    #[arg(long, value_name = "OUT.png")]
    pub overlay: Option<PathBuf>,
    /// Add posture features, the neck-forward angle and the classification against the
    /// stored calibration.
    #[arg(long)]
    pub posture: bool,
    /// Treat the images as consecutive frames of one stream, in the order given, and
    /// track the person across them as the monitor does (the detector runs only when
    /// the track is lost). Reports on stderr how often the detector ran.
    #[arg(long)]
    pub track: bool,
    /// Calibration profile for --posture (default: the stored one).
    #[arg(long, value_name = "FILE", requires = "posture")]
    pub profile: Option<PathBuf>,
    /// PNG or JPEG images.
    #[arg(required = true, value_name = "IMAGE")]
    pub images: Vec<PathBuf>,
    #[command(flatten)]
    pub engine: super::EngineArgs,
}

pub fn run(args: AnalyzeArgs) -> anyhow::Result<ExitCode> {
    if let Some(out) = &args.overlay {
        if args.images.len() > 1 && !out.is_dir() {
            bail!(
                "--overlay {} must be an existing directory when several images are given",
                out.display()
            );
        }
    }
    let posture = if args.posture {
        Some(PostureContext::load(args.profile.as_ref())?)
    } else {
        None
    };
    let mut engine = args.engine.engine()?;
    let stdout = std::io::stdout();
    let mut failures = 0usize;
    for path in &args.images {
        let img = match hunch::support::image_io::load_rgb(path) {
            Ok(img) => img,
            Err(e) => {
                eprintln!("hunch: {e}");
                failures += 1;
                continue;
            }
        };
        let est = if args.track {
            engine.track(&img)?
        } else {
            engine.estimate(&img)?
        };
        let mut out = stdout.lock();
        let posture_json = posture.as_ref().map(|p| p.assess(&est, args.engine.model));
        if args.jsonl {
            let mut v = to_json(path, &est);
            if let Some(pj) = posture_json {
                v["posture"] = pj;
            }
            writeln!(out, "{v}")?;
        } else {
            writeln!(out, "{}", summary(path, &est))?;
            if let Some(pj) = posture_json {
                writeln!(out, "  posture: {}", posture_summary(&pj))?;
                // As the JSON's `calibration_mismatch`: the angle is against a neutral
                // measured at another size or with another model.
                if let Some(why) = pj["calibration_mismatch"].as_str() {
                    writeln!(out, "  warning: {why}")?;
                }
            }
        }
        if let (Some(target), Some(pose)) = (&args.overlay, &est.pose) {
            let file = overlay_path(target, path);
            let mut canvas = img;
            hunch::eval::overlay::draw_pose(&mut canvas, pose);
            if let Err(e) = save_overlay(&canvas, &file) {
                eprintln!("hunch: cannot write overlay {}: {e:#}", file.display());
                failures += 1;
            }
        } else if args.overlay.is_some() {
            eprintln!(
                "hunch: {}: no person found, no overlay written",
                path.display()
            );
        }
    }
    if args.track {
        let stats = engine.stats();
        eprintln!(
            "hunch: tracked {} frames: detector ran on {}, {} of them for lost shoulders; \
             detector session loaded {}×",
            stats.frames, stats.detector_runs, stats.redetections, stats.detector_loads
        );
    }
    Ok(if failures == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// A picture of a person: user-only, by the same rules as every file hunch writes.
fn save_overlay(canvas: &image::RgbImage, file: &Path) -> anyhow::Result<()> {
    let format = image::ImageFormat::from_path(file).unwrap_or(image::ImageFormat::Png);
    let mut bytes = std::io::Cursor::new(Vec::new());
    canvas.write_to(&mut bytes, format)?;
    hunch::support::files::write(file, bytes.get_ref(), hunch::support::files::Mode::Private)?;
    Ok(())
}

fn overlay_path(target: &Path, image: &Path) -> PathBuf {
    if target.is_dir() {
        let stem = image.file_stem().unwrap_or_default().to_string_lossy();
        target.join(format!("{stem}.overlay.png"))
    } else {
        target.to_path_buf()
    }
}

/// The schema documented in the README: normalised landmarks as MediaPipe gives them.
pub fn to_json(path: &Path, est: &PoseEstimate) -> serde_json::Value {
    let landmarks = est.pose.as_ref().map(|p| {
        p.landmarks
            .iter()
            .map(|l| [l.x, l.y, l.z, l.visibility, l.presence])
            .collect::<Vec<_>>()
    });
    let world = est.pose.as_ref().map(|p| p.world.to_vec());
    json!({
        "image": path.display().to_string(),
        "width": est.width,
        "height": est.height,
        "person": est.person(),
        "presence": est.presence,
        "landmarks": landmarks,
        "world_landmarks": world,
        "roi": est.roi,
        "detection": est.detection,
    })
}

fn summary(path: &Path, est: &PoseEstimate) -> String {
    let head = format!("{} ({}×{})", path.display(), est.width, est.height);
    let Some(pose) = &est.pose else {
        return format!("{head}: no person (presence {:.2})", est.presence);
    };
    let mut s = format!("{head}: person, presence {:.2}", est.presence);
    for i in [0, 7, 8, 11, 12] {
        let l = pose.landmarks[i];
        s += &format!(
            "\n  {:<15} x {:7.1} px  y {:7.1} px  visibility {:.2}",
            LANDMARK_NAMES[i],
            l.x * est.width as f32,
            l.y * est.height as f32,
            l.visibility
        );
    }
    s
}

/// The calibration and settings `--posture` measures against.
struct PostureContext {
    calibration: Option<hunch::posture::Calibration>,
    config: hunch::config::Config,
}

impl PostureContext {
    fn load(profile: Option<&PathBuf>) -> anyhow::Result<Self> {
        let path = super::calibrate::profile_path(profile)?;
        let calibration = match hunch::posture::Calibration::load(&path) {
            Ok(c) => Some(c),
            Err(hunch::posture::calibration::ProfileError::Missing) if profile.is_none() => None,
            Err(e) => return Err(e.into()),
        };
        Ok(Self {
            calibration,
            config: super::load_config()?,
        })
    }

    fn assess(&self, est: &PoseEstimate, model: ModelVariant) -> serde_json::Value {
        let features = match hunch::posture::extract(est) {
            Ok(f) => f,
            Err(r) => {
                return json!({
                    "measured": false,
                    "rejection": r,
                    "advice": r.advice(),
                })
            }
        };
        let Some(cal) = &self.calibration else {
            return json!({
                "measured": true,
                "features": features,
                "calibrated": false,
                "note": "no calibration: run `hunch calibrate` to get the neck-forward angle",
            });
        };
        let reading = hunch::posture::model::reading(&features, &cal.neutral, &self.config.posture);
        let class = reading.class(self.config.filter.enter_deg).as_str();
        json!({
            "measured": true,
            "features": features,
            "calibrated": true,
            "calibration_mismatch": cal.mismatch(None, est.width, est.height, model.as_str()),
            "reading": reading,
            "class": class,
        })
    }
}

fn posture_summary(v: &serde_json::Value) -> String {
    if v["measured"] == false {
        return format!("not measured ({})", v["advice"].as_str().unwrap_or(""));
    }
    if v["calibrated"] == false {
        return "measured; not calibrated yet (run `hunch calibrate`)".into();
    }
    let r = &v["reading"];
    format!(
        "{}, head forward {:+.1}° from neutral (CVA ≈ {:.0}°, approximate)",
        v["class"].as_str().unwrap_or("?"),
        r["forward_deg"].as_f64().unwrap_or(f64::NAN),
        r["cva_approx_deg"].as_f64().unwrap_or(f64::NAN)
    )
}
