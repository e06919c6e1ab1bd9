//! The build's outputs on disk: each written to a temporary file beside its
//! place, then all moved into place together, so that a failed build leaves
//! every earlier output as it was. Also the hints that keep the disk off the
//! build's path: inputs fetched ahead of their reading, outputs' writeback
//! started while they are written, replaced files freed off the build's path.

use std::path::{Path, PathBuf};

use super::io_reason;
use crate::diag::{Diagnostic, Location};

/// Writes `bytes` to a temporary file next to `path`, then renames it into
/// place, so a failed build never leaves a partial file and a previous output
/// stays intact until the new one is complete.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Diagnostic> {
    write_all_atomic(&[(path, bytes)])
}

/// Writes several files all or nothing: every file goes to a temporary file
/// first, and only when all of them are complete on disk are they renamed into
/// place. If any write fails (a full disk, a read-only folder), the temporary
/// files are removed and no output, old or new, is touched.
pub fn write_all_atomic(files: &[(&Path, &[u8])]) -> Result<(), Diagnostic> {
    let mut staged = Vec::with_capacity(files.len());
    for (path, bytes) in files {
        staged.push(stage(path, bytes)?);
    }
    commit(staged)
}

/// An output written in full to a temporary file beside its place, waiting to
/// be renamed into it by [`commit`]. Dropped uncommitted (a later output
/// failed, `--deny-warnings`), it removes its temporary file.
#[derive(Debug)]
pub(crate) struct Staged {
    path: PathBuf,
    tmp: Option<PathBuf>,
    /// A large file's flush to disk, waited for on a thread of its own (see [`FLUSH_APART`]).
    flush: Option<std::thread::JoinHandle<std::io::Result<()>>>,
}

impl Drop for Staged {
    fn drop(&mut self) {
        if let Some(f) = self.flush.take() {
            let _ = f.join();
        }
        if let Some(t) = self.tmp.take() {
            let _ = std::fs::remove_file(&t);
            live(&t, false);
        }
    }
}

/// The temporary files of this process that exist now, for [`remove_temporary_files`].
static LIVE: std::sync::Mutex<std::collections::BTreeSet<PathBuf>> =
    std::sync::Mutex::new(std::collections::BTreeSet::new());

/// Records (`true`) or forgets a temporary file of this process.
fn live(tmp: &Path, exists: bool) {
    let mut set = LIVE.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if exists {
        set.insert(tmp.to_path_buf());
    } else {
        set.remove(tmp);
    }
}

/// Removes every temporary file this process has made and not yet moved into
/// place: what an interrupted build (Ctrl-C, `kill`) must do before it exits,
/// so that no half-written output is left in the output folder.
pub fn remove_temporary_files() {
    remove_live(|_| true);
}

/// Removes this process's temporary files for which `which` holds.
fn remove_live(which: impl Fn(&Path) -> bool) {
    let mut set = LIVE.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let gone: Vec<PathBuf> = set.iter().filter(|p| which(p)).cloned().collect();
    for tmp in gone {
        let _ = std::fs::remove_file(&tmp);
        set.remove(&tmp);
    }
}

