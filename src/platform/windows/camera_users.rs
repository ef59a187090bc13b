//! Who else has the camera, on Windows: the camera privacy store in the registry.
//!
//! Windows records every application's use of the camera under
//! `HKCU\Software\Microsoft\Windows\CurrentVersion\CapabilityAccessManager\ConsentStore\webcam`:
//! one key per store app (its package family name) and, under `NonPackaged`, one per
//! desktop program (its path, `\` written `#`), each with `LastUsedTimeStart` and
//! `LastUsedTimeStop`. While an application uses the camera its `LastUsedTimeStop` is 0.
//! [`DeviceWatch`] waits for changes under that key (`RegNotifyChangeKeyValue`, no
//! polling) on a thread of its own, and hands over the applications using the camera —
//! hunch's own executable left out — whenever that set changes.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;

use thiserror::Error;
use windows_sys::Win32::Foundation::{CloseHandle, HANDLE, WAIT_OBJECT_0};
use windows_sys::Win32::System::Registry::{
    RegCloseKey, RegEnumKeyExW, RegNotifyChangeKeyValue, RegOpenKeyExW, RegQueryValueExW, HKEY,
    HKEY_CURRENT_USER, KEY_NOTIFY, KEY_READ, REG_NOTIFY_CHANGE_LAST_SET, REG_NOTIFY_CHANGE_NAME,
};
use windows_sys::Win32::System::Threading::{CreateEventW, SetEvent, WaitForMultipleObjects};

use crate::camera::sharing::Holder;

/// The consent store's key for the camera, under `HKEY_CURRENT_USER`.
const STORE: &str =
    r"Software\Microsoft\Windows\CurrentVersion\CapabilityAccessManager\ConsentStore\webcam";

#[derive(Debug, Error)]
pub enum WatchError {
    #[error("cannot watch the camera for other applications: {0}")]
    Io(#[from] std::io::Error),
}

fn wide(s: &str) -> Vec<u16> {
    s.encode_utf16().chain(std::iter::once(0)).collect()
}

/// An open registry key, closed when dropped.
struct Key(HKEY);

impl Key {
    fn open(parent: HKEY, path: &str, access: u32) -> Option<Key> {
        let mut key: HKEY = std::ptr::null_mut();
        // SAFETY: a NUL-terminated path and an out handle.
        let rc = unsafe { RegOpenKeyExW(parent, wide(path).as_ptr(), 0, access, &mut key) };
        (rc == 0).then_some(Key(key))
    }

    fn subkeys(&self) -> Vec<String> {
        let mut out = Vec::new();
        for i in 0.. {
            let mut name = [0u16; 512];
            let mut len = name.len() as u32;
            // SAFETY: a buffer and its length in characters.
            let rc = unsafe {
                RegEnumKeyExW(
                    self.0,
                    i,
                    name.as_mut_ptr(),
                    &mut len,
                    std::ptr::null(),
                    std::ptr::null_mut(),
                    std::ptr::null_mut(),
                    std::ptr::null_mut(),
                )
            };
            if rc != 0 {
                break;
            }
            out.push(String::from_utf16_lossy(&name[..len as usize]));
        }
        out
    }

