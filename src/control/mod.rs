//! Talking to the running monitor: a Unix socket in the runtime directory (mode 0600),
//! one line of JSON per request ([`Command`]) and one line of JSON per reply ([`Reply`]).
//! Also the lock that keeps one monitor per user.
//!
//! One thread reads every connection's request as it arrives, with a line limit and a
//! deadline that starts when the connection is accepted, so a slow or hostile client
//! cannot grow the monitor's memory, and an idle one costs a descriptor, not a thread: up
//! to [`MAX_CLIENTS`] idle connections hold up nothing, and beyond that a new one closes
//! the one silent longest. Complete requests are answered on threads of their own.
//!
//! The client treats silence as failure: a request that got no reply (the connection
//! closed, or nothing within its timeout) is an error, never a quiet success.

pub mod command;

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{channel, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant};

use thiserror::Error;

use command::{Command, Incoming, Origin, Reply};

/// Longest request line accepted, bytes.
const MAX_LINE: usize = 4096;
/// A client has this long from its connection to send its request.
const READ_TIMEOUT: Duration = Duration::from_secs(2);
/// Connections whose request is being read at once (an idle one costs a descriptor, not
/// a thread); a new one beyond closes the one that has been silent longest.
const MAX_CLIENTS: usize = 256;
/// Requests being answered at once; more are told the monitor is busy.
const MAX_ANSWERING: usize = 16;
/// How long the monitor has to answer a request.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a client waits for a reply (the monitor's own limit, and some margin).
const CLIENT_TIMEOUT: Duration = Duration::from_secs(8);

