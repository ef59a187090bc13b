//! Talking to the running monitor: a Unix socket in `$XDG_RUNTIME_DIR` (mode 0600), one
//! line per request and one line of JSON per reply. Also the lock that keeps one monitor
//! per user.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// A request to the monitor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum Request {
    Status,
    /// Pause for this many seconds, or until resumed.
    Pause {
        seconds: Option<f64>,
    },
    Resume,
    Snooze {
        seconds: Option<f64>,
    },
}

/// What `hunch status` prints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Status {
    pub state: String,
    pub forward_deg: Option<f32>,
    pub source: String,
    pub samples: u64,
    pub alerts: u32,
    pub stretches_done: u32,
    pub uptime_seconds: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "reply", rename_all = "snake_case")]
pub enum Reply {
    Status(Status),
    Ok { message: String },
    Error { message: String },
}

#[derive(Debug, Error)]
pub enum ControlError {
    #[error("hunch is not running (no socket at {0}); start it with `hunch run` or `systemctl --user start hunch`")]
    NotRunning(PathBuf),
    #[error("another hunch monitor is already running (lock {0} is held); see `hunch status`")]
    AlreadyRunning(PathBuf),
    #[error("no runtime directory: set XDG_RUNTIME_DIR")]
    NoRuntimeDir,
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the monitor sent a reply this hunch does not understand: {0}")]
    BadReply(String),
}

/// `$XDG_RUNTIME_DIR/hunch` (0700), where the socket and lock live; without a runtime
/// directory (no login session), `/tmp/hunch-<uid>`.
pub fn runtime_dir() -> Result<PathBuf, ControlError> {
    if let Some(base) = std::env::var_os("XDG_RUNTIME_DIR")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
    {
        return Ok(base.join("hunch"));
    }
    use std::os::unix::fs::MetadataExt;
    let uid = std::fs::metadata("/proc/self")
        .map(|m| m.uid())
        .map_err(|_| ControlError::NoRuntimeDir)?;
    Ok(std::env::temp_dir().join(format!("hunch-{uid}")))
}

pub fn socket_path() -> Result<PathBuf, ControlError> {
    Ok(runtime_dir()?.join("control.sock"))
}

/// Held for the life of the monitor; released by the OS even on SIGKILL.
pub struct InstanceLock {
    _file: std::fs::File,
}

/// Takes the per-user lock, or says another monitor holds it.
pub fn lock(dir: &Path) -> Result<InstanceLock, ControlError> {
    use std::os::unix::fs::OpenOptionsExt;
    crate::paths::create_private_dir(dir).map_err(|e| ControlError::Io {
        path: dir.into(),
        source: e,
    })?;
    let path = dir.join("hunch.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .mode(0o600)
        .open(&path)
        .map_err(|e| ControlError::Io {
            path: path.clone(),
            source: e,
        })?;
    match file.try_lock() {
        Ok(()) => Ok(InstanceLock { _file: file }),
        Err(std::fs::TryLockError::WouldBlock) => Err(ControlError::AlreadyRunning(path)),
        Err(std::fs::TryLockError::Error(e)) => Err(ControlError::Io { path, source: e }),
    }
}

/// A request with the channel its reply goes back on.
pub type Incoming = (Request, Sender<Reply>);

/// Listens on `path` (replacing a stale socket; call with the lock held) and forwards
/// requests to the returned channel from a background thread.
pub fn serve(path: &Path) -> Result<Receiver<Incoming>, ControlError> {
    use std::os::unix::fs::PermissionsExt;
    let io = |e: std::io::Error| ControlError::Io {
        path: path.into(),
        source: e,
    };
    let _ = std::fs::remove_file(path);
    let listener = UnixListener::bind(path).map_err(io)?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(io)?;
    let (tx, rx) = channel();
    std::thread::Builder::new()
        .name("hunch-control".into())
        .spawn(move || {
            for stream in listener.incoming().flatten() {
                let _ = answer(stream, &tx);
            }
        })
        .map_err(io)?;
    Ok(rx)
}

fn answer(stream: UnixStream, tx: &Sender<Incoming>) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(2)))?;
    let mut line = String::new();
    BufReader::new(&stream).read_line(&mut line)?;
    let reply = match serde_json::from_str::<Request>(line.trim()) {
        Ok(req) => {
            let (rtx, rrx) = channel();
            if tx.send((req, rtx)).is_err() {
                return Ok(());
            }
            rrx.recv_timeout(Duration::from_secs(3))
                .unwrap_or(Reply::Error {
                    message: "the monitor did not answer in time".into(),
                })
        }
        Err(e) => Reply::Error {
            message: format!("bad request: {e}"),
        },
    };
    let mut w = &stream;
    writeln!(w, "{}", serde_json::to_string(&reply).unwrap_or_default())
}

