//! Tagged PDF read back with pikepdf (`tests/support/pdf_tags.py`), not with
//! samizdat's own code: every drawn text and picture is inside marked content
//! (structure or artifact), the structure tree holds what the Markdown holds
//! (headings that nest, paragraphs, lists, quotes, a table with its header
//! cells, figures with their descriptions and boxes, notes with IDs, links with
//! their annotations), each passage carries its language, the running heads and
//! folios are artifacts, and a word broken at a line's end reads whole. The
//! `pdfua` checker's machine-checkable PDF/UA-1 rules pass on the result.

mod common;

use std::collections::BTreeSet;

use common::Book;
use common::validate::{markdown_words, pdf_tags, pdfua_check, words};
use serde_json::Value;

/// The elements of a read-back tree, with helpers over them.
struct Tree<'a> {
    elements: &'a [Value],
}

impl<'a> Tree<'a> {
    fn new(tags: &'a Value) -> Tree<'a> {
        Tree { elements: tags["elements"].as_array().expect("an element list") }
    }

    fn role(&self, i: usize) -> &str {
        self.elements[i]["role"].as_str().unwrap_or("")
    }

    fn text(&self, i: usize) -> &str {
        self.elements[i]["text"].as_str().unwrap_or("")
    }

    fn kids(&self, i: usize) -> Vec<usize> {
        self.elements[i]["kids"]
            .as_array()
            .map_or(Vec::new(), |k| k.iter().filter_map(Value::as_u64).map(|k| k as usize).collect())
    }

    /// Elements in reading order (depth first).
    fn order(&self) -> Vec<usize> {
        let mut out = Vec::new();
        let mut stack = vec![0];
        while let Some(i) = stack.pop() {
            out.push(i);
            stack.extend(self.kids(i).into_iter().rev());
        }
        out
    }

    /// The text of an element and everything under it.
    fn all_text(&self, i: usize) -> String {
        let mut s = self.text(i).to_owned();
        for k in self.kids(i) {
            s.push(' ');
            s.push_str(&self.all_text(k));
        }
        s
    }

    /// The language in effect for element `i`: its own, else its nearest ancestor's.
    fn lang(&self, mut i: usize, doc: &str) -> String {
        loop {
            if let Some(l) = self.elements[i]["lang"].as_str() {
                return l.to_owned();
            }
            match self.elements[i]["parent"].as_u64() {
                Some(p) => i = p as usize,
                None => return doc.to_owned(),
            }
        }
    }

    fn with_role(&self, role: &str) -> Vec<usize> {
        (0..self.elements.len()).filter(|&i| self.role(i) == role).collect()
    }
}

/// Asserts what every tagged reading-order PDF must be, and returns its tree's
/// text (all elements, soft hyphens removed) for word checks.
fn assert_tagged(tags: &Value, lang: &str) -> String {
    let cat = &tags["catalog"];
    assert_eq!(cat["marked"], true, "MarkInfo /Marked");
    assert_eq!(cat["struct_tree"], true, "a StructTreeRoot");
    assert_eq!(cat["display_doc_title"], true, "DisplayDocTitle");
    assert_eq!(cat["lang"], lang, "the catalog's /Lang");
    for page in tags["pages"].as_array().expect("pages") {
        let i = &page["index"];
        assert_eq!(page["shown"]["unmarked"], 0, "page {i}: text drawn outside marked content");
        assert_eq!(page["images"]["unmarked"], 0, "page {i}: a picture drawn outside marked content");
        assert_eq!(page["tabs"], "/S", "page {i}: /Tabs /S");
        for a in page["annots"].as_array().into_iter().flatten() {
            assert!(a["struct_parent"].is_u64(), "page {i}: a link without /StructParent");
            assert!(
                a["contents"].as_str().is_some_and(|c| !c.trim().is_empty()),
                "page {i}: a link without /Contents"
            );
        }
    }
    let tree = Tree::new(tags);
    assert_eq!(tree.role(0), "Document");
    // Headings nest: the first is H1 and none skips a level on the way down.
    let levels: Vec<u32> = tree
        .order()
        .into_iter()
        .filter_map(|i| tree.role(i).strip_prefix('H').and_then(|n| n.parse().ok()))
        .collect();
    assert_eq!(levels.first(), Some(&1), "the first heading is not H1: {levels:?}");
    for w in levels.windows(2) {
        assert!(w[1] <= w[0] + 1, "a heading skips a level: {levels:?}");
    }
    for i in tree.with_role("Figure") {
        let alt = tree.elements[i]["alt"].as_str().unwrap_or("");
        assert!(!alt.trim().is_empty(), "a Figure without /Alt");
        let bbox = tree.elements[i]["attributes"]
            .as_array()
            .into_iter()
            .flatten()
            .find_map(|a| a["BBox"].as_array())
            .expect("a Figure without a BBox");
        assert_eq!(bbox.len(), 4);
    }
    for i in tree.with_role("Note") {
        assert!(tree.elements[i]["id"].as_str().is_some_and(|s| !s.is_empty()), "a Note without /ID");
    }
    for i in tree.with_role("Link") {
        assert!(tree.elements[i]["objects"].as_u64() >= Some(1), "a Link without its annotation");
    }
    for i in tree.with_role("TH") {
        let scoped =
            tree.elements[i]["attributes"].as_array().into_iter().flatten().any(|a| a["Scope"].is_string());
        assert!(scoped, "a TH without /Scope");
    }
    tree.all_text(0).replace('\u{ad}', "")
}

/// A Russian book titled `title` with one PDF output (`book`, its extra keys
/// `pdf_keys`) and the picture `content/img/dvor.jpg`.
fn book_with_picture(label: &str, title: &str, pdf_keys: &str) -> Book {
    let book = Book::empty(label);
    book.write(
        "book.toml",
        format!(
            "[book]\ntitle = \"{title}\"\nlanguage = \"ru\"\ndocuments = [\"content/*.md\"]\n\n\
             [output.book]\nformat = \"pdf\"\n{pdf_keys}"
        ),
    );
    std::fs::create_dir_all(book.root.join("content/img")).unwrap();
    std::fs::copy(
        common::fixture_dir("web").join("content/img/dvor.jpg"),
        book.root.join("content/img/dvor.jpg"),
    )
    .unwrap();
    book
}

/// Words of `markdown` minus those `tree_text` lacks.
fn missing_words(markdown: &str, tree_text: &str) -> BTreeSet<String> {
    let have = words(tree_text);
    markdown_words(markdown).into_iter().filter(|w| !have.contains(w)).collect()
}

// The sample book: title pages, contents, four statements (one Kazakh) with
// pictures, lists, quotes, notes and links, running heads and folios.
#[test]
fn the_sample_book_is_tagged_for_assistive_technology() {
    let book = Book::sample();
    book.run(["build"]).success();
    let pdf = book.root.join("out/book.pdf");
    let Some(tags) = pdf_tags(&pdf) else { return };
    let text = assert_tagged(&tags, "ru");
    let tree = Tree::new(&tags);
    // Every word of every statement is in the structure, read as written: a word
    // broken at a line's end reads whole (its hyphen stands for a soft hyphen).
    let mut sources = Vec::new();
    for entry in std::fs::read_dir(book.root.join("content")).expect("content/") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "md") {
            sources.push(std::fs::read_to_string(&path).expect("read"));
        }
    }
    assert_eq!(sources.len(), 4);
    for md in &sources {
        let missing = missing_words(md, &text);
        assert!(missing.is_empty(), "words missing from the structure: {missing:?}");
    }
    let actual: Vec<&str> = tags["pages"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|p| p["actual_texts"].as_array().into_iter().flatten().filter_map(Value::as_str))
        .collect();
    assert!(actual.contains(&"\u{ad}"), "no line-end hyphen marked as a soft hyphen");
    // Each statement's title is an H1 with the title's words, and comes before
    // its opening picture.
    let order = tree.order();
    for md in &sources {
        let title = md.lines().find_map(|l| l.strip_prefix("# ")).expect("a title");
        let h1 = tree
            .with_role("H1")
            .into_iter()
            .find(|&i| words(tree.text(i)) == words(title))
            .unwrap_or_else(|| panic!("no H1 reads {title:?}"));
        let parent = tree.elements[h1]["parent"].as_u64().expect("a parent") as usize;
        let kids = tree.kids(parent);
        let at = |i: usize| order.iter().position(|&o| o == i);
        if let Some(&fig) = kids.iter().find(|&&k| tree.role(k) == "Figure") {
            assert!(at(h1) < at(fig), "the picture reads before the title {title:?}");
        }
    }
    // The Kazakh statement's passages are Kazakh, the others Russian.
    let kazakh = (0..tree.elements.len())
        .find(|&i| tree.role(i) == "P" && tree.text(i).contains("Сарыөзен"))
        .expect("the Kazakh byline");
    assert_eq!(tree.lang(kazakh, "ru"), "kk");
    let russian = (0..tree.elements.len())
        .find(|&i| tree.role(i) == "P" && tree.text(i).contains("Единство"))
        .expect("a Russian paragraph");
    assert_eq!(tree.lang(russian, "ru"), "ru");
    // Running heads and folios are artifacts, not text.
    let artifacts: String =
        tags["pages"].as_array().into_iter().flatten().filter_map(|p| p["artifact_text"].as_str()).collect();
    assert!(artifacts.contains("Голоса снизу"), "the running head is not an artifact");
    assert!(!tree.order().iter().any(|&i| tree.text(i).trim() == "2"), "a folio read as text");
    pdfua_check(&pdf);
}

