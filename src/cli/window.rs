//! `hunch window`: what hunch sees, in a native window (the pages are [`hunch::window`]).
//!
//! Against the running monitor when one answers on the control channel; otherwise, or with
//! `--source`, a daemon of its own on the camera or the recording, as `hunch watch` does.
//! Closing the window never stops a running monitor.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use anyhow::Context;
use clap::Args;
use hunch::journal::Journal;
use hunch::window::{Frame, Page, Shared, Source, Watcher, WindowApp};

#[derive(Debug, Args)]
pub struct WindowArgs {
    #[command(flatten)]
    pub view: super::watch::ViewSource,
    /// The page to open on: now or today.
    #[arg(long, default_value = "now", value_parser = parse_page)]
    pub page: Page,
    /// Save the window as a PNG once it has shown a picture (and, on the Today page, a
    /// monitored day) and close it: for the README's screenshots and the tests. Only what
    /// is on screen is written.
    #[arg(long, value_name = "OUT.png", hide = true)]
    pub screenshot: Option<PathBuf>,
    /// With --screenshot: wait for this many pictures first.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 1,
        requires = "screenshot",
        hide = true
    )]
    pub after_pictures: u64,
    #[command(flatten)]
    pub engine: super::EngineArgs,
}

fn parse_page(s: &str) -> Result<Page, String> {
    Page::by_name(s).ok_or_else(|| {
        let names: Vec<&str> = Page::ALL.iter().map(|p| p.title()).collect();
        format!("no page {s:?} (pages: {})", names.join(", ").to_lowercase())
    })
}

pub fn run(args: WindowArgs) -> anyhow::Result<ExitCode> {
    let config = super::load_config()?;
    let (source, label, tmp) = if let Some(sock) = args.view.monitor()? {
        let journal = Journal::default_path()?;
        (
            Source::Monitor {
                socket: sock,
                journal,
            },
            "the running monitor".to_string(),
            None,
        )
    } else {
        let (daemon, tmp) = super::watch::own_daemon(&args.engine, &args.view, "hunch-window")?;
        let label = format!("{} (the window's own view)", daemon.source_id());
        let journal = tmp.join("journal.sqlite");
        (
            Source::Own {
                daemon: Box::new(daemon),
                journal,
            },
            label,
            Some(tmp),
        )
    };
    let report_dir = match &tmp {
        Some(t) => Some(t.clone()),
        None => super::run::private_tempdir("hunch-window").ok(),
    };
    let frame = Frame {
        goal_hunched_share: config.report.goal_hunched_share,
        enter_deg: config.filter.enter_deg,
        exit_deg: config.filter.exit_deg,
        journal: match &source {
            Source::Monitor { journal, .. } | Source::Own { journal, .. } => Some(journal.clone()),
        },
        report_dir: report_dir.clone(),
    };
    let shared = Shared::default();
    let watcher = Watcher::start(source, label, shared.clone())?;
    let app = WindowApp::new(shared.clone(), frame, args.page);
    let shot = args.screenshot.clone().map(|out| Screenshot {
        out,
        after: args.after_pictures.max(1),
        asked: false,
        result: Arc::new(Mutex::new(None)),
    });
    let result_slot = shot.as_ref().map(|s| Arc::clone(&s.result));
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("hunch")
            .with_app_id("hunch")
            .with_inner_size([960.0, 620.0])
            .with_min_inner_size([480.0, 360.0]),
        ..Default::default()
    };
    let ran = eframe::run_native(
        "hunch",
        options,
        Box::new(move |_| Ok(Box::new(Runner { app, shared, shot }))),
    );
    if let Some(daemon) = watcher.stop() {
        drop(daemon.finish(hunch::daemon::StopReason::Signal));
    }
    for dir in tmp.iter().chain(report_dir.iter()) {
        let _ = std::fs::remove_dir_all(dir);
    }
    ran.map_err(|e| anyhow::anyhow!("cannot open the window: {e}"))?;
    if let Some(slot) = result_slot {
        let saved = slot.lock().unwrap_or_else(|p| p.into_inner()).take();
        match saved {
            Some(Ok(path)) => eprintln!("wrote {}", path.display()),
            Some(Err(e)) => anyhow::bail!(e),
            None => anyhow::bail!("the window closed before its screenshot was taken"),
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A screenshot to take once the page has something on it, then close.
struct Screenshot {
    out: PathBuf,
    after: u64,
    asked: bool,
    result: Arc<Mutex<Option<Result<PathBuf, String>>>>,
}

struct Runner {
    app: WindowApp,
    shared: Shared,
    shot: Option<Screenshot>,
}

impl eframe::App for Runner {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        egui::CentralPanel::default().show(ui, |ui| self.app.ui(ui));
        let Some(shot) = &mut self.shot else {
            return;
        };
        if shot.asked {
            return;
        }
        let ready = {
            let seen = self.shared.seen();
            let pictures = seen.picture.as_ref().is_some_and(|p| p.seq >= shot.after);
            match self.app.page() {
                Page::Now => pictures,
                Page::Today => pictures && seen.day.as_ref().is_some_and(|d| d.monitored_s > 0.0),
            }
        };
        if ready {
            shot.asked = true;
            let (out, result) = (shot.out.clone(), Arc::clone(&shot.result));
            let ctx = ui.ctx().clone();
            ui.ctx().request_screenshot(move |image| {
                let saved = save_png(&out, &image).map(|()| out);
                *result.lock().unwrap_or_else(|p| p.into_inner()) = Some(saved);
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                ctx.request_repaint();
            });
        }
    }
}

fn save_png(out: &std::path::Path, image: &egui::ColorImage) -> Result<(), String> {
    let [w, h] = image.size;
    let rgba: Vec<u8> = image.pixels.iter().flat_map(|c| c.to_array()).collect();
    let png = image::RgbaImage::from_raw(w as u32, h as u32, rgba)
        .context("the screenshot's size does not match its pixels")
        .map_err(|e| e.to_string())?;
    png.save(out)
        .map_err(|e| format!("cannot write {}: {e}", out.display()))
}
