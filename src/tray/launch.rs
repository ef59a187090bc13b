//! Today's report for the tray's "Today's report": written (read-only on the journal,
//! like `hunch report --html`) where the system's tray binding opens it.

use super::TrayOptions;

/// Writes today's HTML report to `options.report_path` (0600).
pub fn write_today_report(options: &TrayOptions) -> Result<(), String> {
    let why = |e: &dyn std::fmt::Display| format!("today's report could not be written: {e}");
    let journal = crate::journal::Journal::open_read_only(&options.journal).map_err(|e| why(&e))?;
    let tz = &options.page.tz;
    let today = jiff::Zoned::now().with_time_zone(tz.clone()).date();
    let html = crate::report::pages::html_page(&journal, today, today, &options.page, options.goal)
        .map_err(|e| why(&e))?;
    crate::support::paths::write_private(&options.report_path, html.as_bytes()).map_err(|e| why(&e))
}
