//! The window's pages, each a function of what is seen. Every figure drawn as a picture
//! (the landmarks, the gauge, the hours) is also given in words, on screen and in the
//! accessibility tree.

use egui::{Color32, Pos2, Rect, RichText, Role, Sense, Stroke, Vec2, WidgetInfo};

use super::seen::Seen;
use super::{state_colour, Frame};
use crate::control::command::LiveStatus;
use crate::control::sight::Picture;
use crate::live::{gauge_range, holds, hunch_line};
use crate::report::DaySummary;
use crate::support::human::{duration, percent};

// BlazePose's indices for the landmarks the angle is measured from.
const LEFT_EAR: usize = 7;
const RIGHT_EAR: usize = 8;
const LEFT_SHOULDER: usize = 11;
const RIGHT_SHOULDER: usize = 12;

const UPRIGHT: Color32 = Color32::from_rgb(0x4c, 0xaf, 0x50);
const HUNCHING: Color32 = Color32::from_rgb(0xff, 0xb3, 0x00);
const HUNCHED: Color32 = Color32::from_rgb(0xe5, 0x39, 0x35);

fn angle(a: Option<f32>) -> String {
    a.map_or("—".to_string(), |a| format!("{a:+.1}°"))
}

/// The "Now" page.
pub fn now(ui: &mut egui::Ui, seen: &Seen, texture: &mut Option<(u64, egui::TextureHandle)>) {
    let Some(v) = &seen.view else {
        ui.label(
            seen.ended
                .as_deref()
                .unwrap_or("Waiting for the first frame…"),
        );
        return;
    };
    ui.horizontal_top(|ui| {
        let width = (ui.available_width() * 0.55).max(160.0);
        ui.vertical(|ui| {
            ui.set_width(width);
            match &seen.picture {
                Some(p) => picture(ui, p, v, texture, width),
                None => {
                    ui.label("No picture yet: it comes with the next frame.");
                }
            }
        });
        ui.vertical(|ui| readings(ui, v, seen));
    });
}

/// The frame, scaled to `width`, with the upper body's landmarks and the neck line the
/// angle is measured along.
fn picture(
    ui: &mut egui::Ui,
    p: &Picture,
    v: &LiveStatus,
    texture: &mut Option<(u64, egui::TextureHandle)>,
    width: f32,
) {
    if texture.as_ref().is_none_or(|(seq, _)| *seq != p.seq) {
        let image = egui::ColorImage::from_rgb([p.width as usize, p.height as usize], &p.rgb);
        match texture {
            Some((seq, handle)) => {
                handle.set(image, egui::TextureOptions::LINEAR);
                *seq = p.seq;
            }
            None => {
                let handle =
                    ui.ctx()
                        .load_texture("hunch-picture", image, egui::TextureOptions::LINEAR);
                *texture = Some((p.seq, handle));
            }
        }
    }
    let Some((_, handle)) = texture.as_ref() else {
        return;
    };
    let scale = (width / p.width as f32).min(2.0);
    let size = Vec2::new(p.width as f32 * scale, p.height as f32 * scale);
    let (rect, response) = ui.allocate_exact_size(size, Sense::hover());
    let painter = ui.painter_at(rect);
    painter.image(
        handle.id(),
        rect,
        Rect::from_min_max(Pos2::ZERO, Pos2::new(1.0, 1.0)),
        Color32::WHITE,
    );
    let at = |l: usize| {
        p.point(l)
            .map(|[x, y]| rect.min + Vec2::new(x * scale, y * scale))
    };
    let colour = state_colour(v.state);
    let lines = neck_lines(
        at(LEFT_EAR),
        at(RIGHT_EAR),
        at(LEFT_SHOULDER),
        at(RIGHT_SHOULDER),
    );
    if let Some([a, b]) = lines.shoulders {
        painter.line_segment([a, b], Stroke::new(2.0, Color32::WHITE));
    }
    if let Some([top, base]) = lines.upright {
        painter.line_segment(
            [top, base],
            Stroke::new(1.5, Color32::from_white_alpha(160)),
        );
    }
    if let Some([ear, shoulder]) = lines.neck {
        painter.line_segment([ear, shoulder], Stroke::new(3.0, colour));
    }
    for [x, y] in p.points.iter().flatten() {
        let c = rect.min + Vec2::new(x * scale, y * scale);
        painter.circle_filled(c, 3.5, colour);
        painter.circle_stroke(c, 3.5, Stroke::new(1.0, Color32::BLACK));
    }
    let found = p.points.iter().flatten().count();
    let words = format!(
        "camera picture, {found} upper-body landmarks found{}",
        if lines.neck.is_some() {
            ", the neck line drawn from the ears to the shoulders"
        } else {
            ""
        }
    );
    response.widget_info(|| WidgetInfo::labeled(Role::Image, true, &words));
}

