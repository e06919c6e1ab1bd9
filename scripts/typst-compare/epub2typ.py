#!/usr/bin/env python3
"""Convert samizdat's EPUB output into a Typst document set like samizdat's PDF.

Why the EPUB and not the Markdown: the EPUB's XHTML carries exactly the
characters samizdat typesets (after its Russian/Kazakh typographic
normalisation: «ёлочки», „лапки“, em dashes tied with no-break spaces,
no-break spaces after one-letter words and in "№ 3", "т. е." ...), and the
document language samizdat chose for each statement. Feeding Typst those
characters compares the two line breakers on identical input.

Page geometry, type size and line height are read from the book.toml's PDF
output ([output.NAME] with format = "pdf"), falling back to samizdat's
defaults (A5, 18/20/16/16 mm, 10.5 pt on 1.3), and reproduced in Typst:
baseline-to-baseline distance, paragraph indent, heading sizes, list and quote
indents, image sizes (samizdat's 300 dpi cap and half-text-height limit),
footnote size, running heads and folios.

usage: epub2typ.py BOOK.epub OUTDIR [--book-toml book.toml] [--output NAME]
                   [--kk-as-ru]

Writes OUTDIR/main.typ and OUTDIR/images/*. Compile with
    python -c "import typst; typst.compile('OUTDIR/main.typ', output='x.pdf',
               font_paths=['/work/main/fonts'])"

--kk-as-ru: Typst 0.15 has no Kazakh hyphenation patterns (hypher lacks
them), so Kazakh text is not hyphenated at all. This variant tags Kazakh
statements as Russian so that Typst hyphenates them with its Russian patterns,
separating "no patterns" from "line breaker" effects.

Python 3.11+ standard library only.
"""
import argparse
import os
import re
import shutil
import struct
import sys
import tomllib
import xml.etree.ElementTree as ET
import zipfile

XHTML = "{http://www.w3.org/1999/xhtml}"
OPF = "{http://www.idpf.org/2007/opf}"
DC = "{http://purl.org/dc/elements/1.1/}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
EPUB_NS = "{http://www.idpf.org/2007/ops}"

MM = 72 / 25.4
PAGE_SIZES = {  # mm
    "A4": (210, 297),
    "A5": (148, 210),
    "A6": (105, 148),
    "B5": (176, 250),
    "B6": (125, 176),
    "LETTER": (215.9, 279.4),
}
# samizdat's defaults (src/manifest/mod.rs: default_pdf)
DEFAULTS = dict(page=(148 * MM, 210 * MM), top=18 * MM, bottom=20 * MM, inner=16 * MM,
                outer=16 * MM, size=10.5, line_height=10.5 * 1.3)
MAX_DPI = 300.0  # src/layout/flow.rs
IMAGE_MAX_HEIGHT = 0.5  # src/build.rs: image_max_height


# ---------------------------------------------------------------- settings

def length_pt(s):
    if isinstance(s, (int, float)):
        return float(s)
    m = re.fullmatch(r"\s*([0-9.]+)\s*(mm|cm|in|pt)\s*", s)
    if not m:
        raise SystemExit(f"epub2typ: cannot read length {s!r}")
    v = float(m.group(1))
    return v * {"mm": MM, "cm": 10 * MM, "in": 72.0, "pt": 1.0}[m.group(2)]


def settings(book_toml, output_name=None):
    st = dict(DEFAULTS)
    if not book_toml:
        return st
    with open(book_toml, "rb") as f:
        data = tomllib.load(f)
    outs = {k: v for k, v in data.get("output", {}).items()
            if str(v.get("format", "")).lower() == "pdf"}
    if output_name:
        o = outs[output_name]
    elif outs:
        o = outs[sorted(outs)[0]]
    else:
        return st
    if "page-size" in o:
        name = o["page-size"].upper()
        if name not in PAGE_SIZES:
            raise SystemExit(f"epub2typ: unknown page size {o['page-size']!r}")
        w, h = PAGE_SIZES[name]
        st["page"] = (w * MM, h * MM)
    m = o.get("margins")
    if isinstance(m, str):
        st["top"] = st["bottom"] = st["inner"] = st["outer"] = length_pt(m)
    elif isinstance(m, dict):
        for k in ("top", "bottom", "inner", "outer"):
            if k in m:
                st[k] = length_pt(m[k])
    if "binding-offset" in o:
        st["inner"] += length_pt(o["binding-offset"])
    if "font-size" in o:
        st["size"] = length_pt(o["font-size"])
    lh = o.get("line-height")
    if isinstance(lh, (int, float)):
        st["line_height"] = st["size"] * lh
    elif isinstance(lh, str):
        st["line_height"] = length_pt(lh)
    else:
        st["line_height"] = st["size"] * 1.3
    return st


