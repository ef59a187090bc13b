//! The console on Windows: its input mode without line input or echo (Ctrl-C still
//! stops), its key events read without waiting, its size, and virtual-terminal
//! processing so the same ANSI escapes draw the view (Windows Terminal and the Windows 10+
//! console both support it).

use windows_sys::Win32::System::Console::{
    GetConsoleMode, GetConsoleScreenBufferInfo, GetNumberOfConsoleInputEvents, GetStdHandle,
    ReadConsoleInputW, SetConsoleMode, CONSOLE_SCREEN_BUFFER_INFO, ENABLE_ECHO_INPUT,
    ENABLE_LINE_INPUT, ENABLE_VIRTUAL_TERMINAL_PROCESSING, INPUT_RECORD, KEY_EVENT,
    STD_INPUT_HANDLE, STD_OUTPUT_HANDLE,
};

/// The input mode to put back.
#[derive(Clone, Copy)]
pub struct Saved(u32);

/// Keys one by one, without echo. `None` when standard input is not a console.
pub fn enter_raw() -> std::io::Result<Option<Saved>> {
    // SAFETY: the standard input handle and a mode word it fills, or fails.
    unsafe {
        let input = GetStdHandle(STD_INPUT_HANDLE);
        let mut mode = 0u32;
        if GetConsoleMode(input, &mut mode) == 0 {
            return Ok(None);
        }
        if SetConsoleMode(input, mode & !(ENABLE_LINE_INPUT | ENABLE_ECHO_INPUT)) == 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(Some(Saved(mode)))
    }
}

/// Puts the console's input mode back.
pub fn restore(saved: &Saved) {
    // SAFETY: the standard input handle and the mode it had.
    unsafe {
        SetConsoleMode(GetStdHandle(STD_INPUT_HANDLE), saved.0);
    }
}

/// The keys typed since the last call (never waits): their characters, as far as they
/// are ASCII.
pub fn read_keys(buf: &mut [u8]) -> usize {
    let mut n = 0;
    // SAFETY: the standard input handle; records read into a local array of its length.
    unsafe {
        let input = GetStdHandle(STD_INPUT_HANDLE);
        let mut waiting = 0u32;
        if GetNumberOfConsoleInputEvents(input, &mut waiting) == 0 || waiting == 0 {
            return 0;
        }
        let mut records: [INPUT_RECORD; 32] = std::mem::zeroed();
        let mut read = 0u32;
        if ReadConsoleInputW(input, records.as_mut_ptr(), records.len() as u32, &mut read) == 0 {
            return 0;
        }
        for r in &records[..read as usize] {
            if u32::from(r.EventType) == KEY_EVENT && r.Event.KeyEvent.bKeyDown != 0 {
                let c = r.Event.KeyEvent.uChar.UnicodeChar;
                if c > 0 && c < 128 && n < buf.len() {
                    buf[n] = c as u8;
                    n += 1;
                }
            }
        }
    }
    n
}

/// Columns and rows of the console's window, when known.
pub fn size() -> Option<(usize, usize)> {
    // SAFETY: the standard output handle and a structure it fills, or fails.
    unsafe {
        let mut info: CONSOLE_SCREEN_BUFFER_INFO = std::mem::zeroed();
        if GetConsoleScreenBufferInfo(GetStdHandle(STD_OUTPUT_HANDLE), &mut info) == 0 {
            return None;
        }
        let w = info.srWindow.Right - info.srWindow.Left + 1;
        let h = info.srWindow.Bottom - info.srWindow.Top + 1;
        (w > 0 && h > 0).then_some((w as usize, h as usize))
    }
}

/// Turns on ANSI escape processing for standard output (a no-op where it is on already).
pub fn enable_ansi() {
    // SAFETY: the standard output handle and its mode word.
    unsafe {
        let out = GetStdHandle(STD_OUTPUT_HANDLE);
        let mut mode = 0u32;
        if GetConsoleMode(out, &mut mode) != 0 {
            SetConsoleMode(out, mode | ENABLE_VIRTUAL_TERMINAL_PROCESSING);
        }
    }
}
