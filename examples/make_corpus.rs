//! Writes a benchmark corpus: `cargo run --release --example make_corpus -- DIR [-n 20] [--seed 1]
//! [--words 1500] [--no-images]`, then `samizdat build DIR`. The generator itself is
//! `benches/build/corpus.rs`, shared with the build benchmark.

#[path = "../benches/build/corpus.rs"]
mod corpus;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: make_corpus DIR [-n STATEMENTS] [--seed N] [--words N] [--no-images]";

fn main() -> ExitCode {
    let mut spec = corpus::Spec::default();
    let mut dir = None;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let number = |v: Option<String>| v.and_then(|v| v.parse::<u64>().ok());
        let ok = match a.as_str() {
            "-n" | "--count" => number(it.next()).map(|n| spec.statements = n as usize).is_some(),
            "--seed" => number(it.next()).map(|n| spec.seed = n).is_some(),
            "--words" => number(it.next()).map(|n| spec.words = n as usize).is_some(),
            "--no-images" => {
                spec.images = false;
                true
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            _ if dir.is_none() && !a.starts_with('-') => {
                dir = Some(PathBuf::from(&a));
                true
            }
            _ => false,
        };
        if !ok {
            eprintln!("error: bad argument `{a}`\n{USAGE}");
            return ExitCode::from(2);
        }
    }
    let Some(dir) = dir else {
        eprintln!("error: no output folder\n{USAGE}");
        return ExitCode::from(2);
    };
    match corpus::write(&dir, &spec) {
        Ok(s) => {
            eprintln!(
                "wrote {} statement(s), {} words, {:.1} MB Markdown, {:.1} MB JPEG to {}",
                spec.statements,
                s.words,
                s.markdown_bytes as f64 / 1e6,
                s.image_bytes as f64 / 1e6,
                dir.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: cannot write {}: {e}", dir.display());
            ExitCode::FAILURE
        }
    }
}
