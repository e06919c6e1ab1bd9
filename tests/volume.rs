//! Collected volumes and the build matrix (issue 5), over `tests/fixtures/volume/twenty`:
//! a preface and 20 statements in three parts, built as one PDF and one EPUB
//! and as a booklet PDF and an EPUB per statement. The PDF is read back with
//! poppler, qpdf and mupdf; the EPUB's navigation with a ZIP and an XML reader.

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead as _, Read as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use common::{Book, validate};

/// Statements per part, in order.
const PARTS: [(&str, usize); 3] = [("Год 2024", 7), ("Год 2025", 7), ("Год 2026", 6)];
const STATEMENTS: usize = 20;

/// The fixture built once (default thread count) and shared by the read-only tests.
fn built() -> &'static Book {
    static BUILT: OnceLock<Book> = OnceLock::new();
    BUILT.get_or_init(|| {
        let book = Book::fixture("volume/twenty");
        book.cmd(["build", "--quiet"]).timeout(Duration::from_secs(300)).run().success();
        book
    })
}

/// Statement titles in reading order, from the sources' front matter.
fn titles(book: &Book) -> Vec<String> {
    let mut files: Vec<PathBuf> = ["2024", "2025", "2026"]
        .iter()
        .flat_map(|y| std::fs::read_dir(book.path("content").join(y)).unwrap().map(|e| e.unwrap().path()))
        .collect();
    files.sort();
    files
        .iter()
        .map(|f| {
            let text = std::fs::read_to_string(f).unwrap();
            text.lines().find_map(|l| l.strip_prefix("title: ")).unwrap().to_owned()
        })
        .collect()
}