    fn qword(&self, name: &str) -> Option<u64> {
        let mut value = 0u64;
        let mut size = 8u32;
        // SAFETY: an 8-byte buffer and its size.
        let rc = unsafe {
            RegQueryValueExW(
                self.0,
                wide(name).as_ptr(),
                std::ptr::null(),
                std::ptr::null_mut(),
                (&mut value as *mut u64).cast(),
                &mut size,
            )
        };
        (rc == 0 && size == 8).then_some(value)
    }
}

impl Drop for Key {
    fn drop(&mut self) {
        // SAFETY: a key this value opened.
        unsafe { RegCloseKey(self.0) };
    }
}

/// Whether the application of `key` is using the camera now.
fn in_use(key: &Key) -> bool {
    key.qword("LastUsedTimeStop") == Some(0) && key.qword("LastUsedTimeStart").unwrap_or(0) != 0
}

/// A desktop program's key name (`C:#Program Files#Zoom#bin#Zoom.exe`) as a name
/// (`Zoom.exe`); a store app's package family name stays as it is.
fn program_name(key_name: &str) -> String {
    key_name.rsplit('#').next().unwrap_or(key_name).to_string()
}

/// The applications using the camera now, by the consent store under `store` (hunch's own
/// executable left out).
fn holders_in(store: &str) -> Vec<Holder> {
    let own = std::env::current_exe()
        .ok()
        .map(|p| p.to_string_lossy().replace('\\', "#").to_lowercase());
    let mut found = Vec::new();
    let Some(root) = Key::open(HKEY_CURRENT_USER, store, KEY_READ) else {
        return found;
    };
    for name in root.subkeys() {
        if name == "NonPackaged" {
            let Some(desktop) = Key::open(root.0, &name, KEY_READ) else {
                continue;
            };
            for program in desktop.subkeys() {
                if own.as_deref() == Some(program.to_lowercase().as_str()) {
                    continue;
                }
                if Key::open(desktop.0, &program, KEY_READ).is_some_and(|k| in_use(&k)) {
                    found.push(Holder {
                        pid: 0,
                        name: program_name(&program),
                    });
                }
            }
        } else if Key::open(root.0, &name, KEY_READ).is_some_and(|k| in_use(&k)) {
            found.push(Holder { pid: 0, name });
        }
    }
    found.sort();
    found
}

/// Watches the consent store on its own thread; see the module docs.
pub struct DeviceWatch {
    rx: Receiver<Vec<Holder>>,
    stop: Arc<AtomicBool>,
    /// Wakes the thread to stop (an event handle, as an address for `Send`).
    wake: usize,
    thread: Option<JoinHandle<()>>,
}

impl DeviceWatch {
    /// Starts watching who uses camera `_index` (the store does not say which camera:
    /// any use counts). The first set is sent at once, then one each time it changes.
    pub fn start(_index: u32) -> Result<DeviceWatch, WatchError> {
        Self::start_at(STORE.to_string())
    }

    /// As [`DeviceWatch::start`], on a consent store at `store` (tests use their own).
    pub fn start_at(store: String) -> Result<DeviceWatch, WatchError> {
        // SAFETY: an unnamed auto-reset event, owned by the watch.
        let wake = unsafe { CreateEventW(std::ptr::null(), 0, 0, std::ptr::null()) };
        if wake.is_null() {
            return Err(std::io::Error::last_os_error().into());
        }
        let (tx, rx) = channel();
        let stop = Arc::new(AtomicBool::new(false));
        let (stop_thread, wake_addr) = (Arc::clone(&stop), wake as usize);
        let thread = std::thread::Builder::new()
            .name("hunch-camera-watch".into())
            .spawn(move || watch_loop(&store, wake_addr as HANDLE, &stop_thread, &tx))?;
        Ok(DeviceWatch {
            rx,
            stop,
            wake: wake as usize,
            thread: Some(thread),
        })
    }

    /// The latest set of other holders, if it changed since the last call.
    pub fn changed(&self) -> Option<Vec<Holder>> {
        self.rx.try_iter().last()
    }
}

impl Drop for DeviceWatch {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // SAFETY: the event this watch created.
        unsafe { SetEvent(self.wake as HANDLE) };
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        // SAFETY: as above; the thread is gone.
        unsafe { CloseHandle(self.wake as HANDLE) };
    }
}

