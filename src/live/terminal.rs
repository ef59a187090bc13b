//! The terminal for a full-screen view: the alternate screen, no cursor, keys read one by
//! one without echo (termios), restored however the view ends.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

/// The terminal in the view's mode: alternate screen, no cursor, keys read one by one
/// without echo (signals still work: Ctrl-C is SIGINT). Restored when dropped, and by a
/// panic hook if the program panics meanwhile.
pub struct Terminal {
    raw: bool,
}

/// The settings to restore (stdin's termios before the view), for the panic hook.
static SAVED: OnceLock<Option<libc::termios>> = OnceLock::new();
/// Set once the terminal was restored, so it is restored exactly once.
static RESTORED: AtomicBool = AtomicBool::new(false);

fn restore_terminal() {
    if RESTORED.swap(true, Ordering::SeqCst) {
        return;
    }
    if let Some(Some(t)) = SAVED.get() {
        // SAFETY: tcsetattr on fd 0 with a termios that tcgetattr filled.
        unsafe {
            libc::tcsetattr(0, libc::TCSANOW, t);
        }
    }
    let mut out = std::io::stdout();
    let _ = out.write_all(b"\x1b[0m\x1b[?25h\x1b[?1049l");
    let _ = out.flush();
}

impl Terminal {
    pub fn enter() -> std::io::Result<Terminal> {
        let raw = std::io::stdin().is_terminal();
        let saved = if raw {
            // SAFETY: termios is plain data; tcgetattr fills it or fails.
            let mut t: libc::termios = unsafe { std::mem::zeroed() };
            if unsafe { libc::tcgetattr(0, &mut t) } != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Some(t)
        } else {
            None
        };
        if SAVED.set(saved).is_err() {
            return Err(std::io::Error::other("the terminal is already in use"));
        }
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore_terminal();
            previous(info);
        }));
        if let Some(mut t) = saved {
            t.c_lflag &= !(libc::ICANON | libc::ECHO);
            t.c_cc[libc::VMIN] = 0;
            t.c_cc[libc::VTIME] = 0;
            // SAFETY: as above, with the copy changed.
            if unsafe { libc::tcsetattr(0, libc::TCSANOW, &t) } != 0 {
                return Err(std::io::Error::last_os_error());
            }
        }
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
        // SAFETY: reads at most buf.len() bytes into buf; VMIN=0 so it does not block.
        let n = unsafe { libc::read(0, buf.as_mut_ptr().cast(), buf.len()) };
        n > 0 && buf[..n as usize].iter().any(|b| matches!(b, b'q' | b'Q'))
    }

    /// Columns and rows (80×24 when unknown).
    pub fn size(&self) -> (usize, usize) {
        // SAFETY: TIOCGWINSZ fills a winsize or fails.
        let mut ws: libc::winsize = unsafe { std::mem::zeroed() };
        let ok = unsafe { libc::ioctl(1, libc::TIOCGWINSZ, &mut ws) } == 0;
        if ok && ws.ws_col > 0 && ws.ws_row > 0 {
            (ws.ws_col as usize, ws.ws_row as usize)
        } else {
            (80, 24)
        }
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
