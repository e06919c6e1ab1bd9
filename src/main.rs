//! The `samizdat` command line: a thin shell over [`samizdat::build`].

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use samizdat::build::{self, BuildOptions, LoadOptions};
use samizdat::diag::Diagnostics;
use samizdat::manifest::Format;
use samizdat::preflight::Level;

/// Typesets Markdown statements into print-ready PDF and EPUB 3.
#[derive(Parser)]
#[command(name = "samizdat", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the outputs of a book (book.toml, a folder holding one, or a single .md file).
    Build {
        /// A book.toml, a folder with one, or a Markdown file [default: the current folder].
        path: Option<PathBuf>,
        /// Output folder [default: out/ next to the input].
        #[arg(short = 'o', long = "out-dir", value_name = "DIR")]
        out_dir: Option<PathBuf>,
        /// Only these formats, comma-separated: pdf, epub.
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
}

fn parse_format(s: &str) -> Result<Format, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "pdf" => Ok(Format::Pdf),
        "epub" => Ok(Format::Epub),
        other => Err(format!("unknown format `{other}`; use `pdf` or `epub`")),
    }
}

fn report(diags: &Diagnostics) {
    for d in diags.iter() {
        eprintln!("{d}");
    }
}

/// Exit code for input errors (bad manifest, sources, images); clap uses 2 for usage errors.
const INPUT_ERROR: u8 = 1;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build { path, out_dir, format, output, deny_warnings, allow_outside_root } => {
            let path = path.unwrap_or_else(|| PathBuf::from("."));
            // Under `--deny-warnings` the driver checks every warning (layout ones
            // included) before writing, so a failing build writes nothing.
            let opts = BuildOptions { out_dir, formats: format, output, deny_warnings, allow_outside_root };
            match build::build(&path, &opts) {
                Ok((rep, warnings)) => {
                    for n in &rep.notes {
                        eprintln!("{n}");
                    }
                    report(&warnings);
                    for f in &rep.written {
                        eprintln!("wrote {}", f.display());
                    }
                    ExitCode::SUCCESS
                }
                Err(d) => {
                    report(&d);
                    ExitCode::from(INPUT_ERROR)
                }
            }
        }
        Command::Check { path, deny_warnings, allow_outside_root, print } => {
            let path = path.unwrap_or_else(|| PathBuf::from("."));
            match build::load_with(&path, &LoadOptions { allow_outside_root }) {
                Ok((p, mut w)) => {
                    if print {
                        for f in build::preflight(&p) {
                            match f.level {
                                Level::Warning => w.push(f.diagnostic),
                                Level::Note => eprintln!("{f}"),
                            }
                        }
                    }
                    report(&w);
                    eprintln!(
                        "checked {} statement(s), {} image(s): {} warning(s)",
                        p.book.documents.len(),
                        p.images.len(),
                        w.warnings()
                    );
                    if deny_warnings && !w.is_empty() {
                        ExitCode::from(INPUT_ERROR)
                    } else {
                        ExitCode::SUCCESS
                    }
                }
                Err(d) => {
                    report(&d);
                    ExitCode::from(INPUT_ERROR)
                }
            }
        }
        Command::New { dir } => match build::new_project(&dir) {
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
