//! Stop requests on Unix: SIGTERM (systemd, `kill`), SIGINT (Ctrl-C) and SIGHUP (the
//! terminal closed).

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

/// A flag that turns true when the process is asked to stop.
pub fn stop_flag() -> std::io::Result<Arc<AtomicBool>> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [SIGTERM, SIGINT, SIGHUP] {
        signal_hook::flag::register(sig, Arc::clone(&stop))?;
    }
    Ok(stop)
}
