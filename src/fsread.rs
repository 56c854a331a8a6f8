//! Reading files tactful did not write: configs, packs, workspace files, git checkouts
//! and input. All of it may come from someone else (a cloned repository, a team's pack),
//! so every read here is bounded and never blocks:
//!
//! - only regular files are read: a device (`/dev/zero`), a FIFO or a socket is refused
//!   before it is read. The file is opened non-blocking (a FIFO cannot hang the open)
//!   and what is checked is the open handle, so a path swapped in between cannot get
//!   past the check either;
//! - at most [`Limit::bytes`] are read, whatever the file's size claims to be (a file in
//!   `/proc` says 0, a sparse file says its full size): a bigger file is an error that
//!   names the limit, never a silently shortened text;
//! - [`read_inside`] also keeps to a folder: the path is resolved and must stay inside
//!   it, and the last step is opened without following a link, so a link in a pack or
//!   a checkout cannot lead the read elsewhere.
//!
//! Errors say what the file is for ([`Limit::what`]); callers add the path.

use std::fs::{File, Metadata};
use std::io::{self, Read};
use std::path::Path;

/// How much of what may be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// What the file is, in errors: "config file", "pack file".
    pub what: &'static str,
    /// The most bytes read.
    pub bytes: u64,
}

/// A config file (`.tactful.toml`, the user config, `--config`).
pub const CONFIG: Limit = Limit { what: "config file", bytes: 1 << 20 };

/// One file of a rule pack.
pub const PACK_FILE: Limit = Limit { what: "pack file", bytes: 1 << 20 };

/// A folder a read must stay inside, with the name errors give it.
#[derive(Debug, Clone, Copy)]
pub struct Within<'a> {
    /// Canonical (every link resolved), as [`Path::canonicalize`] gives it.
    pub root: &'a Path,
    /// "the pack's folder", "the checkout".
    pub name: &'a str,
}

