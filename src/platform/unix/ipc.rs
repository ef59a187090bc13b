//! The control channel on Unix: a Unix socket in the runtime directory, mode 0600.
//!
//! One thread reads every connection's request as it arrives, with a line limit and a
//! deadline that starts when the connection is accepted, so a slow or hostile client
//! cannot grow the monitor's memory, and an idle one costs a descriptor, not a thread: up
//! to [`Limits::max_pending`] idle connections hold up nothing, and beyond that a new one
//! closes the one silent longest. Complete requests are answered on threads of their own,
//! at most [`Limits::max_answering`] at once.

use std::io::{BufRead, BufReader, Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::control::{Exchange, Handler, Limits, Request};

/// The socket in the runtime directory.
pub fn endpoint(runtime_dir: &Path) -> PathBuf {
    runtime_dir.join("control.sock")
}

/// Removes the socket (at the monitor's exit).
pub fn remove(endpoint: &Path) {
    let _ = std::fs::remove_file(endpoint);
}

/// Listens on `endpoint` (replacing a stale socket; call with the lock held) and hands
/// each request to `handler` on a thread of its own; its answer is written back.
pub fn serve(endpoint: &Path, limits: Limits, handler: Handler) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::remove_file(endpoint);
    let listener = UnixListener::bind(endpoint)?;
    std::fs::set_permissions(endpoint, std::fs::Permissions::from_mode(0o600))?;
    listener.set_nonblocking(true)?;
    std::thread::Builder::new()
        .name("hunch-control".into())
        .spawn(move || read_loop(listener, limits, handler))?;
    Ok(())
}

/// A connection whose request is still being read.
struct Pending {
    stream: UnixStream,
    accepted: Instant,
    line: Vec<u8>,
}

fn read_loop(listener: UnixListener, limits: Limits, handler: Handler) {
    let mut pending: Vec<Pending> = Vec::new();
    let answering = Arc::new(AtomicUsize::new(0));
    loop {
        let now = Instant::now();
        // Requests that did not arrive in time are answered so, and closed.
        pending.retain(|c| {
            let late = now >= c.accepted + limits.read_timeout;
            if late {
                let _ = write_line(&c.stream, &(handler)(Request::Late));
            }
            !late
        });
        let wait = pending
            .iter()
            .map(|c| (c.accepted + limits.read_timeout).saturating_duration_since(now))
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
            match read_some(&mut c, limits.max_line) {
                Progress::More => keep.push(c),
                Progress::Closed => {}
                Progress::Done(request) => {
                    dispatch(c.stream, request, &handler, &answering, &limits);
                }
            }
        }
        pending = keep;
        if fds[0].revents != 0 {
            while let Ok((stream, _)) = listener.accept() {
                if stream.set_nonblocking(true).is_err() {
                    continue;
                }
                if pending.len() >= limits.max_pending {
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
                        let _ = write_line(&stream, &(handler)(Request::Busy));
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
    Done(Request),
}

/// Reads what is waiting on `c` without blocking.
fn read_some(c: &mut Pending, max_line: usize) -> Progress {
    let mut buf = [0u8; 1024];
    loop {
        match (&c.stream).read(&mut buf) {
            Ok(0) if c.line.is_empty() => return Progress::Closed,
            // The client closed its side after the request, without a newline.
            Ok(0) => return Progress::Done(Request::Line(std::mem::take(&mut c.line))),
            Ok(n) => {
                let got = &buf[..n];
                if let Some(end) = got.iter().position(|b| *b == b'\n') {
                    c.line.extend_from_slice(&got[..end]);
                    return Progress::Done(Request::Line(std::mem::take(&mut c.line)));
                }
                c.line.extend_from_slice(got);
                if c.line.len() > max_line {
                    return Progress::Done(Request::TooLong);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return Progress::More,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return Progress::Closed,
        }
    }
}

/// Answers a complete request on a thread of its own (the monitor may take a moment).
fn dispatch(
    stream: UnixStream,
    request: Request,
    handler: &Handler,
    answering: &Arc<AtomicUsize>,
    limits: &Limits,
) {
    if stream.set_nonblocking(false).is_err() {
        return;
    }
    if answering.fetch_add(1, Ordering::SeqCst) >= limits.max_answering {
        answering.fetch_sub(1, Ordering::SeqCst);
        let _ = write_line(&stream, &(handler)(Request::Busy));
        return;
    }
    let (handler, counter, timeout) = (
        Arc::clone(handler),
        Arc::clone(answering),
        limits.read_timeout,
    );
    let spawned = std::thread::Builder::new()
        .name("hunch-control-answer".into())
        .spawn(move || {
            let reply = (handler)(request);
            let _ = stream
                .set_write_timeout(Some(timeout))
                .and_then(|()| write_line(&stream, &reply));
            counter.fetch_sub(1, Ordering::SeqCst);
        });
    if spawned.is_err() {
        answering.fetch_sub(1, Ordering::SeqCst);
    }
}

fn write_line(mut stream: &UnixStream, line: &str) -> std::io::Result<()> {
    writeln!(stream, "{line}")
}

/// Sends one request line and reads one reply line, within `timeout`.
pub fn exchange(endpoint: &Path, line: &str, timeout: Duration) -> Exchange {
    let stream = match UnixStream::connect(endpoint) {
        Ok(s) => s,
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::ConnectionRefused
            ) =>
        {
            return Exchange::NotRunning
        }
        Err(e) => return Exchange::Failed(e),
    };
    if let Err(e) = stream
        .set_read_timeout(Some(timeout))
        .and_then(|()| stream.set_write_timeout(Some(timeout)))
    {
        return Exchange::Failed(e);
    }
    // A monitor that refused the connection ("busy") may have written its reply and closed
    // before the request went out: the write then fails, but the reply is still there to
    // be read, so read in any case.
    let sent = write_line(&stream, line);
    let mut reply = String::new();
    let read = BufReader::new(&stream).read_line(&mut reply);
    if !reply.trim().is_empty() {
        return Exchange::Reply(reply);
    }
    Exchange::NoAnswer(match (sent, read) {
        (Err(e), _) => format!("the request could not be sent: {e}"),
        (Ok(()), Ok(_)) => "it closed the connection without a reply".into(),
        (Ok(()), Err(e))
            if matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ) =>
        {
            format!("no reply within {} s", timeout.as_secs())
        }
        (Ok(()), Err(e)) => format!("the reply could not be read: {e}"),
    })
}
