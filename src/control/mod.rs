//! Talking to the running monitor: one line of JSON per request ([`Command`]) and one
//! line of JSON per reply ([`Reply`]), over the system's local channel
//! ([`crate::platform::ipc`]: a Unix socket in the runtime directory, mode 0600; a named
//! pipe for the current user on Windows). Also the lock that keeps one monitor per user.
//!
//! The channel reads each request with a line limit and a deadline from the connection's
//! acceptance, and idle connections hold up nothing (see the platform's module); this
//! module turns a request into a [`Command`] for the monitor and its answer into the reply.
//!
//! The client treats silence as failure: a request that got no reply (the connection
//! closed, or nothing within its timeout) is an error, never a quiet success.

pub mod command;
pub mod sight;

use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::Duration;

use thiserror::Error;

use command::{Command, Incoming, Origin, Reply};

/// What the channel reads and how much of it at once.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Longest request line accepted, bytes.
    pub max_line: usize,
    /// A client has this long from its connection to send its request.
    pub read_timeout: Duration,
    /// Connections whose request is being read at once (an idle one costs a descriptor,
    /// not a thread); a new one beyond closes the one that has been silent longest.
    pub max_pending: usize,
    /// Requests being answered at once; more are told the monitor is busy.
    pub max_answering: usize,
}

/// The monitor's limits.
const LIMITS: Limits = Limits {
    max_line: 4096,
    read_timeout: Duration::from_secs(2),
    max_pending: 256,
    max_answering: 16,
};
/// How long the monitor has to answer a request.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a client waits for a reply (the monitor's own limit, and some margin).
const CLIENT_TIMEOUT: Duration = Duration::from_secs(8);

/// What the channel hands the monitor's side.
#[derive(Debug)]
pub enum Request {
    /// A complete request line (without its newline).
    Line(Vec<u8>),
    /// More than [`Limits::max_line`] bytes without a newline.
    TooLong,
    /// Nothing complete within [`Limits::read_timeout`].
    Late,
    /// Turned away: too many at once.
    Busy,
}

/// Turns a request into its reply line; called on the channel's threads.
pub type Handler = Arc<dyn Fn(Request) -> String + Send + Sync>;

/// How a client's exchange went.
#[derive(Debug)]
pub enum Exchange {
    Reply(String),
    NotRunning,
    NoAnswer(String),
    Failed(std::io::Error),
}

#[derive(Debug, Error)]
pub enum ControlError {
    #[error("hunch is not running (nothing answers at {0}); start it with `hunch run` or `systemctl --user start hunch`")]
    NotRunning(PathBuf),
    #[error("another hunch monitor is already running (lock {0} is held); see `hunch status`")]
    AlreadyRunning(PathBuf),
    #[error(transparent)]
    Path(#[from] crate::support::paths::PathError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the monitor sent a reply this hunch does not understand: {0}")]
    BadReply(String),
    #[error("the monitor did not answer ({0}); it may be busy or stopping: try again")]
    NoAnswer(String),
}

/// Where the running monitor listens: the socket in the runtime directory (or, on
/// Windows, the pipe named after it).
pub fn socket_path() -> Result<PathBuf, ControlError> {
    Ok(crate::platform::ipc::endpoint(
        &crate::support::paths::runtime_dir()?,
    ))
}

/// Held for the life of the monitor; released by the OS even on SIGKILL.
pub struct InstanceLock {
    _file: std::fs::File,
}

/// Takes the per-user lock in `dir`, or says another monitor holds it.
pub fn lock(dir: &Path) -> Result<InstanceLock, ControlError> {
    crate::support::paths::create_private_dir(dir).map_err(|e| ControlError::Io {
        path: dir.into(),
        source: e,
    })?;
    let path = dir.join("hunch.lock");
    let io = |e| ControlError::Io {
        path: path.clone(),
        source: e,
    };
    let file = match crate::platform::fs::open_new(&path, 0o600) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => std::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .map_err(io)?,
        Err(e) => return Err(io(e)),
    };
    match file.try_lock() {
        Ok(()) => Ok(InstanceLock { _file: file }),
        Err(std::fs::TryLockError::WouldBlock) => Err(ControlError::AlreadyRunning(path)),
        Err(std::fs::TryLockError::Error(e)) => Err(ControlError::Io { path, source: e }),
    }
}

/// Listens at `path` (call with the lock held) and forwards each request to `commands`.
pub fn serve(path: &Path, commands: Sender<Incoming>) -> Result<(), ControlError> {
    let handler: Handler = Arc::new(move |request| {
        let reply = match request {
            Request::Line(line) => match parse_request(&line) {
                Ok(command) => answer(command, &commands),
                Err(message) => Reply::Error { message },
            },
            Request::TooLong => Reply::Error {
                message: format!("request longer than {} bytes", LIMITS.max_line),
            },
            Request::Late => Reply::Error {
                message: format!(
                    "no complete request within {} s",
                    LIMITS.read_timeout.as_secs()
                ),
            },
            Request::Busy => Reply::Error {
                message: "the monitor is busy; try again".into(),
            },
        };
        serde_json::to_string(&reply).unwrap_or_else(|_| {
            r#"{"reply":"error","message":"reply could not be encoded"}"#.to_string()
        })
    });
    crate::platform::ipc::serve(path, LIMITS, handler).map_err(|source| ControlError::Io {
        path: path.into(),
        source,
    })
}

