//! Print formats read back from the PDFs (`pdftotext -bbox-layout`) as a book
//! typographer would check them: figures in tables lined up on the decimal
//! separator, headers whole and repeated where a table continues, a table too wide
//! for a column set as blocks rather than cut, display titles never cut without a
//! hyphen, shortened running heads marked with "…", footnotes with a hanging
//! number, and the first-line indent kept after a list.
//!
//! Under `CI=true` a missing poppler fails the test; elsewhere it is skipped with
//! a notice.

mod common;

use common::Book;
use common::validate::{self, PdfLine};

const TABLE: &str = "\
| Цех | Опрошено | Средняя зарплата, тыс. руб. | Рост за год, % | Комментарий |
|---|---|---|---|---|
| Инструментальный № 7 | 112 | 48,5 | 3,2 | Сверхурочные не оплачиваются с прошлого лета, люди уходят |
| Сборочный | 1 204 | 52,25 | 12 | Норма выработки повышена |
| Литейный | 87 | 61 | −1,5 | — |
| Итого | 1 403 | 53,9 | 5,1 | |
";

const LONG_TITLE: &str =
    "Заявление профсоюзного комитета о задержках заработной платы на заводе и о мерах, которые мы предлагаем";

/// A statement with a table, a list followed by a paragraph, a long footnote and a
/// long title, and a second one with a table of sixty rows.
fn book(outputs: &str) -> Book {
    let book = Book::empty("formats");
    book.write(
        "book.toml",
        format!(
            "[book]\ntitle = \"Форматы\"\nlanguage = \"ru\"\ndate = \"2026-03-01\"\n\
             documents = [\"content/*.md\"]\n\n{outputs}"
        ),
    );
    let mut first = format!("# {LONG_TITLE}\n\n");
    for _ in 0..8 {
        first.push_str(
            "Профсоюз провёл опрос среди работников цехов и собрал сведения о том, как менялась \
             оплата труда за последний год, сколько часов люди работают сверх нормы и как часто \
             им задерживают выплаты.\n\n",
        );
    }
    first.push_str(&format!("Ниже приведены данные опроса по цехам.[^1]\n\n{TABLE}\n"));
    first.push_str(
        "Мы требуем:\n\n- выплатить долги по зарплате;\n- оплачивать сверхурочные по закону;\n\n\
         После списка абзац начинается с отступа, как и любой другой абзац этого заявления, \
         и занимает несколько строк, чтобы было видно его вторую строку.\n\n\
         [^1]: Опрос проводился в феврале среди работников всех трёх цехов; анкеты заполняли \
         анонимно, а подсчёт вели представители профсоюза вместе с наблюдателями от совета \
         трудового коллектива, чтобы никто не мог оспорить итог.\n",
    );
    book.write("content/01-zarplata.md", first);
    let mut second = String::from(
        "# Участки\n\nСписок участков сада.\n\n| Номер | Участок | Площадь, м² |\n|---|---|---|\n",
    );
    for n in 1..=60 {
        second.push_str(&format!("| {n} | Участок у дороги № {n} | {},{} |\n", 400 + n * 7, n % 10));
    }
    book.write("content/02-uchastki.md", second);
    book
}

/// The lines of every page of `pdf`, or `None` when poppler is missing.
#[track_caller]
fn lines(book: &Book, pdf: &str) -> Option<Vec<Vec<PdfLine>>> {
    validate::pdf_lines(&book.assert_file(pdf))
}

/// The right edge of the first word `text` in `pages`.
#[track_caller]
fn right_of(pages: &[Vec<PdfLine>], text: &str) -> f64 {
    pages
        .iter()
        .flatten()
        .flat_map(|l| &l.words)
        .find(|w| w.0 == text)
        .map(|w| w.2)
        .unwrap_or_else(|| panic!("no word `{text}`"))
}

/// The first line beginning with the word `first`, as (page index, line index).
fn line_starting(pages: &[Vec<PdfLine>], first: &str) -> Option<(usize, usize)> {
    pages.iter().enumerate().find_map(|(n, p)| {
        p.iter().position(|l| l.words.first().is_some_and(|w| w.0 == first)).map(|k| (n, k))
    })
}

