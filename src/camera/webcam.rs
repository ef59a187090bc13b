//! The real camera, through nokhwa's V4L2 backend.
//!
//! `nokhwa::Camera` is not `Send`, so one capture thread owns it and hands frames over a
//! bounded channel. The thread samples at the rate the daemon asks for (the full or the
//! steady rate, [`CameraParams`]), closes the device between samples when the next one is
//! far enough off (the camera light goes off) and keeps count of how long it was open,
//! requests an exact small format chosen from what the camera offers (nokhwa's "closest"
//! request fails unless the exact size exists), skips the dark frames a camera gives while
//! its exposure settles, and survives the device vanishing or refusing permission: it
//! reports the error and retries with backoff.
//!
//! Another application wanting the camera is not an error: a [`DeviceWatch`] sees it open
//! the device, or opening it here finds it busy, and the webcam lets go and reports
//! [`Sharing::InUse`] until the other has closed it (see [`super::sharing`]).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use image::RgbImage;
use nokhwa::pixel_format::RgbFormat;
use nokhwa::utils::{CameraFormat, CameraIndex, FrameFormat, RequestedFormat, RequestedFormatType};
use nokhwa::Camera;

use super::sharing::SharingState;
use super::{CameraParams, Frame, FrameSource, PixelFormat, Poll, Sharing, SourceError};
use crate::camera::Exposure;
use crate::platform::camera_users::DeviceWatch;
use crate::support::clock::Clock;

/// A camera and the formats it offers, for `hunch cameras`.
#[derive(Debug, Clone)]
pub struct CameraListing {
    pub index: u32,
    pub name: String,
    pub description: String,
    pub formats: Result<Vec<CameraFormat>, String>,
}

/// Every V4L2 camera with its formats (each is opened briefly to ask).
pub fn list() -> Result<Vec<CameraListing>, SourceError> {
    let infos = nokhwa::query(crate::platform::camera::BACKEND)
        .map_err(|e| SourceError::Camera(e.to_string()))?;
    Ok(infos
        .into_iter()
        .filter_map(|info| {
            let index = info.index().as_index().ok()?;
            let formats = Camera::new(
                CameraIndex::Index(index),
                RequestedFormat::new::<RgbFormat>(RequestedFormatType::None),
            )
            .and_then(|mut c| c.compatible_camera_formats())
            .map_err(|e| e.to_string());
            Some(CameraListing {
                index,
                name: info.human_name(),
                description: info.description().to_string(),
                formats,
            })
        })
        .collect())
}

/// The format to request: the largest that fits `max`, MJPEG before YUYV (every UVC
/// camera offers it at every size), then the frame rate nearest 15 fps (fast enough for
/// exposure to settle in a few frames, light on the USB bus).
pub fn choose_format(
    formats: &[CameraFormat],
    max_w: u32,
    max_h: u32,
    pixel: PixelFormat,
) -> Option<CameraFormat> {
    let decodable = |f: &CameraFormat| match pixel {
        PixelFormat::Auto => matches!(f.format(), FrameFormat::MJPEG | FrameFormat::YUYV),
        PixelFormat::Mjpeg => f.format() == FrameFormat::MJPEG,
        PixelFormat::Yuyv => f.format() == FrameFormat::YUYV,
    };
    formats
        .iter()
        .filter(|f| decodable(f) && f.width() <= max_w && f.height() <= max_h)
        .max_by_key(|f| {
            (
                f.width() * f.height(),
                f.format() == FrameFormat::MJPEG,
                std::cmp::Reverse((f.frame_rate() as i64 - 15).abs()),
            )
        })
        .copied()
        .or_else(|| {
            // Nothing small enough: the smallest on offer.
            formats
                .iter()
                .filter(|f| decodable(f))
                .min_by_key(|f| f.width() * f.height())
                .copied()
        })
}

fn open(params: &CameraParams) -> Result<(Camera, CameraFormat), String> {
    let index = CameraIndex::Index(params.index);
    let mut cam = Camera::new(
        index,
        RequestedFormat::new::<RgbFormat>(RequestedFormatType::None),
    )
    .map_err(|e| e.to_string())?;
    let formats = cam.compatible_camera_formats().map_err(|e| e.to_string())?;
    let fmt = choose_format(
        &formats,
        params.max_width,
        params.max_height,
        params.pixel_format,
    )
    .ok_or_else(|| {
        format!(
            "the camera offers no {:?} format hunch can decode",
            params.pixel_format
        )
    })?;
    cam.set_camera_requset(RequestedFormat::new::<RgbFormat>(
        RequestedFormatType::Exact(fmt),
    ))
    .map_err(|e| e.to_string())?;
    cam.open_stream().map_err(|e| e.to_string())?;
    Ok((cam, fmt))
}

