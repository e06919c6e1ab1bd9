//! The test harness: copies a fixture book to a fresh temporary folder, runs the
//! real `samizdat` binary in it and checks the result with `#[track_caller]`
//! helpers, so that a failing check points at the test line that made it.
//!
//! ```ignore
//! let book = Book::fixture("minimal");
//! book.run(["build"]).success();
//! book.assert_file("out/pdf.pdf");
//! ```

#![allow(dead_code, reason = "each test binary uses a different part of the harness")]

pub mod validate;

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_samizdat");

/// The repository root (where the sample `book.toml` lives).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `tests/fixtures/<name>`.
pub fn fixture_dir(name: &str) -> PathBuf {
    repo().join("tests/fixtures").join(name)
}

/// How long one run of the binary may take before the test fails. Debug builds
/// of the sample book take about a second; a hang is what this catches.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A book in its own temporary folder, removed when the test passes (kept for
/// inspection when it fails).
pub struct Book {
    /// The temporary folder.
    pub root: PathBuf,
}

impl Book {
    /// An empty temporary folder; `label` makes it recognisable in `/tmp`.
    pub fn empty(label: &str) -> Book {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let label: String =
            label.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
        let root =
            std::env::temp_dir().join("samizdat-tests").join(format!("{}-{n}-{label}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).expect("create a temporary folder");
        Book { root }
    }

    /// A copy of `tests/fixtures/<name>`.
    #[track_caller]
    pub fn fixture(name: &str) -> Book {
        let src = fixture_dir(name);
        assert!(src.is_dir(), "no fixture {}", src.display());
        let book = Book::empty(name);
        copy_dir(&src, &book.root);
        book
    }

    /// A copy of the sample book at the repository root (`book.toml` and `content/`).
    pub fn sample() -> Book {
        let book = Book::empty("sample");
        std::fs::copy(repo().join("book.toml"), book.root.join("book.toml")).expect("copy book.toml");
        copy_dir(&repo().join("content"), &book.root.join("content"));
        book
    }

    /// A path inside the book.
    pub fn path(&self, rel: impl AsRef<Path>) -> PathBuf {
        self.root.join(rel)
    }

    /// Writes a file (creating folders), returning its path.
    pub fn write(&self, rel: impl AsRef<Path>, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("create folder");
        }
        std::fs::write(&path, bytes).expect("write file");
        path
    }

    /// Reads a file of the book.
    #[track_caller]
    pub fn read(&self, rel: impl AsRef<Path>) -> Vec<u8> {
        let path = self.path(rel);
        std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
    }

    /// Asserts that a file exists and is not empty; returns its path.
    #[track_caller]
    pub fn assert_file(&self, rel: impl AsRef<Path>) -> PathBuf {
        let path = self.path(rel);
        let len = std::fs::metadata(&path)
            .unwrap_or_else(|_| {
                panic!("expected {} to exist; the folder holds:\n{}", path.display(), self.tree())
            })
            .len();
        assert!(len > 0, "{} is empty", path.display());
        path
    }

    /// Asserts that a file does not exist.
    #[track_caller]
    pub fn assert_no_file(&self, rel: impl AsRef<Path>) {
        let path = self.path(rel);
        assert!(!path.exists(), "{} should not exist; the folder holds:\n{}", path.display(), self.tree());
    }

    /// Every file under the root with its bytes, to compare before and after a run.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot::of(&self.root)
    }

    /// The list of files, for failure messages.
    pub fn tree(&self) -> String {
        self.snapshot().0.keys().map(|p| format!("  {}\n", p.display())).collect()
    }

    /// Runs `samizdat ARGS` in the book's folder.
    pub fn run<I, S>(&self, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.cmd(args).run()
    }

    /// A command to adjust (environment, timeout) before running.
    pub fn cmd<I, S>(&self, args: I) -> Cmd
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut command = Command::new(BIN);
        command.args(args).current_dir(&self.root).env_remove("SOURCE_DATE_EPOCH");
        Cmd { command, timeout: DEFAULT_TIMEOUT }
    }
}

impl Drop for Book {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("kept the test folder {}", self.root.display());
        } else {
            make_writable(&self.root);
            let _ = std::fs::remove_dir_all(&self.root);
        }
    }
}

