//! The `samizdat` command line: a thin shell over [`samizdat::driver`].

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use samizdat::diag::Diagnostics;
use samizdat::driver::{self, BuildOptions, LoadOptions};
use samizdat::manifest::Format;
use samizdat::preflight::Level;

// The allocator: a volume is millions of small allocations made and freed on every
// thread, and glibc's malloc hands freed pages back and faults them in again (the pages
// freed as the PDF is written, deflate buffers). mimalloc 2 reuses them per thread: on
// 200 statements 15–25 % less wall time, half the system time and a lower peak (bench
// corpus 250–270 → 180–190 MB). Its 2.x line returns free memory after 10 ms; 3.x waits a
// second and peaked higher here. It is built without transparent huge pages (Cargo.toml).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Typesets Markdown statements into print-ready PDF and EPUB 3.
#[derive(Parser)]
#[command(name = "samizdat", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// How warnings and errors are printed on stderr: `human`, or `json` (one JSON
    /// object per line: each diagnostic, each file written).
    #[arg(long, global = true, value_enum, value_name = "FORMAT", default_value_t = MessageFormat::Human)]
    message_format: MessageFormat,
}

/// `--message-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum MessageFormat {
    /// `warning: file:line:column: message` and a hint line.
    Human,
    /// One JSON object per line, for editors and CI.
    Json,
}

/// What `build` and `watch` build.
#[derive(Args)]
struct BuildArgs {
    /// Output folder [default: out/ next to the input].
    #[arg(short = 'o', long = "out-dir", value_name = "DIR")]
    out_dir: Option<PathBuf>,
    /// Only these formats, comma-separated: pdf (wrap covers included), epub.
    #[arg(long, value_delimiter = ',', value_parser = parse_format)]
    format: Option<Vec<Format>>,
    /// Only the output with this name ([output.NAME] in book.toml).
    #[arg(long, value_name = "NAME")]
    output: Option<String>,
    /// Treat warnings as errors; nothing is written when there is any.
    #[arg(long)]
    deny_warnings: bool,
    /// Also read documents and images outside the book's folder.
    #[arg(long)]
    allow_outside_root: bool,
    /// What a missing image is: an error (nothing is written) or a warning (it is left out)
    /// [default: `missing-images` in book.toml, else error].
    #[arg(long, value_enum, value_name = "POLICY")]
    missing_images: Option<Missing>,
    /// Build with at most N threads [default: one per core].
    #[arg(short = 'j', long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    jobs: Option<u16>,
    /// Build only the I-th of N disjoint slices of the files (e.g. `2/8`); the N
    /// shards together make exactly the files of the whole build.
    #[arg(long, value_name = "I/N")]
    shard: Option<driver::Shard>,
    /// Write a JSON record of the build: every file with its size and SHA-256,
    /// every warning and error with its place and code.
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(short = 'q', long)]
    quiet: bool,
}

/// `--missing-images`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Missing {
    /// Each missing image is an error; nothing is written.
    Error,
    /// Each missing image is a warning; it is left out of the outputs.
    Warn,
}

impl Missing {
    fn policy(self) -> samizdat::manifest::MissingImages {
        match self {
            Missing::Error => samizdat::manifest::MissingImages::Error,
            Missing::Warn => samizdat::manifest::MissingImages::Warn,
        }
    }
}

impl BuildArgs {
    fn options(&self) -> BuildOptions {
        BuildOptions {
            out_dir: self.out_dir.clone(),
            formats: self.format.clone(),
            output: self.output.clone(),
            deny_warnings: self.deny_warnings,
            allow_outside_root: self.allow_outside_root,
            missing_images: self.missing_images.map(Missing::policy),
            jobs: self.jobs.map(usize::from),
            shard: self.shard,
        }
    }
}

/// Prints what a build gave: notes, warnings and written files unless `quiet`, errors always.
fn report_build(
    result: &Result<(driver::Report, Diagnostics), Diagnostics>,
    quiet: bool,
    format: MessageFormat,
) -> ExitCode {
    match result {
        Ok((rep, warnings)) => {
            if !quiet {
                let mut out = String::new();
                for n in &rep.notes {
                    line_into(&mut out, format, &n.to_string(), || note_json(&n.diagnostic));
                }
                render_into(warnings, &mut out, format);
                for f in &rep.written {
                    line_into(
                        &mut out,
                        format,
                        &format!("wrote {}", f.display()),
                        || serde_json::json!({ "written": f.display().to_string() }),
                    );
                }
                print_err(&out);
            }
            ExitCode::SUCCESS
        }
        Err(d) => {
            report(d, format);
            ExitCode::from(INPUT_ERROR)
        }
    }
}

