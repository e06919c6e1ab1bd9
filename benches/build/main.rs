//! The build benchmark of issue 7: generated books of 1, 20 and 200 statements
//! built from Markdown to PDF and EPUB, as a whole process and stage by stage.
//!
//! ```text
//! cargo bench --bench build                      # 1, 20, 200 statements, 5 runs each
//! cargo bench --bench build -- --sizes 20 --runs 9 --seed 7 --words 1500
//! ```
//!
//! For each size it generates a corpus (see `corpus.rs`) under Cargo's
//! target tmp dir, then
//! - runs the release `samizdat build` as a child process `--runs` times and
//!   reports the median wall time, pages, pages per second, the peak resident
//!   set of the child (`getrusage(RUSAGE_CHILDREN)` taken in a one-child
//!   wrapper process, so each figure belongs to one build) and the output sizes;
//! - runs the stages in this process (font loading, load = read + parse +
//!   typography + images, layout, PDF serialisation, EPUB packaging) and
//!   reports the median of each.
//!
//! `SAMIZDAT_BIN=/path/to/samizdat` times another build of the binary (an
//! older commit, say) on the same corpora; the in-process stages always run
//! this tree's library, so pass `--no-stages` then.
//!
//! It prints figures and checks nothing: timings belong in BENCHMARKS.md and
//! review, not in `cargo test`.

mod corpus;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use samizdat::driver;
use samizdat::epub::{self, EpubOptions};
use samizdat::fonts::FontSet;
use samizdat::layout;
use samizdat::manifest::OutputKind;
use samizdat::pdf::{self, PdfOptions};

/// The release binary Cargo built for this bench, unless `SAMIZDAT_BIN` names another.
fn binary() -> String {
    std::env::var("SAMIZDAT_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_samizdat").to_string())
}