/// Restores write permission on folders a test made read-only, so they can be removed.
fn make_writable(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755));
    for e in entries.flatten() {
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            let _ = std::fs::set_permissions(e.path(), std::fs::Permissions::from_mode(0o755));
            make_writable(&e.path());
        }
    }
}

/// Copies a folder recursively (symlinks are copied as links).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create folder");
    for e in std::fs::read_dir(from).expect("read fixture folder") {
        let e = e.expect("read fixture entry");
        let (src, dst) = (e.path(), to.join(e.file_name()));
        let kind = e.file_type().expect("file type");
        if kind.is_dir() {
            copy_dir(&src, &dst);
        } else if kind.is_symlink() {
            let target = std::fs::read_link(&src).expect("read link");
            std::os::unix::fs::symlink(target, &dst).expect("copy link");
        } else {
            std::fs::copy(&src, &dst).expect("copy file");
        }
    }
}

/// Files under a folder with their contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot(pub BTreeMap<PathBuf, Vec<u8>>);

impl Snapshot {
    /// Reads every file under `root` (symlinks are recorded by their target path).
    pub fn of(root: &Path) -> Snapshot {
        fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
            let Ok(entries) = std::fs::read_dir(dir) else { return };
            for e in entries.flatten() {
                let path = e.path();
                let rel = path.strip_prefix(root).expect("under root").to_path_buf();
                match e.file_type() {
                    Ok(t) if t.is_symlink() => {
                        let target = std::fs::read_link(&path).unwrap_or_default();
                        out.insert(rel, target.into_os_string().into_encoded_bytes());
                    }
                    Ok(t) if t.is_dir() => walk(root, &path, out),
                    Ok(_) => {
                        out.insert(rel, std::fs::read(&path).unwrap_or_default());
                    }
                    Err(_) => {}
                }
            }
        }
        let mut files = BTreeMap::new();
        walk(root, root, &mut files);
        Snapshot(files)
    }

    /// Asserts that nothing was created, removed or changed since `self`.
    #[track_caller]
    pub fn assert_unchanged(&self, root: &Path) {
        let now = Snapshot::of(root);
        let added: Vec<_> = now.0.keys().filter(|k| !self.0.contains_key(*k)).collect();
        let removed: Vec<_> = self.0.keys().filter(|k| !now.0.contains_key(*k)).collect();
        let changed: Vec<_> =
            self.0.iter().filter(|(k, v)| now.0.get(*k).is_some_and(|n| n != *v)).map(|(k, _)| k).collect();
        assert!(
            added.is_empty() && removed.is_empty() && changed.is_empty(),
            "files changed in {}: added {added:?}, removed {removed:?}, changed {changed:?}",
            root.display()
        );
    }
}

/// A prepared run of the binary.
pub struct Cmd {
    command: Command,
    timeout: Duration,
}

impl Cmd {
    /// Sets an environment variable.
    pub fn env(mut self, key: &str, value: impl AsRef<OsStr>) -> Cmd {
        self.command.env(key, value);
        self
    }

    /// Fails the test if the run takes longer than this.
    pub fn timeout(mut self, t: Duration) -> Cmd {
        self.timeout = t;
        self
    }

    /// Runs to completion (or kills the process at the timeout and fails).
    #[track_caller]
    pub fn run(mut self) -> Run {
        let start = Instant::now();
        let mut child = self
            .command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start samizdat");
        // Read the pipes on threads so a chatty child cannot block on a full pipe.
        let mut out = child.stdout.take().expect("stdout");
        let mut err = child.stderr.take().expect("stderr");
        let out = std::thread::spawn(move || {
            let mut s = Vec::new();
            let _ = std::io::Read::read_to_end(&mut out, &mut s);
            s
        });
        let err = std::thread::spawn(move || {
            let mut s = Vec::new();
            let _ = std::io::Read::read_to_end(&mut err, &mut s);
            s
        });
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait for samizdat") {
                break status;
            }
            if start.elapsed() > self.timeout {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "samizdat {:?} did not finish within {:?}",
                    self.command.get_args().collect::<Vec<_>>(),
                    self.timeout
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        let stdout = String::from_utf8_lossy(&out.join().expect("stdout thread")).into_owned();
        let stderr = String::from_utf8_lossy(&err.join().expect("stderr thread")).into_owned();
        let args = self.command.get_args().map(|a| a.to_string_lossy().into_owned()).collect();
        Run { args, code: status.code(), stdout, stderr, elapsed: start.elapsed() }
    }
}

