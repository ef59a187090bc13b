//! The control channel on Windows: a named pipe, `\\.\pipe\hunch-<hash>` (the hash of
//! the runtime directory, so that each user, and each test's private runtime directory,
//! has a pipe of its own).
//!
//! Who may use it: the pipe's access list grants the current user alone (`D:P(A;;GA;;;
//! <the user's SID>)`, protected from inheritance), and remote clients are refused
//! (`PIPE_REJECT_REMOTE_CLIENTS`). The same rules as the Unix socket's: a line limit, a
//! deadline from the connection, busy beyond a number of clients at once.

use std::ffi::OsStr;
use std::fs::File;
use std::io::{Read, Write};
use std::os::windows::ffi::OsStrExt;
use std::os::windows::io::{AsRawHandle, FromRawHandle};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use windows_sys::Win32::Foundation::{
    GetLastError, LocalFree, ERROR_FILE_NOT_FOUND, ERROR_PIPE_BUSY, ERROR_PIPE_CONNECTED,
    GENERIC_READ, GENERIC_WRITE, INVALID_HANDLE_VALUE,
};
use windows_sys::Win32::Security::Authorization::{
    ConvertStringSecurityDescriptorToSecurityDescriptorW, SDDL_REVISION_1,
};
use windows_sys::Win32::Security::{PSECURITY_DESCRIPTOR, SECURITY_ATTRIBUTES};
use windows_sys::Win32::Storage::FileSystem::{
    CreateFileW, FlushFileBuffers, OPEN_EXISTING, PIPE_ACCESS_DUPLEX,
};
use windows_sys::Win32::System::Pipes::{
    ConnectNamedPipe, CreateNamedPipeW, DisconnectNamedPipe, PeekNamedPipe, WaitNamedPipeW,
    PIPE_READMODE_BYTE, PIPE_REJECT_REMOTE_CLIENTS, PIPE_TYPE_BYTE, PIPE_UNLIMITED_INSTANCES,
    PIPE_WAIT,
};

use crate::control::{Exchange, Handler, Limits, Request};

fn wide(s: &OsStr) -> Vec<u16> {
    s.encode_wide().chain(std::iter::once(0)).collect()
}

/// The pipe named after the runtime directory (FNV-1a of its path, case folded as
/// Windows compares paths).
pub fn endpoint(runtime_dir: &Path) -> PathBuf {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in runtime_dir.to_string_lossy().to_lowercase().bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    PathBuf::from(format!(r"\\.\pipe\hunch-{h:016x}"))
}

/// A pipe disappears with its last handle: nothing to remove.
pub fn remove(_endpoint: &Path) {}

/// A security descriptor granting the current user alone, in SDDL, from the process
/// token's user SID (`USERNAME` is not trusted for this).
fn current_user_only() -> Option<PSECURITY_DESCRIPTOR> {
    let sid = current_user_sid()?;
    let sddl = wide(OsStr::new(&format!("D:P(A;;GA;;;{sid})")));
    let mut sd: PSECURITY_DESCRIPTOR = std::ptr::null_mut();
    // SAFETY: a NUL-terminated string and an out pointer; the descriptor is freed with
    // LocalFree when the server ends (never: it lives as long as the process).
    let ok = unsafe {
        ConvertStringSecurityDescriptorToSecurityDescriptorW(
            sddl.as_ptr(),
            SDDL_REVISION_1,
            &mut sd,
            std::ptr::null_mut(),
        )
    };
    (ok != 0).then_some(sd)
}

/// The process's user SID as a string (`S-1-5-21-…`).
fn current_user_sid() -> Option<String> {
    use windows_sys::Win32::Foundation::{CloseHandle, HANDLE};
    use windows_sys::Win32::Security::Authorization::ConvertSidToStringSidW;
    use windows_sys::Win32::Security::{GetTokenInformation, TokenUser, TOKEN_QUERY, TOKEN_USER};
    use windows_sys::Win32::System::Threading::{GetCurrentProcess, OpenProcessToken};
    // SAFETY: the process's own token, queried into a buffer of the size it asks for.
    unsafe {
        let mut token: HANDLE = std::ptr::null_mut();
        if OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &mut token) == 0 {
            return None;
        }
        let mut size = 0u32;
        GetTokenInformation(token, TokenUser, std::ptr::null_mut(), 0, &mut size);
        let mut buf = vec![0u8; size as usize];
        let ok = GetTokenInformation(token, TokenUser, buf.as_mut_ptr().cast(), size, &mut size);
        CloseHandle(token);
        if ok == 0 {
            return None;
        }
        let user = &*(buf.as_ptr() as *const TOKEN_USER);
        let mut text: *mut u16 = std::ptr::null_mut();
        if ConvertSidToStringSidW(user.User.Sid, &mut text) == 0 {
            return None;
        }
        let len = (0..).take_while(|&i| *text.add(i) != 0).count();
        let s = String::from_utf16_lossy(std::slice::from_raw_parts(text, len));
        LocalFree(text.cast());
        Some(s)
    }
}

