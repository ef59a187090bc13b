//! The screen lock and sleep on macOS, on a thread of hunch's own.
//!
//! Sleep and wake come from IOKit's root power domain (`IORegisterForSystemPower`), whose
//! notifications are a run-loop source that any thread's run loop can serve. The screen
//! lock is read from the window server's session dictionary (`CGSSessionScreenIsLocked`)
//! every 2 s between turns of that run loop: the lock's own notifications
//! (`com.apple.screenIsLocked`, distributed notifications) are delivered only to the main
//! thread's run loop, and hunch's main thread runs the monitor.
//!
//! macOS waits for an answer to "may the system sleep?" and "the system will sleep"; hunch
//! allows both at once (it holds no sleep back) after telling the monitor, which closes
//! the camera when it reads the event — or the system closes it as it sleeps.
//! Type-checked here, not run (no Apple SDK to link; see the README's platform table).

use std::ffi::c_void;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::time::Duration;

use core_foundation_sys::base::{CFRelease, CFTypeRef};
use core_foundation_sys::dictionary::{CFDictionaryGetValue, CFDictionaryRef};
use core_foundation_sys::number::{CFBooleanGetValue, CFBooleanRef};
use core_foundation_sys::runloop::{
    kCFRunLoopDefaultMode, CFRunLoopAddSource, CFRunLoopGetCurrent, CFRunLoopRunInMode,
    CFRunLoopSourceRef,
};
use core_foundation_sys::string::{kCFStringEncodingUTF8, CFStringCreateWithCString};

use crate::daemon::session::{NoSession, SessionEvent, SessionWatch};

/// How often the lock is looked at.
const EVERY: Duration = Duration::from_secs(2);

type IoConnect = u32;
type IoObject = u32;
type NotificationPort = *mut c_void;
type InterestCallback =
    extern "C" fn(refcon: *mut c_void, service: IoObject, message: u32, argument: *mut c_void);

// IOKit's power messages (`iokit_common_msg(…)` in IOMessage.h).
const CAN_SYSTEM_SLEEP: u32 = 0xE000_0270;
const SYSTEM_WILL_SLEEP: u32 = 0xE000_0280;
const SYSTEM_HAS_POWERED_ON: u32 = 0xE000_0300;

#[link(name = "IOKit", kind = "framework")]
extern "C" {
    fn IORegisterForSystemPower(
        refcon: *mut c_void,
        port: *mut NotificationPort,
        callback: InterestCallback,
        notifier: *mut IoObject,
    ) -> IoConnect;
    fn IONotificationPortGetRunLoopSource(port: NotificationPort) -> CFRunLoopSourceRef;
    fn IOAllowPowerChange(kernel_port: IoConnect, notification_id: isize) -> i32;
}

#[link(name = "CoreGraphics", kind = "framework")]
extern "C" {
    fn CGSessionCopyCurrentDictionary() -> CFDictionaryRef;
}

/// What the power callback needs: where events go, and the connection to answer on.
struct Power {
    tx: Sender<SessionEvent>,
    root: IoConnect,
}

extern "C" fn on_power(
    refcon: *mut c_void,
    _service: IoObject,
    message: u32,
    argument: *mut c_void,
) {
    // SAFETY: `refcon` is the `Power` the watch's thread keeps alive while its run loop runs.
    let power = unsafe { &*(refcon as *const Power) };
    match message {
        CAN_SYSTEM_SLEEP => {
            // SAFETY: the answer IOKit waits for, with the id it gave.
            unsafe { IOAllowPowerChange(power.root, argument as isize) };
        }
        SYSTEM_WILL_SLEEP => {
            let _ = power.tx.send(SessionEvent::Sleeping);
            // SAFETY: as above.
            unsafe { IOAllowPowerChange(power.root, argument as isize) };
        }
        SYSTEM_HAS_POWERED_ON => {
            let _ = power.tx.send(SessionEvent::Woke);
        }
        _ => {}
    }
}

/// Whether the screen is locked now; `None` outside a window-server session (over ssh).
fn screen_locked() -> Option<bool> {
    // SAFETY: a dictionary we own (released below) and a key string we own.
    unsafe {
        let session = CGSessionCopyCurrentDictionary();
        if session.is_null() {
            return None;
        }
        let key = CFStringCreateWithCString(
            std::ptr::null(),
            c"CGSSessionScreenIsLocked".as_ptr(),
            kCFStringEncodingUTF8,
        );
        let value = CFDictionaryGetValue(session, key as *const c_void);
        // Present (and true) only while locked.
        let locked = !value.is_null() && CFBooleanGetValue(value as CFBooleanRef);
        CFRelease(key as CFTypeRef);
        CFRelease(session as CFTypeRef);
        Some(locked)
    }
}

/// The session as IOKit and the window server tell it.
struct MacSession {
    rx: Receiver<SessionEvent>,
}

impl SessionWatch for MacSession {
    fn poll(&mut self) -> Option<SessionEvent> {
        self.rx.try_recv().ok()
    }
}

fn watch(tx: Sender<SessionEvent>) {
    let power = Box::new(Power {
        tx: tx.clone(),
        root: 0,
    });
    let power = Box::into_raw(power);
    let mut port: NotificationPort = std::ptr::null_mut();
    let mut notifier: IoObject = 0;
    // SAFETY: registration with a context that outlives the run loop (freed below, after
    // the loop ends and no callback can come), and its source added to this thread's loop.
    let has_source = unsafe {
        let root = IORegisterForSystemPower(power.cast(), &mut port, on_power, &mut notifier);
        (*power).root = root;
        if root != 0 && !port.is_null() {
            CFRunLoopAddSource(
                CFRunLoopGetCurrent(),
                IONotificationPortGetRunLoopSource(port),
                kCFRunLoopDefaultMode,
            );
            true
        } else {
            tracing::info!("macOS will not tell hunch of sleep (no power notifications)");
            false
        }
    };
    let mut locked = screen_locked().unwrap_or(false);
    loop {
        if has_source {
            // SAFETY: runs this thread's own loop for up to EVERY.
            unsafe { CFRunLoopRunInMode(kCFRunLoopDefaultMode, EVERY.as_secs_f64(), 0) };
        } else {
            std::thread::sleep(EVERY);
        }
        let now = screen_locked().unwrap_or(locked);
        if now != locked {
            locked = now;
            let event = if now {
                SessionEvent::Locked
            } else {
                SessionEvent::Unlocked
            };
            if tx.send(event).is_err() {
                break;
            }
        }
    }
    // The monitor is gone. The registration (and its context, a few bytes left
    // allocated on purpose: a callback could still hold it) ends with the process.
}

/// The session watch on macOS.
pub fn session_watch() -> Box<dyn SessionWatch> {
    let (tx, rx) = channel();
    match std::thread::Builder::new()
        .name("hunch-session".into())
        .spawn(move || watch(tx))
    {
        Ok(_) => Box::new(MacSession { rx }),
        Err(e) => {
            tracing::info!(
                "hunch cannot follow the screen lock or sleep ({e}); it keeps monitoring"
            );
            Box::new(NoSession)
        }
    }
}