/// The lines drawn over the picture, in screen points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct NeckLines {
    /// Shoulder to shoulder.
    pub shoulders: Option<[Pos2; 2]>,
    /// From the ears' midpoint (or the one ear seen) to the shoulders' midpoint.
    pub neck: Option<[Pos2; 2]>,
    /// Straight up from the shoulders' midpoint, as long as the neck line: what upright
    /// would look like from the front.
    pub upright: Option<[Pos2; 2]>,
}

pub(crate) fn neck_lines(
    left_ear: Option<Pos2>,
    right_ear: Option<Pos2>,
    left_shoulder: Option<Pos2>,
    right_shoulder: Option<Pos2>,
) -> NeckLines {
    let mid = |a: Option<Pos2>, b: Option<Pos2>| match (a, b) {
        (Some(a), Some(b)) => Some(a.lerp(b, 0.5)),
        (a, b) => a.or(b),
    };
    let ear = mid(left_ear, right_ear);
    let base = match (left_shoulder, right_shoulder) {
        (Some(a), Some(b)) => Some(a.lerp(b, 0.5)),
        _ => None,
    };
    let neck = ear.zip(base).map(|(e, b)| [e, b]);
    NeckLines {
        shoulders: left_shoulder.zip(right_shoulder).map(|(a, b)| [a, b]),
        neck,
        upright: neck.map(|[e, b]| [Pos2::new(b.x, b.y - e.distance(b)), b]),
    }
}

/// The state, the angle against the thresholds, the hunch in progress, and why not.
fn readings(ui: &mut egui::Ui, v: &LiveStatus, seen: &Seen) {
    let live = &v.live;
    ui.label(
        RichText::new(crate::support::human::state(v.state))
            .heading()
            .strong()
            .color(state_colour(v.state)),
    );
    ui.label(format!(
        "Head forward {}   (this frame {})",
        angle(v.forward_deg),
        angle(live.frame_deg)
    ));
    gauge(ui, v);
    ui.label(format!(
        "Hunching starts at {:.1}° and ends below {:.1}°",
        live.enter_deg, live.exit_deg
    ));
    ui.add_space(6.0);
    ui.label(hunch_line(live));
    if let Some(why) = &live.not_measured {
        ui.label(format!("Not measured: {why}"));
    }
    for h in holds(v) {
        ui.label(h);
    }
    if let Some(t) = &seen.today {
        ui.add_space(6.0);
        ui.label(t.line());
    }
    if let Some(why) = &seen.ended {
        ui.add_space(6.0);
        ui.weak(why);
    }
}

