//! Stop requests on Windows: the console's control events (Ctrl-C, Ctrl-Break, the
//! console window closed, logoff, shutdown).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use windows_sys::Win32::System::Console::SetConsoleCtrlHandler;

static STOP: OnceLock<Arc<AtomicBool>> = OnceLock::new();

unsafe extern "system" fn handler(_event: u32) -> i32 {
    if let Some(stop) = STOP.get() {
        stop.store(true, Ordering::SeqCst);
    }
    // Handled: the process is not ended at once; the monitor stops in its own time.
    1
}

/// A flag that turns true when the process is asked to stop.
pub fn stop_flag() -> std::io::Result<Arc<AtomicBool>> {
    let stop = Arc::clone(STOP.get_or_init(|| Arc::new(AtomicBool::new(false))));
    // SAFETY: a handler with the signature the console expects, living for the process.
    if unsafe { SetConsoleCtrlHandler(Some(handler), 1) } == 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(stop)
}