fn grab(cam: &mut Camera) -> Result<RgbImage, String> {
    let buf = cam.frame().map_err(|e| e.to_string())?;
    let img = buf.decode_image::<RgbFormat>().map_err(|e| e.to_string())?;
    Ok(img)
}

/// One message from the capture thread.
enum Msg {
    Frame(RgbImage, f64),
    Error(String),
}

/// How long the device has been open, kept by the capture thread.
#[derive(Debug, Default)]
struct OpenMeter {
    /// Open since then, if open now.
    since: Option<Instant>,
    /// Open time not yet taken, ms.
    pending_ms: f64,
}

impl OpenMeter {
    fn closed(&mut self) {
        if let Some(s) = self.since.take() {
            self.pending_ms += s.elapsed().as_secs_f64() * 1000.0;
        }
    }

    /// The open time since the last call, ms (whole ms; the rest is kept for next time).
    fn take(&mut self) -> i64 {
        if let Some(s) = self.since {
            let now = Instant::now();
            self.pending_ms += (now - s).as_secs_f64() * 1000.0;
            self.since = Some(now);
        }
        let whole = self.pending_ms.floor();
        self.pending_ms -= whole;
        whole as i64
    }
}

/// What the webcam and its capture thread share.
#[derive(Debug)]
struct Shared {
    /// Seconds between samples from now on, as f64 bits.
    interval: AtomicU64,
    meter: Mutex<OpenMeter>,
}

impl Shared {
    fn interval(&self) -> f64 {
        f64::from_bits(self.interval.load(Ordering::Relaxed))
    }

    fn meter(&self) -> std::sync::MutexGuard<'_, OpenMeter> {
        self.meter.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The open device. Dropping it closes the device and stops the meter.
struct Device {
    cam: Option<Camera>,
    shared: Arc<Shared>,
}

impl Device {
    /// Opens the camera; the meter counts from `since` (when opening began).
    fn open(p: &CameraParams, shared: &Arc<Shared>, since: Instant) -> Result<Device, String> {
        let (cam, _) = open(p)?;
        shared.meter().since = Some(since);
        Ok(Device {
            cam: Some(cam),
            shared: Arc::clone(shared),
        })
    }
}

impl Drop for Device {
    fn drop(&mut self) {
        drop(self.cam.take()); // closes the device: the light goes off
        self.shared.meter().closed();
    }
}

/// The capture thread while the device is in use.
struct Capture {
    rx: Receiver<Msg>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Capture {
    fn start(params: CameraParams, shared: Arc<Shared>) -> Capture {
        let (tx, rx) = sync_channel(1);
        let stop = Arc::new(AtomicBool::new(false));
        let stop_thread = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("hunch-camera".into())
            .spawn(move || capture_loop(params, &shared, tx, &stop_thread))
            .ok();
        Capture { rx, stop, thread }
    }
}

impl Capture {
    /// Tells the thread to stop and close the device, without waiting for it: the thread
    /// ends within a frame, and its handle is returned to be joined before the device is
    /// opened again.
    fn stop(&mut self) -> Option<JoinHandle<()>> {
        self.stop.store(true, Ordering::Relaxed);
        // Unblock a pending send: the thread's next send fails and it ends.
        drop(std::mem::replace(&mut self.rx, sync_channel(1).1));
        self.thread.take()
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        // Wait: dropping the Camera releases the device.
        if let Some(t) = self.stop() {
            let _ = t.join();
        }
    }
}

/// The camera as a [`FrameSource`]. The capture thread starts at the first poll and stops
/// (closing the device) on [`FrameSource::release`] or drop. Camera errors come back as
/// [`Poll::Trouble`] while the thread keeps retrying; a busy camera is not trouble but
/// [`Sharing::InUse`].
pub struct Webcam {
    params: CameraParams,
    capture: Option<Capture>,
    index: u64,
    shared: Arc<Shared>,
    watch: Option<DeviceWatch>,
    sharing: SharingState,
    /// A capture thread told to stop and not waited for yet.
    stopping: Option<JoinHandle<()>>,
}

impl Drop for Webcam {
    fn drop(&mut self) {
        self.let_go();
        if let Some(t) = self.stopping.take() {
            let _ = t.join();
        }
    }
}

impl Webcam {
    /// A webcam sampled at the full rate until told otherwise
    /// ([`FrameSource::set_attentive`]), watched for other applications opening it.
    pub fn new(params: CameraParams) -> Webcam {
        let watch = match DeviceWatch::start(params.index) {
            Ok(w) => Some(w),
            Err(e) => {
                tracing::warn!("{e}; hunch will still let go of it when it finds it busy");
                None
            }
        };
        Webcam {
            params,
            capture: None,
            index: 0,
            shared: Arc::new(Shared {
                interval: AtomicU64::new(params.interval(true).to_bits()),
                meter: Mutex::new(OpenMeter::default()),
            }),
            watch,
            sharing: SharingState::new(),
            stopping: None,
        }
    }