/// Listens at `endpoint` and hands each request to `handler` on a thread of its own.
pub fn serve(endpoint: &Path, limits: Limits, handler: Handler) -> std::io::Result<()> {
    let name = wide(endpoint.as_os_str());
    let sd = current_user_only();
    if sd.is_none() {
        tracing::warn!("the control pipe keeps Windows' default access list (the user's own could not be built)");
    }
    let sd_addr = sd.map_or(0usize, |p| p as usize);
    // The first instance now, so that a second monitor on the same pipe fails here.
    let first = create_instance(&name, sd_addr, true)?;
    std::thread::Builder::new()
        .name("hunch-control".into())
        .spawn(move || accept_loop(first, name, sd_addr, limits, handler))?;
    Ok(())
}

fn create_instance(name: &[u16], sd: usize, first: bool) -> std::io::Result<File> {
    let attrs = SECURITY_ATTRIBUTES {
        nLength: std::mem::size_of::<SECURITY_ATTRIBUTES>() as u32,
        lpSecurityDescriptor: sd as PSECURITY_DESCRIPTOR,
        bInheritHandle: 0,
    };
    let open_mode = PIPE_ACCESS_DUPLEX
        | if first {
            windows_sys::Win32::Storage::FileSystem::FILE_FLAG_FIRST_PIPE_INSTANCE
        } else {
            0
        };
    // SAFETY: a NUL-terminated name and attributes that live across the call.
    let h = unsafe {
        CreateNamedPipeW(
            name.as_ptr(),
            open_mode,
            PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS,
            PIPE_UNLIMITED_INSTANCES,
            4096,
            4096,
            0,
            if sd == 0 { std::ptr::null() } else { &attrs },
        )
    };
    if h == INVALID_HANDLE_VALUE {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: a handle this process owns and passes on.
    Ok(unsafe { File::from_raw_handle(h) })
}

fn accept_loop(first: File, name: Vec<u16>, sd: usize, limits: Limits, handler: Handler) {
    let serving = Arc::new(AtomicUsize::new(0));
    let mut next = Some(first);
    loop {
        let pipe = match next.take() {
            Some(p) => p,
            None => match create_instance(&name, sd, false) {
                Ok(p) => p,
                Err(e) => {
                    tracing::warn!("control pipe: {e}; no more commands are taken");
                    return;
                }
            },
        };
        // SAFETY: the pipe's own handle; blocks until a client connects.
        let connected = unsafe { ConnectNamedPipe(pipe.as_raw_handle(), std::ptr::null_mut()) };
        if connected == 0 && unsafe { GetLastError() } != ERROR_PIPE_CONNECTED {
            continue;
        }
        if serving.fetch_add(1, Ordering::SeqCst) >= limits.max_pending {
            serving.fetch_sub(1, Ordering::SeqCst);
            let _ = finish(&pipe, &(handler)(Request::Busy));
            continue;
        }
        let (handler, count) = (Arc::clone(&handler), Arc::clone(&serving));
        let spawned = std::thread::Builder::new()
            .name("hunch-control-answer".into())
            .spawn(move || {
                let request = read_request(&pipe, &limits);
                if let Some(request) = request {
                    let _ = finish(&pipe, &(handler)(request));
                } else {
                    // SAFETY: the pipe's own handle.
                    unsafe { DisconnectNamedPipe(pipe.as_raw_handle()) };
                }
                count.fetch_sub(1, Ordering::SeqCst);
            });
        if spawned.is_err() {
            serving.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

/// Bytes waiting on a pipe, without reading them; `None` when the other side is gone.
fn available(pipe: &File) -> Option<u32> {
    let mut avail = 0u32;
    // SAFETY: the pipe's own handle, and an out count.
    let ok = unsafe {
        PeekNamedPipe(
            pipe.as_raw_handle(),
            std::ptr::null_mut(),
            0,
            std::ptr::null_mut(),
            &mut avail,
            std::ptr::null_mut(),
        )
    };
    (ok != 0).then_some(avail)
}

/// Reads one request line within the deadline; `None` when the client went away.
fn read_request(mut pipe: &File, limits: &Limits) -> Option<Request> {
    let deadline = Instant::now() + limits.read_timeout;
    let mut line = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        match available(pipe) {
            None if line.is_empty() => return None,
            None => return Some(Request::Line(line)),
            Some(0) => {
                if Instant::now() >= deadline {
                    return Some(Request::Late);
                }
                std::thread::sleep(Duration::from_millis(5));
            }
            Some(n) => {
                let want = (n as usize).min(buf.len());
                let got = pipe.read(&mut buf[..want]).ok()?;
                if let Some(end) = buf[..got].iter().position(|b| *b == b'\n') {
                    line.extend_from_slice(&buf[..end]);
                    return Some(Request::Line(line));
                }
                line.extend_from_slice(&buf[..got]);
                if line.len() > limits.max_line {
                    return Some(Request::TooLong);
                }
            }
        }
    }
}

/// Writes the reply, waits for the client to have read it, and lets go of the client.
fn finish(mut pipe: &File, reply: &str) -> std::io::Result<()> {
    let written = writeln!(pipe, "{reply}");
    // SAFETY: the pipe's own handle.
    unsafe {
        FlushFileBuffers(pipe.as_raw_handle());
        DisconnectNamedPipe(pipe.as_raw_handle());
    }
    written
}

/// Sends one request line and reads one reply line, within `timeout`.
pub fn exchange(endpoint: &Path, line: &str, timeout: Duration) -> Exchange {
    let name = wide(endpoint.as_os_str());
    let deadline = Instant::now() + timeout;
    let pipe = loop {
        // SAFETY: a NUL-terminated name; the handle is owned by the File made from it.
        let h = unsafe {
            CreateFileW(
                name.as_ptr(),
                GENERIC_READ | GENERIC_WRITE,
                0,
                std::ptr::null(),
                OPEN_EXISTING,
                0,
                std::ptr::null_mut(),
            )
        };
        if h != INVALID_HANDLE_VALUE {
            // SAFETY: as above.
            break unsafe { File::from_raw_handle(h) };
        }
        match unsafe { GetLastError() } {
            ERROR_FILE_NOT_FOUND => return Exchange::NotRunning,
            ERROR_PIPE_BUSY if Instant::now() < deadline => {
                // Every instance is taken: wait for one to be free.
                let left = deadline.saturating_duration_since(Instant::now());
                // SAFETY: as above.
                unsafe { WaitNamedPipeW(name.as_ptr(), left.as_millis() as u32) };
            }
            ERROR_PIPE_BUSY => {
                return Exchange::NoAnswer(format!(
                    "no free connection within {} s",
                    timeout.as_secs()
                ))
            }
            _ => return Exchange::Failed(std::io::Error::last_os_error()),
        }
    };
    let sent = writeln!(&pipe, "{line}");
    let mut reply = Vec::new();
    let mut buf = [0u8; 1024];
    let read_error = loop {
        match available(&pipe) {
            None => break None,
            Some(0) if Instant::now() >= deadline => {
                break Some(format!("no reply within {} s", timeout.as_secs()))
            }
            Some(0) => std::thread::sleep(Duration::from_millis(5)),
            Some(n) => {
                let want = (n as usize).min(buf.len());
                match (&pipe).read(&mut buf[..want]) {
                    Ok(got) => {
                        reply.extend_from_slice(&buf[..got]);
                        if reply.contains(&b'\n') {
                            break None;
                        }
                    }
                    Err(e) => break Some(format!("the reply could not be read: {e}")),
                }
            }
        }
    };
    let text = String::from_utf8_lossy(&reply).into_owned();
    if !text.trim().is_empty() {
        return Exchange::Reply(text);
    }
    Exchange::NoAnswer(match (sent, read_error) {
        (Err(e), _) => format!("the request could not be sent: {e}"),
        (Ok(()), Some(why)) => why,
        (Ok(()), None) => "it closed the connection without a reply".into(),
    })
}