/// The smoothed angle on a scale with the exit and enter thresholds marked: green below
/// exit, amber between, red past enter.
fn gauge(ui: &mut egui::Ui, v: &LiveStatus) {
    let live = &v.live;
    let (lo, hi) = gauge_range(v.forward_deg, live.enter_deg);
    let width = ui.available_width().clamp(160.0, 420.0);
    let (rect, response) = ui.allocate_exact_size(Vec2::new(width, 34.0), Sense::hover());
    let painter = ui.painter_at(rect);
    let bar = Rect::from_min_size(rect.min, Vec2::new(width, 16.0));
    let x = |deg: f32| bar.left() + ((deg - lo) / (hi - lo)).clamp(0.0, 1.0) * bar.width();
    let zone = |from: f32, to: f32, c: Color32| {
        painter.rect_filled(
            Rect::from_x_y_ranges(x(from)..=x(to), bar.y_range()),
            0.0,
            c.gamma_multiply(0.45),
        );
    };
    zone(lo, live.exit_deg, UPRIGHT);
    zone(live.exit_deg, live.enter_deg, HUNCHING);
    zone(live.enter_deg, hi, HUNCHED);
    let text = ui.visuals().text_color();
    for (deg, w) in [(live.exit_deg, 1.0), (live.enter_deg, 2.0)] {
        painter.line_segment(
            [
                Pos2::new(x(deg), bar.top()),
                Pos2::new(x(deg), bar.bottom()),
            ],
            Stroke::new(w, text),
        );
    }
    if let Some(a) = v.forward_deg {
        let at = x(a);
        painter.line_segment(
            [
                Pos2::new(at, bar.top() - 2.0),
                Pos2::new(at, bar.bottom() + 2.0),
            ],
            Stroke::new(4.0, state_colour(v.state)),
        );
    }
    let font = egui::FontId::proportional(11.0);
    for (deg, align) in [
        (lo, egui::Align2::LEFT_TOP),
        (0.0, egui::Align2::CENTER_TOP),
        (hi, egui::Align2::RIGHT_TOP),
    ] {
        painter.text(
            Pos2::new(x(deg), bar.bottom() + 2.0),
            align,
            format!("{deg:+.0}°"),
            font.clone(),
            text,
        );
    }
    let words = format!(
        "head forward {} on a scale from {lo:+.0}° to {hi:+.0}°; hunching starts at {:.1}°, ends below {:.1}°",
        angle(v.forward_deg),
        live.enter_deg,
        live.exit_deg
    );
    let value = v.forward_deg.map(f64::from);
    response.widget_info(|| {
        let mut info = WidgetInfo::labeled(Role::Meter, true, &words);
        info.value = value;
        info
    });
}

/// The "Today" page; the note to show after "Open the full report" was pressed.
pub fn today(ui: &mut egui::Ui, seen: &Seen, frame: &Frame) -> Option<String> {
    let Some(d) = &seen.day else {
        ui.label("Nothing recorded today yet.");
        return None;
    };
    let goal = frame.goal_hunched_share;
    let over = d.hunched_share.is_some_and(|s| s > goal);
    ui.label(
        RichText::new(format!("Today {} hunched", percent(d.hunched_share)))
            .heading()
            .strong()
            .color(if over { HUNCHED } else { UPRIGHT }),
    );
    ui.label(format!(
        "Goal: under {}. {} hunched of {} monitored.",
        percent(Some(goal)),
        duration(d.hunched_s),
        duration(d.monitored_s)
    ));
    ui.add_space(6.0);
    hours(ui, d);
    ui.add_space(6.0);
    ui.label(RichText::new(crate::report::render::text::day(d, goal, false)).monospace());
    let mut note = None;
    if ui.button("Open the full report").clicked() {
        note = Some(match open_report(frame, goal) {
            Ok(path) => format!("Opened {}", path.display()),
            Err(e) => format!("Could not open the report: {e}"),
        });
    }
    note
}