    /// Stops capturing without waiting (the loop stays responsive); the device closes
    /// within a frame.
    fn let_go(&mut self) {
        if let Some(mut c) = self.capture.take() {
            if let Some(t) = c.stop() {
                // An older thread still ending is waited for first (it has had the time).
                if let Some(old) = self.stopping.replace(t) {
                    let _ = old.join();
                }
            }
        }
    }

    fn recv(&mut self, timeout: Duration) -> Poll {
        if self.sharing.in_use() {
            // Another application has it (the daemon holds monitoring until it is free).
            std::thread::sleep(timeout.min(WAIT_STEP));
            return Poll::Idle;
        }
        if self.capture.is_none() {
            // Never two threads on the device: the last one has closed it before this opens.
            if let Some(t) = self.stopping.take() {
                let _ = t.join();
            }
        }
        let (params, shared) = (self.params, &self.shared);
        let capture = self
            .capture
            .get_or_insert_with(|| Capture::start(params, Arc::clone(shared)));
        match capture.rx.recv_timeout(timeout) {
            Ok(Msg::Frame(image, t)) => {
                self.sharing.got_frame();
                self.index += 1;
                Poll::Frame(Frame {
                    image,
                    t,
                    index: self.index - 1,
                })
            }
            Ok(Msg::Error(e)) if crate::platform::camera::is_busy(&e) => {
                // Not trouble: another application streams it. Let go and wait quietly.
                tracing::debug!("camera busy: {e}");
                self.let_go();
                self.sharing.busy(Instant::now());
                Poll::Idle
            }
            Ok(Msg::Error(e)) => Poll::Trouble(e),
            Err(RecvTimeoutError::Timeout) => Poll::Idle,
            Err(RecvTimeoutError::Disconnected) => {
                self.capture = None;
                Poll::Trouble("the capture thread stopped".into())
            }
        }
    }
}

impl FrameSource for Webcam {
    /// Waits in real time: the camera delivers on its own clock.
    fn poll(&mut self, _clock: &dyn Clock, wait: Duration) -> Result<Poll, SourceError> {
        Ok(self.recv(wait))
    }

    fn release(&mut self, _clock: &dyn Clock) -> bool {
        self.let_go();
        true
    }

    fn next_frame(&mut self) -> Result<Option<Frame>, SourceError> {
        loop {
            match self.recv(Duration::from_secs(3600)) {
                Poll::Frame(f) => return Ok(Some(f)),
                Poll::Idle if self.sharing.in_use() => {
                    return Err(SourceError::Camera(format!(
                        "the camera is in use by {}",
                        super::sharing::describe(self.sharing.holders())
                    )))
                }
                Poll::Idle => {}
                Poll::End => return Ok(None),
                Poll::Trouble(e) => return Err(SourceError::Camera(e)),
            }
        }
    }

    fn id(&self) -> String {
        format!("camera:{}", self.params.index)
    }

    fn is_device(&self) -> bool {
        true
    }

    fn take_open_ms(&mut self) -> i64 {
        self.shared.meter().take()
    }

    fn set_attentive(&mut self, attentive: bool) {
        let interval = self.params.interval(attentive);
        self.shared
            .interval
            .store(interval.to_bits(), Ordering::Relaxed);
    }

