//! The terminal for a full-screen view: the alternate screen, no cursor, keys read one by
//! one without echo ([`crate::platform::terminal`]), restored however the view ends.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

use crate::platform::terminal;

/// The terminal in the view's mode: alternate screen, no cursor, keys read one by one
/// without echo (signals still work: Ctrl-C is SIGINT). Restored when dropped, and by a
/// panic hook if the program panics meanwhile.
pub struct Terminal {
    raw: bool,
}

/// The settings to restore (the terminal's before the view), for the panic hook.
static SAVED: OnceLock<Option<terminal::Saved>> = OnceLock::new();
/// Set once the terminal was restored, so it is restored exactly once.
static RESTORED: AtomicBool = AtomicBool::new(false);

fn restore_terminal() {
    if RESTORED.swap(true, Ordering::SeqCst) {
        return;
    }
    if let Some(Some(t)) = SAVED.get() {
        terminal::restore(t);
    }
    let mut out = std::io::stdout();
    let _ = out.write_all(b"\x1b[0m\x1b[?25h\x1b[?1049l");
    let _ = out.flush();
}

impl Terminal {
    pub fn enter() -> std::io::Result<Terminal> {
        terminal::enable_ansi();
        let saved = terminal::enter_raw()?;
        let raw = saved.is_some();
        if SAVED.set(saved).is_err() {
            if let Some(t) = &saved {
                terminal::restore(t);
            }
            return Err(std::io::Error::other("the terminal is already in use"));
        }
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore_terminal();
            previous(info);
        }));
        let mut out = std::io::stdout();
        out.write_all(b"\x1b[?1049h\x1b[?25l\x1b[2J")?;
        out.flush()?;
        Ok(Terminal { raw })
    }

    /// Whether `q` was typed since last asked (never waits).
    pub fn quit_pressed(&self) -> bool {
        if !self.raw {
            return false;
        }
        let mut buf = [0u8; 64];
        let n = terminal::read_keys(&mut buf);
        buf[..n].iter().any(|b| matches!(b, b'q' | b'Q'))
    }

    /// Columns and rows (80×24 when unknown).
    pub fn size(&self) -> (usize, usize) {
        terminal::size().unwrap_or((80, 24))
    }

    /// Redraws the screen with `lines` (cut to `height`), without flicker: each line
    /// overwrites the last, and the rest is cleared.
    pub fn draw(&self, lines: &[String], height: usize) {
        let mut s = String::from("\x1b[H");
        for l in lines.iter().take(height.max(1)) {
            s += l;
            s += "\x1b[K\r\n";
        }
        s += "\x1b[J";
        let mut out = std::io::stdout();
        let _ = out.write_all(s.as_bytes()).and_then(|()| out.flush());
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        restore_terminal();
    }
}