/// Removes the temporary files that earlier builds of `name` in `dir` left when
/// they were killed without a chance to clean up (`kill -9`, a power cut): those
/// whose process no longer runs. A concurrent build's are left alone.
fn remove_stale(dir: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let prefix = format!(".{name}.");
    for entry in entries.flatten() {
        let file = entry.file_name();
        let Some(pid) = file
            .to_str()
            .and_then(|f| f.strip_prefix(&prefix))
            .and_then(|rest| rest.strip_suffix(".tmp"))
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !running(pid) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Whether process `pid` still runs. Where that cannot be told, it is taken to
/// run, so that nothing another build may be writing is removed.
fn running(pid: u32) -> bool {
    if cfg!(target_os = "linux") { Path::new("/proc").join(pid.to_string()).exists() } else { true }
}

/// Files from this size on are flushed to disk (`fsync`) on a thread of their own,
/// which [`commit`] waits for, so that the build thread that wrote one goes on
/// while the disk finishes it. (A volume's PDF took 25–30 ms to flush before
/// [`Writeback`] started its writing early; now 1–4 ms.)
const FLUSH_APART: usize = 1 << 20;

/// Writes `bytes` to a temporary file next to `path` and flushes it to disk
/// (a large file on a thread of its own, finished before [`commit`] moves it).
/// Outputs are staged as soon as they are made, each on its own thread, so
/// that writing one overlaps making the next.
pub(crate) fn stage(path: &Path, bytes: &[u8]) -> Result<Staged, Diagnostic> {
    stage_parts(path, std::iter::once(bytes))
}

/// The largest single `write` of a staged file. Measured on the 2-core VMs of
/// this project (Linux 6.18, ext4): 40 MB written in one call took 140–215 ms,
/// in calls of 64 KB to 1 MB 13–16 ms; a call of 4 MB was as slow as one of
/// 40 MB. (Likely the page cache's large folios for a large write, which the VM's
/// host backs slowly; whatever the cause, smaller calls avoid it.) Writing a
/// 200-statement volume's PDF (39 MB) in one call was a sixth of its build.
const WRITE_CHUNK: usize = 256 * 1024;

/// [`stage`] for a file made of pieces (an EPUB's headers and members), written
/// one after the other without joining them in memory first.
pub(crate) fn stage_parts<'a>(
    path: &Path,
    parts: impl IntoIterator<Item = &'a [u8]>,
) -> Result<Staged, Diagnostic> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    let fail = |what: &str, e: std::io::Error| output_error(path, what, &e);
    if dir.exists() && !dir.is_dir() {
        return Err(Diagnostic::error(Some(Location::file(dir)), "the output folder is not a folder")
            .with_hint("choose another output folder with `-o DIR`"));
    }
    std::fs::create_dir_all(dir).map_err(|e| fail("create the output folder", e))?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    remove_stale(dir, &name);
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    // From here on the temporary file is removed on every failure, and on an interruption.
    live(&tmp, true);
    let mut staged = Staged { path: path.to_path_buf(), tmp: Some(tmp.clone()), flush: None };
    let result = (|| {
        // Small pieces (headers) are gathered in the buffer; large ones go straight
        // through, in writes of at most `WRITE_CHUNK`.
        let mut f = std::io::BufWriter::with_capacity(64 * 1024, std::fs::File::create(&tmp)?);
        let mut written = 0;
        let mut kick = Writeback::default();
        for part in parts {
            for chunk in part.chunks(WRITE_CHUNK) {
                f.write_all(chunk)?;
                written += chunk.len();
                kick.wrote(f.get_ref(), written - f.buffer().len());
            }
        }
        let file = f.into_inner().map_err(std::io::IntoInnerError::into_error)?;
        if written < FLUSH_APART {
            return file.sync_all();
        }
        match std::thread::Builder::new().name("samizdat-flush".into()).spawn(move || file.sync_all()) {
            Ok(handle) => {
                staged.flush = Some(handle);
                Ok(())
            }
            // No thread to be had: flushed here, through another handle on the same file.
            Err(_) => std::fs::File::open(&tmp)?.sync_all(),
        }
    })();
    result.map_err(|e| fail("write the output", e))?;
    Ok(staged)
}

/// Why the output `path` could not be made: `what` failed with `e`.
fn output_error(path: &Path, what: &str, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error(Some(Location::file(path)), format!("cannot {what}: {}", io_reason(e)))
        .with_hint("choose another output folder with `-o DIR`")
}