    fn cadence(&self) -> Option<f64> {
        Some(self.shared.interval())
    }

    fn sharing(&mut self) -> Option<Sharing> {
        if let Some(holders) = self.watch.as_ref().and_then(DeviceWatch::changed) {
            self.sharing.holders_changed(holders);
        }
        self.sharing.tick(Instant::now());
        let change = self.sharing.next_change();
        if matches!(change, Some(Sharing::InUse { .. })) {
            self.let_go(); // at once
        }
        change
    }
}

/// How often the capture thread looks at the stop flag and the interval while it waits.
const WAIT_STEP: Duration = Duration::from_millis(50);

fn capture_loop(
    p: CameraParams,
    shared: &Arc<Shared>,
    tx: std::sync::mpsc::SyncSender<Msg>,
    stop: &AtomicBool,
) {
    let started = Instant::now();
    let mut device: Option<Device> = None;
    let mut backoff = Duration::from_secs(1);
    let mut last: Option<Instant> = None;
    let mut not_before: Option<Instant> = None;
    // The device stays open between samples only while the next is due soon.
    let keep_open = || shared.interval() < p.release_after_seconds;
    loop {
        // Wait for the next sample; the interval may change meanwhile.
        loop {
            if stop.load(Ordering::Relaxed) {
                return;
            }
            if !keep_open() {
                device = None;
            }
            let now = Instant::now();
            let due = last
                .map_or(now, |l| l + Duration::from_secs_f64(shared.interval()))
                .max(not_before.unwrap_or(now));
            if now >= due {
                break;
            }
            std::thread::sleep((due - now).min(WAIT_STEP));
        }
        let t0 = Instant::now();
        last = Some(t0);
        not_before = None;
        let result = (|| -> Result<RgbImage, String> {
            let fresh = device.is_none();
            if fresh {
                device = Some(Device::open(&p, shared, t0)?);
            }
            let c = device
                .as_mut()
                .and_then(|d| d.cam.as_mut())
                .ok_or("camera not open")?;
            let mut img = grab(c)?;
            if fresh {
                // Right after opening, frames are often dark until exposure settles.
                let mut tries = 0;
                while Exposure::of(&img).is_blank()
                    && tries < p.warmup_frames
                    && !stop.load(Ordering::Relaxed)
                {
                    img = grab(c)?;
                    tries += 1;
                }
            }
            Ok(img)
        })();
        if !keep_open() {
            device = None; // the light goes off
        }
        let msg = match result {
            Ok(img) => {
                backoff = Duration::from_secs(1);
                Msg::Frame(img, started.elapsed().as_secs_f64())
            }
            Err(e) => {
                device = None;
                not_before = Some(Instant::now() + backoff);
                backoff = (backoff * 2).min(Duration::from_secs(60));
                Msg::Error(e)
            }
        };
        if tx.send(msg).is_err() {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nokhwa::utils::Resolution;

    fn f(w: u32, h: u32, fmt: FrameFormat, fps: u32) -> CameraFormat {
        CameraFormat::new(Resolution::new(w, h), fmt, fps)
    }

    #[test]
    fn chooses_the_largest_fitting_mjpeg_near_15_fps() {
        let offered = [
            f(1280, 720, FrameFormat::MJPEG, 30),
            f(640, 480, FrameFormat::YUYV, 30),
            f(640, 480, FrameFormat::MJPEG, 30),
            f(640, 480, FrameFormat::MJPEG, 15),
            f(320, 240, FrameFormat::MJPEG, 30),
        ];
        let auto = PixelFormat::Auto;
        assert_eq!(
            choose_format(&offered, 640, 480, auto),
            Some(f(640, 480, FrameFormat::MJPEG, 15))
        );
        assert_eq!(
            choose_format(&offered, 400, 300, auto),
            Some(f(320, 240, FrameFormat::MJPEG, 30))
        );
        assert_eq!(
            choose_format(&offered, 640, 480, PixelFormat::Yuyv),
            Some(f(640, 480, FrameFormat::YUYV, 30))
        );
        // Nothing fits: the smallest on offer.
        assert_eq!(
            choose_format(&offered[..1], 640, 480, auto),
            Some(offered[0])
        );
        assert_eq!(
            choose_format(&[f(640, 480, FrameFormat::NV12, 30)], 640, 480, auto),
            None
        );
    }
}
