//! Starting at login on Windows: a value under the user's `Run` key
//! (`HKCU\Software\Microsoft\Windows\CurrentVersion\Run`), which Windows runs at every
//! sign-in of this user, and only this user.

use windows_sys::Win32::System::Registry::{
    RegCloseKey, RegCreateKeyExW, RegDeleteValueW, RegQueryValueExW, RegSetValueExW, HKEY,
    HKEY_CURRENT_USER, KEY_ALL_ACCESS, REG_OPTION_NON_VOLATILE, REG_SZ,
};

/// The `Run` key.
pub const RUN: &str = r"Software\Microsoft\Windows\CurrentVersion\Run";

fn wide(s: &str) -> Vec<u16> {
    s.encode_utf16().chain(std::iter::once(0)).collect()
}

fn open(key: &str) -> std::io::Result<HKEY> {
    let mut h: HKEY = std::ptr::null_mut();
    // SAFETY: a NUL-terminated path and an out handle.
    let rc = unsafe {
        RegCreateKeyExW(
            HKEY_CURRENT_USER,
            wide(key).as_ptr(),
            0,
            std::ptr::null(),
            REG_OPTION_NON_VOLATILE,
            KEY_ALL_ACCESS,
            std::ptr::null(),
            &mut h,
            std::ptr::null_mut(),
        )
    };
    if rc == 0 {
        Ok(h)
    } else {
        Err(std::io::Error::from_raw_os_error(rc as i32))
    }
}

/// Sets value `name` under `key` to `command`.
pub fn set(key: &str, name: &str, command: &str) -> std::io::Result<()> {
    let h = open(key)?;
    let data = wide(command);
    // SAFETY: a NUL-terminated UTF-16 string and its size in bytes.
    let rc = unsafe {
        RegSetValueExW(
            h,
            wide(name).as_ptr(),
            0,
            REG_SZ,
            data.as_ptr().cast(),
            (data.len() * 2) as u32,
        )
    };
    // SAFETY: the key opened above.
    unsafe { RegCloseKey(h) };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::from_raw_os_error(rc as i32))
    }
}

/// Value `name` under `key`, if it is there.
pub fn get(key: &str, name: &str) -> Option<String> {
    let h = open(key).ok()?;
    let mut buf = [0u16; 2048];
    let mut size = (buf.len() * 2) as u32;
    // SAFETY: a buffer and its size in bytes.
    let rc = unsafe {
        RegQueryValueExW(
            h,
            wide(name).as_ptr(),
            std::ptr::null(),
            std::ptr::null_mut(),
            buf.as_mut_ptr().cast(),
            &mut size,
        )
    };
    // SAFETY: the key opened above.
    unsafe { RegCloseKey(h) };
    if rc != 0 {
        return None;
    }
    let n = (size as usize / 2).min(buf.len());
    let text = String::from_utf16_lossy(&buf[..n]);
    Some(text.trim_end_matches('\0').to_string())
}

/// Removes value `name` under `key`; whether it was there.
pub fn remove(key: &str, name: &str) -> std::io::Result<bool> {
    let h = open(key)?;
    // SAFETY: the key opened above and a NUL-terminated name.
    let rc = unsafe { RegDeleteValueW(h, wide(name).as_ptr()) };
    // SAFETY: as above.
    unsafe { RegCloseKey(h) };
    match rc {
        0 => Ok(true),
        2 => Ok(false), // ERROR_FILE_NOT_FOUND
        e => Err(std::io::Error::from_raw_os_error(e as i32)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_value_is_written_read_and_removed_in_the_registry() {
        let key = format!(r"Software\hunch-test-run-{}", std::process::id());
        let command = r#""C:\Program Files\hunch\hunch.exe" run"#;
        set(&key, "hunch", command).unwrap();
        assert_eq!(get(&key, "hunch").as_deref(), Some(command));
        assert!(remove(&key, "hunch").unwrap());
        assert_eq!(get(&key, "hunch"), None);
        assert!(!remove(&key, "hunch").unwrap());
    }
}