// Every kind of block, in a Russian statement with a Kazakh section: the
// structure a screen reader walks.
#[test]
fn blocks_become_their_structure_elements() {
    let book = book_with_picture("accessible-blocks", "Проверка структуры", "page-size = \"A5\"\n");
    let md = "# Заявление о дворе\n\n\
              Мы, жители дома, просим восстановить детскую площадку во дворе.[^1]\n\n\
              ![Двор дома с разрушенной площадкой](img/dvor.jpg \"Двор в марте\")\n\n\
              ## Что мы предлагаем\n\n\
              1. Починить качели.\n2. Поставить скамейки.\n\n\
              > Двор — это общее дело.\n\n\
              | Год | Жалоб | Доля, % |\n|---|---:|---:|\n| 2024 | 12 | 48,5 |\n| 2025 | 31 | 61 |\n\n\
              ```\nкод = 1\n```\n\n\
              Подробности на [сайте](https://example.org/dvor).\n\n\
              ## Қазақша бөлім {lang=kk}\n\n\
              Біз ауласымыздағы балалар алаңын қалпына келтіруді сұраймыз.\n\n\
              [^1]: Письмо от 12 марта.\n";
    book.write("content/01.md", md);
    book.run(["build"]).success();
    let pdf = book.root.join("out/book.pdf");
    let Some(tags) = pdf_tags(&pdf) else { return };
    let text = assert_tagged(&tags, "ru");
    let missing = missing_words(&md.split("[^1]:").next().unwrap().replace("{lang=kk}", ""), &text);
    assert!(missing.is_empty(), "words missing from the structure: {missing:?}");
    let tree = Tree::new(&tags);
    let roles: Vec<&str> = tree.order().into_iter().map(|i| tree.role(i)).collect();
    let has = |r: &str| roles.contains(&r);
    for r in [
        "Sect",
        "H1",
        "H2",
        "P",
        "L",
        "LI",
        "Lbl",
        "LBody",
        "Reference",
        "BlockQuote",
        "Table",
        "THead",
        "TBody",
        "TR",
        "TH",
        "TD",
        "Figure",
        "Caption",
        "Note",
        "Link",
    ] {
        assert!(has(r), "no {r} in {roles:?}");
    }
    // The table: a header row of three TH, two body rows of three TD.
    let table = tree.with_role("Table")[0];
    let groups: Vec<&str> = tree.kids(table).into_iter().map(|g| tree.role(g)).collect();
    assert_eq!(groups, ["THead", "TBody"]);
    let rows = |g: usize| tree.kids(tree.kids(table)[g]);
    let cells = |r: usize| {
        tree.kids(r)
            .into_iter()
            .map(|c| (tree.role(c).to_owned(), tree.text(c).to_owned()))
            .collect::<Vec<_>>()
    };
    let head = cells(rows(0)[0]);
    assert_eq!(head.iter().map(|c| c.0.as_str()).collect::<Vec<_>>(), ["TH", "TH", "TH"]);
    assert_eq!(head[2].1, "Доля, %");
    let body: Vec<Vec<(String, String)>> = rows(1).into_iter().map(cells).collect();
    assert_eq!(body.len(), 2);
    assert_eq!(body[1].iter().map(|c| c.1.as_str()).collect::<Vec<_>>(), ["2025", "31", "61"]);
    // The figure: its description, and its caption inside it.
    let figure = tree.with_role("Figure")[0];
    assert_eq!(tree.elements[figure]["alt"], "Двор дома с разрушенной площадкой");
    let caption = tree.kids(figure).into_iter().find(|&k| tree.role(k) == "Caption").expect("a Caption");
    assert_eq!(tree.text(caption), "Двор в марте");
    // The list: two items, each its marker (Lbl) and its body.
    let list = tree.with_role("L")[0];
    let items = tree.kids(list);
    assert_eq!(items.len(), 2);
    for (k, &li) in items.iter().enumerate() {
        let parts: Vec<&str> = tree.kids(li).into_iter().map(|c| tree.role(c)).collect();
        assert_eq!(parts, ["Lbl", "LBody"]);
        assert_eq!(tree.text(tree.kids(li)[0]).trim(), format!("{}.", k + 1));
    }
    assert!(tree.all_text(tree.kids(items[0])[1]).contains("Починить качели"));
    // The note's call is a Reference inside its paragraph.
    let reference = tree.with_role("Reference")[0];
    assert_eq!(tree.text(reference).trim(), "1");
    let called_from = tree.elements[reference]["parent"].as_u64().unwrap() as usize;
    assert!(tree.text(called_from).contains("площадку"), "{}", tree.text(called_from));
    // The note, with its text; the link on the paragraph that holds it.
    let note = tree.with_role("Note")[0];
    assert!(tree.text(note).contains("Письмо от 12 марта"), "{}", tree.text(note));
    let link = tree.with_role("Link")[0];
    let link_parent = tree.elements[link]["parent"].as_u64().unwrap() as usize;
    assert!(
        tree.text(link_parent).contains("Подробности"),
        "the link hangs off {:?}",
        tree.text(link_parent)
    );
    // The Kazakh section: its heading and its paragraph are Kazakh.
    let kk = (0..tree.elements.len())
        .find(|&i| tree.text(i).contains("ауласымыздағы"))
        .expect("the Kazakh paragraph");
    assert_eq!(tree.lang(kk, "ru"), "kk");
    let kk_head = (0..tree.elements.len())
        .find(|&i| tree.role(i) == "H2" && tree.text(i).contains("Қазақша"))
        .expect("the Kazakh heading");
    assert_eq!(tree.lang(kk_head, "ru"), "kk");
    pdfua_check(&pdf);
}