# ---------------------------------------------------------------- images

def image_size(data):
    """(width, height) in pixels of a PNG or JPEG."""
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return struct.unpack(">II", data[16:24])
    if data[:2] == b"\xff\xd8":
        i = 2
        while i < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
                i += 2
                continue
            seg = struct.unpack(">H", data[i + 2:i + 4])[0]
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                h, w = struct.unpack(">HH", data[i + 5:i + 9])
                return w, h
            i += 2 + seg
    raise ValueError("not a PNG or JPEG")


# ---------------------------------------------------------------- escaping

SPECIAL = set("\\#*_$@<>[]`~=+-/'\"")


def esc(text):
    """Typst markup for literal text. NBSP and other Unicode stay as they are."""
    out = []
    prev = ""
    for i, ch in enumerate(text):
        if ch in SPECIAL:
            out.append("\\" + ch)
        elif ch == "." and (prev.isdigit() or text[i + 1:i + 2] == "." or prev == "."):
            out.append("\\.")  # "1." enum marker, "..." shorthand
        elif ch == ":" and text[i + 1:i + 2] == "/":
            out.append("\\:")
        else:
            out.append(ch)
        prev = ch
    return "".join(out)


def string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def pt(v):
    return f"{v:.3f}pt"


# ---------------------------------------------------------------- conversion

