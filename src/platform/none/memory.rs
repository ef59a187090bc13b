//! Memory and open files where the system offers no more than the standard library.

use std::path::PathBuf;

/// Nothing to do: the system's allocator gives freed memory back on its own terms.
pub fn release_free_memory() {}

/// No way to name an open file by itself: the caller uses the path it opened.
pub fn open_file_path(_file: &std::fs::File) -> Option<PathBuf> {
    None
}