/// Runs Ace by DAISY on `epub` and returns its violations as (impact, rule) pairs;
/// `None` (a skip notice, or a failure under CI) when Ace is not installed.
fn ace(epub: &std::path::Path, out: &std::path::Path) -> Option<Vec<(String, String)>> {
    if !common::validate::have("ace-puppeteer") {
        return None;
    }
    let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists());
    let mut cmd = std::process::Command::new("ace-puppeteer");
    cmd.args(["-s", "-f", "-o"]).arg(out).arg(epub).env("PUPPETEER_SKIP_DOWNLOAD", "1");
    if let Some(c) = chromium {
        cmd.env("PUPPETEER_EXECUTABLE_PATH", c);
    }
    let run = cmd.output().expect("ace-puppeteer runs");
    assert!(
        run.status.success(),
        "Ace failed on {}: {}",
        epub.display(),
        String::from_utf8_lossy(&run.stderr)
    );
    let report: Value = serde_json::from_slice(&std::fs::read(out.join("report.json")).expect("report.json"))
        .expect("Ace's report is JSON");
    let mut found = Vec::new();
    for a in report["assertions"].as_array().into_iter().flatten() {
        for b in a["assertions"].as_array().into_iter().flatten() {
            let impact = b["earl:test"]["earl:impact"].as_str().unwrap_or("").to_owned();
            let rule = b["earl:test"]["dct:title"].as_str().unwrap_or("").to_owned();
            found.push((impact, rule));
        }
    }
    Some(found)
}