class Converter:
    def __init__(self, root, text_dir, images_out, st, kk_as_ru, images):
        self.root = root  # EPUB folder (extracted)
        self.text_dir = text_dir
        self.images_out = images_out
        self.st = st
        self.kk_as_ru = kk_as_ru
        self.notes = {}  # id -> element (aside)
        self.images = images  # source path -> name in images/ (shared by all statements)

    def lang(self, tag):
        tag = (tag or "").split("-")[0].lower()
        if self.kk_as_ru and tag == "kk":
            return "ru"
        return tag

    # inline content -------------------------------------------------------
    def inline(self, el):
        """Typst markup for the children of `el` (text and inline elements)."""
        parts = []
        if el.text:
            parts.append(self.text(el.text))
        for ch in el:
            parts.append(self.inline_el(ch))
            if ch.tail:
                parts.append(self.text(ch.tail))
        return "".join(parts)

    def text(self, s):
        # collapse XML whitespace (not NBSP) the way HTML does
        return esc(re.sub(r"[ \t\r\n]+", " ", s))

    def inline_el(self, el):
        tag = el.tag.replace(XHTML, "")
        cls = el.get("class", "")
        lang = el.get(XML_LANG) or el.get("lang")
        body = None
        if tag == "em" or tag == "i":
            body = f"#emph[{self.inline(el)}]"
        elif tag == "strong" or tag == "b":
            body = f"#strong[{self.inline(el)}]"
        elif tag == "code":
            body = f"#text(font: \"PT Sans\")[{self.inline(el)}]"
        elif tag == "br":
            body = "#linebreak()"
        elif tag == "sup":
            a = el.find(XHTML + "a")
            if a is not None and "noteref" in a.get("class", ""):
                target = a.get("href", "").lstrip("#")
                note = self.notes.get(target)
                body = f"#footnote[{self.note_body(note) if note is not None else ''}]"
            else:
                body = f"#super[{self.inline(el)}]"
        elif tag == "a":
            href = el.get("href", "")
            if href.startswith(("http://", "https://", "mailto:", "ftp://")):
                body = f"#link({string(href)})[{self.inline(el)}]"
            else:
                body = self.inline(el)
        elif tag == "span" and "url" in cls:
            # samizdat prints the shown address in the running text's own style,
            # with URL break points; Typst's link breaking applies inside `link`.
            url = "".join(el.itertext()).strip()
            bare = url.strip("()")
            body = f"#link({string(bare)})[{self.inline(el)}]"
        elif tag == "img":
            body = ""  # inline images do not occur in statements
        else:
            body = self.inline(el)
        if lang:
            body = f"#text(lang: {string(self.lang(lang))})[{body}]"
        return body

    def note_body(self, aside):
        parts = []
        for p in aside:
            if p.tag != XHTML + "p":
                continue
            # drop the "1." back-link samizdat puts in front of the note
            kids = [c for c in p if not (c.tag == XHTML + "a" and "fn-num" in c.get("class", ""))]
            clone = ET.Element(p.tag, p.attrib)
            clone.text = p.text
            for c in p:
                if c in kids:
                    clone.append(c)
                else:
                    clone.text = (clone.text or "") + (c.tail or "")
            parts.append(self.inline(clone).strip())
        return " #parbreak() ".join(parts)

    # blocks -----------------------------------------------------------------
    def blocks(self, el, out):
        for ch in el:
            self.block(ch, out)

    def block(self, el, out):
        tag = el.tag.replace(XHTML, "")
        lang = el.get(XML_LANG) or el.get("lang")
        if lang:
            # The line end closes the set rule: a `#` right after it would still be code.
            out.append(f"#[#set text(lang: {string(self.lang(lang))})\n")
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            level = int(tag[1])
            out.append(f"#heading(level: {level})[{self.inline(el).strip()}]\n\n")
        elif tag == "p":
            out.append(self.inline(el).strip() + "\n\n")
        elif tag == "figure":
            self.figure(el, out)
        elif tag in ("ul", "ol"):
            items = []
            for li in el:
                if li.tag != XHTML + "li":
                    continue
                sub = []
                if len(li) == 0 or li[0].tag not in (XHTML + "p", XHTML + "ul", XHTML + "ol"):
                    sub.append(self.inline(li).strip())
                else:
                    self.blocks(li, sub)
                items.append("[" + "".join(sub).strip() + "]")
            if tag == "ul":
                out.append("#list(" + ", ".join(items) + ")\n\n")
            else:
                start = el.get("start")
                s = f"start: {int(start)}, " if start else ""
                out.append(f"#enum({s}" + ", ".join(items) + ")\n\n")
        elif tag == "blockquote":
            sub = []
            self.blocks(el, sub)
            out.append("#quoteblock[" + "".join(sub).strip() + "]\n\n")
        elif tag == "pre":
            code = "".join(el.itertext())
            out.append("#codeblock(" + string(code) + ")\n\n")
        elif tag == "hr":
            out.append("#rule()\n\n")
        elif tag == "table":
            self.table(el, out)
        elif tag == "section" and "footnotes" in el.get("class", ""):
            pass  # footnotes are placed with their references
        elif tag in ("section", "div", "article", "header", "main"):
            self.blocks(el, out)
        elif tag == "aside":
            pass
        else:
            out.append(self.inline(el).strip() + "\n\n")
        if lang:
            out.append("]\n")

    def figure(self, el, out):
        img = el.find(".//" + XHTML + "img")
        if img is None:
            return
        src = os.path.normpath(os.path.join(self.text_dir, img.get("src")))
        name = self.images.get(src)
        if name is None:
            name = f"{len(self.images) + 1}-{os.path.basename(src)}"
            shutil.copyfile(src, os.path.join(self.images_out, name))
            self.images[src] = name
        with open(src, "rb") as f:
            pw, ph = image_size(f.read(64 * 1024))
        st = self.st
        width = st["page"][0] - st["inner"] - st["outer"]
        text_h = st["page"][1] - st["top"] - st["bottom"]
        w = min(width, pw / MAX_DPI * 72)
        h = w * ph / pw
        if h > text_h * IMAGE_MAX_HEIGHT:
            h = text_h * IMAGE_MAX_HEIGHT
            w = h * pw / ph
        cap = el.find(".//" + XHTML + "figcaption")
        caption = f", caption: [{self.inline(cap).strip()}]" if cap is not None else ""
        out.append(f"#picture({string('images/' + name)}, {pt(w)}, {pt(h)}, "
                   f"alt: {string(img.get('alt', ''))}{caption})\n\n")

    def table(self, el, out):
        rows = []
        for tr in el.iter(XHTML + "tr"):
            cells = []
            for c in tr:
                if c.tag in (XHTML + "td", XHTML + "th"):
                    txt = self.inline(c).strip()
                    if c.tag == XHTML + "th":
                        txt = f"#strong[{txt}]"
                    cells.append(f"[{txt}]")
            rows.append(cells)
        if not rows:
            return
        n = max(len(r) for r in rows)
        flat = ", ".join(c for r in rows for c in r + ["[]"] * (n - len(r)))
        out.append(f"#booktable({n}, ({flat},))\n\n")

    def document(self, path):
        tree = ET.parse(path)
        html = tree.getroot()
        lang = self.lang(html.get(XML_LANG) or html.get("lang") or "ru")
        title_el = html.find(f"{XHTML}head/{XHTML}title")
        title = "".join(title_el.itertext()).strip() if title_el is not None else ""
        self.notes = {a.get("id"): a for a in html.iter(XHTML + "aside")}
        body = html.find(XHTML + "body")
        out = [f"#statement({string(title)}, lang: {string(lang)})[\n"]
        self.blocks(body, out)
        out.append("]\n\n")
        return "".join(out)