/// Why a file was not read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("cannot read {what}: {err}")]
    Io { what: &'static str, err: io::Error },
    #[error("{what} is {kind}, not a regular file; only regular files are read")]
    NotRegular { what: &'static str, kind: &'static str },
    #[error("{what} is {} bytes; at most {} are read", size, describe(*cap))]
    TooLarge { what: &'static str, size: u64, cap: u64 },
    #[error("{what} is larger than the limit of {}", describe(*cap))]
    Overflowed { what: &'static str, cap: u64 },
    #[error("{what} is a link to a place outside {place}")]
    Outside { what: &'static str, place: String },
    #[error("{what} is not UTF-8 text")]
    NotText { what: &'static str },
}

impl ReadError {
    /// Whether the file is simply not there.
    pub fn is_not_found(&self) -> bool {
        matches!(self, ReadError::Io { err, .. } if err.kind() == io::ErrorKind::NotFound)
    }
}

/// Reads a file the user named (links are followed: the user chose the path).
pub fn read(path: &Path, limit: Limit) -> Result<Vec<u8>, ReadError> {
    // No look at the path before the open: `tactful check` reads thousands of files,
    // and a system call less each is felt. Only a socket cannot be opened at all; the
    // path then says what it is.
    match open(path, false) {
        Ok(file) => read_open(file, limit),
        Err(err) => match std::fs::metadata(path) {
            Ok(metadata) if !metadata.is_file() => Err(ReadError::NotRegular { what: limit.what, kind: kind(&metadata) }),
            _ => Err(ReadError::Io { what: limit.what, err }),
        },
    }
}

/// [`read`] as UTF-8 text.
pub fn read_text(path: &Path, limit: Limit) -> Result<String, ReadError> {
    String::from_utf8(read(path, limit)?).map_err(|_| ReadError::NotText { what: limit.what })
}

/// Reads a file that must stay inside `within.root`, even through links.
pub fn read_inside(path: &Path, within: Within<'_>, limit: Limit) -> Result<Vec<u8>, ReadError> {
    let io = |err| ReadError::Io { what: limit.what, err };
    let resolved = path.canonicalize().map_err(io)?;
    if !resolved.starts_with(within.root) {
        return Err(ReadError::Outside { what: limit.what, place: within.name.to_owned() });
    }
    check_metadata(&std::fs::metadata(&resolved).map_err(io)?, limit)?;
    // `resolved` has no links left; one that appears now is not followed.
    read_open(open(&resolved, true).map_err(io)?, limit)
}

/// [`read_inside`] as UTF-8 text.
pub fn read_text_inside(path: &Path, within: Within<'_>, limit: Limit) -> Result<String, ReadError> {
    String::from_utf8(read_inside(path, within, limit)?).map_err(|_| ReadError::NotText { what: limit.what })
}

/// Reads a stream (stdin) to its end, or fails once it passes the limit.
pub fn read_stream(stream: impl Read, limit: Limit) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::new();
    read_limited(stream, limit, &mut bytes)?;
    Ok(bytes)
}

/// Opens for reading without blocking (a FIFO would wait for a writer) and, when asked,
/// without following a link in the last step.
fn open(path: &Path, no_follow: bool) -> io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let follow = if no_follow { libc::O_NOFOLLOW } else { 0 };
        options.custom_flags(libc::O_NONBLOCK | follow);
    }
    #[cfg(not(unix))]
    let _ = no_follow;
    options.open(path)
}

/// The open file's own type and size are checked before a byte is read.
fn read_open(file: File, limit: Limit) -> Result<Vec<u8>, ReadError> {
    let metadata = file.metadata().map_err(|err| ReadError::Io { what: limit.what, err })?;
    check_metadata(&metadata, limit)?;
    let size = metadata.len();
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    if size == 0 {
        // A size of 0 may be a file in `/proc`, whose size is only known at its end.
        read_limited(file, limit, &mut bytes)?;
    } else {
        // The size the open file had when it was checked, in one read: no second read
        // to find the end (a file that grows meanwhile is read as it was).
        file.take(size).read_to_end(&mut bytes).map_err(|err| ReadError::Io { what: limit.what, err })?;
    }
    Ok(bytes)
}

/// Appends at most one byte more than the limit: one more means it was too large.
fn read_limited(stream: impl Read, limit: Limit, bytes: &mut Vec<u8>) -> Result<(), ReadError> {
    stream.take(limit.bytes + 1).read_to_end(bytes).map_err(|err| ReadError::Io { what: limit.what, err })?;
    if bytes.len() as u64 > limit.bytes {
        return Err(ReadError::Overflowed { what: limit.what, cap: limit.bytes });
    }
    Ok(())
}

fn check_metadata(metadata: &Metadata, limit: Limit) -> Result<(), ReadError> {
    if !metadata.is_file() {
        return Err(ReadError::NotRegular { what: limit.what, kind: kind(metadata) });
    }
    if metadata.len() > limit.bytes {
        return Err(ReadError::TooLarge { what: limit.what, size: metadata.len(), cap: limit.bytes });
    }
    Ok(())
}

/// What a file that is not a regular file is, in words.
fn kind(metadata: &Metadata) -> &'static str {
    let file_type = metadata.file_type();
    if file_type.is_dir() {
        return "a folder";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if file_type.is_char_device() {
            return "a character device";
        }
        if file_type.is_block_device() {
            return "a block device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    "a special file"
}

/// `1048576 bytes (1 MiB)`.
fn describe(bytes: u64) -> String {
    if bytes >= 1 << 20 && bytes % (1 << 20) == 0 {
        format!("{bytes} bytes ({} MiB)", bytes >> 20)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("tactful-fsread-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir.canonicalize().unwrap()
    }

    const SMALL: Limit = Limit { what: "test file", bytes: 8 };

    #[test]
    fn regular_files_within_the_limit_are_read() {
        let dir = temp("ok");
        std::fs::write(dir.join("a"), "12345678").unwrap();
        assert_eq!(read(&dir.join("a"), SMALL).unwrap(), b"12345678");
        std::fs::write(dir.join("b"), "123456789").unwrap();
        assert_eq!(read(&dir.join("b"), SMALL).unwrap_err().to_string(), "test file is 9 bytes; at most 8 bytes are read");
        assert_eq!(read(&dir, SMALL).unwrap_err().to_string(), "test file is a folder, not a regular file; only regular files are read");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[cfg(unix)]
    #[test]
    fn devices_and_fifos_are_refused_without_reading() {
        assert_eq!(
            read(Path::new("/dev/zero"), CONFIG).unwrap_err().to_string(),
            "config file is a character device, not a regular file; only regular files are read"
        );
        let dir = temp("fifo");
        let fifo = dir.join("fifo");
        assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
        assert!(matches!(read(&fifo, SMALL), Err(ReadError::NotRegular { kind: "a FIFO (named pipe)", .. })));
        // A socket cannot even be opened: the error still says what it is.
        let socket = dir.join("socket");
        let _listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
        assert!(matches!(read(&socket, SMALL), Err(ReadError::NotRegular { kind: "a socket", .. })));
        assert!(read(&dir.join("missing"), SMALL).unwrap_err().is_not_found());
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_stream_past_the_limit_is_an_error_not_a_shorter_text() {
        assert_eq!(read_stream(&b"12345678"[..], SMALL).unwrap(), b"12345678");
        assert_eq!(read_stream(&b"123456789"[..], SMALL).unwrap_err().to_string(), "test file is larger than the limit of 8 bytes");
        let big = Limit { what: "input", bytes: 2 << 20 };
        assert_eq!(read_stream(std::io::repeat(0), big).unwrap_err().to_string(), "input is larger than the limit of 2097152 bytes (2 MiB)");
    }

    #[cfg(unix)]
    #[test]
    fn links_may_not_lead_outside_the_folder() {
        let dir = temp("links");
        std::fs::create_dir_all(dir.join("pack")).unwrap();
        std::fs::write(dir.join("secret"), "s").unwrap();
        std::fs::write(dir.join("pack/real.toml"), "r").unwrap();
        std::os::unix::fs::symlink(dir.join("secret"), dir.join("pack/out.toml")).unwrap();
        std::os::unix::fs::symlink("real.toml", dir.join("pack/in.toml")).unwrap();
        let root = dir.join("pack");
        let within = Within { root: &root, name: "the pack's folder" };
        assert_eq!(read_inside(&root.join("in.toml"), within, SMALL).unwrap(), b"r");
        let err = read_inside(&root.join("out.toml"), within, SMALL).unwrap_err();
        assert_eq!(err.to_string(), "test file is a link to a place outside the pack's folder");
        let _ = std::fs::remove_dir_all(dir);
    }
}
