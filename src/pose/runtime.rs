//! Finding and loading the ONNX Runtime shared library.
//!
//! hunch links ONNX Runtime dynamically (ort's `load-dynamic`) so that the default build
//! needs no network: `scripts/setup` fetches `libonnxruntime.so.1.31.1` once, and this
//! module finds it at run time in a fixed, documented order. Every failure ends in one
//! sentence that tells the user what to do, never a panic inside `ort`.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ort::environment::Environment;

use thiserror::Error;

/// The ONNX Runtime minor version hunch is built against (ort's `api-31`).
pub const ORT_MINOR: u32 = 31;
/// The library's file names on this system, the exact one `scripts/setup` installs first
/// (`libonnxruntime.so.1.31.1`, `onnxruntime.dll`, `libonnxruntime.1.31.1.dylib`).
const ORT_FILES: &[&str] = crate::platform::dirs::ORT_FILES;

/// Where a candidate library path came from; shown in error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// `--ort-lib` on the command line.
    Explicit,
    /// The `ORT_DYLIB_PATH` environment variable.
    Env,
    /// Beside the `hunch` executable (or in `lib/` beside it).
    Executable,
    /// The checkout's `runtime/` directory, filled by `scripts/setup`.
    Project,
    /// `$XDG_DATA_HOME/hunch/lib`.
    UserData,
    /// The dynamic linker's own search (`ldconfig`, `LD_LIBRARY_PATH`).
    System,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Origin::Explicit => "--ort-lib",
            Origin::Env => "ORT_DYLIB_PATH",
            Origin::Executable => "next to the executable",
            Origin::Project => "project runtime/ directory",
            Origin::UserData => "user data directory",
            Origin::System => "system library path",
        })
    }
}

/// What to do when ONNX Runtime cannot be used, in one sentence.
pub const FIX: &str = "reinstall hunch (the package or `scripts/install --user` put it beside \
                       hunch), run `scripts/setup` in a checkout, or set ORT_DYLIB_PATH (or pass \
                       --ort-lib) to ONNX Runtime 1.31's library";

#[derive(Debug, Error)]
pub enum RuntimeError {
    #[error("ONNX Runtime was not found ({searched}); {FIX}")]
    NotFound { searched: String },
    #[error(
        "{path} ({origin}) is ONNX Runtime {found}, but hunch needs 1.{ORT_MINOR} or newer; {FIX}"
    )]
    WrongVersion {
        path: PathBuf,
        origin: Origin,
        found: String,
    },
    #[error("{path} ({origin}) could not be loaded as ONNX Runtime ({reason}); {FIX}")]
    Unloadable {
        path: PathBuf,
        origin: Origin,
        reason: String,
    },
    #[error("ONNX Runtime could not start its environment: {0}")]
    Environment(String),
}

/// Candidate library paths in search order. Only the first existing file is tried,
/// except that an explicit path is always tried (and its failure reported as such).
fn candidates(explicit: Option<&Path>) -> Vec<(PathBuf, Origin)> {
    let mut out = Vec::new();
    if let Some(p) = explicit {
        out.push((p.to_path_buf(), Origin::Explicit));
    }
    if let Some(p) = std::env::var_os("ORT_DYLIB_PATH").filter(|v| !v.is_empty()) {
        out.push((PathBuf::from(p), Origin::Env));
    }
    if let Some(dir) = crate::support::paths::exe_dir() {
        // Beside it (a build tree), lib/ beside it, and the prefix's lib/hunch
        // (/usr/bin → /usr/lib/hunch, ~/.local/bin → ~/.local/lib/hunch).
        let mut dirs = vec![dir.clone(), dir.join("lib")];
        // An application bundle's Frameworks folder (macOS).
        dirs.extend(crate::platform::dirs::BUNDLE.map(|(_, libraries)| dir.join(libraries)));
        dirs.extend(dir.parent().map(|prefix| prefix.join("lib/hunch")));
        for d in dirs {
            out.extend(ORT_FILES.iter().map(|f| (d.join(f), Origin::Executable)));
        }
    }
    out.push((project_runtime_dir().join(ORT_FILES[0]), Origin::Project));
    if let Some(d) = crate::support::paths::data_dir() {
        out.push((d.join("lib").join(ORT_FILES[0]), Origin::UserData));
    }
    out
}

/// `runtime/` in the source checkout this binary was built from, where `scripts/setup`
/// puts the library. Harmless for installed binaries: the path simply does not exist.
fn project_runtime_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("runtime")
}

/// Loads ONNX Runtime and commits its process-wide environment. Safe to call more than
/// once: after the first success later calls return the path already loaded.
#[cfg(feature = "ort-dynamic")]
pub fn init(explicit: Option<&Path>) -> Result<&'static Environment, RuntimeError> {
    if let Some(env) = ENVIRONMENT.get() {
        return Ok(env);
    }
    let found = locate(explicit)?;
    let (path, origin) = match &found {
        Some((p, o)) => (p.clone(), *o),
        None => (
            PathBuf::from(crate::platform::dirs::ORT_SYSTEM),
            Origin::System,
        ),
    };
    if origin == Origin::System {
        // The dynamic linker may still know a system-wide install.
        if let Err(e) = load(&path, origin) {
            return Err(match e {
                RuntimeError::Unloadable { .. } => RuntimeError::NotFound {
                    searched: searched_summary(explicit),
                },
                other => other,
            });
        }
    } else {
        load(&path, origin)?;
    }
    LOADED_FROM.set((path, origin)).ok();
    ENVIRONMENT
        .get()
        .ok_or_else(|| RuntimeError::Environment("environment missing after load".into()))
}

