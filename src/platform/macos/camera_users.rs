//! Who else has the camera, on macOS: CoreMediaIO's "device is running somewhere".
//!
//! CoreMediaIO keeps two flags per camera: running somewhere (in any process) and running
//! in this process. A camera that runs somewhere but not here is held by another
//! application. macOS does not say which one, nor does it map its device list to
//! nokhwa's index, so any camera counts, and the holder is named as "another
//! application". While hunch itself has a camera open the two cannot be told apart; the
//! last answer stands until hunch closes it (between samples, which is most of the time).
//!
//! CoreMediaIO can call back on a change, but only on a thread it runs itself; a look
//! every 2 s on a thread of hunch's own is simpler and costs nothing measurable.
//! Type-checked here, not run (no Apple SDK to link; see the README's platform table).

use std::ffi::c_void;
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

use thiserror::Error;

use crate::camera::sharing::Holder;

#[derive(Debug, Error)]
pub enum WatchError {
    #[error("cannot watch the camera for other applications: {0}")]
    Io(#[from] std::io::Error),
}

/// How often CoreMediaIO is asked.
const EVERY: Duration = Duration::from_secs(2);

type ObjectId = u32;

#[repr(C)]
struct PropertyAddress {
    selector: u32,
    scope: u32,
    element: u32,
}

/// A four-character code, as CoreMediaIO's constants are written.
const fn fourcc(c: &[u8; 4]) -> u32 {
    u32::from_be_bytes(*c)
}

const SYSTEM_OBJECT: ObjectId = 1; // kCMIOObjectSystemObject
const DEVICES: u32 = fourcc(b"dev#"); // kCMIOHardwarePropertyDevices
const RUNNING_SOMEWHERE: u32 = fourcc(b"gone"); // kCMIODevicePropertyDeviceIsRunningSomewhere
const RUNNING_HERE: u32 = fourcc(b"goin"); // kCMIODevicePropertyDeviceIsRunning
const SCOPE_GLOBAL: u32 = fourcc(b"glob");
const ELEMENT_MAIN: u32 = 0;

#[link(name = "CoreMediaIO", kind = "framework")]
extern "C" {
    fn CMIOObjectGetPropertyDataSize(
        object: ObjectId,
        address: *const PropertyAddress,
        qualifier_size: u32,
        qualifier: *const c_void,
        data_size: *mut u32,
    ) -> i32;
    fn CMIOObjectGetPropertyData(
        object: ObjectId,
        address: *const PropertyAddress,
        qualifier_size: u32,
        qualifier: *const c_void,
        data_size: u32,
        data_used: *mut u32,
        data: *mut c_void,
    ) -> i32;
}

fn address(selector: u32) -> PropertyAddress {
    PropertyAddress {
        selector,
        scope: SCOPE_GLOBAL,
        element: ELEMENT_MAIN,
    }
}

/// The system's cameras.
fn devices() -> Vec<ObjectId> {
    let addr = address(DEVICES);
    let mut size = 0u32;
    // SAFETY: the system object's device list, its size first, then into a buffer of
    // that size.
    unsafe {
        if CMIOObjectGetPropertyDataSize(SYSTEM_OBJECT, &addr, 0, std::ptr::null(), &mut size) != 0
        {
            return Vec::new();
        }
        let mut ids = vec![0 as ObjectId; size as usize / std::mem::size_of::<ObjectId>()];
        let mut used = 0u32;
        if CMIOObjectGetPropertyData(
            SYSTEM_OBJECT,
            &addr,
            0,
            std::ptr::null(),
            size,
            &mut used,
            ids.as_mut_ptr().cast(),
        ) != 0
        {
            return Vec::new();
        }
        ids.truncate(used as usize / std::mem::size_of::<ObjectId>());
        ids
    }
}

/// A device's UInt32 flag; `None` when CoreMediaIO does not answer.
fn flag(device: ObjectId, selector: u32) -> Option<bool> {
    let addr = address(selector);
    let mut value = 0u32;
    let mut used = 0u32;
    // SAFETY: a UInt32 property read into a UInt32.
    let status = unsafe {
        CMIOObjectGetPropertyData(
            device,
            &addr,
            0,
            std::ptr::null(),
            std::mem::size_of::<u32>() as u32,
            &mut used,
            (&mut value as *mut u32).cast(),
        )
    };
    (status == 0).then_some(value != 0)
}

/// Whether another application has a camera; `None` while hunch has one open too.
fn someone_else() -> Option<bool> {
    let mut other = false;
    for d in devices() {
        let somewhere = flag(d, RUNNING_SOMEWHERE).unwrap_or(false);
        let here = flag(d, RUNNING_HERE).unwrap_or(false);
        match (somewhere, here) {
            (true, true) => return None,
            (true, false) => other = true,
            _ => {}
        }
    }
    Some(other)
}

/// Watches CoreMediaIO on its own thread; see the module docs.
pub struct DeviceWatch {
    rx: Receiver<Vec<Holder>>,
    /// Dropped to stop the thread at once.
    stop: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl DeviceWatch {
    /// Starts watching the cameras (any camera counts; see the module docs). The first
    /// set is sent at once, then one each time it changes.
    pub fn start(_index: u32) -> Result<DeviceWatch, WatchError> {
        let (tx, rx) = channel();
        let (stop, stopped) = channel::<()>();
        let thread = std::thread::Builder::new()
            .name("hunch-camera-watch".into())
            .spawn(move || {
                let mut last: Option<Vec<Holder>> = None;
                loop {
                    if let Some(other) = someone_else() {
                        let now = if other {
                            vec![Holder {
                                pid: 0,
                                name: "another application".into(),
                            }]
                        } else {
                            Vec::new()
                        };
                        if last.as_ref() != Some(&now) {
                            if tx.send(now.clone()).is_err() {
                                return;
                            }
                            last = Some(now);
                        }
                    }
                    match stopped.recv_timeout(EVERY) {
                        Err(RecvTimeoutError::Timeout) => {}
                        _ => return,
                    }
                }
            })?;
        Ok(DeviceWatch {
            rx,
            stop: Some(stop),
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
        drop(self.stop.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