/// Command-line options.
struct Args {
    sizes: Vec<usize>,
    runs: usize,
    seed: u64,
    words: usize,
    stages: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args { sizes: vec![1, 20, 200], runs: 5, seed: 1, words: 1500, stages: true };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("`{name}` needs a value"));
        match a.as_str() {
            "--sizes" => {
                args.sizes = value("--sizes")?
                    .split(',')
                    .map(|s| s.trim().parse().map_err(|_| format!("bad size `{s}`")))
                    .collect::<Result<_, _>>()?
            }
            "--runs" => args.runs = value("--runs")?.parse().map_err(|_| "bad `--runs`")?,
            "--seed" => args.seed = value("--seed")?.parse().map_err(|_| "bad `--seed`")?,
            "--words" => args.words = value("--words")?.parse().map_err(|_| "bad `--words`")?,
            "--no-stages" => args.stages = false,
            // `cargo bench` passes `--bench` to every bench target.
            "--bench" => {}
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    args.runs = args.runs.max(1);
    Ok(args)
}

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().collect();
    if argv.get(1).map(String::as_str) == Some("--child") {
        return child(&argv[2..]);
    }
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    println!("samizdat build benchmark: {} run(s) each, median; seed {}", args.runs, args.seed);
    println!("binary: {}", binary());
    println!();
    let mut rows = Vec::new();
    for &n in &args.sizes {
        match bench_size(&args, n) {
            Ok(row) => rows.push(row),
            Err(e) => {
                eprintln!("error: {n} statement(s): {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    println!();
    println!("| statements | words | wall (median) | min–max | pages | pages/s | peak RSS | PDF | EPUB |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in &rows {
        println!(
            "| {} | {} | {} | {}–{} | {} | {:.0} | {:.1} MB | {:.1} MB | {:.1} MB |",
            r.statements,
            r.words,
            ms(r.wall),
            ms(r.wall_min),
            ms(r.wall_max),
            r.pages,
            r.pages as f64 / r.wall.as_secs_f64(),
            r.rss_kb as f64 / 1024.0,
            r.pdf_bytes as f64 / 1e6,
            r.epub_bytes as f64 / 1e6,
        );
    }
    if args.stages {
        println!();
        println!("| statements | fonts | load | layout | PDF | EPUB | sum |");
        println!("|---:|---:|---:|---:|---:|---:|---:|");
        for r in &rows {
            let s = &r.stages;
            println!(
                "| {} | {} | {} | {} | {} | {} | {} |",
                r.statements,
                ms(s.fonts),
                ms(s.load),
                ms(s.layout),
                ms(s.pdf),
                ms(s.epub),
                ms(s.fonts + s.load + s.layout + s.pdf + s.epub)
            );
        }
    }
    ExitCode::SUCCESS
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

/// Figures for one corpus size.
struct Row {
    statements: usize,
    words: usize,
    wall: Duration,
    wall_min: Duration,
    wall_max: Duration,
    pages: usize,
    rss_kb: u64,
    pdf_bytes: u64,
    epub_bytes: u64,
    stages: Stages,
}

/// Median in-process time of each stage.
#[derive(Default, Clone, Copy)]
struct Stages {
    fonts: Duration,
    load: Duration,
    layout: Duration,
    pdf: Duration,
    epub: Duration,
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn bench_size(args: &Args, n: usize) -> Result<Row, String> {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("bench-corpus/n{n}-s{}", args.seed));
    let _ = std::fs::remove_dir_all(&dir);
    let spec = corpus::Spec { seed: args.seed, statements: n, words: args.words, images: true };
    let stats = corpus::write(&dir, &spec).map_err(|e| format!("cannot write the corpus: {e}"))?;
    println!(
        "{n} statement(s): {} words, {:.1} MB Markdown, {:.1} MB JPEG in {}",
        stats.words,
        stats.markdown_bytes as f64 / 1e6,
        stats.image_bytes as f64 / 1e6,
        dir.display()
    );

    let out = dir.join("out");
    // One untimed run warms the page cache and checks that the build succeeds.
    run_child(&dir, &out)?;
    let mut walls = Vec::new();
    let mut rss = Vec::new();
    for _ in 0..args.runs {
        let (wall, kb) = run_child(&dir, &out)?;
        walls.push(wall);
        rss.push(kb);
    }
    rss.sort();
    let size = |name: &str| std::fs::metadata(out.join(name)).map(|m| m.len()).unwrap_or(0);

    let (stages, pages) = if args.stages { in_process(&dir, args.runs)? } else { (Stages::default(), 0) };
    let wall = median(walls.clone());
    let row = Row {
        statements: n,
        words: stats.words,
        wall,
        wall_min: *walls.iter().min().unwrap_or(&wall),
        wall_max: *walls.iter().max().unwrap_or(&wall),
        pages,
        rss_kb: rss[rss.len() / 2],
        pdf_bytes: size("book.pdf"),
        epub_bytes: size("ebook.epub"),
        stages,
    };
    println!(
        "  process: {} median of {:?}; {} pages; peak RSS {:.1} MB",
        ms(row.wall),
        walls.iter().map(|d| (d.as_secs_f64() * 1e4).round() / 10.0).collect::<Vec<_>>(),
        row.pages,
        row.rss_kb as f64 / 1024.0
    );
    Ok(row)
}

/// Runs `samizdat build` on `dir` through the wrapper; returns its wall time and peak RSS in KiB.
fn run_child(dir: &Path, out: &Path) -> Result<(Duration, u64), String> {
    let me = std::env::current_exe().map_err(|e| e.to_string())?;
    let output = Command::new(me)
        .arg("--child")
        .arg(binary())
        .arg("build")
        .arg(dir)
        .arg("-o")
        .arg(out)
        .output()
        .map_err(|e| format!("cannot start the wrapper: {e}"))?;
    let text = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!("the build failed:\n{}", String::from_utf8_lossy(&output.stderr)));
    }
    let mut nums = text.split_whitespace().map(|s| s.parse::<u64>());
    match (nums.next(), nums.next()) {
        (Some(Ok(nanos)), Some(Ok(kb))) => Ok((Duration::from_nanos(nanos), kb)),
        _ => Err(format!("unexpected wrapper output `{text}`")),
    }
}

/// The wrapper: runs one command, prints `nanoseconds max_rss_kib` of it. Being
/// its only child, the command's peak RSS is `RUSAGE_CHILDREN`'s `ru_maxrss`.
fn child(cmd: &[String]) -> ExitCode {
    let start = Instant::now();
    let status = Command::new(&cmd[0]).args(&cmd[1..]).stdout(std::process::Stdio::null()).status();
    let wall = start.elapsed();
    match status {
        Ok(s) if s.success() => {
            let kb = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN)
                .map(|u| u.max_rss().max(0) as u64)
                .unwrap_or(0);
            println!("{} {kb}", wall.as_nanos());
            ExitCode::SUCCESS
        }
        Ok(s) => {
            eprintln!("samizdat exited with {s}");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("cannot run samizdat: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Times the stages in this process; returns the medians and the page count.
fn in_process(dir: &Path, runs: usize) -> Result<(Stages, usize), String> {
    let mut all: Vec<Stages> = Vec::new();
    let mut pages = 0;
    for _ in 0..runs {
        let mut s = Stages::default();
        let t = Instant::now();
        let fonts = FontSet::embedded();
        s.fonts = t.elapsed();
        drop(fonts);

        let t = Instant::now();
        let (project, _warnings) = driver::load(&dir.join("book.toml"))
            .map_err(|d| format!("load failed: {:?}", d.iter().next()))?;
        s.load = t.elapsed();

        for out in &project.settings.outputs {
            match &out.kind {
                OutputKind::Pdf(p) => {
                    let t = Instant::now();
                    let (lay, _) = layout::typeset(
                        &project.book,
                        &project.images,
                        &project.fonts,
                        &samizdat::layout::LayoutOptions::new(*p),
                    );
                    s.layout += t.elapsed();
                    pages = lay.pages.len();
                    let popts = PdfOptions {
                        title: project.book.meta.title.clone(),
                        authors: project.book.meta.authors.clone(),
                        lang: project.book.meta.lang.tag().to_string(),
                        ..PdfOptions::default()
                    };
                    let t = Instant::now();
                    let bytes = pdf::write(&lay, &project.fonts, &project.images, &popts)
                        .map_err(|e| format!("pdf failed: {e}"))?;
                    s.pdf += t.elapsed();
                    drop(bytes);
                }
                OutputKind::Epub(e) => {
                    let cover = e.cover.clone().or_else(|| {
                        project
                            .book
                            .documents
                            .first()
                            .and_then(|d| d.images().first().map(|i| i.path.clone()))
                    });
                    let eopts = EpubOptions {
                        modified: "2026-05-01T00:00:00Z".into(),
                        cover,
                        pages: Vec::new(),
                        compress_images: true,
                        soft_hyphens: Vec::new(),
                        page_source: None,
                        fonts: Some(&project.fonts),
                    };
                    let t = Instant::now();
                    let bytes = epub::package(&project.book, &project.images, &eopts)
                        .map_err(|e| format!("epub failed: {e}"))?;
                    s.epub += t.elapsed();
                    drop(bytes);
                }
                // The corpus has no covers; a cover is one page.
                OutputKind::Cover(_) => {}
            }
        }
        all.push(s);
    }
    let pick = |f: fn(&Stages) -> Duration| median(all.iter().map(f).collect());
    let stages = Stages {
        fonts: pick(|s| s.fonts),
        load: pick(|s| s.load),
        layout: pick(|s| s.layout),
        pdf: pick(|s| s.pdf),
        epub: pick(|s| s.epub),
    };
    Ok((stages, pages))
}