/// The library file that was loaded, once [`init`] has succeeded.
pub fn loaded_from() -> Option<&'static Path> {
    LOADED_FROM.get().map(|(p, _)| p.as_path())
}

/// Where the loaded library was found, once [`init`] has succeeded.
pub fn loaded_origin() -> Option<Origin> {
    LOADED_FROM.get().map(|(_, o)| *o)
}

/// The loaded ONNX Runtime's own version (`1.31.1`, from `OrtGetApiBase()->
/// GetVersionString()`), once [`init`] has succeeded.
#[cfg(feature = "ort-dynamic")]
pub fn version() -> Option<String> {
    let path = loaded_from()?;
    // SAFETY: `init` loaded this library and ort keeps it loaded for the life of the
    // process, so this dlopen only takes another reference (no initialiser runs again).
    // OrtGetApiBase has this signature in every ONNX Runtime release; the string it
    // returns is static and copied before the reference is dropped.
    unsafe {
        let lib = libloading::Library::new(path).ok()?;
        let get: libloading::Symbol<unsafe extern "C" fn() -> *const ort::sys::OrtApiBase> =
            lib.get(b"OrtGetApiBase").ok()?;
        let base = get();
        if base.is_null() {
            return None;
        }
        let text = ((*base).GetVersionString)();
        if text.is_null() {
            return None;
        }
        std::ffi::CStr::from_ptr(text)
            .to_str()
            .ok()
            .map(str::to_string)
    }
}

/// Linked in at build time: the version ort was built with.
#[cfg(not(feature = "ort-dynamic"))]
pub fn version() -> Option<String> {
    None
}

static LOADED_FROM: OnceLock<(PathBuf, Origin)> = OnceLock::new();

#[cfg(feature = "ort-dynamic")]
fn locate(explicit: Option<&Path>) -> Result<Option<(PathBuf, Origin)>, RuntimeError> {
    for (path, origin) in candidates(explicit) {
        if origin == Origin::Explicit || origin == Origin::Env {
            // Whatever the user named is what they meant: no silent fallback.
            if !path.is_file() {
                return Err(RuntimeError::Unloadable {
                    reason: "no such file".into(),
                    path,
                    origin,
                });
            }
            return Ok(Some((path, origin)));
        }
        if path.is_file() {
            return Ok(Some((path, origin)));
        }
    }
    Ok(None)
}

#[cfg(feature = "ort-dynamic")]
fn searched_summary(explicit: Option<&Path>) -> String {
    let mut dirs: Vec<String> = Vec::new();
    for (p, _) in candidates(explicit) {
        let d = p
            .parent()
            .map(|d| d.display().to_string())
            .unwrap_or_default();
        if !dirs.contains(&d) {
            dirs.push(d);
        }
    }
    dirs.push("the system library path".into());
    format!("looked in {}", dirs.join(", "))
}

/// With ONNX Runtime linked in at build time (`download-ort`) there is nothing to find.
#[cfg(not(feature = "ort-dynamic"))]
pub fn init(_explicit: Option<&Path>) -> Result<&'static Environment, RuntimeError> {
    if ENVIRONMENT.get().is_none() {
        commit(ort::init())?;
    }
    ENVIRONMENT
        .get()
        .ok_or_else(|| RuntimeError::Environment("environment missing after init".into()))
}

#[cfg(feature = "ort-dynamic")]
fn load(path: &Path, origin: Origin) -> Result<(), RuntimeError> {
    disable_telemetry();
    commit(ort::init_from(path).map_err(|e| classify(e, path, origin))?)
}

/// The variable that keeps ONNX Runtime's own telemetry off.
pub const TELEMETRY_ENV: &str = "ORT_DISABLE_TELEMETRY";

/// Turns ONNX Runtime's telemetry off for this process. The PyPI build of ONNX Runtime
/// 1.31 collects usage data (a device id, the OS, the path of the program) under
/// `~/.cache/Microsoft/DeveloperTools/.onnxruntime/` and looks up a telemetry host, even
/// with `with_telemetry(false)`; only this variable, set before the library loads, stops
/// it. `main` calls this first thing, while hunch has one thread; [`init`] calls it again
/// before loading, for library users.
pub fn disable_telemetry() {
    if std::env::var_os(TELEMETRY_ENV).as_deref() != Some(std::ffi::OsStr::new("1")) {
        std::env::set_var(TELEMETRY_ENV, "1");
    }
}

fn commit(builder: ort::environment::EnvironmentBuilder) -> Result<(), RuntimeError> {
    let env = builder
        .with_name("hunch")
        .with_telemetry(false)
        .build()
        .map_err(|e| RuntimeError::Environment(e.to_string()))?;
    // Sessions look the environment up through a weak reference: keep it alive for the
    // life of the process so every session shares this one.
    let _ = ENVIRONMENT.set(env);
    Ok(())
}

static ENVIRONMENT: OnceLock<Environment> = OnceLock::new();

#[cfg(feature = "ort-dynamic")]
fn classify(e: ort::LoadDynamicError, path: &Path, origin: Origin) -> RuntimeError {
    let text = e.to_string();
    if let Some(found) = text.split("but got '").nth(1) {
        return RuntimeError::WrongVersion {
            path: path.to_path_buf(),
            origin,
            found: found.trim_end_matches('\'').to_string(),
        };
    }
    RuntimeError::Unloadable {
        path: path.to_path_buf(),
        origin,
        reason: text,
    }
}