/// Sends one request to the running monitor.
pub fn request(path: &Path, req: &Request) -> Result<Reply, ControlError> {
    let io = |e: std::io::Error| ControlError::Io {
        path: path.into(),
        source: e,
    };
    let stream = UnixStream::connect(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound | std::io::ErrorKind::ConnectionRefused => {
            ControlError::NotRunning(path.into())
        }
        _ => io(e),
    })?;
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .map_err(io)?;
    let mut w = &stream;
    writeln!(w, "{}", serde_json::to_string(req).unwrap_or_default()).map_err(io)?;
    let mut line = String::new();
    BufReader::new(&stream).read_line(&mut line).map_err(io)?;
    serde_json::from_str(line.trim()).map_err(|_| ControlError::BadReply(line))
}

/// Parses "90s", "30m", "1h", "2h30m" or a bare number of minutes.
pub fn parse_duration(s: &str) -> Result<f64, String> {
    let s = s.trim();
    if let Ok(m) = s.parse::<f64>() {
        return if m > 0.0 && m.is_finite() {
            Ok(m * 60.0)
        } else {
            Err(format!("`{s}` is not a positive duration"))
        };
    }
    let (mut total, mut num) = (0.0, String::new());
    for c in s.chars() {
        if c.is_ascii_digit() || c == '.' {
            num.push(c);
            continue;
        }
        let unit = match c {
            'h' => 3600.0,
            'm' => 60.0,
            's' => 1.0,
            _ => return Err(format!("`{s}`: use a duration like 90s, 30m, 1h or 1h30m")),
        };
        let n: f64 = num
            .parse()
            .map_err(|_| format!("`{s}`: use a duration like 90s, 30m, 1h or 1h30m"))?;
        total += n * unit;
        num.clear();
    }
    if !num.is_empty() || total <= 0.0 {
        return Err(format!("`{s}`: use a duration like 90s, 30m, 1h or 1h30m"));
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90s"), Ok(90.0));
        assert_eq!(parse_duration("30m"), Ok(1800.0));
        assert_eq!(parse_duration("1h30m"), Ok(5400.0));
        assert_eq!(parse_duration("45"), Ok(2700.0));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("10x").is_err());
        assert!(parse_duration("-5").is_err());
        assert!(parse_duration("5m3").is_err());
    }

    #[test]
    fn one_instance_and_a_request_round_trip() {
        let dir = std::env::temp_dir().join(format!("hunch-control-{}", std::process::id()));
        let _l = lock(&dir).unwrap();
        assert!(matches!(lock(&dir), Err(ControlError::AlreadyRunning(_))));
        let sock = dir.join("control.sock");
        let rx = serve(&sock).unwrap();
        std::thread::spawn(move || {
            let (req, reply) = rx.recv().unwrap();
            assert_eq!(
                req,
                Request::Snooze {
                    seconds: Some(60.0)
                }
            );
            reply
                .send(Reply::Ok {
                    message: "snoozed".into(),
                })
                .unwrap();
        });
        let r = request(
            &sock,
            &Request::Snooze {
                seconds: Some(60.0),
            },
        )
        .unwrap();
        assert_eq!(
            r,
            Reply::Ok {
                message: "snoozed".into()
            }
        );
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&sock).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let gone = dir.join("nothing.sock");
        assert!(matches!(
            request(&gone, &Request::Status),
            Err(ControlError::NotRunning(_))
        ));
    }
}