/// Renames staged outputs into place. On a failure the outputs not yet moved
/// keep their old contents and their temporary files are removed.
pub(crate) fn commit(mut staged: Vec<Staged>) -> Result<(), Diagnostic> {
    // Every file on disk before any is moved: a failed flush leaves all outputs as they were.
    for s in &mut staged {
        let Some(flush) = s.flush.take() else { continue };
        let done = flush.join().unwrap_or_else(|_| Err(std::io::Error::other("the flush thread failed")));
        if let Err(e) = done {
            return Err(output_error(&s.path, "write the output", &e));
        }
    }
    let mut replaced = Vec::new();
    for mut s in staged {
        let Some(tmp) = s.tmp.take() else { continue };
        // Held open, the replaced file is freed when this handle closes, not in the rename.
        replaced.extend(hold(&s.path));
        let moved = std::fs::rename(&tmp, &s.path);
        if moved.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        live(&tmp, false);
        if let Err(e) = moved {
            return Err(output_error(&s.path, "move the finished output into place", &e));
        }
    }
    release(replaced);
    Ok(())
}

/// Asks the kernel to start reading `path` into memory, so that the read that
/// follows finds it there instead of waiting on the disk. A hint: nothing is
/// reported, and where it cannot be given the read simply waits.
pub(super) fn read_ahead(path: &Path) {
    // Only a regular file: opening a named pipe would wait for a writer forever.
    #[cfg(target_os = "linux")]
    if path.metadata().is_ok_and(|m| m.is_file())
        && let Ok(f) = std::fs::File::open(path)
    {
        use nix::fcntl::{PosixFadviseAdvice, posix_fadvise};
        let _ = posix_fadvise(&f, 0, 0, PosixFadviseAdvice::POSIX_FADV_WILLNEED);
    }
    #[cfg(not(target_os = "linux"))]
    let _ = path;
}

/// Starts writing a large output's pages to disk while the rest of it is still
/// being written, so that the flush at its end (`fsync`) waits only for its
/// last megabytes instead of all of it: for a 200-statement volume's PDF
/// (39 MB) 1–4 ms instead of 20–33 ms. Fed the length of the file so far after
/// each write.
#[derive(Debug, Default)]
struct Writeback {
    /// The end of the part of the file already sent on its way.
    sent: u64,
}

impl Writeback {
    /// How much is sent at a time.
    const STEP: u64 = 4 << 20;

    fn wrote(&mut self, file: &std::fs::File, len: usize) {
        // Whole 64 KB blocks only: a page still being filled is not sent.
        let end = (len as u64) & !0xFFFF;
        if end < self.sent + Self::STEP {
            return;
        }
        #[cfg(target_os = "linux")]
        {
            use nix::fcntl::{PosixFadviseAdvice, posix_fadvise};
            // Starts the writeback of the dirty pages in the range without waiting
            // for it (and lets go of pages already written).
            let _ = posix_fadvise(
                file,
                self.sent as i64,
                (end - self.sent) as i64,
                PosixFadviseAdvice::POSIX_FADV_DONTNEED,
            );
        }
        #[cfg(not(target_os = "linux"))]
        let _ = file;
        self.sent = end;
    }
}

/// An output about to be replaced, opened so that renaming the new file over it
/// does not free it yet: freeing a large file's space can be slow (on this
/// project's VMs, whose file system is mounted with `discard`, 10–25 ms for a
/// volume's PDF), and [`release`] does it off the build's path. `None` when
/// there is no such file, and always off Unix, where an open file cannot be
/// replaced.
fn hold(path: &Path) -> Option<std::fs::File> {
    if cfg!(not(unix)) || std::fs::metadata(path).map_or(true, |m| m.len() < FLUSH_APART as u64) {
        return None;
    }
    std::fs::File::open(path).ok()
}