/// Stops listening (the monitor's exit): the socket file goes.
pub fn close(path: &Path) {
    crate::platform::ipc::remove(path);
}

fn parse_request(line: &[u8]) -> Result<Command, String> {
    if line.len() > LIMITS.max_line {
        return Err(format!("request longer than {} bytes", LIMITS.max_line));
    }
    let text = std::str::from_utf8(line).map_err(|_| "the request is not UTF-8".to_string())?;
    serde_json::from_str::<Command>(text.trim()).map_err(|e| format!("bad request: {e}"))
}

/// Hands `command` to the monitor and waits for its answer.
fn answer(command: Command, tx: &Sender<Incoming>) -> Reply {
    let (rtx, rrx) = channel();
    let sent = tx.send(Incoming {
        command,
        origin: Origin::Socket,
        reply: Some(rtx),
    });
    let stopping = || Reply::Error {
        message: "the monitor is stopping".into(),
    };
    match sent {
        Ok(()) => match rrx.recv_timeout(ANSWER_TIMEOUT) {
            Ok(reply) => reply,
            Err(RecvTimeoutError::Timeout) => Reply::Error {
                message: format!(
                    "the monitor did not answer within {} s",
                    ANSWER_TIMEOUT.as_secs()
                ),
            },
            // The monitor let go of the request without answering: it is stopping.
            Err(RecvTimeoutError::Disconnected) => stopping(),
        },
        Err(_) => stopping(),
    }
}

/// Sends one command to the running monitor and waits for its reply. No reply — the
/// connection closed, or nothing within its timeout — is [`ControlError::NoAnswer`],
/// never success.
pub fn request(path: &Path, command: &Command) -> Result<Reply, ControlError> {
    let text = serde_json::to_string(command).map_err(|e| ControlError::BadReply(e.to_string()))?;
    match crate::platform::ipc::exchange(path, &text, CLIENT_TIMEOUT) {
        Exchange::Reply(line) => {
            serde_json::from_str(line.trim()).map_err(|_| ControlError::BadReply(line))
        }
        Exchange::NotRunning => Err(ControlError::NotRunning(path.into())),
        Exchange::NoAnswer(why) => Err(ControlError::NoAnswer(why)),
        Exchange::Failed(source) => Err(ControlError::Io {
            path: path.into(),
            source,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use command::PauseFor;

    #[test]
    fn a_request_the_monitor_lets_go_of_is_answered_stopping_not_late() {
        let dir = std::env::temp_dir().join(format!("hunch-control-stop-{}", std::process::id()));
        let _l = lock(&dir).unwrap();
        let sock = crate::platform::ipc::endpoint(&dir);
        let (tx, rx) = channel();
        serve(&sock, tx).unwrap();
        // A monitor on its way out: it takes the request and drops it unanswered.
        std::thread::spawn(move || {
            let incoming: Incoming = rx.recv().unwrap();
            drop(incoming);
        });
        let t = std::time::Instant::now();
        let r = request(&sock, &Command::Status).unwrap();
        assert_eq!(
            r,
            Reply::Error {
                message: "the monitor is stopping".into()
            }
        );
        assert!(t.elapsed() < Duration::from_secs(1));
    }

    #[test]
    fn one_instance_and_a_request_round_trip() {
        let dir = std::env::temp_dir().join(format!("hunch-control-{}", std::process::id()));
        let _l = lock(&dir).unwrap();
        assert!(matches!(lock(&dir), Err(ControlError::AlreadyRunning(_))));
        let sock = crate::platform::ipc::endpoint(&dir);
        let (tx, rx) = channel();
        serve(&sock, tx).unwrap();
        std::thread::spawn(move || {
            let incoming: Incoming = rx.recv().unwrap();
            assert_eq!(
                incoming.command,
                Command::Pause {
                    length: PauseFor::Seconds(60.0)
                }
            );
            assert_eq!(incoming.origin, Origin::Socket);
            incoming
                .reply
                .unwrap()
                .send(Reply::Ok {
                    message: "paused".into(),
                })
                .unwrap();
        });
        let r = request(
            &sock,
            &Command::Pause {
                length: PauseFor::Seconds(60.0),
            },
        )
        .unwrap();
        assert_eq!(
            r,
            Reply::Ok {
                message: "paused".into()
            }
        );
        // Only we may talk to it.
        if let Some(mode) = crate::platform::fs::mode_bits(&sock) {
            assert_eq!(mode & 0o777, 0o600);
        }
        let gone = crate::platform::ipc::endpoint(&dir.join("nothing"));
        assert!(matches!(
            request(&gone, &Command::Status),
            Err(ControlError::NotRunning(_))
        ));
    }
}