#[derive(Debug, Error)]
pub enum ControlError {
    #[error("hunch is not running (no socket at {0}); start it with `hunch run` or `systemctl --user start hunch`")]
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

/// The control socket's path in the runtime directory.
pub fn socket_path() -> Result<PathBuf, ControlError> {
    Ok(crate::support::paths::runtime_dir()?.join("control.sock"))
}

/// Held for the life of the monitor; released by the OS even on SIGKILL.
pub struct InstanceLock {
    _file: std::fs::File,
}

/// Takes the per-user lock in `dir`, or says another monitor holds it.
pub fn lock(dir: &Path) -> Result<InstanceLock, ControlError> {
    use std::os::unix::fs::OpenOptionsExt;
    crate::support::paths::create_private_dir(dir).map_err(|e| ControlError::Io {
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

/// A connection whose request is still being read.
struct Pending {
    stream: UnixStream,
    accepted: Instant,
    line: Vec<u8>,
}

/// Listens on `path` (replacing a stale socket; call with the lock held) and forwards
/// each request to `commands` from a background thread.
pub fn serve(path: &Path, commands: Sender<Incoming>) -> Result<(), ControlError> {
    use std::os::unix::fs::PermissionsExt;
    let io = |e: std::io::Error| ControlError::Io {
        path: path.into(),
        source: e,
    };
    let _ = std::fs::remove_file(path);
    let listener = UnixListener::bind(path).map_err(io)?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(io)?;
    listener.set_nonblocking(true).map_err(io)?;
    std::thread::Builder::new()
        .name("hunch-control".into())
        .spawn(move || read_loop(listener, commands))
        .map_err(io)?;
    Ok(())
}

/// One thread reads every connection's request as it arrives (an idle connection costs a
/// descriptor, not a thread); each complete request is answered on a thread of its own,
/// at most [`MAX_ANSWERING`] at once.
fn read_loop(listener: UnixListener, commands: Sender<Incoming>) {
    use std::os::fd::AsRawFd;
    let mut pending: Vec<Pending> = Vec::new();
    let answering = Arc::new(AtomicUsize::new(0));
    loop {
        let now = Instant::now();
        // Requests that did not arrive in time are answered so, and closed.
        pending.retain(|c| {
            let late = now >= c.accepted + READ_TIMEOUT;
            if late {
                let _ = write_reply(
                    &c.stream,
                    &Reply::Error {
                        message: format!("no complete request within {} s", READ_TIMEOUT.as_secs()),
                    },
                );
            }
            !late
        });
        let wait = pending
            .iter()
            .map(|c| (c.accepted + READ_TIMEOUT).saturating_duration_since(now))
            .min()
            .map_or(-1, |d| d.as_millis().min(i32::MAX as u128) as i32 + 1);
        let mut fds: Vec<libc::pollfd> = std::iter::once(listener.as_raw_fd())
            .chain(pending.iter().map(|c| c.stream.as_raw_fd()))
            .map(|fd| libc::pollfd {
                fd,
                events: libc::POLLIN,
                revents: 0,
            })
            .collect();
        // SAFETY: a valid array of pollfd for descriptors this thread owns.
        let n = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, wait) };
        if n < 0 {
            if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            tracing::warn!("control socket: poll failed; no more commands are taken");
            return;
        }
        // Read what arrived; complete requests leave `pending`.
        let mut keep = Vec::with_capacity(pending.len());
        for (mut c, fd) in pending.drain(..).zip(&fds[1..]) {
            if fd.revents == 0 {
                keep.push(c);
                continue;
            }
            match read_some(&mut c) {
                Progress::More => keep.push(c),
                Progress::Closed => {}
                Progress::Done(request) => {
                    dispatch(c.stream, request, &commands, &answering);
                }
            }
        }
        pending = keep;
        if fds[0].revents != 0 {
            while let Ok((stream, _)) = listener.accept() {
                if stream.set_nonblocking(true).is_err() {
                    continue;
                }
                if pending.len() >= MAX_CLIENTS {
                    // Room for the newcomer: the connection that has been silent longest.
                    if let Some(i) = pending
                        .iter()
                        .enumerate()
                        .filter(|(_, c)| c.line.is_empty())
                        .min_by_key(|(_, c)| c.accepted)
                        .map(|(i, _)| i)
                    {
                        pending.swap_remove(i);
                    } else {
                        let _ = write_reply(
                            &stream,
                            &Reply::Error {
                                message: "the monitor is busy; try again".into(),
                            },
                        );
                        continue;
                    }
                }
                pending.push(Pending {
                    stream,
                    accepted: Instant::now(),
                    line: Vec::new(),
                });
            }
        }
    }
}

enum Progress {
    More,
    Closed,
    Done(Result<Command, String>),
}

/// Reads what is waiting on `c` without blocking.
fn read_some(c: &mut Pending) -> Progress {
    let mut buf = [0u8; 1024];
    loop {
        match (&c.stream).read(&mut buf) {
            Ok(0) if c.line.is_empty() => return Progress::Closed,
            // The client closed its side after the request, without a newline.
            Ok(0) => return Progress::Done(parse_request(&c.line)),
            Ok(n) => {
                let got = &buf[..n];
                if let Some(end) = got.iter().position(|b| *b == b'\n') {
                    c.line.extend_from_slice(&got[..end]);
                    return Progress::Done(parse_request(&c.line));
                }
                c.line.extend_from_slice(got);
                if c.line.len() > MAX_LINE {
                    return Progress::Done(Err(format!("request longer than {MAX_LINE} bytes")));
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return Progress::More,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return Progress::Closed,
        }
    }
}

fn parse_request(line: &[u8]) -> Result<Command, String> {
    if line.len() > MAX_LINE {
        return Err(format!("request longer than {MAX_LINE} bytes"));
    }
    let text = std::str::from_utf8(line).map_err(|_| "the request is not UTF-8".to_string())?;
    serde_json::from_str::<Command>(text.trim()).map_err(|e| format!("bad request: {e}"))
}

/// Answers a complete request on a thread of its own (the monitor may take a moment).
fn dispatch(
    stream: UnixStream,
    request: Result<Command, String>,
    commands: &Sender<Incoming>,
    answering: &Arc<AtomicUsize>,
) {
    if stream.set_nonblocking(false).is_err() {
        return;
    }
    if answering.fetch_add(1, Ordering::SeqCst) >= MAX_ANSWERING {
        answering.fetch_sub(1, Ordering::SeqCst);
        let _ = write_reply(
            &stream,
            &Reply::Error {
                message: "the monitor is busy; try again".into(),
            },
        );
        return;
    }
    let (tx, counter) = (commands.clone(), Arc::clone(answering));
    let spawned = std::thread::Builder::new()
        .name("hunch-control-answer".into())
        .spawn(move || {
            let _ = answer(&stream, request, &tx);
            counter.fetch_sub(1, Ordering::SeqCst);
        });
    if spawned.is_err() {
        answering.fetch_sub(1, Ordering::SeqCst);
    }
}

fn write_reply(mut stream: &UnixStream, reply: &Reply) -> std::io::Result<()> {
    let text = serde_json::to_string(reply).unwrap_or_else(|_| {
        r#"{"reply":"error","message":"reply could not be encoded"}"#.to_string()
    });
    writeln!(stream, "{text}")
}

fn answer(
    stream: &UnixStream,
    request: Result<Command, String>,
    tx: &Sender<Incoming>,
) -> std::io::Result<()> {
    stream.set_write_timeout(Some(READ_TIMEOUT))?;
    let reply = match request {
        Ok(command) => {
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
        Err(message) => Reply::Error { message },
    };
    write_reply(stream, &reply)
}

/// Sends one command to the running monitor and waits for its reply. No reply — the
/// connection closed, or nothing within [`CLIENT_TIMEOUT`] — is
/// [`ControlError::NoAnswer`], never success.
pub fn request(path: &Path, command: &Command) -> Result<Reply, ControlError> {
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
    stream.set_read_timeout(Some(CLIENT_TIMEOUT)).map_err(io)?;
    stream.set_write_timeout(Some(CLIENT_TIMEOUT)).map_err(io)?;
    let mut w = &stream;
    let text = serde_json::to_string(command).map_err(|e| ControlError::BadReply(e.to_string()))?;
    // A monitor that refused the connection ("busy") may have written its reply and closed
    // before the request went out: the write then fails, but the reply is still there to
    // be read, so read in any case.
    let sent = writeln!(w, "{text}");
    let mut line = String::new();
    let read = BufReader::new(&stream).read_line(&mut line);
    if !line.trim().is_empty() {
        return serde_json::from_str(line.trim()).map_err(|_| ControlError::BadReply(line));
    }
    Err(ControlError::NoAnswer(match (sent, read) {
        (Err(e), _) => format!("the request could not be sent: {e}"),
        (Ok(()), Ok(_)) => "it closed the connection without a reply".into(),
        (Ok(()), Err(e))
            if matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ) =>
        {
            format!("no reply within {} s", CLIENT_TIMEOUT.as_secs())
        }
        (Ok(()), Err(e)) => format!("the reply could not be read: {e}"),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use command::PauseFor;

    #[test]
    fn a_request_the_monitor_lets_go_of_is_answered_stopping_not_late() {
        let dir = std::env::temp_dir().join(format!("hunch-control-stop-{}", std::process::id()));
        let _l = lock(&dir).unwrap();
        let sock = dir.join("control.sock");
        let (tx, rx) = channel();
        serve(&sock, tx).unwrap();
        // A monitor on its way out: it takes the request and drops it unanswered.
        std::thread::spawn(move || {
            let incoming: Incoming = rx.recv().unwrap();
            drop(incoming);
        });
        let t = Instant::now();
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
        let sock = dir.join("control.sock");
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
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&sock).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let gone = dir.join("nothing.sock");
        assert!(matches!(
            request(&gone, &Command::Status),
            Err(ControlError::NotRunning(_))
        ));
    }
}
