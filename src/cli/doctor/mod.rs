//! `hunch doctor`: is everything hunch needs here, and if not, what to do. One line per
//! check, `ok`, `warn` or `fail`, each problem with its fix in one sentence; the exit
//! status says whether hunch can monitor (0) or not (1). Reads and asks; changes nothing.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use hunch::pose::models::{ModelPaths, ModelVariant, DETECTOR_FILE};
use hunch::pose::runtime::RuntimeError;
use serde::Serialize;

use super::EngineArgs;

/// The checks that differ by operating system: the camera device's permissions, the
/// notification server, starting at login.
#[cfg_attr(target_os = "linux", path = "linux.rs")]
#[cfg_attr(not(target_os = "linux"), path = "other.rs")]
mod desktop;

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// One JSON object: {can_monitor, checks: [{check, status, message, fix}]}.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub engine: EngineArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Warn,
    Fail,
}

#[derive(Debug, Serialize)]
struct Check {
    check: &'static str,
    status: Status,
    message: String,
    /// One sentence; none when all is well.
    fix: Option<String>,
}

impl Check {
    fn ok(check: &'static str, message: impl Into<String>) -> Check {
        Check {
            check,
            status: Status::Ok,
            message: message.into(),
            fix: None,
        }
    }
    fn warn(check: &'static str, message: impl Into<String>, fix: impl Into<String>) -> Check {
        Check {
            check,
            status: Status::Warn,
            message: message.into(),
            fix: Some(fix.into()),
        }
    }
    fn fail(check: &'static str, message: impl Into<String>, fix: impl Into<String>) -> Check {
        Check {
            check,
            status: Status::Fail,
            message: message.into(),
            fix: Some(fix.into()),
        }
    }
}

/// The published checksums: the table in `models/README.md` (the one place they are
/// written down; new models change it, and this follows).
const MODELS_README: &str = include_str!("../../../models/README.md");

/// `(file, sha256)` for each row of the README's table that names a `.onnx` file and a
/// 64-digit hex checksum.
fn published_checksums() -> Vec<(String, String)> {
    MODELS_README
        .lines()
        .filter(|l| l.starts_with('|'))
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            let file = cells.iter().find_map(|c| {
                c.split('`')
                    .nth(1)
                    .filter(|f| f.ends_with(".onnx") && !f.contains('/'))
            })?;
            let sha = cells.iter().find_map(|c| {
                let t = c.trim_matches('`');
                (t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit())).then_some(t)
            })?;
            Some((file.to_string(), sha.to_lowercase()))
        })
        .collect()
}

