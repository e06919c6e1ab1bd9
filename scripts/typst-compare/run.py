#!/usr/bin/env python3
"""Build books with samizdat and with Typst from the same text, and audit both.

Run with the Python that has the `typst` package (typst-py):

    /tmp/typst-venv/bin/python scripts/typst-compare/run.py [--work /tmp/typst-compare]
        [--samizdat PATH] [--only sample,kazakh,corpus20]

For each book: `samizdat build BOOK -o WORK/NAME/samizdat`, then epub2typ.py turns
that build's EPUB into WORK/NAME/typst/main.typ with the book.toml's page settings,
Typst compiles it to WORK/NAME.pdf, and /work/shared/tools/typo-audit (raw) and
audit.py (typo-audit with the 0.8/1.2-size lines excluded for both producers
alike) audit both PDFs. Books whose text has Kazakh statements get a second Typst
build, WORK/NAME-kk-as-ru.pdf, with those statements hyphenated by Typst's Russian
patterns (Typst 0.15 has none for Kazakh). Page 2 of every PDF is rendered to
WORK/png/ at 80 dpi. Results: WORK/results.json and a side-by-side table on stdout.
"""
import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys

import typst

sys.dont_write_bytecode = True  # keep scripts/typst-compare free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import audit as audit_mod  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
TOOLS = os.environ.get("SHARED_TOOLS", "/work/shared/tools")
FONTS = os.path.join(REPO, "fonts")

CORPUS_TOML = """# 20 statements from make-corpus, with the sample book's print settings.
[book]
title = "Сборник заявлений: тестовый корпус (20)"
authors = ["Генератор make-corpus"]
language = "ru"
date = "2026-05-01"
documents = ["s*.md"]

[output.book]
format = "pdf"
page-size = "A5"
margins = { top = "18mm", bottom = "20mm", inner = "18mm", outer = "15mm" }
font-size = "10.5pt"
line-height = 1.3

[output.ebook]
format = "epub"
"""

KEYS = ["pages", "body_lines", "full", "short", "overfull", "hyphenated_ends", "hyphen_ladders",
        "hanging_one_letter", "line_starts_with_dash", "widows", "orphans", "stranded_headings",
        "space_em_median", "space_em_p95", "space_em_max", "loose_lines_pct", "tight_lines_pct",
        "hyphens_per_100_lines"]


def toml_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(v)