fn has_word(pages: &[Vec<PdfLine>], text: &str) -> bool {
    pages.iter().flatten().flat_map(|l| &l.words).any(|w| w.0 == text)
}

// Figures right-aligned on the decimal separator, header words whole, a short
// name kept whole, and the header repeated on every page a long table continues on.
#[test]
fn tables_line_up_figures_and_repeat_their_header() {
    let book = book("[output.book]\nformat = \"pdf\"\n");
    book.run(["build"]).success().stderr_lacks("do not fit");
    let Some(pages) = lines(&book, "out/book.pdf") else { return };
    // Whole numbers flush right.
    let (a, b) = (right_of(&pages, "112"), right_of(&pages, "87"));
    assert!((a - b).abs() < 0.3, "112 ends at {a:.1}, 87 at {b:.1}");
    // Decimal figures on the separator: equal fractions end together, a longer
    // fraction runs past them, a whole number stops short of them.
    let (tenth, other) = (right_of(&pages, "48,5"), right_of(&pages, "53,9"));
    assert!((tenth - other).abs() < 0.3, "48,5 ends at {tenth:.1}, 53,9 at {other:.1}");
    assert!(right_of(&pages, "52,25") > tenth + 2.0, "52,25 does not run past the tenths");
    assert!(right_of(&pages, "61") < tenth - 2.0, "61 is not aligned on the decimal comma");
    assert!(right_of(&pages, "12") < right_of(&pages, "3,2") - 2.0, "12 is not aligned on the comma");
    // Headers are not hyphenated, a one-word cell is not cut.
    for word in ["Опрошено", "Комментарий", "Средняя", "Инструментальный"]
    {
        assert!(has_word(&pages, word), "`{word}` is not set whole");
    }
    // The long table: every page holding its rows also holds its header, above them.
    let mut continued = 0;
    for (n, page) in pages.iter().enumerate() {
        let rows: Vec<&PdfLine> = page.iter().filter(|l| l.words.iter().any(|w| w.0 == "дороги")).collect();
        if rows.is_empty() {
            continue;
        }
        let header = page.iter().find(|l| l.words.first().is_some_and(|w| w.0 == "Номер"));
        let header =
            header.unwrap_or_else(|| panic!("page {} continues the table without its header", n + 1));
        assert!(rows.iter().all(|r| r.y0 > header.y0), "a row above the header on page {}", n + 1);
        continued += 1;
    }
    assert!(continued >= 2, "the sixty-row table fits one page ({continued}): the test needs it to continue");
}

// In a column too narrow for its five columns a table is set one row to a block,
// each cell after its column's name: no word cut, no figure broken, and a warning.
#[test]
fn a_table_too_wide_for_its_column_is_set_as_blocks() {
    let book = book(
        "[output.leaflet]\nformat = \"pdf\"\npage-size = \"A4\"\nmargins = \"12mm\"\ncolumns = 3\n\
         contents = false\n",
    );
    book.run(["build"]).success().stderr_has("each row is set as a block");
    let Some(pages) = lines(&book, "out/leaflet.pdf") else { return };
    for word in ["Опрошено:", "Инструментальный", "204", "52,25", "−1,5", "Сборочный"]
    {
        assert!(has_word(&pages, word), "`{word}` is not set whole");
    }
    // Every record's first cell stands on a line of its own, at the left of the column.
    let lead = pages.iter().flatten().find(|l| l.words.first().is_some_and(|w| w.0 == "Литейный"));
    assert!(lead.is_some_and(|l| l.words.len() == 1), "the record's name is not on a line of its own");
}