fn sha256_file(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut f = std::fs::File::open(path)?;
    let mut hash = hmac_sha256::Hash::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hash.update(&buf[..n]);
    }
    Ok(hash.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

pub fn run(args: DoctorArgs) -> anyhow::Result<ExitCode> {
    let config = super::load_config()?;
    let mut checks = Vec::new();

    let runtime = check_runtime(&args.engine);
    let runtime_ok = runtime.status == Status::Ok;
    checks.push(runtime);
    checks.push(check_models(&args.engine, args.engine.model, runtime_ok));
    checks.push(desktop::check_camera_access(config.camera.index));
    let (camera, chosen) = check_camera(&config.camera);
    checks.push(camera);
    checks.push(check_calibration(&config.camera, chosen, args.engine.model));
    checks.push(desktop::check_notifications());
    checks.push(desktop::check_service());
    checks.push(check_journal());
    checks.push(check_telemetry());

    let can_monitor = checks.iter().all(|c| c.status != Status::Fail);
    if args.json {
        outln!(
            "{}",
            serde_json::json!({ "can_monitor": can_monitor, "checks": checks })
        );
    } else {
        for c in &checks {
            let status = match c.status {
                Status::Ok => "ok",
                Status::Warn => "warn",
                Status::Fail => "fail",
            };
            match &c.fix {
                Some(fix) => outln!("{status:<4}  {:<13} {}; {fix}", c.check, c.message),
                None => outln!("{status:<4}  {:<13} {}", c.check, c.message),
            }
        }
        outln!(
            "{}",
            if can_monitor {
                "hunch can monitor."
            } else {
                "hunch cannot monitor until each `fail` above is fixed."
            }
        );
    }
    Ok(if can_monitor {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn check_runtime(engine: &EngineArgs) -> Check {
    const NAME: &str = "onnx runtime";
    let fix = hunch::pose::runtime::FIX;
    match hunch::pose::runtime::init(engine.ort_lib.as_deref()) {
        Ok(_) => {
            let path = hunch::pose::runtime::loaded_from()
                .map_or("the system library path".into(), |p| {
                    p.display().to_string()
                });
            let origin =
                hunch::pose::runtime::loaded_origin().map_or(String::new(), |o| format!(" ({o})"));
            let version =
                hunch::pose::runtime::version().unwrap_or_else(|| "of unknown version".into());
            Check::ok(NAME, format!("ONNX Runtime {version} from {path}{origin}"))
        }
        Err(RuntimeError::NotFound { searched }) => Check::fail(
            NAME,
            format!("ONNX Runtime was not found ({searched})"),
            fix,
        ),
        Err(RuntimeError::WrongVersion {
            path,
            origin,
            found,
        }) => Check::fail(
            NAME,
            format!(
                "{} ({origin}) is ONNX Runtime {found}, hunch needs 1.{}",
                path.display(),
                hunch::pose::runtime::ORT_MINOR
            ),
            fix,
        ),
        Err(RuntimeError::Unloadable {
            path,
            origin,
            reason,
        }) => Check::fail(
            NAME,
            format!("{} ({origin}) cannot be loaded: {reason}", path.display()),
            fix,
        ),
        Err(e @ RuntimeError::Environment(_)) => Check::fail(NAME, e.to_string(), fix),
    }
}

fn check_models(engine: &EngineArgs, variant: ModelVariant, runtime_ok: bool) -> Check {
    const NAME: &str = "models";
    let reinstall = "reinstall hunch (or run `scripts/setup` in a checkout), or pass --models DIR with the files models/README.md lists";
    let paths = match ModelPaths::resolve(engine.models.as_deref(), variant) {
        Ok(p) => p,
        Err(e) => return Check::fail(NAME, e.to_string(), reinstall),
    };
    let dir = paths
        .detector
        .parent()
        .unwrap_or(Path::new("."))
        .to_path_buf();
    let published = published_checksums();
    let mut files: Vec<&str> = vec![DETECTOR_FILE];
    files.extend(ModelVariant::ALL.iter().map(|v| v.file_name()));
    let mut notes = Vec::new();
    let mut checked = 0;
    for file in files {
        let path = dir.join(file);
        let needed = file == DETECTOR_FILE || file == variant.file_name();
        let expected = published.iter().find(|(f, _)| f == file).map(|(_, s)| s);
        match (sha256_file(&path), expected) {
            (Err(_), _) if !needed => {
                notes.push(format!("{file} is missing (only --model for it needs it)"))
            }
            (Err(e), _) => {
                return Check::fail(
                    NAME,
                    format!("cannot read {}: {e}", path.display()),
                    reinstall,
                )
            }
            (Ok(_), None) => notes.push(format!("{file} has no published checksum")),
            (Ok(sum), Some(want)) if &sum != want => notes.push(format!(
                "{file} is not the published model (sha256 {}…)",
                &sum[..12]
            )),
            (Ok(_), Some(_)) => checked += 1,
        }
    }
    if runtime_ok {
        let opts = hunch::pose::SessionOptions {
            threads: engine.threads as usize,
        };
        let loaded = hunch::pose::runtime::init(engine.ort_lib.as_deref())
            .map_err(anyhow::Error::from)
            .and_then(|env| Ok(hunch::pose::PoseEngine::new(env, &paths, opts)?));
        if let Err(e) = loaded {
            return Check::fail(
                NAME,
                format!(
                    "the {variant} model in {} does not load: {e:#}",
                    dir.display()
                ),
                reinstall,
            );
        }
    }
    let loads = if runtime_ok {
        ", and the {variant} model loads"
    } else {
        ""
    };
    let loads = loads.replace("{variant}", variant.as_str());
    if notes.is_empty() {
        Check::ok(
            NAME,
            format!(
                "{} ({checked} files match models/README.md's checksums{loads})",
                dir.display()
            ),
        )
    } else {
        Check::warn(
            NAME,
            format!("{}: {}{loads}", dir.display(), notes.join("; ")),
            reinstall,
        )
    }
}

fn check_camera(params: &hunch::camera::CameraParams) -> (Check, Option<(u32, u32)>) {
    const NAME: &str = "camera";
    let plug = "plug in a webcam, then check what it offers with `hunch cameras`";
    let list = match hunch::camera::webcam::list() {
        Ok(l) => l,
        Err(e) => {
            return (
                Check::fail(NAME, format!("cameras cannot be listed: {e}"), plug),
                None,
            )
        }
    };
    if list.is_empty() {
        return (
            Check::fail(
                NAME,
                format!("no camera found ({})", hunch::platform::camera::NO_CAMERA),
                plug,
            ),
            None,
        );
    }
    let Some(cam) = list.iter().find(|c| c.index == params.index) else {
        let have: Vec<String> = list.iter().map(|c| c.index.to_string()).collect();
        return (
            Check::fail(
                NAME,
                format!(
                    "camera {} is not there (cameras: {})",
                    params.index,
                    have.join(", ")
                ),
                "set [camera] index in config.toml to one of them (`hunch cameras` lists them)",
            ),
            None,
        );
    };
    let formats = match &cam.formats {
        Ok(f) => f,
        Err(e) => {
            return (
                Check::fail(
                    NAME,
                    format!(
                        "camera {} ({}) does not say what it offers: {e}",
                        cam.index, cam.name
                    ),
                    "check the camera access line, close other programs using it, or replug it",
                ),
                None,
            )
        }
    };
    match hunch::camera::webcam::choose_format(
        formats,
        params.max_width,
        params.max_height,
        params.pixel_format,
    ) {
        Some(f) => (
            Check::ok(
                NAME,
                format!(
                    "camera {} ({}); hunch will ask for {}×{} {} at {} fps",
                    cam.index,
                    cam.name,
                    f.width(),
                    f.height(),
                    f.format(),
                    f.frame_rate()
                ),
            ),
            Some((f.width(), f.height())),
        ),
        None => (
            Check::fail(
                NAME,
                format!(
                    "camera {} ({}) offers no MJPEG or YUYV format hunch can decode",
                    cam.index, cam.name
                ),
                "use another camera ([camera] index), or set [camera] pixel_format = \"auto\"",
            ),
            None,
        ),
    }
}

fn check_calibration(
    params: &hunch::camera::CameraParams,
    chosen: Option<(u32, u32)>,
    model: ModelVariant,
) -> Check {
    const NAME: &str = "calibration";
    let again = "sit upright in front of the camera and run `hunch calibrate`";
    let path = match hunch::posture::Calibration::default_path() {
        Ok(p) => p,
        Err(e) => return Check::fail(NAME, e.to_string(), again),
    };
    let cal = match hunch::posture::Calibration::load(&path) {
        Ok(c) => c,
        Err(hunch::posture::calibration::ProfileError::Missing) => {
            return Check::fail(
                NAME,
                format!("no calibration yet ({} does not exist)", path.display()),
                again,
            )
        }
        Err(e) => return Check::fail(NAME, e.to_string(), again),
    };
    let what = format!(
        "{} ({}×{}, {} model, from {})",
        path.display(),
        cal.width,
        cal.height,
        cal.model,
        cal.source
    );
    let Some((w, h)) = chosen else {
        return Check::ok(
            NAME,
            format!("{what}; not compared with a camera (none usable)"),
        );
    };
    let camera = format!("camera:{}", params.index);
    if let Some(why) = cal.mismatch(None, w, h, model.as_str()) {
        let why = why.split(": run").next().unwrap_or(&why).to_string();
        return Check::warn(NAME, format!("{what}: {why}"), again);
    }
    if cal.source != camera {
        return Check::warn(
            NAME,
            format!("{what}: made from a recording, the monitor watches {camera}"),
            "for readings that fit your camera, run `hunch calibrate` in front of it",
        );
    }
    Check::ok(NAME, format!("{what}; fits {camera} at {w}×{h}"))
}

fn check_journal() -> Check {
    const NAME: &str = "journal";
    let path = match hunch::journal::Journal::default_path() {
        Ok(p) => p,
        Err(e) => return Check::fail(NAME, e.to_string(), "set HOME or XDG_DATA_HOME"),
    };
    if !path.exists() {
        return Check::ok(
            NAME,
            format!("no journal yet ({} is made by `hunch run`)", path.display()),
        );
    }
    let keep = "hunch moves a journal SQLite cannot read aside by itself; otherwise check the disk and the file's permissions";
    if let Err(e) = hunch::journal::Journal::open_read_only(&path) {
        return Check::warn(
            NAME,
            format!("{} does not open read-only: {e}", path.display()),
            keep,
        );
    }
    let size: u64 = ["", "-wal"]
        .iter()
        .filter_map(|s| std::fs::metadata(format!("{}{s}", path.display())).ok())
        .map(|m| m.len())
        .sum();
    match journal_counts(&path) {
        Ok((count, last)) => {
            let last = match last {
                Some(ms) => jiff::Timestamp::from_millisecond(ms)
                    .map(|t| {
                        let local = t.to_zoned(jiff::tz::TimeZone::system());
                        let ago = jiff::Timestamp::now().duration_since(t).as_secs_f64();
                        format!(
                            ", last {} ({} ago)",
                            local.strftime("%Y-%m-%d %H:%M"),
                            hunch::support::human::duration(ago.max(0.0))
                        )
                    })
                    .unwrap_or_default(),
                None => String::new(),
            };
            Check::ok(
                NAME,
                format!(
                    "{} opens read-only: {:.1} MB, {count} samples{last}",
                    path.display(),
                    size as f64 / 1e6
                ),
            )
        }
        Err(e) => Check::warn(
            NAME,
            format!("{} cannot be counted: {e}", path.display()),
            keep,
        ),
    }
}

/// Samples in the journal and the time of the last, read-only. Only the columns every
/// schema version has (`samples.t_ms`).
fn journal_counts(path: &Path) -> rusqlite::Result<(i64, Option<i64>)> {
    use rusqlite::{Connection, OpenFlags};
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(2))?;
    conn.query_row("SELECT count(*), max(t_ms) FROM samples", [], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })
}

fn check_telemetry() -> Check {
    const NAME: &str = "telemetry";
    let var = hunch::pose::runtime::TELEMETRY_ENV;
    if std::env::var_os(var).as_deref() != Some(std::ffi::OsStr::new("1")) {
        return Check::fail(
            NAME,
            format!("{var} is not 1 in this process"),
            "this is a bug in hunch: report it",
        );
    }
    let dir = std::env::var_os("HOME")
        .map(|h| PathBuf::from(h).join(".cache/Microsoft/DeveloperTools/.onnxruntime"));
    match dir {
        Some(d) if d.exists() => Check::warn(
            NAME,
            format!("{var}=1 keeps ONNX Runtime's telemetry off in hunch, but {} exists (another program that uses ONNX Runtime made it)", d.display()),
            format!("remove it with `rm -r {}` if you like", d.display()),
        ),
        _ => Check::ok(
            NAME,
            format!("ONNX Runtime's telemetry is off ({var}=1 in this process) and ~/.cache/Microsoft has nothing of it"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_published_checksums_are_read_from_the_models_readme() {
        let sums = published_checksums();
        for f in [
            DETECTOR_FILE,
            ModelVariant::Full.file_name(),
            ModelVariant::Lite.file_name(),
        ] {
            let (_, sha) = sums
                .iter()
                .find(|(name, _)| name == f)
                .unwrap_or_else(|| panic!("{f} in {sums:?}"));
            assert_eq!(sha.len(), 64);
        }
        // The TFLite originals' checksums in the same rows are not taken for the ONNX files.
        assert!(sums.iter().all(|(f, _)| f.ends_with(".onnx")));
    }

    #[test]
    fn the_repository_models_match_their_published_checksums() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
        for (file, sha) in published_checksums() {
            assert_eq!(sha256_file(&dir.join(&file)).unwrap(), sha, "{file}");
        }
    }
}
