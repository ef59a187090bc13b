//! The screen lock and sleep on Windows: a message-only window of hunch's own hears
//! `WM_WTSSESSION_CHANGE` (the session locked or unlocked, after
//! `WTSRegisterSessionNotification`) and `WM_POWERBROADCAST` (suspending, resuming), on a
//! thread of its own, and hands them to the daemon as [`SessionEvent`]s.

use std::sync::mpsc::{channel, Receiver, Sender};

use windows_sys::Win32::Foundation::{HWND, LPARAM, LRESULT, WPARAM};
use windows_sys::Win32::System::LibraryLoader::GetModuleHandleW;
use windows_sys::Win32::System::RemoteDesktop::{
    WTSRegisterSessionNotification, NOTIFY_FOR_THIS_SESSION,
};
use windows_sys::Win32::UI::WindowsAndMessaging::{
    CreateWindowExW, DefWindowProcW, DispatchMessageW, GetMessageW, GetWindowLongPtrW,
    RegisterClassW, SetWindowLongPtrW, GWLP_USERDATA, HWND_MESSAGE, MSG, PBT_APMRESUMEAUTOMATIC,
    PBT_APMRESUMESUSPEND, PBT_APMSUSPEND, WM_POWERBROADCAST, WM_WTSSESSION_CHANGE, WNDCLASSW,
    WTS_SESSION_LOCK, WTS_SESSION_UNLOCK,
};

use crate::daemon::session::{NoSession, SessionEvent, SessionWatch};

/// The window class of hunch's session window (tests find the window by it).
const CLASS: &str = "hunch-session";

/// `s` as a NUL-terminated UTF-16 string, as the wide (W) Windows functions take it.
pub(crate) fn wide(s: &str) -> Vec<u16> {
    s.encode_utf16().chain(std::iter::once(0)).collect()
}

/// What a message means for the session, if anything.
fn event_of(msg: u32, wparam: usize) -> Option<SessionEvent> {
    match (msg, wparam as u32) {
        (WM_WTSSESSION_CHANGE, WTS_SESSION_LOCK) => Some(SessionEvent::Locked),
        (WM_WTSSESSION_CHANGE, WTS_SESSION_UNLOCK) => Some(SessionEvent::Unlocked),
        (WM_POWERBROADCAST, PBT_APMSUSPEND) => Some(SessionEvent::Sleeping),
        (WM_POWERBROADCAST, PBT_APMRESUMEAUTOMATIC | PBT_APMRESUMESUSPEND) => {
            Some(SessionEvent::Woke)
        }
        _ => None,
    }
}

unsafe extern "system" fn window_proc(
    hwnd: HWND,
    msg: u32,
    wparam: WPARAM,
    lparam: LPARAM,
) -> LRESULT {
    if let Some(event) = event_of(msg, wparam) {
        // SAFETY: the pointer stored at creation, a Sender that lives as long as the
        // window's thread.
        let tx = unsafe { GetWindowLongPtrW(hwnd, GWLP_USERDATA) } as *const Sender<SessionEvent>;
        if !tx.is_null() {
            let _ = unsafe { &*tx }.send(event);
        }
    }
    // SAFETY: the default handling for everything else (and these, after us).
    unsafe { DefWindowProcW(hwnd, msg, wparam, lparam) }
}

/// The session as Windows' messages tell it.
pub struct WindowsSession {
    rx: Receiver<SessionEvent>,
}

impl SessionWatch for WindowsSession {
    fn poll(&mut self) -> Option<SessionEvent> {
        self.rx.try_recv().ok()
    }
}

impl WindowsSession {
    /// Starts the window's thread; `None` (logged) when the window cannot be made.
    pub fn start() -> Option<WindowsSession> {
        let (tx, rx) = channel();
        let (ready_tx, ready_rx) = channel();
        std::thread::Builder::new()
            .name("hunch-session".into())
            .spawn(move || message_loop(tx, ready_tx))
            .ok()?;
        match ready_rx.recv() {
            Ok(true) => Some(WindowsSession { rx }),
            _ => None,
        }
    }
}