fn watch_loop(store: &str, wake: HANDLE, stop: &AtomicBool, tx: &Sender<Vec<Holder>>) {
    // SAFETY: an unnamed auto-reset event for the registry's notifications.
    let changed = unsafe { CreateEventW(std::ptr::null(), 0, 0, std::ptr::null()) };
    if changed.is_null() {
        return;
    }
    let mut last: Option<Vec<Holder>> = None;
    while !stop.load(Ordering::SeqCst) {
        let now = holders_in(store);
        if last.as_ref() != Some(&now) {
            if tx.send(now.clone()).is_err() {
                break;
            }
            last = Some(now);
        }
        // Wait for a change under the store (or, while it does not exist yet, look again
        // every few seconds), or for the stop.
        let key = Key::open(HKEY_CURRENT_USER, store, KEY_NOTIFY);
        let timeout = if let Some(k) = &key {
            // SAFETY: a key opened for notification and an event handle.
            unsafe {
                RegNotifyChangeKeyValue(
                    k.0,
                    1,
                    REG_NOTIFY_CHANGE_NAME | REG_NOTIFY_CHANGE_LAST_SET,
                    changed,
                    1,
                )
            };
            u32::MAX
        } else {
            3000
        };
        let handles = [wake, changed];
        // SAFETY: two event handles that live across the call.
        let woken = unsafe { WaitForMultipleObjects(2, handles.as_ptr(), 0, timeout) };
        if woken == WAIT_OBJECT_0 {
            break;
        }
        drop(key);
    }
    // SAFETY: the event this loop created.
    unsafe { CloseHandle(changed) };
}

#[cfg(test)]
mod tests {
    use super::*;
    use windows_sys::Win32::System::Registry::{
        RegCreateKeyExW, RegDeleteTreeW, RegSetValueExW, KEY_ALL_ACCESS, REG_OPTION_NON_VOLATILE,
        REG_QWORD,
    };

    fn set(store: &str, app: &str, start: u64, stop: u64) {
        let path = format!(r"{store}\{app}");
        let mut key: HKEY = std::ptr::null_mut();
        // SAFETY: a NUL-terminated path, out handle, and 8-byte values.
        unsafe {
            assert_eq!(
                RegCreateKeyExW(
                    HKEY_CURRENT_USER,
                    wide(&path).as_ptr(),
                    0,
                    std::ptr::null(),
                    REG_OPTION_NON_VOLATILE,
                    KEY_ALL_ACCESS,
                    std::ptr::null(),
                    &mut key,
                    std::ptr::null_mut(),
                ),
                0
            );
            for (name, v) in [("LastUsedTimeStart", start), ("LastUsedTimeStop", stop)] {
                RegSetValueExW(
                    key,
                    wide(name).as_ptr(),
                    0,
                    REG_QWORD,
                    (&v as *const u64).cast(),
                    8,
                );
            }
            RegCloseKey(key);
        }
    }

    fn next(w: &DeviceWatch) -> Vec<Holder> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        loop {
            if let Some(h) = w.changed() {
                return h;
            }
            assert!(std::time::Instant::now() < deadline, "no change seen");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    #[test]
    fn an_application_using_the_camera_is_seen_in_the_consent_store_and_let_go_of() {
        // A consent store of the test's own, in the real registry (Wine's, under test).
        let store = format!(r"Software\hunch-test-{}\webcam", std::process::id());
        let program = r"NonPackaged\C:#Program Files#Zoom#bin#Zoom.exe";
        set(
            &store,
            program,
            133_000_000_000_000_000,
            133_000_000_000_000_001,
        );
        set(&store, "Microsoft.WindowsCamera_8wekyb3d8bbwe", 5, 6);
        let w = DeviceWatch::start_at(store.clone()).unwrap();
        assert_eq!(next(&w), []);
        // Zoom starts using the camera: its stop time is 0 until it lets go.
        set(&store, program, 133_000_000_000_000_002, 0);
        assert_eq!(
            next(&w),
            [Holder {
                pid: 0,
                name: "Zoom.exe".into()
            }]
        );
        set(
            &store,
            program,
            133_000_000_000_000_002,
            133_000_000_000_000_003,
        );
        assert_eq!(next(&w), []);
        drop(w);
        // SAFETY: the test's own key.
        unsafe {
            RegDeleteTreeW(
                HKEY_CURRENT_USER,
                wide(&format!(r"Software\hunch-test-{}", std::process::id())).as_ptr(),
            )
        };
    }
}
