//! The session watch where hunch cannot hear the screen lock or sleep (yet): nothing
//! happens, and hunch simply keeps monitoring.

use crate::daemon::session::{NoSession, SessionWatch};

pub fn session_watch() -> Box<dyn SessionWatch> {
    tracing::info!(
        "hunch cannot follow the screen lock or sleep on this system; it keeps monitoring"
    );
    Box::new(NoSession)
}
