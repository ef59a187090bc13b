//! `hunch window`: what hunch sees, in a window of its own.
//!
//! The window is a client: it never owns monitoring, and closing it never stops the
//! monitor. Against a running monitor it shows the monitor's own readings; without one a
//! [`seen::Watcher`] runs the same chain as `hunch run` on the camera or a recording.
//!
//! The pages are plain functions of a [`seen::Seen`] drawn with egui every time the
//! window repaints (egui is immediate-mode: no widget state to keep in step with the
//! data). [`WindowApp::ui`] draws one frame; `cli/window.rs` runs it in a native window
//! (eframe), and the tests drive it headless through its AccessKit tree (egui_kittest).

mod pages;
pub mod seen;

use egui::Color32;

pub use crate::control::sight::Picture;
pub use seen::{Seen, Shared, Source, Watcher};

use crate::vocab::MonitorState;

/// The window's pages, in the order the tabs show them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// The camera's picture with the landmarks, the angle against the thresholds, the state.
    Now,
    /// The day at a glance, from the same summary the reports use.
    Today,
}

impl Page {
    pub const ALL: [Page; 2] = [Page::Now, Page::Today];

    pub fn title(self) -> &'static str {
        match self {
            Page::Now => "Now",
            Page::Today => "Today",
        }
    }

    /// A page by its name on the command line (`now`, `today`).
    pub fn by_name(name: &str) -> Option<Page> {
        Page::ALL
            .into_iter()
            .find(|p| p.title().eq_ignore_ascii_case(name))
    }
}

/// What the window needs besides what it sees: the settings that frame the figures.
#[derive(Debug, Clone)]
pub struct Frame {
    /// The report's goal: hunched share of monitored time to stay under.
    pub goal_hunched_share: f64,
    /// The thresholds, for the full report's angle chart.
    pub enter_deg: f32,
    pub exit_deg: f32,
    /// Where "Open the full report" writes today's HTML page (a user-only directory).
    pub report_dir: Option<std::path::PathBuf>,
    /// The journal the full report reads.
    pub journal: Option<std::path::PathBuf>,
}

/// The window's state between frames: the page shown, the uploaded picture.
pub struct WindowApp {
    page: Page,
    shared: Shared,
    frame: Frame,
    /// The picture on the GPU, and which one it is.
    texture: Option<(u64, egui::TextureHandle)>,
    /// The result of the last "Open the full report", shown under the button.
    report_note: Option<String>,
    woken: bool,
}

impl WindowApp {
    pub fn new(shared: Shared, frame: Frame, page: Page) -> WindowApp {
        WindowApp {
            page,
            shared,
            frame,
            texture: None,
            report_note: None,
            woken: false,
        }
    }

    pub fn page(&self) -> Page {
        self.page
    }

    /// Draws the window's contents once.
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        if !self.woken {
            // New data repaints the window; nothing else does (no polling while idle).
            let ctx = ui.ctx().clone();
            self.shared.on_change(move || ctx.request_repaint());
            self.woken = true;
        }
        let seen = self.shared.seen().clone();
        ui.horizontal(|ui| {
            for p in Page::ALL {
                ui.selectable_value(&mut self.page, p, p.title());
            }
            ui.separator();
            ui.weak(&seen.source);
        });
        ui.separator();
        match self.page {
            Page::Now => pages::now(ui, &seen, &mut self.texture),
            Page::Today => {
                if let Some(note) = pages::today(ui, &seen, &self.frame) {
                    self.report_note = Some(note);
                }
                if let Some(note) = &self.report_note {
                    ui.label(note);
                }
            }
        }
    }
}

/// A state's colour, the same as the reports' charts.
pub fn state_colour(state: MonitorState) -> Color32 {
    hex(crate::report::render::svg::colour(state)).unwrap_or(Color32::GRAY)
}

/// `#rrggbb` as a colour.
fn hex(s: &str) -> Option<Color32> {
    let v = u32::from_str_radix(s.strip_prefix('#')?, 16).ok()?;
    Some(Color32::from_rgb((v >> 16) as u8, (v >> 8) as u8, v as u8))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_found_by_name_and_states_have_the_reports_colours() {
        assert_eq!(Page::by_name("today"), Some(Page::Today));
        assert_eq!(Page::by_name("NOW"), Some(Page::Now));
        assert_eq!(Page::by_name("settings"), None);
        assert_eq!(
            state_colour(MonitorState::Hunched),
            Color32::from_rgb(0xe5, 0x39, 0x35)
        );
        assert_eq!(hex("4caf50"), None);
    }
}
