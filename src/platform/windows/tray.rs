//! The tray on Windows: a notification-area icon (`Shell_NotifyIconW`) owned by a hidden
//! window of hunch's own, on a thread of its own with its message loop. The icon, its
//! tooltip and its menu are drawn from the tray's view ([`crate::tray`]); a click opens
//! the menu, and a choice becomes the same command the Linux tray sends.
//!
//! Without a taskbar (Explorer not started yet, or restarted) the icon is added again
//! when Windows broadcasts "TaskbarCreated".

use std::cell::RefCell;
use std::sync::mpsc::{channel, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use windows_sys::Win32::Foundation::{HWND, LPARAM, LRESULT, POINT, WPARAM};
use windows_sys::Win32::Graphics::Gdi::{CreateBitmap, DeleteObject};
use windows_sys::Win32::System::LibraryLoader::GetModuleHandleW;
use windows_sys::Win32::UI::Shell::{
    Shell_NotifyIconW, NIF_ICON, NIF_MESSAGE, NIF_TIP, NIM_ADD, NIM_DELETE, NIM_MODIFY,
    NOTIFYICONDATAW,
};
use windows_sys::Win32::UI::WindowsAndMessaging::{
    AppendMenuW, CreateIconIndirect, CreatePopupMenu, CreateWindowExW, DefWindowProcW, DestroyIcon,
    DestroyMenu, DestroyWindow, DispatchMessageW, GetCursorPos, GetMessageW, GetSystemMetrics,
    PostMessageW, PostQuitMessage, RegisterClassW, RegisterWindowMessageW, SetForegroundWindow,
    TrackPopupMenu, HICON, HMENU, HWND_MESSAGE, ICONINFO, MF_GRAYED, MF_POPUP, MF_SEPARATOR,
    MF_STRING, MSG, SM_CXSMICON, TPM_RETURNCMD, TPM_RIGHTBUTTON, WM_APP, WM_CLOSE, WM_COMMAND,
    WM_CONTEXTMENU, WM_DESTROY, WM_LBUTTONUP, WM_NULL, WM_RBUTTONUP, WNDCLASSW, WS_OVERLAPPED,
};

use super::session::wide;
use crate::control::command::{Incoming, Status};
use crate::tray::{carry_out, face, icons, menu, tooltip, Action, Entry, Face, Nudge, TrayOptions};

/// The window class of hunch's tray window.
const CLASS: &str = "hunch-tray";
/// What the icon sends its window (clicks), and what asks the window to redraw.
const WM_TRAY: u32 = WM_APP + 1;
const WM_REDRAW: u32 = WM_APP + 2;

/// The running icon: its window (as a number: a window handle is not `Send`, a posted
/// message to it is fine from any thread) and the window's thread.
pub struct Host {
    hwnd: usize,
    status: Arc<Mutex<Option<Status>>>,
    thread: Option<JoinHandle<()>>,
}

/// What the window's procedure needs, on the window's own thread.
struct State {
    commands: Sender<Incoming>,
    nudges: Sender<Nudge>,
    options: Arc<TrayOptions>,
    status: Arc<Mutex<Option<Status>>>,
    icons: Vec<(Face, HICON)>,
    added: bool,
    taskbar_created: u32,
}

thread_local! {
    static STATE: RefCell<Option<State>> = const { RefCell::new(None) };
}

impl Host {
    /// Makes the window and adds the icon (or waits for a taskbar to add it to).
    pub fn start(
        commands: Sender<Incoming>,
        nudges: Sender<Nudge>,
        options: Arc<TrayOptions>,
    ) -> Result<Host, String> {
        let status = Arc::new(Mutex::new(None));
        let shared = Arc::clone(&status);
        let (ready_tx, ready_rx) = channel();
        let thread = std::thread::Builder::new()
            .name("hunch-tray-window".into())
            .spawn(move || {
                let state = State {
                    commands,
                    nudges,
                    options,
                    status: shared,
                    icons: Vec::new(),
                    added: false,
                    taskbar_created: 0,
                };
                window_loop(state, ready_tx)
            })
            .map_err(|e| e.to_string())?;
        match ready_rx.recv() {
            Ok(Ok(hwnd)) => Ok(Host {
                hwnd,
                status,
                thread: Some(thread),
            }),
            Ok(Err(e)) => Err(e),
            Err(_) => Err("the tray's window thread ended".into()),
        }
    }

    /// Draws `status`; false once the window is gone.
    pub fn show(&self, status: Status) -> bool {
        if let Ok(mut s) = self.status.lock() {
            *s = Some(status);
        }
        // SAFETY: posting to a window of this process; a closed window refuses it.
        unsafe { PostMessageW(self.hwnd as HWND, WM_REDRAW, 0, 0) != 0 }
    }

    /// Takes the icon away and ends the window's thread.
    pub fn shutdown(mut self) {
        // SAFETY: as above; the window removes its icon when it is destroyed.
        unsafe { PostMessageW(self.hwnd as HWND, WM_CLOSE, 0, 0) };
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn window_loop(mut state: State, ready: Sender<Result<usize, String>>) {
    let class = wide(CLASS);
    // SAFETY: a class and a hidden top-level window of this thread (top-level, not
    // message-only, so that the "TaskbarCreated" broadcast reaches it).
    let hwnd = unsafe {
        let instance = GetModuleHandleW(std::ptr::null());
        let wc = WNDCLASSW {
            lpfnWndProc: Some(window_proc),
            hInstance: instance,
            lpszClassName: class.as_ptr(),
            ..std::mem::zeroed()
        };
        RegisterClassW(&wc);
        state.taskbar_created = RegisterWindowMessageW(wide("TaskbarCreated").as_ptr());
        let make = |parent: HWND| {
            CreateWindowExW(
                0,
                class.as_ptr(),
                class.as_ptr(),
                WS_OVERLAPPED,
                0,
                0,
                0,
                0,
                parent,
                std::ptr::null_mut(),
                instance,
                std::ptr::null(),
            )
        };
        // Where no top-level window can be made (Wine without a display), a message-only
        // one still carries the icon's clicks; it only misses "TaskbarCreated".
        let top = make(std::ptr::null_mut());
        if top.is_null() {
            make(HWND_MESSAGE)
        } else {
            top
        }
    };
    if hwnd.is_null() {
        let _ = ready.send(Err("Windows would not make the tray's window".into()));
        return;
    }
    state.icons = Face::ALL.iter().map(|f| (*f, make_icon(*f))).collect();
    STATE.with(|s| *s.borrow_mut() = Some(state));
    if !redraw(hwnd) {
        tracing::info!("no taskbar yet: the tray icon appears when there is one");
    }
    let _ = ready.send(Ok(hwnd as usize));
    // SAFETY: an ordinary message loop on the window's own thread.
    unsafe {
        let mut msg: MSG = std::mem::zeroed();
        while GetMessageW(&mut msg, std::ptr::null_mut(), 0, 0) > 0 {
            DispatchMessageW(&msg);
        }
    }
    STATE.with(|s| {
        if let Some(state) = s.borrow_mut().take() {
            for (_, icon) in state.icons {
                // SAFETY: icons this thread made, no longer shown.
                unsafe { DestroyIcon(icon) };
            }
        }
    });
}

unsafe extern "system" fn window_proc(
    hwnd: HWND,
    msg: u32,
    wparam: WPARAM,
    lparam: LPARAM,
) -> LRESULT {
    let taskbar_created = STATE.with(|s| s.borrow().as_ref().map(|s| s.taskbar_created));
    match msg {
        WM_TRAY => match lparam as u32 {
            WM_LBUTTONUP | WM_RBUTTONUP | WM_CONTEXTMENU => {
                popup(hwnd);
                return 0;
            }
            _ => {}
        },
        WM_REDRAW => {
            redraw(hwnd);
            return 0;
        }
        WM_COMMAND => {
            choose(wparam & 0xffff);
            return 0;
        }
        WM_DESTROY => {
            remove(hwnd);
            // SAFETY: ends this thread's message loop.
            unsafe { PostQuitMessage(0) };
            return 0;
        }
        WM_CLOSE => {
            // SAFETY: our own window, on its own thread.
            unsafe { DestroyWindow(hwnd) };
            return 0;
        }
        m if Some(m) == taskbar_created && m != 0 => {
            // Explorer (re)started: the icon is added anew.
            STATE.with(|s| {
                if let Some(s) = s.borrow_mut().as_mut() {
                    s.added = false
                }
            });
            redraw(hwnd);
            return 0;
        }
        _ => {}
    }
    // SAFETY: the default handling for everything else.
    unsafe { DefWindowProcW(hwnd, msg, wparam, lparam) }
}

/// The menu's choices in the order their ids are given (1, 2, …), submenus included.
fn choices(entries: &[Entry]) -> Vec<Action> {
    let mut out = Vec::new();
    for e in entries {
        match e {
            Entry::Item { action, .. } => out.push(*action),
            Entry::Submenu { entries, .. } => out.extend(choices(entries)),
            Entry::Note(_) | Entry::Separator => {}
        }
    }
    out
}

/// The status the icon shows now.
fn current() -> Option<Status> {
    STATE.with(|s| {
        s.borrow()
            .as_ref()
            .and_then(|s| s.status.lock().ok().and_then(|g| g.clone()))
    })
}

/// Carries out the choice with id `id` in the menu of the current status.
fn choose(id: usize) {
    let Some(action) = id
        .checked_sub(1)
        .and_then(|i| choices(&menu(current().as_ref())).get(i).copied())
    else {
        return;
    };
    STATE.with(|s| {
        if let Some(s) = s.borrow().as_ref() {
            carry_out(action, &s.commands, &s.nudges, &s.options);
        }
    });
}

/// Shows the menu at the pointer and carries out what is chosen.
fn popup(hwnd: HWND) {
    let entries = menu(current().as_ref());
    // SAFETY: a menu made, shown and destroyed on this thread; the window is ours.
    unsafe {
        let m = CreatePopupMenu();
        if m.is_null() {
            return;
        }
        let mut next = 1;
        fill(m, &entries, &mut next);
        let mut at = POINT { x: 0, y: 0 };
        GetCursorPos(&mut at);
        // Without this the menu does not close when the user clicks elsewhere.
        SetForegroundWindow(hwnd);
        let id = TrackPopupMenu(
            m,
            TPM_RETURNCMD | TPM_RIGHTBUTTON,
            at.x,
            at.y,
            0,
            hwnd,
            std::ptr::null(),
        );
        PostMessageW(hwnd, WM_NULL, 0, 0);
        DestroyMenu(m);
        if id > 0 {
            choose(id as usize);
        }
    }
}

/// Appends `entries` to the menu `m`, numbering the choices from `next` as
/// [`choices`] does.
///
/// SAFETY: `m` is a menu of this thread.
unsafe fn fill(m: HMENU, entries: &[Entry], next: &mut usize) {
    for e in entries {
        // SAFETY: appending to a menu of this thread, with strings that outlive the call.
        unsafe {
            match e {
                Entry::Note(text) => {
                    AppendMenuW(m, MF_STRING | MF_GRAYED, 0, wide(text).as_ptr());
                }
                Entry::Separator => {
                    AppendMenuW(m, MF_SEPARATOR, 0, std::ptr::null());
                }
                Entry::Item { label, enabled, .. } => {
                    let flags = if *enabled {
                        MF_STRING
                    } else {
                        MF_STRING | MF_GRAYED
                    };
                    AppendMenuW(m, flags, *next, wide(label).as_ptr());
                    *next += 1;
                }
                Entry::Submenu { label, entries } => {
                    let sub = CreatePopupMenu();
                    if sub.is_null() {
                        continue;
                    }
                    fill(sub, entries, next);
                    AppendMenuW(m, MF_POPUP, sub as usize, wide(label).as_ptr());
                }
            }
        }
    }
}

/// The icon's record for `Shell_NotifyIconW`: the face and tooltip of the current status.
fn record(hwnd: HWND) -> NOTIFYICONDATAW {
    let status = current();
    // SAFETY: a plain C record; every field hunch does not set is zero, as Windows wants.
    let mut nid: NOTIFYICONDATAW = unsafe { std::mem::zeroed() };
    nid.cbSize = std::mem::size_of::<NOTIFYICONDATAW>() as u32;
    nid.hWnd = hwnd;
    nid.uID = 1;
    nid.uFlags = NIF_ICON | NIF_MESSAGE | NIF_TIP;
    nid.uCallbackMessage = WM_TRAY;
    let f = face(status.as_ref());
    nid.hIcon = STATE.with(|s| {
        s.borrow()
            .as_ref()
            .and_then(|s| s.icons.iter().find(|(g, _)| *g == f).map(|(_, i)| *i))
            .unwrap_or(std::ptr::null_mut())
    });
    let (title, description) = tooltip(status.as_ref());
    let tip: Vec<u16> = format!("{title}\n{description}")
        .trim_end()
        .encode_utf16()
        .take(nid.szTip.len() - 1)
        .collect();
    nid.szTip[..tip.len()].copy_from_slice(&tip);
    nid
}

/// Adds or updates the icon; false when there is no taskbar to show it in.
fn redraw(hwnd: HWND) -> bool {
    let nid = record(hwnd);
    let added = STATE.with(|s| s.borrow().as_ref().is_some_and(|s| s.added));
    // SAFETY: a complete record for a window of this thread.
    let ok = unsafe { Shell_NotifyIconW(if added { NIM_MODIFY } else { NIM_ADD }, &nid) } != 0;
    if ok && !added {
        STATE.with(|s| {
            if let Some(s) = s.borrow_mut().as_mut() {
                s.added = true
            }
        });
    }
    ok
}

fn remove(hwnd: HWND) {
    let nid = record(hwnd);
    // SAFETY: as above; removing an icon that is not there is harmless.
    unsafe { Shell_NotifyIconW(NIM_DELETE, &nid) };
}

/// The face as a small icon: the tray's pixmap (ARGB, network order) as a 32-bit
/// top-down colour bitmap (BGRA in memory) with an empty mask, alpha giving the shape.
fn make_icon(face: Face) -> HICON {
    // SAFETY: reading a system metric.
    let n = unsafe { GetSystemMetrics(SM_CXSMICON) }.clamp(16, 64) as u32;
    let bgra: Vec<u8> = icons::pixmap(face, n)
        .chunks_exact(4)
        .flat_map(|p| [p[3], p[2], p[1], p[0]])
        .collect();
    // A monochrome mask's rows are whole 16-bit words.
    let mask = vec![0u8; n.div_ceil(16) as usize * 2 * n as usize];
    // SAFETY: bitmaps made from buffers of the sizes given, turned into an icon (which
    // copies them), then deleted.
    unsafe {
        let colour = CreateBitmap(n as i32, n as i32, 1, 32, bgra.as_ptr().cast());
        let mask = CreateBitmap(n as i32, n as i32, 1, 1, mask.as_ptr().cast());
        let info = ICONINFO {
            fIcon: 1,
            xHotspot: 0,
            yHotspot: 0,
            hbmMask: mask,
            hbmColor: colour,
        };
        let icon = CreateIconIndirect(&info);
        DeleteObject(colour);
        DeleteObject(mask);
        icon
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::control::command::{Command, Origin, PauseFor};

    fn options() -> Arc<TrayOptions> {
        let dir = std::env::temp_dir().join(format!("hunch-tray-{}", std::process::id()));
        Arc::new(TrayOptions {
            journal: dir.join("journal.sqlite"),
            page: crate::report::render::html::Context {
                tz: jiff::tz::TimeZone::UTC,
                enter_deg: 12.0,
                exit_deg: 8.0,
            },
            goal: 0.2,
            report_path: dir.join("today.html"),
            exe: std::env::current_exe().unwrap(),
        })
    }

    /// Wine has no taskbar without a display, and nobody clicks in CI: the choice is
    /// posted to hunch's tray window as the menu would send it (`WM_COMMAND` with the
    /// item's id), and everything from the message loop on is the real code path.
    #[test]
    fn a_menu_choice_reaches_the_monitor_as_its_command() {
        let (commands, from_tray) = channel();
        let (nudges, answers) = channel();
        let host = Host::start(commands, nudges, options()).expect("the tray's window");
        let all = choices(&menu(None));
        let id = 1 + all
            .iter()
            .position(|a| *a == Action::Pause(PauseFor::Seconds(1800.0)))
            .unwrap();
        // SAFETY: posting to a window of this process.
        assert_ne!(
            unsafe { PostMessageW(host.hwnd as HWND, WM_COMMAND, id, 0) },
            0
        );
        let got = from_tray
            .recv_timeout(std::time::Duration::from_secs(5))
            .expect("a command from the tray");
        assert_eq!(
            got.command,
            Command::Pause {
                length: PauseFor::Seconds(1800.0)
            }
        );
        assert_eq!(got.origin, Origin::Tray);
        // Its answer is awaited by the tray's thread.
        assert!(matches!(
            answers.recv_timeout(std::time::Duration::from_secs(5)),
            Ok(Nudge::Answer(Action::Pause(_), _))
        ));
        // An id past the menu's end is nothing.
        // SAFETY: as above.
        unsafe { PostMessageW(host.hwnd as HWND, WM_COMMAND, all.len() + 1, 0) };
        assert!(from_tray
            .recv_timeout(std::time::Duration::from_millis(300))
            .is_err());
        assert!(host.show(crate::tray::view::status_for_tests(
            crate::vocab::MonitorState::Upright
        )));
        let hwnd = host.hwnd;
        host.shutdown();
        // The window is gone with its thread.
        // SAFETY: as above.
        assert_eq!(unsafe { PostMessageW(hwnd as HWND, WM_REDRAW, 0, 0) }, 0);
    }

    #[test]
    fn every_face_makes_an_icon() {
        for f in Face::ALL {
            let icon = make_icon(f);
            assert!(!icon.is_null(), "{f:?}");
            // SAFETY: an icon made above.
            unsafe { DestroyIcon(icon) };
        }
    }
}