// A title whose longest word is as wide as a tri-fold panel is set so the word fits
// (or is hyphenated with a visible hyphen): the lines read back give the title.
#[test]
fn display_titles_are_never_cut_without_a_hyphen() {
    let book = Book::empty("trifold-title");
    book.write(
        "book.toml",
        "[book]\ntitle = \"Листовка\"\nlanguage = \"ru\"\ndate = \"2026-03-01\"\n\
         documents = [\"content/*.md\"]\n\n[output.tri]\nformat = \"pdf\"\npage-size = \"A4\"\n\
         margins = \"9mm\"\nfold = \"tri\"\n",
    );
    let title = "ЗАЯВЛЕНИЕ СОЦИАЛИСТИЧЕСКОГО ДВИЖЕНИЯ О ЗАЩИТЕ ПРАВ ПОТРЕБИТЕЛЕЙ";
    let mut text = format!("# {title}\n\n");
    for _ in 0..30 {
        text.push_str("Мы требуем соблюдать права потребителей и отвечать на обращения граждан вовремя.\n\n");
    }
    book.write("content/01.md", text);
    book.run(["build"]).success();
    let Some(pages) = lines(&book, "out/tri.pdf") else { return };
    let body = pages.iter().flatten().map(PdfLine::height).fold(f64::MAX, f64::min);
    let display: Vec<&PdfLine> = pages[0].iter().filter(|l| l.height() > body * 1.4).collect();
    let mut read = String::new();
    for l in &display {
        let text: Vec<&str> = l.words.iter().map(|w| w.0.as_str()).collect();
        let text = text.join(" ");
        match text.strip_suffix('-') {
            Some(stem) => read.push_str(stem),
            None => {
                read.push_str(&text);
                read.push(' ');
            }
        }
    }
    assert_eq!(read.trim(), title, "the cover's title lines read back otherwise");
}

// A running head too long for the measure ends at a word with "…"; a long footnote
// hangs its number; the paragraph after a list keeps its first-line indent.
#[test]
fn heads_notes_and_indents() {
    let book = book("[output.book]\nformat = \"pdf\"\npage-size = \"A6\"\n");
    book.run(["build"]).success();
    let Some(pages) = lines(&book, "out/book.pdf") else { return };
    let body = {
        let mut h: Vec<f64> = pages.iter().flatten().map(PdfLine::height).collect();
        h.sort_by(f64::total_cmp);
        h[h.len() / 2]
    };
    // Running heads: above the text, smaller than it; the statement's own is shortened.
    let title_words: Vec<&str> = LONG_TITLE.split(' ').collect();
    let shortened = pages
        .iter()
        .filter_map(|p| p.first())
        .find(|l| l.words.last().is_some_and(|w| w.0.ends_with('…')) && l.height() < body);
    let head = shortened.expect("no running head shortened with …");
    let shown: Vec<String> = head.words.iter().map(|w| w.0.trim_end_matches('…').to_lowercase()).collect();
    let shown: Vec<&str> = shown.iter().map(String::as_str).filter(|w| !w.is_empty()).collect();
    let expected: Vec<String> = title_words[..shown.len()].iter().map(|w| w.to_lowercase()).collect();
    assert_eq!(shown, expected, "the head is not the title's first words");
    // The footnote: "1." with the text hanging after it on every line.
    let (page, at) = line_starting(&pages, "1.").expect("no note numbered `1.`");
    let first = &pages[page][at];
    let second = pages[page].get(at + 1).expect("the note has one line");
    let text_x = first.words[1].1;
    assert!(second.height() < body, "the line after the note's first is not a note line");
    assert!(
        (second.x0 - text_x).abs() < 0.5,
        "note text at {:.1}, its second line at {:.1}",
        text_x,
        second.x0
    );
    assert!(second.x0 > first.x0 + 3.0, "the note's number does not hang");
    // The paragraph after the list: first line indented against its second.
    let (page, at) = line_starting(&pages, "После").expect("no paragraph after the list");
    let (first, second) =
        (&pages[page][at], pages[page].get(at + 1).or(pages.get(page + 1).and_then(|p| p.first())));
    let second = second.expect("the paragraph has one line");
    assert!(
        first.x0 > second.x0 + 5.0,
        "no first-line indent after the list: {:.1} vs {:.1}",
        first.x0,
        second.x0
    );
}