/// Runs a tool and returns its standard output, or `None` (skip notice, or failure under CI) when missing.
#[track_caller]
fn tool(name: &str, args: &[&str]) -> Option<String> {
    if !validate::have(name) {
        return None;
    }
    let out = Command::new(name).args(args).output().unwrap();
    assert!(out.status.success(), "{name} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The label of every page, from the PDF's /PageLabels as qpdf reports them.
fn page_labels(pdf: &Path, pages: usize) -> Option<Vec<String>> {
    let json = tool("qpdf", &["--json", "--json-key=pagelabels", pdf.to_str()?])?;
    // Each range: `"index": N`, then `"/S": "/r"` (roman) or `"/D"`, then `"/St": M`.
    let mut ranges: Vec<(usize, bool, usize)> = Vec::new();
    for chunk in json.split("\"index\":").skip(1) {
        let number = |key: &str| -> usize {
            let at = chunk.find(key).map_or("0", |i| &chunk[i + key.len()..]);
            at.trim_start_matches([' ', ':'])
                .chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
                .parse()
                .unwrap_or(1)
        };
        let index =
            chunk.trim_start().chars().take_while(char::is_ascii_digit).collect::<String>().parse().ok()?;
        ranges.push((index, chunk.contains("\"/r\""), number("\"/St\"")));
    }
    let roman = |mut n: usize| {
        let mut s = String::new();
        for (v, r) in [(10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")] {
            while n >= v {
                s.push_str(r);
                n -= v;
            }
        }
        s
    };
    Some(
        (0..pages)
            .map(|p| {
                let (index, is_roman, start) =
                    *ranges.iter().rev().find(|r| r.0 <= p).expect("a label range");
                let n = start + p - index;
                if is_roman { roman(n) } else { n.to_string() }
            })
            .collect(),
    )
}

/// The text of every page (`pdftotext -layout`, pages split at form feeds).
fn page_texts(pdf: &Path) -> Option<Vec<String>> {
    let text = tool("pdftotext", &["-layout", pdf.to_str()?, "-"])?;
    let mut pages: Vec<String> = text.split('\u{c}').map(str::to_owned).collect();
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    Some(pages)
}

/// Whitespace collapsed, so that a title set on two lines still matches.
fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

// The contents give, for the preface, every part and every statement, the page
// label of the page where it begins; that page shows its title and no earlier body page does.
#[test]
fn contents_page_numbers_are_the_start_pages() {
    let book = built();
    let pdf = book.assert_file("out/volume.pdf");
    let Some(texts) = page_texts(&pdf) else { return };
    let Some(labels) = page_labels(&pdf, texts.len()) else { return };
    // The contents: front-matter pages (roman labels) after the heading.
    let body_start = labels.iter().position(|l| l == "1").expect("an arabic page 1");
    let first = (0..body_start).find(|&p| texts[p].contains("Содержание")).expect("a contents page");
    let mut listed: Vec<(String, String)> = Vec::new();
    for p in first..body_start {
        let text = tool(
            "pdftotext",
            &["-layout", "-f", &(p + 1).to_string(), "-l", &(p + 1).to_string(), pdf.to_str().unwrap(), "-"],
        )
        .unwrap();
        for line in text.lines() {
            let line = line.trim();
            if let Some((title, number)) = line.rsplit_once(' ')
                && number.chars().all(|c| c.is_ascii_digit())
                && !number.is_empty()
            {
                // Dot leaders run from the title to its number.
                let Some(at) = title.find(" . . .") else { panic!("no dot leader in «{line}»") };
                listed.push((squash(&title[..at]), number.to_owned()));
            }
        }
    }
    let mut expected: Vec<String> = vec!["Предисловие".to_owned()];
    let statements = titles(book);
    let mut k = 0;
    for (part, n) in PARTS {
        expected.push(part.to_owned());
        expected.extend(statements[k..k + n].iter().cloned());
        k += n;
    }
    let shown: Vec<&str> = listed.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(shown, expected, "the contents list the preface, parts and statements in order");
    for (title, number) in &listed {
        let page =
            labels.iter().position(|l| l == number).unwrap_or_else(|| panic!("no page labelled {number}"));
        assert!(squash(&texts[page]).contains(title.as_str()), "page {number} does not show «{title}»");
        let earlier = (body_start..page).find(|&p| squash(&texts[p]).contains(title.as_str()));
        assert_eq!(earlier, None, "«{title}» appears before its page {number}");
    }
}

// The outline nests parts → statements → headings: the preface and 3 parts at the
// top, 20 statements under their parts, one heading under each statement.
#[test]
fn outline_nests_parts_statements_headings() {
    let book = built();
    let pdf = book.assert_file("out/volume.pdf");
    let Some(outline) = tool("mutool", &["show", pdf.to_str().unwrap(), "outline"]) else { return };
    // Lines look like `+\t\t"Title"\t#page=…`: the tabs before the quote give the depth.
    let entries: Vec<(usize, String)> = outline
        .lines()
        .filter_map(|l| {
            let q = l.find('"')?;
            let depth = l[..q].matches('\t').count();
            let title = l[q + 1..].split('"').next()?.to_owned();
            Some((depth, title))
        })
        .collect();
    let at = |d: usize| entries.iter().filter(|e| e.0 == d).count();
    assert_eq!((at(1), at(2), at(3)), (1 + PARTS.len(), STATEMENTS, STATEMENTS), "{outline}");
    let tops: Vec<&str> = entries.iter().filter(|e| e.0 == 1).map(|e| e.1.as_str()).collect();
    assert_eq!(tops, ["Предисловие", PARTS[0].0, PARTS[1].0, PARTS[2].0]);
    // Statements counted under each part.
    let mut per_part: Vec<usize> = Vec::new();
    for (depth, _) in &entries {
        match depth {
            1 => per_part.push(0),
            2 => *per_part.last_mut().unwrap() += 1,
            _ => {}
        }
    }
    assert_eq!(per_part, [0, 7, 7, 6]);
}

/// A file of the EPUB as text.
fn epub_file(epub: &Path, name: &str) -> Option<String> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(epub).unwrap()).unwrap();
    let mut f = zip.by_name(name).ok()?;
    let mut s = String::new();
    f.read_to_string(&mut s).unwrap();
    Some(s)
}

const OPS: &str = "http://www.idpf.org/2007/ops";

/// The `li` children of an `ol`.
fn items<'a, 'i>(ol: roxmltree::Node<'a, 'i>) -> Vec<roxmltree::Node<'a, 'i>> {
    ol.children().filter(|n| n.has_tag_name("li")).collect()
}

/// The link text of an `li`.
fn label(li: roxmltree::Node<'_, '_>) -> String {
    li.children().find(|n| n.has_tag_name("a")).and_then(|a| a.text()).unwrap_or("").to_owned()
}

/// The nested `ol` of an `li`.
fn sub<'a, 'i>(li: roxmltree::Node<'a, 'i>) -> Option<roxmltree::Node<'a, 'i>> {
    li.children().find(|n| n.has_tag_name("ol"))
}

// The EPUB's nav nests parts → statements like the PDF outline, and its
// page-list has one entry per PDF page, each pointing at an existing anchor.
#[test]
fn epub_nav_and_page_list_match_the_print_edition() {
    let book = built();
    let epub = book.assert_file("out/ebook.epub");
    let nav = epub_file(&epub, "EPUB/nav.xhtml").expect("EPUB/nav.xhtml");
    let opts = roxmltree::ParsingOptions { allow_dtd: true, ..roxmltree::ParsingOptions::default() };
    let doc = roxmltree::Document::parse_with_options(&nav, opts).unwrap();
    let nav_of = |kind: &str| {
        doc.descendants().find(|n| n.has_tag_name("nav") && n.attribute((OPS, "type")) == Some(kind)).unwrap()
    };
    let toc = nav_of("toc").children().find(|n| n.has_tag_name("ol")).unwrap();
    let top: Vec<String> = items(toc).into_iter().map(label).collect();
    assert_eq!(top, ["Предисловие", PARTS[0].0, PARTS[1].0, PARTS[2].0]);
    let statements = titles(book);
    let mut k = 0;
    for (li, (_, n)) in items(toc).into_iter().skip(1).zip(PARTS) {
        let inner: Vec<String> =
            items(sub(li).expect("statements under the part")).into_iter().map(label).collect();
        assert_eq!(inner, statements[k..k + n]);
        k += n;
    }

    // page-list: as many entries as PDF pages, each to an id that exists in its file.
    let pdf = book.assert_file("out/volume.pdf");
    let pages = validate::pdfinfo(&pdf).get("Pages").and_then(|p| p.parse::<usize>().ok());
    let list = nav_of("page-list").children().find(|n| n.has_tag_name("ol")).unwrap();
    let targets: Vec<String> = items(list)
        .into_iter()
        .map(|li| li.children().find(|n| n.has_tag_name("a")).unwrap().attribute("href").unwrap().to_owned())
        .collect();
    if let Some(pages) = pages {
        assert_eq!(targets.len(), pages, "one page-list entry per PDF page");
    }
    let mut files: BTreeMap<String, String> = BTreeMap::new();
    for href in &targets {
        let (file, id) = href.split_once('#').expect("a fragment");
        let text = files
            .entry(file.to_owned())
            .or_insert_with(|| epub_file(&epub, &format!("EPUB/{file}")).unwrap_or_default());
        assert!(text.contains(&format!("id=\"{id}\"")), "{href}: no such anchor");
    }
}

// Each statement gets a booklet PDF (and its unimposed pages) and an EPUB, named
// by its slug; the preface gets none; a pamphlet has no front matter.
#[test]
fn per_document_files() {
    let book = built();
    let names = |prefix: &str, suffix: &str| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(book.path("out"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(prefix) && n.ends_with(suffix))
            .collect();
        v.sort();
        v
    };
    assert_eq!(names("leaflet-", "-booklet.pdf").len(), STATEMENTS);
    assert_eq!(names("leaflet-", ".pdf").len(), 2 * STATEMENTS);
    assert_eq!(names("single-", ".epub").len(), STATEMENTS);
    book.assert_file("out/leaflet-01-s01-booklet.pdf");
    book.assert_no_file("out/single-preface.epub");
    let first = book.assert_file("out/leaflet-01-s01.pdf");
    if let Some(texts) = page_texts(&first) {
        assert!(squash(&texts[0]).contains(&titles(book)[0]), "the pamphlet starts with its statement");
        assert!(!texts.iter().any(|t| t.contains("Содержание")), "a pamphlet has no contents");
    }
}

// EPUBCheck passes the volume and two single-statement EPUBs.
#[test]
fn epubcheck_is_clean() {
    let book = built();
    validate::epubcheck(&[
        book.assert_file("out/ebook.epub"),
        book.assert_file("out/single-01-s01.epub"),
        book.assert_file("out/single-06-s20.epub"),
    ]);
}

// One thread and four threads write byte-identical files.
#[test]
fn jobs_one_and_four_give_identical_bytes() {
    let book = Book::fixture("volume/twenty");
    for (jobs, dir) in [("1", "out1"), ("4", "out4")] {
        book.cmd(["build", "--quiet", "--jobs", jobs, "-o", dir])
            .timeout(Duration::from_secs(300))
            .run()
            .success();
    }
    let one = common::Snapshot::of(&book.path("out1"));
    let four = common::Snapshot::of(&book.path("out4"));
    assert_eq!(
        one.0.len(),
        2 * STATEMENTS + STATEMENTS + 2,
        "volume PDF and EPUB, 20 × (PDF, booklet, EPUB)"
    );
    assert_eq!(one.0.keys().collect::<Vec<_>>(), four.0.keys().collect::<Vec<_>>());
    for (path, bytes) in &one.0 {
        assert!(bytes == &four.0[path], "{} differs between --jobs 1 and --jobs 4", path.display());
    }
}

// group-by = "year" makes parts from the statements' dates, titled by the year,
// and sort = "title" orders each part alphabetically.
#[test]
fn group_by_year_and_sort_by_title() {
    let book = Book::fixture("volume/twenty");
    let manifest = String::from_utf8(book.read("book.toml")).unwrap();
    let head = manifest.split("[[part]]").next().unwrap();
    book.write(
        "book.toml",
        format!(
            "{}documents = [\"content/*/*.md\"]\ngroup-by = \"year\"\nsort = \"title\"\n\n[output.volume]\nformat = \"pdf\"\n",
            head.trim_end().to_owned() + "\n"
        ),
    );
    book.cmd(["build", "--quiet"]).timeout(Duration::from_secs(300)).run().success();
    let Some(outline) = tool("mutool", &["show", book.path("out/volume.pdf").to_str().unwrap(), "outline"])
    else {
        return;
    };
    let level = |depth: usize| -> Vec<String> {
        outline
            .lines()
            .filter(|l| l.find('"').is_some_and(|q| l[..q].matches('\t').count() == depth))
            .map(|l| l.split('"').nth(1).unwrap().to_owned())
            .collect()
    };
    assert_eq!(level(1), ["Предисловие", "2024", "2025", "2026"]);
    let statements = level(2);
    let mut first_part = statements[..7].to_vec();
    first_part.sort_by_key(|t| t.to_lowercase());
    assert_eq!(statements[..7], first_part[..], "sorted by title within the part");
}

// `samizdat watch` builds, then rebuilds after a statement changes, printing the time it took.
#[test]
fn watch_rebuilds_after_a_change() {
    let book = Book::fixture("minimal");
    let mut child = Command::new(common::BIN)
        .args(["watch", "--quiet"])
        .current_dir(&book.root)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let wait_for = |needle: &str| -> Result<String, String> {
        let deadline = std::time::Instant::now() + Duration::from_secs(120);
        let mut seen = Vec::new();
        while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
            match rx.recv_timeout(left) {
                Ok(line) if line.starts_with(needle) => return Ok(line),
                Ok(line) => seen.push(line),
                Err(_) => break,
            }
        }
        Err(format!("no line starting with {needle:?}; saw:\n{}", seen.join("\n")))
    };
    let first = wait_for("built in");
    let md = std::fs::read_dir(book.path("content"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "md"))
        .unwrap();
    let mut text = std::fs::read_to_string(&md).unwrap();
    text.push_str("\nЕщё один абзац.\n");
    std::fs::write(&md, text).unwrap();
    let second = wait_for("rebuilt in");
    let _ = child.kill();
    let _ = child.wait();
    let first = first.unwrap();
    let second = second.unwrap();
    assert!(first.contains(" s"), "{first}");
    assert!(second.contains("after a change to"), "{second}");
}

// The title page's verso carries the imprint: title, authors, publisher and year,
// identifier and rights, at the foot of the text block.
#[test]
fn title_verso_carries_the_imprint() {
    let book = Book::sample();
    book.run(["build", "--output", "book", "-q"]).success();
    let pdf = book.path("out/book.pdf");
    let Some(texts) = page_texts(&pdf) else { return };
    let verso = squash(&texts[1]);
    for expected in
        ["Голоса снизу", "Редакция «Самиздата»", "Самиздат, 2026", "urn:uuid:", "Перепечатка свободная"]
    {
        assert!(verso.contains(expected), "the imprint lacks «{expected}»: {verso}");
    }
    // Set at the foot: its last line is below the middle of the page.
    let bbox = tool("pdftotext", &["-bbox", "-f", "2", "-l", "2", pdf.to_str().unwrap(), "-"]).unwrap();
    let lowest = bbox
        .lines()
        .filter_map(|l| l.split("yMax=\"").nth(1)?.split('"').next()?.parse::<f64>().ok())
        .fold(0.0, f64::max);
    assert!(lowest > 595.0 * 0.75, "imprint ends at {lowest}pt");
}