def preamble(st, book_title):
    S = st["size"]
    L = st["line_height"]
    pw, ph = st["page"]
    # Typst line boxes: top-edge 0.75 em (samizdat puts the baseline 0.75 em below
    # the top of the font body), bottom-edge 0.25 em, so a line box is exactly 1 em
    # and `leading` = L - 1 em gives samizdat's baseline-to-baseline distance.
    half = (L - S) / 2  # samizdat centres the 1 em body in an L-high slot

    def slot(size, lead_mul):  # extra room above/below a line box of another size
        return (size * lead_mul - size) / 2

    h1, h2, h3 = S * 1.7, S * 1.2, S * 1.0
    # samizdat gaps (src/layout/flow.rs) converted to Typst block spacing:
    # gap + the half-slot of the line above + the half-slot of the line below.
    g = dict(
        h1_below=1.5 * L + slot(h1, 1.2) + half,
        h2_above=1.0 * L + half + slot(h2, 1.2),
        h2_below=0.5 * L + slot(h2, 1.2) + half,
        h3_above=0.8 * L + half + slot(h3, 1.2),
        h3_below=0.3 * L + slot(h3, 1.2) + half,
        list=0.3 * L + 2 * half,
        quote=0.5 * L + 2 * half,
        image=0.5 * L + half,
        table=0.5 * L + 2 * half,
    )
    note = S * 0.8
    small = S * 0.8
    return f"""// Generated by scripts/typst-compare/epub2typ.py from samizdat's EPUB.
// Settings mirror samizdat's PDF layout (src/layout/flow.rs, pages.rs).
#let book-title = {string(book_title)}
#set document(title: book-title)
#set page(
  width: {pt(pw)}, height: {pt(ph)},
  margin: (top: {pt(st['top'])}, bottom: {pt(st['bottom'])}, inside: {pt(st['inner'])}, outside: {pt(st['outer'])}),
  numbering: "1",
  // running heads: book title on even pages, statement title on odd pages, none on a
  // statement's first page (samizdat: pages.rs)
  header-ascent: {pt(2 * L - small * 1.2)},
  header: context {{
    let pg = here().page()
    let starts = query(<stmt-start>)
    if starts.any(s => s.location().page() == pg) {{ return }}
    let before = starts.filter(s => s.location().page() <= pg)
    let t = if calc.even(pg) {{ book-title }} else if before.len() > 0 {{ before.last().value }} else {{ "" }}
    align(center, text(size: {pt(small)}, style: "italic", hyphenate: false, t))
  }},
  footer-descent: {pt(1.2 * L)},
  footer: context align(center, text(size: {pt(small)}, counter(page).display())),
)
#set text(font: "PT Serif", size: {pt(S)}, lang: "ru", hyphenate: true,
          top-edge: 0.75em, bottom-edge: -0.25em)
// baseline-to-baseline {L:.2f}pt = 1 em line box + leading; no extra space between paragraphs
#set par(justify: true, leading: {pt(L - S)}, spacing: {pt(L - S)},
         first-line-indent: (amount: {pt(1.2 * S)}, all: false))
#set block(spacing: {pt(L - S)})

#show heading: set text(font: "PT Sans", weight: "bold", hyphenate: false)
#show heading: set par(justify: false, first-line-indent: 0pt)
#show heading.where(level: 1): set text(size: {pt(h1)})
#show heading.where(level: 1): set par(leading: {pt(h1 * 0.2)})
#show heading.where(level: 1): set block(above: 0pt, below: {pt(g['h1_below'])})
#show heading.where(level: 2): set text(size: {pt(h2)})
#show heading.where(level: 2): set par(leading: {pt(h2 * 0.2)})
#show heading.where(level: 2): set block(above: {pt(g['h2_above'])}, below: {pt(g['h2_below'])})
#show heading: it => if it.level >= 3 {{
  set text(size: {pt(h3)})
  set par(leading: {pt(h3 * 0.2)})
  set block(above: {pt(g['h3_above'])}, below: {pt(g['h3_below'])})
  it
}} else {{ it }}

// lists: body 1.8 em in, marker right-aligned 0.5 em before it
#set list(indent: 0pt, body-indent: {pt(0.5 * S)}, spacing: {pt(L - S)},
          marker: box(width: {pt(1.3 * S)}, align(right)[•]))
#set enum(indent: 0pt, body-indent: {pt(0.5 * S)}, spacing: {pt(L - S)},
          numbering: n => box(width: {pt(1.3 * S)}, align(right)[#n.]))
#show list: set block(above: {pt(g['list'])}, below: {pt(g['list'])})
#show enum: set block(above: {pt(g['list'])}, below: {pt(g['list'])})

// footnotes: 0.8 of the body size on 1.25 leading, full measure, rule a quarter wide
#set footnote.entry(indent: 0pt, separator: line(length: 25%, stroke: 0.4pt))
#show footnote.entry: set text(size: {pt(note)})
#show footnote.entry: set par(leading: {pt(note * 0.25)}, first-line-indent: 0pt)

#let quoteblock(body) = block(above: {pt(g['quote'])}, below: {pt(g['quote'])},
  pad(left: {pt(1.8 * S)}, right: {pt(S)}, body))
#let picture(path, w, h, alt: none, caption: none) = block(above: {pt(g['image'])}, below: {pt(g['image'])}, {{
  align(center, image(path, width: w, height: h, alt: alt))
  if caption != none {{
    set text(size: {pt(S * 0.85)}, style: "italic")
    set par(justify: false, leading: {pt(S * 0.85 * 0.25)})
    align(center, caption)
  }}
}})
#let codeblock(code) = block(above: {pt(0.3 * L + 2 * half)}, below: {pt(0.3 * L + 2 * half)},
  pad(left: {pt(S)}, text(font: "PT Sans", size: {pt(0.9 * S)}, hyphenate: false, code)))
#let rule() = block(above: {pt(0.5 * L + 2 * half)}, below: {pt(0.5 * L + 2 * half)},
  align(center, line(length: 33.3%, stroke: 0.4pt)))
#let booktable(n, cells) = block(above: {pt(g['table'])}, below: {pt(g['table'])}, {{
  set text(size: {pt(0.9 * S)})
  set par(justify: false, leading: {pt(0.9 * S * 0.25)}, first-line-indent: 0pt)
  table(columns: n, stroke: none, inset: {pt(0.9 * S * 0.4)}, ..cells)
}})
// each statement on a new page, with its own language
#let statement(title, lang: "ru", body) = {{
  pagebreak(weak: true)
  [#metadata(title) <stmt-start>]
  counter(footnote).update(0)  // samizdat numbers notes per statement
  set text(lang: lang)
  body
}}

"""


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("epub")
    ap.add_argument("outdir")
    ap.add_argument("--book-toml")
    ap.add_argument("--output", help="name of the [output.NAME] PDF output to mirror")
    ap.add_argument("--kk-as-ru", action="store_true")
    a = ap.parse_args(argv)
    st = settings(a.book_toml, a.output)
    os.makedirs(a.outdir, exist_ok=True)
    src = os.path.join(a.outdir, "epub")
    if os.path.isdir(src):
        shutil.rmtree(src)
    with zipfile.ZipFile(a.epub) as z:
        z.extractall(src)
    container = ET.parse(os.path.join(src, "META-INF", "container.xml")).getroot()
    opf_path = os.path.join(src, container.find(".//{*}rootfile").get("full-path"))
    opf = ET.parse(opf_path).getroot()
    opf_dir = os.path.dirname(opf_path)
    title = ""
    for t in opf.iter(DC + "title"):
        if not title or t.get("id") == "title":
            title = (t.text or "").strip()
            if t.get("id") == "title":
                break
    manifest = {i.get("id"): i for i in opf.iter(OPF + "item")}
    images_out = os.path.join(a.outdir, "images")
    if os.path.isdir(images_out):
        shutil.rmtree(images_out)
    os.makedirs(images_out)
    parts = [preamble(st, title)]
    images = {}
    n = 0
    for ref in opf.iter(OPF + "itemref"):
        item = manifest[ref.get("idref")]
        props = item.get("properties", "")
        href = item.get("href")
        path = os.path.join(opf_dir, href)
        if "nav" in props or item.get("media-type") != "application/xhtml+xml":
            continue
        body = ET.parse(path).getroot().find(XHTML + "body")
        if body is None or body.get(EPUB_NS + "type") != "bodymatter":
            continue  # cover, title page
        conv = Converter(src, os.path.dirname(path), images_out, st, a.kk_as_ru, images)
        parts.append(conv.document(path))
        n += 1
    with open(os.path.join(a.outdir, "main.typ"), "w", encoding="utf-8") as f:
        f.write("".join(parts))
    print(f"epub2typ: {n} statements -> {os.path.join(a.outdir, 'main.typ')}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