/// The outcome of one run.
#[derive(Debug)]
pub struct Run {
    /// The arguments, for messages.
    pub args: Vec<String>,
    /// Exit code; `None` when killed by a signal.
    pub code: Option<i32>,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
    /// Wall time.
    pub elapsed: Duration,
}

impl Run {
    fn describe(&self) -> String {
        format!(
            "samizdat {}\nexit code: {:?}\n--- stderr ---\n{}--- stdout ---\n{}",
            self.args.join(" "),
            self.code,
            self.stderr,
            self.stdout
        )
    }

    /// Asserts that nothing panicked (a panic is a bug whatever the input).
    #[track_caller]
    pub fn no_panic(&self) -> &Run {
        assert!(
            !self.stderr.contains("panicked") && self.code != Some(101),
            "samizdat panicked:\n{}",
            self.describe()
        );
        self
    }

    /// Asserts exit code 0.
    #[track_caller]
    pub fn success(&self) -> &Run {
        self.no_panic();
        assert_eq!(self.code, Some(0), "expected success:\n{}", self.describe());
        self
    }

    /// Asserts the exit code (1: input error, 2: usage error).
    #[track_caller]
    pub fn code(&self, code: i32) -> &Run {
        self.no_panic();
        assert_eq!(self.code, Some(code), "expected exit code {code}:\n{}", self.describe());
        self
    }

    /// Asserts that standard error contains `needle`.
    #[track_caller]
    pub fn stderr_has(&self, needle: &str) -> &Run {
        assert!(self.stderr.contains(needle), "expected `{needle}` in stderr:\n{}", self.describe());
        self
    }

    /// Asserts that standard error does not contain `needle`.
    #[track_caller]
    pub fn stderr_lacks(&self, needle: &str) -> &Run {
        assert!(!self.stderr.contains(needle), "did not expect `{needle}` in stderr:\n{}", self.describe());
        self
    }

    /// Asserts that some `error:` or `warning:` line names `file` (and, when
    /// given, `line` or `line:col`), e.g. `located("content/w.md", "3:57")`.
    #[track_caller]
    pub fn located(&self, file: &str, place: &str) -> &Run {
        let want = if place.is_empty() { file.to_string() } else { format!("{file}:{place}") };
        let found =
            self.stderr.lines().filter(|l| l.starts_with("error: ") || l.starts_with("warning: ")).any(|l| {
                l.contains(&format!(" {want}:")) || l.contains(&format!("/{want}:")) || l.ends_with(&want)
            });
        assert!(found, "expected a diagnostic at `{want}`:\n{}", self.describe());
        self
    }
}

/// Lays out the first PDF output of the book at `path` (a book.toml, a folder or a .md file).
#[track_caller]
pub fn typeset(path: &Path) -> samizdat::layout::Layout {
    let (project, _warnings) =
        samizdat::driver::load(path).unwrap_or_else(|d| panic!("{} does not load:\n{d}", path.display()));
    let pdf = project
        .settings
        .outputs
        .iter()
        .find_map(|o| match &o.kind {
            samizdat::manifest::OutputKind::Pdf(p) => Some(*p),
            _ => None,
        })
        .expect("a PDF output");
    let (layout, _) = samizdat::layout::typeset(
        &project.book,
        &project.images,
        &project.fonts,
        &samizdat::layout::LayoutOptions::new(pdf),
    );
    layout
}

/// The text of every XHTML file of an EPUB but its navigation, one after the other,
/// without soft hyphens (invisible, and in Kazakh text by default), so that
/// passages are found as written.
pub fn epub_xhtml(epub: &[u8]) -> String {
    epub_xhtml_raw(epub).replace('\u{ad}', "")
}

/// [`epub_xhtml`] with the soft hyphens kept.
#[allow(dead_code)]
pub fn epub_xhtml_raw(epub: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(epub)).expect("EPUB is a zip");
    let names: Vec<String> =
        (0..zip.len()).filter_map(|i| zip.name_for_index(i)?.ok().map(|n| n.into_owned())).collect();
    let mut all = String::new();
    for name in names.iter().filter(|n| n.ends_with(".xhtml") && !n.ends_with("nav.xhtml")) {
        let mut f = zip.by_name(name).expect("entry");
        std::io::Read::read_to_string(&mut f, &mut all).expect("UTF-8");
    }
    all
}