/// A preflight note as JSON: a diagnostic's fields (its place included), severity `note`.
fn note_json(d: &samizdat::diag::Diagnostic) -> serde_json::Value {
    let mut v = d.to_json();
    v["severity"] = serde_json::Value::from("note");
    v
}

/// Appends one line to `out`: `human` as it is, or the JSON object `json` makes.
fn line_into(out: &mut String, format: MessageFormat, human: &str, json: impl FnOnce() -> serde_json::Value) {
    let _ = match format {
        MessageFormat::Human => writeln!(out, "{human}"),
        MessageFormat::Json => writeln!(out, "{}", json()),
    };
}

/// A progress bar on stderr, shown only on a terminal and only once the build
/// has taken longer than [`Bar::DELAY`]: a quick build prints no bar at all.
struct Bar {
    bar: indicatif::ProgressBar,
    started: std::time::Instant,
    enabled: bool,
    shown: std::sync::atomic::AtomicBool,
}

impl Bar {
    /// Builds faster than this finish before a bar would be worth reading.
    const DELAY: std::time::Duration = std::time::Duration::from_millis(300);

    fn new(quiet: bool) -> Bar {
        use std::io::IsTerminal as _;
        let bar = indicatif::ProgressBar::hidden();
        if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {wide_msg}") {
            bar.set_style(style);
        }
        Bar {
            bar,
            started: std::time::Instant::now(),
            enabled: !quiet && std::io::stderr().is_terminal(),
            shown: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// Clears the bar before the build's messages are printed.
    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl driver::Progress for Bar {
    fn start(&self, total: usize) {
        self.bar.reset();
        self.bar.set_length(total as u64);
    }

    fn step(&self, what: &str) {
        use std::sync::atomic::Ordering;
        self.bar.inc(1);
        self.bar.set_message(what.to_owned());
        if self.enabled && self.started.elapsed() > Bar::DELAY && !self.shown.swap(true, Ordering::Relaxed) {
            self.bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Build the outputs of a book (book.toml, a folder holding one, or a single .md file).
    Build {
        /// A book.toml, a folder with one, or a Markdown file [default: the current folder].
        path: Option<PathBuf>,
        #[command(flatten)]
        args: BuildArgs,
    },
    /// Build, then rebuild whenever the manifest, a statement, an image or a font changes.
    Watch {
        /// A book.toml, a folder with one, or a Markdown file [default: the current folder].
        path: Option<PathBuf>,
        #[command(flatten)]
        args: BuildArgs,
    },
    /// Read and validate everything (manifest, sources, images, fonts); write nothing.
    Check {
        /// A book.toml, a folder with one, or a Markdown file [default: the current folder].
        path: Option<PathBuf>,
        /// Treat warnings as errors.
        #[arg(long)]
        deny_warnings: bool,
        /// Also read documents and images outside the book's folder.
        #[arg(long)]
        allow_outside_root: bool,
        /// What a missing image is: an error or a warning [default: book.toml's, else error].
        #[arg(long, value_enum, value_name = "POLICY")]
        missing_images: Option<Missing>,
        /// Also lay out the PDF outputs and check print readiness (image resolution,
        /// text size, bleed, booklet page count).
        #[arg(long)]
        print: bool,
    },
    /// Create a new book project in DIR: book.toml, one statement and an image.
    New {
        /// The folder to create.
        dir: PathBuf,
    },
    /// Print a shell completion script: `source <(samizdat completions bash)`.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff): `samizdat man | man -l -`.
    Man,
}

fn parse_format(s: &str) -> Result<Format, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "pdf" => Ok(Format::Pdf),
        "epub" => Ok(Format::Epub),
        other => Err(format!("unknown format `{other}`; use `pdf` or `epub`")),
    }
}

fn report(diags: &Diagnostics, format: MessageFormat) {
    let mut out = String::new();
    render_into(diags, &mut out, format);
    print_err(&out);
}

/// Appends the diagnostics to `out`, one after the other: as shown to a person
/// (repeats of a kind counted after ten), or every one as a JSON object.
fn render_into(diags: &Diagnostics, out: &mut String, format: MessageFormat) {
    match format {
        MessageFormat::Human => {
            for line in diags.shown() {
                let _ = writeln!(out, "{line}");
            }
        }
        MessageFormat::Json => {
            for d in diags.iter() {
                let _ = writeln!(out, "{}", d.to_json());
            }
        }
    }
}

/// Writes `text` to stderr at once: printed line by line, a volume's few hundred
/// warnings took thousands of unbuffered writes at the end of the build.
fn print_err(text: &str) {
    use std::io::Write;
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

/// Exit code for input errors (bad manifest, sources, images); clap uses 2 for usage errors.
const INPUT_ERROR: u8 = 1;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let format = cli.message_format;
    // Interrupted (Ctrl-C, SIGTERM, SIGHUP), a build removes its half-written
    // outputs before it exits; the previous outputs stay as they were.
    let _ = ctrlc::set_handler(|| {
        driver::remove_temporary_files();
        std::process::exit(130);
    });
    match cli.command {
        Command::Build { path, args } => {
            let path = path.unwrap_or_else(|| PathBuf::from("."));
            // Under `--deny-warnings` the driver checks every warning (layout ones
            // included) before writing, so a failing build writes nothing.
            let bar = Bar::new(args.quiet || format == MessageFormat::Json);
            let result = driver::build_with_progress(&path, &args.options(), &bar);
            bar.finish();
            let code = report_build(&result, args.quiet, format);
            // The record is written whatever the outcome: a failed shard's errors are news too.
            if let Some(file) = &args.report
                && let Err(d) = driver::write_report(file, &result, args.shard)
            {
                report(&Diagnostics(vec![d]), format);
                return ExitCode::from(INPUT_ERROR);
            }
            code
        }
        Command::Watch { path, args } => {
            let path = path.unwrap_or_else(|| PathBuf::from("."));
            let mut first = true;
            let mut on_build = |r: driver::watch::Rebuild| {
                let _ = report_build(&r.result, args.quiet, format);
                let verb = if std::mem::take(&mut first) { "built" } else { "rebuilt" };
                let outcome = if r.result.is_ok() { "" } else { " with errors" };
                let why = match r.changed.first() {
                    Some(p) if r.changed.len() == 1 => format!(" after a change to {}", p.display()),
                    Some(_) => format!(" after changes to {} files", r.changed.len()),
                    None => String::new(),
                };
                // Always printed, even under --quiet: it is what `watch` is for.
                eprintln!("{verb}{outcome} in {:.2} s{why}; watching for changes", r.took.as_secs_f64());
            };
            match driver::watch::watch(&path, &args.options(), &driver::Silent, &mut on_build) {
                Ok(()) => ExitCode::SUCCESS,
                Err(d) => {
                    eprintln!("{d}");
                    ExitCode::from(INPUT_ERROR)
                }
            }
        }
        Command::Check { path, deny_warnings, allow_outside_root, missing_images, print } => {
            let path = path.unwrap_or_else(|| PathBuf::from("."));
            let missing_images = missing_images.map(Missing::policy);
            match driver::load_with(&path, &LoadOptions { allow_outside_root, missing_images }) {
                Ok((p, mut w)) => {
                    if print {
                        for f in driver::preflight(&p) {
                            match f.level {
                                Level::Warning => w.push(f.diagnostic),
                                Level::Note => {
                                    let mut out = String::new();
                                    line_into(&mut out, format, &f.to_string(), || note_json(&f.diagnostic));
                                    print_err(&out);
                                }
                            }
                        }
                    }
                    report(&w, format);
                    let (statements, images, warnings) =
                        (p.book.documents.len(), p.images.len(), w.warnings());
                    let mut out = String::new();
                    let human = format!(
                        "checked {statements} statement(s), {images} image(s): {warnings} warning(s)"
                    );
                    line_into(
                        &mut out,
                        format,
                        &human,
                        || serde_json::json!({ "checked": statements, "images": images, "warnings": warnings }),
                    );
                    print_err(&out);
                    if deny_warnings && !w.is_empty() {
                        ExitCode::from(INPUT_ERROR)
                    } else {
                        ExitCode::SUCCESS
                    }
                }
                Err(d) => {
                    report(&d, format);
                    ExitCode::from(INPUT_ERROR)
                }
            }
        }
        // Made in memory, then written: a reader that stops early (`| head`) is no error.
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut command, "samizdat", &mut script);
            let _ = std::io::Write::write_all(&mut std::io::stdout().lock(), &script);
            ExitCode::SUCCESS
        }
        Command::Man => {
            let command = <Cli as clap::CommandFactory>::command();
            let mut page = Vec::new();
            let _ = clap_mangen::Man::new(command).render(&mut page);
            let _ = std::io::Write::write_all(&mut std::io::stdout().lock(), &page);
            ExitCode::SUCCESS
        }
        Command::New { dir } => match driver::new_project(&dir) {
            Ok(files) => {
                for f in files {
                    eprintln!("created {}", f.display());
                }
                eprintln!("build it with: samizdat build {}", dir.display());
                ExitCode::SUCCESS
            }
            Err(d) => {
                eprintln!("{d}");
                ExitCode::from(INPUT_ERROR)
            }
        },
    }
}