// Ace by DAISY finds nothing to report on the sample book's e-book (pictures,
// notes, page list, embedded fonts) nor on a Kazakh statement's, and the
// package claims EPUB Accessibility 1.1 at WCAG 2.1 AA; a book with an
// undescribed picture does not claim it and says so in its summary.
#[test]
fn the_ebooks_pass_ace_and_claim_conformance_only_when_it_holds() {
    let book = Book::sample();
    book.run(["build"]).success();
    let opf = |path: &str| -> String {
        let bytes = std::fs::read(book.root.join(path)).expect("an EPUB");
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
        let mut f = zip.by_name("EPUB/content.opf").expect("the package document");
        let mut s = String::new();
        std::io::Read::read_to_string(&mut f, &mut s).expect("UTF-8");
        s
    };
    let claim = "EPUB Accessibility 1.1 - WCAG 2.1 Level AA";
    assert!(opf("out/ebook.epub").contains(claim), "the sample book makes no conformance claim");
    for epub in ["out/ebook.epub", "out/statement-04-ana-tilinde-oqu.epub"] {
        let Some(found) =
            ace(&book.root.join(epub), &book.root.join(format!("ace-{}", epub.replace('/', "-"))))
        else {
            return;
        };
        assert!(found.is_empty(), "{epub}: Ace reports {found:?}");
    }
    // An undescribed picture: no claim, and the summary says why.
    let md = std::fs::read_to_string(book.root.join("content/02-lipovaya-roshcha.md")).expect("a statement");
    let undescribed = regex_free_strip_alt(&md);
    std::fs::write(book.root.join("content/02-lipovaya-roshcha.md"), undescribed).unwrap();
    book.run(["build"]).success();
    let package = opf("out/ebook.epub");
    assert!(!package.contains(claim), "a claim with an undescribed picture");
    assert!(package.contains("Не у всех изображений есть текстовое описание."), "the summary hides it");
}

