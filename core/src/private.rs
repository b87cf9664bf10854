//! Files and folders only their owner can read. The SQLite database, the
//! desktop's data folder and its secrets file hold tasks, sessions and keys,
//! which another account on the same computer must not read. On Unix that is
//! mode 0600 for files and 0700 for folders, set explicitly after creating so
//! the umask does not matter; elsewhere a user's profile folder is already
//! private and these only create.

use std::io;
use std::path::Path;

#[cfg(unix)]
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};

#[cfg(unix)]
const FILE_MODE: u32 = 0o600;
#[cfg(unix)]
const FOLDER_MODE: u32 = 0o700;

/// Creates `dir` and its missing parents as owner-only folders; folders that
/// already exist are left as they are (one may be the current directory).
pub fn create_dir(dir: &Path) -> io::Result<()> {
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent() {
        create_dir(parent)?;
    }
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    builder.mode(FOLDER_MODE);
    match builder.create(dir) {
        #[cfg(unix)]
        Ok(()) => std::fs::set_permissions(dir, std::fs::Permissions::from_mode(FOLDER_MODE)),
        #[cfg(not(unix))]
        Ok(()) => Ok(()),
        // Another process created it meanwhile.
        Err(err) if err.kind() == io::ErrorKind::AlreadyExists && dir.is_dir() => Ok(()),
        Err(err) => Err(err),
    }
}

/// Creates an empty owner-only file, or restricts an existing one as
/// [`restrict`] does; true when an existing file was tightened.
pub fn ensure_file(path: &Path) -> io::Result<bool> {
    let mut options = std::fs::OpenOptions::new();
    options.append(true).create_new(true);
    #[cfg(unix)]
    options.mode(FILE_MODE);
    match options.open(path) {
        #[cfg(unix)]
        Ok(file) => file
            .set_permissions(std::fs::Permissions::from_mode(FILE_MODE))
            .map(|()| false),
        #[cfg(not(unix))]
        Ok(_) => Ok(false),
        Err(err) if err.kind() == io::ErrorKind::AlreadyExists => restrict(path),
        Err(err) => Err(err),
    }
}

/// Takes every permission away from the group and others on an existing
/// file or folder (the owner's are kept); true when it changed something,
/// false also when there is nothing at `path`.
pub fn restrict(path: &Path) -> io::Result<bool> {
    #[cfg(unix)]
    {
        let mode = match std::fs::metadata(path) {
            Ok(meta) => meta.permissions().mode(),
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(false),
            Err(err) => return Err(err),
        };
        if mode & 0o077 == 0 {
            return Ok(false);
        }
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode & 0o700)).map(|()| true)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(false)
    }
}

/// Writes `bytes` as the whole of `path`, owner-only: into a new file
/// beside it, synced, then renamed over it, so a reader (or a crash) never
/// sees half a file and an existing file is replaced, never truncated in
/// place.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path names no file"))?;
    let mut temporary_name = std::ffi::OsString::from(".");
    temporary_name.push(name);
    temporary_name.push(format!(".{}.tmp", crate::random::alphanumeric_id()));
    let temporary = path.with_file_name(temporary_name);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(FILE_MODE);
    let written = options.open(&temporary).and_then(|mut file| {
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temporary, path)
    });
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path)
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    #[test]
    fn files_and_folders_are_created_private_and_loose_ones_tightened() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let nested = dir.path().join("a").join("b");
        create_dir(&nested).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((mode(&dir.path().join("a")), mode(&nested)), (0o700, 0o700));
        create_dir(&nested).unwrap_or_else(|e| panic!("an existing folder is fine: {e}"));

        let file = nested.join("f");
        assert!(
            !ensure_file(&file).unwrap_or_else(|e| panic!("{e}")),
            "created, not tightened"
        );
        assert_eq!(mode(&file), 0o600);
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap_or_else(|e| panic!("{e}"));
        assert!(ensure_file(&file).unwrap_or_else(|e| panic!("{e}")));
        assert_eq!(mode(&file), 0o600);

        std::fs::set_permissions(&nested, std::fs::Permissions::from_mode(0o755)).unwrap_or_else(|e| panic!("{e}"));
        assert!(restrict(&nested).unwrap_or_else(|e| panic!("{e}")));
        assert_eq!(mode(&nested), 0o700);
        assert!(!restrict(&nested).unwrap_or_else(|e| panic!("{e}")), "already private");
        assert!(!restrict(&nested.join("missing")).unwrap_or_else(|e| panic!("{e}")));
    }

    #[test]
    fn an_atomic_write_replaces_the_whole_file_owner_only_and_leaves_nothing_beside_it() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let file = dir.path().join("export.json");
        std::fs::write(&file, "an older, longer content").unwrap_or_else(|e| panic!("{e}"));
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap_or_else(|e| panic!("{e}"));
        write_atomically(&file, b"new").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(std::fs::read(&file).unwrap_or_default(), b"new");
        assert_eq!(mode(&file), 0o600);
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap_or_else(|e| panic!("{e}"))
            .filter_map(|e| e.ok().map(|e| e.file_name()))
            .collect();
        assert_eq!(names, ["export.json"]);
        assert!(write_atomically(&dir.path().join("missing").join("f"), b"x").is_err());
    }
}