/// Monitored and hunched time for each hour of the day, as bars.
fn hours(ui: &mut egui::Ui, d: &DaySummary) {
    let width = ui.available_width().clamp(240.0, 600.0);
    let (rect, response) = ui.allocate_exact_size(Vec2::new(width, 80.0), Sense::hover());
    let painter = ui.painter_at(rect);
    let plot = Rect::from_min_max(rect.min, Pos2::new(rect.max.x, rect.max.y - 14.0));
    let pitch = plot.width() / 24.0;
    let text = ui.visuals().text_color();
    // Full height is the busiest hour (at least 10 min, so a short day is not all bars).
    let top = d.hours.iter().map(|r| r.monitored_s).fold(600.0, f64::max);
    for row in &d.hours {
        let left = plot.left() + row.hour as f32 * pitch;
        let h = |s: f64| (s / top).clamp(0.0, 1.0) as f32 * plot.height();
        let column = |s: f64| {
            Rect::from_min_max(
                Pos2::new(left + 1.0, plot.bottom() - h(s)),
                Pos2::new(left + pitch - 1.0, plot.bottom()),
            )
        };
        painter.rect_filled(column(row.monitored_s), 0.0, UPRIGHT.gamma_multiply(0.6));
        painter.rect_filled(column(row.hunched_s), 0.0, HUNCHED);
    }
    for hour in (0..24).step_by(3) {
        painter.text(
            Pos2::new(plot.left() + hour as f32 * pitch, plot.bottom() + 1.0),
            egui::Align2::LEFT_TOP,
            format!("{hour:02}"),
            egui::FontId::proportional(10.0),
            text,
        );
    }
    let busiest: Vec<String> = d
        .hours
        .iter()
        .filter(|r| r.monitored_s > 0.0)
        .map(|r| format!("{:02}h {}", r.hour, duration(r.hunched_s)))
        .collect();
    let words = format!(
        "hunched time by hour: {}",
        if busiest.is_empty() {
            "nothing monitored".to_string()
        } else {
            busiest.join(", ")
        }
    );
    response.widget_info(|| WidgetInfo::labeled(Role::Image, true, &words));
}

/// Writes today's HTML report (user-only) and opens it with the desktop's handler.
fn open_report(frame: &Frame, goal: f64) -> Result<std::path::PathBuf, String> {
    let (Some(dir), Some(journal)) = (&frame.report_dir, &frame.journal) else {
        return Err("no journal to report on".into());
    };
    let journal = crate::journal::Journal::open_read_only(journal).map_err(|e| e.to_string())?;
    let tz = jiff::tz::TimeZone::system();
    let today = jiff::Zoned::now().with_time_zone(tz.clone()).date();
    let ctx = crate::report::render::html::Context {
        tz,
        enter_deg: frame.enter_deg,
        exit_deg: frame.exit_deg,
    };
    let page = crate::report::pages::html_page(&journal, today, today, &ctx, goal)
        .map_err(|e| e.to_string())?;
    let path = dir.join("today.html");
    crate::support::files::write(&path, page.as_bytes(), crate::support::files::Mode::Private)
        .map_err(|e| e.to_string())?;
    crate::platform::desktop::open_file(&path)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_neck_line_runs_from_the_ears_to_the_shoulders_and_upright_is_as_long() {
        let l = neck_lines(
            Some(Pos2::new(90.0, 50.0)),
            Some(Pos2::new(110.0, 50.0)),
            Some(Pos2::new(60.0, 130.0)),
            Some(Pos2::new(140.0, 130.0)),
        );
        assert_eq!(
            l.neck,
            Some([Pos2::new(100.0, 50.0), Pos2::new(100.0, 130.0)])
        );
        assert_eq!(
            l.upright,
            Some([Pos2::new(100.0, 50.0), Pos2::new(100.0, 130.0)])
        );
        // Head forward and to the side: upright stays vertical with the neck's length.
        let l = neck_lines(
            Some(Pos2::new(130.0, 70.0)),
            None,
            Some(Pos2::new(60.0, 130.0)),
            Some(Pos2::new(140.0, 130.0)),
        );
        assert_eq!(
            l.neck,
            Some([Pos2::new(130.0, 70.0), Pos2::new(100.0, 130.0)])
        );
        let [top, base] = l.upright.unwrap();
        assert_eq!(base, Pos2::new(100.0, 130.0));
        assert_eq!(top.x, 100.0);
        assert!((base.y - top.y - (30f32.hypot(60.0))).abs() < 1e-3);
        // One shoulder out of view: no neck line at all (nothing to measure from).
        let l = neck_lines(
            Some(Pos2::new(1.0, 1.0)),
            None,
            Some(Pos2::new(5.0, 9.0)),
            None,
        );
        assert_eq!(l.neck, None);
        assert_eq!(l.shoulders, None);
    }
}