/// `md` with the alt text of its first image removed.
fn regex_free_strip_alt(md: &str) -> String {
    let start = md.find("![").expect("an image") + 2;
    let end = start + md[start..].find("](").expect("an image's path");
    format!("{}{}", &md[..start], &md[end..])
}

// `standard = ["pdf/a-2a", "pdf/ua-1"]`: a picture without a description is an
// error at its Markdown line; marked `{.decorative}` it is an ornament (no
// warning, not in the structure) and the file claims both standards.
#[test]
fn pdf_ua_wants_every_picture_described_or_decorative() {
    let book = book_with_picture("accessible-ua", "Орнамент", "standard = [\"pdf/a-2a\", \"pdf/ua-1\"]\n");
    book.write("content/01.md", "# Заявление\n\nПервый абзац.\n\n![](img/dvor.jpg)\n\nВторой абзац.\n");
    let run = book.run(["build"]);
    assert_ne!(run.code, Some(0), "an undescribed picture passed under PDF/UA");
    assert!(run.stderr.contains("01.md:5:"), "the error is not at the picture's line: {}", run.stderr);
    assert!(run.stderr.contains("{.decorative}"), "no hint: {}", run.stderr);
    assert!(!book.root.join("out/book.pdf").exists(), "a PDF written despite the error");

    book.write(
        "content/01.md",
        "# Заявление\n\nПервый абзац.\n\n![](img/dvor.jpg){.decorative}\n\nВторой абзац.\n",
    );
    let run = book.run(["build"]);
    run.success();
    assert!(!run.stderr.contains("no alt text"), "a warning for an ornament: {}", run.stderr);
    let pdf = book.root.join("out/book.pdf");
    let bytes = std::fs::read(&pdf).expect("the PDF");
    let has = |needle: &str| bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
    assert!(has("<pdfuaid:part>1</pdfuaid:part>") && has("<pdfaid:conformance>A</pdfaid:conformance>"));
    let Some(tags) = pdf_tags(&pdf) else { return };
    assert_tagged(&tags, "ru");
    let tree = Tree::new(&tags);
    assert!(tree.with_role("Figure").is_empty(), "an ornament in the structure");
    let drawn_as_artifact: u64 =
        tags["pages"].as_array().into_iter().flatten().filter_map(|p| p["images"]["artifact"].as_u64()).sum();
    assert_eq!(drawn_as_artifact, 1, "the ornament is not drawn as an artifact");
    pdfua_check(&pdf);
}
