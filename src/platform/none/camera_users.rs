//! Who else has the camera open, where hunch cannot tell (yet): a watcher that never
//! reports anyone. A busy camera is still recognised when it is opened
//! ([`super::camera::is_busy`]), and waited for.

use thiserror::Error;

use crate::camera::sharing::Holder;

#[derive(Debug, Error)]
pub enum WatchError {
    #[error("cannot watch the camera for other applications: {0}")]
    Io(#[from] std::io::Error),
}

/// A watcher with nothing to watch.
pub struct DeviceWatch;

impl DeviceWatch {
    pub fn start(_index: u32) -> Result<DeviceWatch, WatchError> {
        Ok(DeviceWatch)
    }

    /// Never a change: nobody is seen.
    pub fn changed(&self) -> Option<Vec<Holder>> {
        None
    }
}