def sample_book(work):
    """The repo's sample book with only its [book] table, its first PDF output and an EPUB
    output: the manifest gains keys faster than a given samizdat binary knows them."""
    import tomllib
    with open(os.path.join(REPO, "book.toml"), "rb") as f:
        data = tomllib.load(f)
    outs = data.get("output", {})
    pdf = next(n for n in sorted(outs, key=lambda n: n != "book") if outs[n].get("format") == "pdf")
    root = os.path.join(work, "sample-src")
    if os.path.isdir(root):
        shutil.rmtree(root)
    os.makedirs(root)
    # A copy, not a link: samizdat refuses sources that lead out of the book's folder.
    shutil.copytree(os.path.join(REPO, "content"), os.path.join(root, "content"))
    lines = ["[book]"] + [f"{k} = {toml_value(v)}" for k, v in data["book"].items()]
    lines += ["", f"[output.{pdf}]"] + [f"{k} = {toml_value(v)}" for k, v in outs[pdf].items()]
    lines += ["", "[output.ebook]", 'format = "epub"', ""]
    with open(os.path.join(root, "book.toml"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    return root, os.path.join(root, "book.toml"), pdf


def sh(cmd, **kw):
    print("+", " ".join(cmd), file=sys.stderr)
    return subprocess.run(cmd, check=True, **kw)


def audit(pdf):
    raw = json.loads(subprocess.run([os.path.join(TOOLS, "typo-audit"), pdf, "--json"],
                                    capture_output=True, text=True, check=True).stdout)
    fair = audit_pages(pdf, None)
    return raw, fair


def audit_pages(pdf, pages):
    args = [sys.executable, os.path.join(HERE, "audit.py"), pdf, "--json"]
    if pages:
        args += ["--pages", pages]
    return json.loads(subprocess.run(args, capture_output=True, text=True, check=True).stdout)


def statement_pages(pdf, count):
    """First page (1-based) of each statement: pages with a line at the h1 size (1.7 em)."""
    import statistics
    pages = audit_mod.load_patched().load(pdf)
    hs = [l["h"] for p in pages for l in p["lines"] if len(l["words"]) >= 3]
    body = statistics.median(hs)
    starts = [i + 1 for i, p in enumerate(pages)
              if any(abs(l["h"] - 1.7 * body) < 0.03 * body for l in p["lines"])]
    if len(starts) != count:
        return None
    ends = [s - 1 for s in starts[1:]] + [len(pages)]
    return list(zip(starts, ends))


def statement_langs(typ_file):
    langs = []
    with open(typ_file, encoding="utf-8") as f:
        for line in f:
            m = re.match(r'#statement\(".*", lang: "(\w+)"\)\[$', line.rstrip("\n"))
            if m:
                langs.append(m.group(1))
    return langs


def render_page2(pdf, png_base):
    sh(["pdftoppm", "-r", "80", "-png", "-f", "2", "-l", "2", "-singlefile", pdf, png_base])
    return png_base + ".png"


def typst_build(epub, book_toml, output, typ_dir, pdf, kk_as_ru=False):
    args = [sys.executable, os.path.join(HERE, "epub2typ.py"), epub, typ_dir]
    if book_toml:
        args += ["--book-toml", book_toml]
    if output:
        args += ["--output", output]
    if kk_as_ru:
        args.append("--kk-as-ru")
    sh(args)
    _, warnings = typst.compile_with_warnings(os.path.join(typ_dir, "main.typ"), output=pdf,
                                              font_paths=[FONTS])
    for w in warnings:
        print(f"typst warning: {w.message}", file=sys.stderr)


def has_kazakh(epub_dir):
    for f in glob.glob(os.path.join(epub_dir, "**", "*.xhtml"), recursive=True):
        with open(f, encoding="utf-8") as fh:
            head = fh.read(600)
        if 'xml:lang="kk"' in head:
            return True
    return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", default="/tmp/typst-compare")
    ap.add_argument("--samizdat", default=os.path.join(REPO, "target", "release", "samizdat"))
    ap.add_argument("--only", default="sample,kazakh,corpus20")
    a = ap.parse_args()
    work = a.work
    os.makedirs(os.path.join(work, "png"), exist_ok=True)

    books = {
        "sample": sample_book(work),
        "kazakh": (os.path.join(REPO, "tests", "fixtures", "kazakh"),
                   os.path.join(REPO, "tests", "fixtures", "kazakh", "book.toml"), None),
    }
    if "corpus20" in a.only:
        src = os.path.join(work, "corpus20-src")
        if os.path.isdir(src):
            shutil.rmtree(src)
        sh([os.path.join(TOOLS, "make-corpus"), src, "--count", "20"])
        with open(os.path.join(src, "book.toml"), "w", encoding="utf-8") as f:
            f.write(CORPUS_TOML)
        books["corpus20"] = (src, os.path.join(src, "book.toml"), "book")

    typst_version = typst.__version__
    results = {"typst_py": typst_version, "samizdat": a.samizdat, "books": {}}
    for name in a.only.split(","):
        root, toml, output = books[name]
        sz_dir = os.path.join(work, name, "samizdat")
        if os.path.isdir(sz_dir):
            shutil.rmtree(sz_dir)
        sh([a.samizdat, "build", root, "-o", sz_dir], stderr=subprocess.DEVNULL)
        sz_pdf = glob.glob(os.path.join(sz_dir, "*.pdf"))[0]
        sz_epub = glob.glob(os.path.join(sz_dir, "*.epub"))[0]
        ty_pdf = os.path.join(work, name + ".pdf")
        typ_dir = os.path.join(work, name, "typst")
        typst_build(sz_epub, toml, output, typ_dir, ty_pdf)
        variants = {"samizdat": sz_pdf, "typst": ty_pdf}
        if has_kazakh(os.path.join(typ_dir, "epub")):
            kk_pdf = os.path.join(work, name + "-kk-as-ru.pdf")
            typst_build(sz_epub, toml, output, os.path.join(work, name, "typst-kk-as-ru"), kk_pdf,
                        kk_as_ru=True)
            variants["typst-kk-as-ru"] = kk_pdf
        langs = statement_langs(os.path.join(typ_dir, "main.typ"))
        res = {}
        for v, pdf in variants.items():
            raw, fair = audit(pdf)
            png = render_page2(pdf, os.path.join(work, "png", f"{name}-{v}-p2"))
            res[v] = {"pdf": pdf, "png": png, "typo_audit": raw, "audit_fair": fair, "by_lang": {}}
            ranges = statement_pages(pdf, len(langs))
            if ranges and len(set(langs)) > 1:
                for lang in sorted(set(langs)):
                    sel = ",".join(f"{a}-{b}" for (a, b), l in zip(ranges, langs) if l == lang)
                    res[v]["by_lang"][lang] = dict(audit_pages(pdf, sel), pages_audited=sel)
        results["books"][name] = res

    with open(os.path.join(work, "results.json"), "w", encoding="utf-8") as f:
        json.dump(results, f, ensure_ascii=False, indent=1)

    print(f"typst-py {typst_version}")
    for kind in ("typo_audit", "audit_fair"):
        print(f"\n## {kind} ({'typo-audit as is' if kind == 'typo_audit' else 'audit.py'})\n")
        cols = [(b, v) for b, res in results["books"].items() for v in res]
        print("| metric | " + " | ".join(f"{b} {v}" for b, v in cols) + " |")
        print("|---|" + "---|" * len(cols))
        for k in KEYS:
            row = [str(results["books"][b][v][kind].get(k, "")) for b, v in cols]
            print(f"| {k} | " + " | ".join(row) + " |")

    print("\n## audit.py by statement language (samizdat's per-statement language)\n")
    short = ["body_lines", "full", "hyphenated_ends", "hyphen_ladders", "hanging_one_letter",
             "space_em_median", "space_em_p95", "space_em_max", "loose_lines_pct", "tight_lines_pct"]
    cols = [(b, v, l) for b, res in results["books"].items() for v in res
            for l in res[v]["by_lang"]]
    if cols:
        print("| metric | " + " | ".join(f"{b} {v} [{l}]" for b, v, l in cols) + " |")
        print("|---|" + "---|" * len(cols))
        for k in short:
            row = [str(results["books"][b][v]["by_lang"][l].get(k, "")) for b, v, l in cols]
            print(f"| {k} | " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
