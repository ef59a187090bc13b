//! The real camera, through nokhwa's V4L2 backend.
//!
//! `nokhwa::Camera` is not `Send`, so one capture thread owns it and hands frames over a
//! bounded channel. The thread samples at a low rate, closes the device between samples
//! when the interval is long enough (the camera light goes off), requests an exact small
//! format chosen from what the camera offers (nokhwa's "closest" request fails unless the
//! exact size exists), skips the dark frames a camera gives while its exposure settles,
//! and survives the device vanishing, being busy or refusing permission: it reports the
//! error and retries with backoff.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use image::RgbImage;
use nokhwa::pixel_format::RgbFormat;
use nokhwa::utils::{
    ApiBackend, CameraFormat, CameraIndex, FrameFormat, RequestedFormat, RequestedFormatType,
};
use nokhwa::Camera;

use super::{CameraParams, Frame, FrameSource, PixelFormat, Poll, SourceError};
use crate::clock::Clock;
use crate::frame::Exposure;

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
    let infos =
        nokhwa::query(ApiBackend::Video4Linux).map_err(|e| SourceError::Camera(e.to_string()))?;
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

/// The capture thread while the device is in use.
struct Capture {
    rx: Receiver<Msg>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Capture {
    fn start(params: CameraParams) -> Capture {
        let (tx, rx) = sync_channel(1);
        let stop = Arc::new(AtomicBool::new(false));
        let stop_thread = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("hunch-camera".into())
            .spawn(move || capture_loop(params, tx, stop_thread))
            .ok();
        Capture { rx, stop, thread }
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Unblock a pending send, then wait: dropping the Camera releases the device.
        while self.rx.try_recv().is_ok() {}
        if let Some(t) = self.thread.take() {
            drop(std::mem::replace(&mut self.rx, sync_channel(1).1));
            let _ = t.join();
        }
    }
}

/// The camera as a [`FrameSource`]. The capture thread starts at the first poll and stops
/// (closing the device) on [`FrameSource::release`] or drop. Camera errors come back as
/// [`Poll::Trouble`] while the thread keeps retrying.
pub struct Webcam {
    params: CameraParams,
    capture: Option<Capture>,
    index: u64,
}

impl Webcam {
    pub fn new(params: CameraParams) -> Webcam {
        Webcam {
            params,
            capture: None,
            index: 0,
        }
    }

    /// Whether the capture thread is running (the device may be open).
    pub fn is_capturing(&self) -> bool {
        self.capture.is_some()
    }

    fn recv(&mut self, timeout: Duration) -> Poll {
        let params = self.params;
        let capture = self.capture.get_or_insert_with(|| Capture::start(params));
        match capture.rx.recv_timeout(timeout) {
            Ok(Msg::Frame(image, t)) => {
                self.index += 1;
                Poll::Frame(Frame {
                    image,
                    t,
                    index: self.index - 1,
                })
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
        self.capture = None;
        true
    }

    fn next_frame(&mut self) -> Result<Option<Frame>, SourceError> {
        loop {
            match self.recv(Duration::from_secs(3600)) {
                Poll::Frame(f) => return Ok(Some(f)),
                Poll::Idle => {}
                Poll::End => return Ok(None),
                Poll::Trouble(e) => return Err(SourceError::Camera(e)),
            }
        }
    }

    fn id(&self) -> String {
        format!("camera:{}", self.params.index)
    }
}

fn sleep_until(deadline: Instant, stop: &AtomicBool) {
    while !stop.load(Ordering::Relaxed) {
        let now = Instant::now();
        if now >= deadline {
            return;
        }
        std::thread::sleep((deadline - now).min(Duration::from_millis(50)));
    }
}

fn capture_loop(p: CameraParams, tx: std::sync::mpsc::SyncSender<Msg>, stop: Arc<AtomicBool>) {
    let started = Instant::now();
    let interval = Duration::from_secs_f64(p.interval_seconds);
    let release = p.interval_seconds >= p.release_after_seconds;
    let mut cam: Option<Camera> = None;
    let mut backoff = Duration::from_secs(1);
    let mut next = Instant::now();
    while !stop.load(Ordering::Relaxed) {
        sleep_until(next, &stop);
        if stop.load(Ordering::Relaxed) {
            break;
        }
        next += interval;
        let result = (|| -> Result<RgbImage, String> {
            let fresh = cam.is_none();
            if fresh {
                let (c, _) = open(&p)?;
                cam = Some(c);
            }
            let c = cam.as_mut().ok_or("camera not open")?;
            let mut img = grab(c)?;
            if fresh {
                // Right after opening, frames are often dark until exposure settles.
                let mut tries = 0;
                while Exposure::of(&img).is_blank() && tries < p.warmup_frames {
                    img = grab(c)?;
                    tries += 1;
                }
            }
            Ok(img)
        })();
        if release {
            cam = None; // dropping the Camera closes the device: the light goes off
        }
        let msg = match result {
            Ok(img) => {
                backoff = Duration::from_secs(1);
                Msg::Frame(img, started.elapsed().as_secs_f64())
            }
            Err(e) => {
                cam = None;
                next = Instant::now() + backoff;
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