/// Closes the files of [`hold`], each on a thread of its own, so that their
/// space is freed while the build finishes. (A file still open when the
/// process ends is closed by the system then.)
fn release(files: Vec<std::fs::File>) {
    for f in files {
        // Without a thread the file is closed here, with the closure that held it.
        let _ = std::thread::Builder::new().name("samizdat-free".into()).spawn(move || drop(f));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh empty folder in the system's temporary folder.
    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("samizdat-stage-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch folder");
        dir
    }

    /// Names of the files in `dir`.
    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .expect("listing")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    // Files large enough to be flushed on their own thread and small ones are all
    // written, in pieces, and moved into place together; the old file stays until then.
    #[test]
    fn staged_files_commit_together() {
        let dir = scratch("commit");
        let (big, small) = (dir.join("big.pdf"), dir.join("small.epub"));
        // Large enough to be held open while it is replaced (see `hold`).
        let old = vec![3u8; FLUSH_APART];
        std::fs::write(&big, &old).expect("old file");
        let head = vec![7u8; 3 * WRITE_CHUNK + 5];
        let body = vec![9u8; FLUSH_APART];
        let a = stage_parts(&big, [head.as_slice(), body.as_slice()]).expect("staged");
        assert!(a.flush.is_some(), "a large file is flushed apart");
        let b = stage(&small, b"small").expect("staged");
        assert!(b.flush.is_none());
        assert!(std::fs::read(&big).expect("old file") == old, "not replaced before the commit");
        commit(vec![a, b]).expect("committed");
        let written = std::fs::read(&big).expect("new file");
        assert_eq!(written.len(), head.len() + body.len());
        assert!(written[..head.len()] == head[..] && written[head.len()..] == body[..]);
        assert_eq!(std::fs::read(&small).expect("new file"), b"small");
        assert_eq!(names(&dir), ["big.pdf", "small.epub"], "no temporary file is left");
        let _ = std::fs::remove_dir_all(&dir);
    }

    // A staged file that is never committed (a later output failed) leaves nothing behind.
    #[test]
    fn uncommitted_files_leave_nothing() {
        let dir = scratch("drop");
        let body = vec![1u8; FLUSH_APART + 1];
        let staged = stage(&dir.join("book.pdf"), &body).expect("staged");
        assert_eq!(names(&dir).len(), 1, "the temporary file");
        drop(staged);
        assert!(names(&dir).is_empty(), "{:?}", names(&dir));
        let _ = std::fs::remove_dir_all(&dir);
    }

    // An interruption removes the temporary files of the outputs being written
    // (what the Ctrl-C/SIGTERM handler calls), and their commit then fails cleanly.
    #[test]
    fn interruption_removes_temporary_files() {
        let dir = scratch("interrupt");
        let a = stage(&dir.join("a.pdf"), b"pdf").expect("staged");
        let b = stage(&dir.join("b.epub"), &vec![2u8; FLUSH_APART + 1]).expect("staged");
        assert_eq!(names(&dir).len(), 2);
        // As `remove_temporary_files` does, limited to this test's folder: tests run side by side.
        remove_live(|p| p.starts_with(&dir));
        assert!(names(&dir).is_empty(), "{:?}", names(&dir));
        assert!(commit(vec![a, b]).is_err());
        assert!(names(&dir).is_empty(), "{:?}", names(&dir));
        let _ = std::fs::remove_dir_all(&dir);
    }

    // A temporary file left by a build that was killed outright is removed by the
    // next build of the same output; one of a running build is not.
    #[test]
    fn stale_temporary_files_are_cleared() {
        let dir = scratch("stale");
        let dead = dir.join(format!(".book.pdf.{}.tmp", u32::MAX - 1));
        let parent = dir.join(format!(".book.pdf.{}.tmp", std::os::unix::process::parent_id()));
        let other = dir.join(format!(".other.pdf.{}.tmp", u32::MAX - 1));
        for f in [&dead, &parent, &other] {
            std::fs::write(f, b"half").expect("written");
        }
        let staged = stage(&dir.join("book.pdf"), b"new").expect("staged");
        commit(vec![staged]).expect("committed");
        assert!(!dead.exists(), "the dead build's file is gone");
        assert!(parent.exists(), "a running process's file stays");
        assert!(other.exists(), "another output's file stays");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