fn message_loop(tx: Sender<SessionEvent>, ready: Sender<bool>) {
    let class = wide(CLASS);
    // The Sender lives on this thread's stack for as long as the loop runs.
    let tx = Box::new(tx);
    // SAFETY: a class and a message-only window of this thread, with a procedure that
    // reads the pointer stored in its user data.
    let hwnd = unsafe {
        let instance = GetModuleHandleW(std::ptr::null());
        let wc = WNDCLASSW {
            lpfnWndProc: Some(window_proc),
            hInstance: instance,
            lpszClassName: class.as_ptr(),
            ..std::mem::zeroed()
        };
        RegisterClassW(&wc);
        let hwnd = CreateWindowExW(
            0,
            class.as_ptr(),
            class.as_ptr(),
            0,
            0,
            0,
            0,
            0,
            HWND_MESSAGE,
            std::ptr::null_mut(),
            instance,
            std::ptr::null(),
        );
        if !hwnd.is_null() {
            SetWindowLongPtrW(
                hwnd,
                GWLP_USERDATA,
                &*tx as *const Sender<SessionEvent> as isize,
            );
            // Power messages come to every top-level and message-only window; session
            // changes only after this.
            if WTSRegisterSessionNotification(hwnd, NOTIFY_FOR_THIS_SESSION) == 0 {
                tracing::info!(
                    "Windows will not tell hunch of the screen lock (no session notifications)"
                );
            }
        }
        hwnd
    };
    let _ = ready.send(!hwnd.is_null());
    if hwnd.is_null() {
        return;
    }
    // SAFETY: an ordinary message loop on the window's own thread.
    unsafe {
        let mut msg: MSG = std::mem::zeroed();
        while GetMessageW(&mut msg, std::ptr::null_mut(), 0, 0) > 0 {
            DispatchMessageW(&msg);
        }
    }
    drop(tx);
}

/// The session watch on Windows; without a window, none (hunch keeps monitoring).
pub fn session_watch() -> Box<dyn SessionWatch> {
    match WindowsSession::start() {
        Some(w) => Box::new(w),
        None => {
            tracing::info!(
                "hunch cannot follow the screen lock or sleep here; it keeps monitoring"
            );
            Box::new(NoSession)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use windows_sys::Win32::UI::WindowsAndMessaging::{FindWindowExW, PostMessageW};

    /// Wine cannot lock a session or suspend the machine, so the messages Windows sends
    /// then are posted to hunch's session window here; everything from the message loop
    /// on is the real code path.
    #[test]
    fn the_lock_and_sleep_messages_windows_sends_become_session_events() {
        let mut w = WindowsSession::start().expect("the session window");
        let class = wide(CLASS);
        // SAFETY: finding a message-only window by its class.
        let hwnd = unsafe {
            FindWindowExW(
                HWND_MESSAGE,
                std::ptr::null_mut(),
                class.as_ptr(),
                std::ptr::null(),
            )
        };
        assert!(!hwnd.is_null(), "no session window");
        let sent = [
            (WM_WTSSESSION_CHANGE, WTS_SESSION_LOCK),
            (WM_WTSSESSION_CHANGE, WTS_SESSION_UNLOCK),
            (WM_POWERBROADCAST, PBT_APMSUSPEND),
            (WM_POWERBROADCAST, PBT_APMRESUMEAUTOMATIC),
        ];
        for (msg, wparam) in sent {
            // SAFETY: posting to a window of this process.
            assert_ne!(unsafe { PostMessageW(hwnd, msg, wparam as usize, 0) }, 0);
        }
        let mut got = Vec::new();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while got.len() < 4 && std::time::Instant::now() < deadline {
            match w.poll() {
                Some(e) => got.push(e),
                None => std::thread::sleep(std::time::Duration::from_millis(10)),
            }
        }
        assert_eq!(
            got,
            [
                SessionEvent::Locked,
                SessionEvent::Unlocked,
                SessionEvent::Sleeping,
                SessionEvent::Woke
            ]
        );
    }
}
