//! The terminal on Unix: termios for keys one by one without echo, `TIOCGWINSZ` for the
//! size. ANSI escapes work as they are.

/// The settings to put back.
#[derive(Clone, Copy)]
pub struct Saved(libc::termios);

// SAFETY: termios is plain data.
unsafe impl Send for Saved {}
unsafe impl Sync for Saved {}

/// Keys one by one, without echo, and reads that never wait (signals still work: Ctrl-C
/// is SIGINT). `None` when standard input is not a terminal.
pub fn enter_raw() -> std::io::Result<Option<Saved>> {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() {
        return Ok(None);
    }
    // SAFETY: termios is plain data; tcgetattr fills it or fails.
    let mut t: libc::termios = unsafe { std::mem::zeroed() };
    if unsafe { libc::tcgetattr(0, &mut t) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    let saved = Saved(t);
    t.c_lflag &= !(libc::ICANON | libc::ECHO);
    t.c_cc[libc::VMIN] = 0;
    t.c_cc[libc::VTIME] = 0;
    // SAFETY: as above, with the copy changed.
    if unsafe { libc::tcsetattr(0, libc::TCSANOW, &t) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(Some(saved))
}

/// Puts the terminal's settings back.
pub fn restore(saved: &Saved) {
    // SAFETY: tcsetattr on fd 0 with a termios that tcgetattr filled.
    unsafe {
        libc::tcsetattr(0, libc::TCSANOW, &saved.0);
    }
}

/// The keys typed since the last call, as bytes (never waits; raw mode only).
pub fn read_keys(buf: &mut [u8]) -> usize {
    // SAFETY: reads at most buf.len() bytes into buf; VMIN=0 so it does not block.
    let n = unsafe { libc::read(0, buf.as_mut_ptr().cast(), buf.len()) };
    n.max(0) as usize
}

/// Columns and rows, when known.
pub fn size() -> Option<(usize, usize)> {
    // SAFETY: TIOCGWINSZ fills a winsize or fails.
    let mut ws: libc::winsize = unsafe { std::mem::zeroed() };
    let ok = unsafe { libc::ioctl(1, libc::TIOCGWINSZ, &mut ws) } == 0;
    (ok && ws.ws_col > 0 && ws.ws_row > 0).then_some((ws.ws_col as usize, ws.ws_row as usize))
}

/// ANSI escapes need nothing on Unix.
pub fn enable_ansi() {}
