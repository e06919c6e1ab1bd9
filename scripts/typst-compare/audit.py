#!/usr/bin/env python3
"""typo-audit with two fixes that matter when comparing producers.

1. Lines set 20 % smaller or larger than the body (footnotes and running heads
   at 0.8, `##` headings at 1.2 of the body size) sit exactly on typo-audit's
   `abs(h - body_h) <= 0.2 * body_h` edge, so floating-point noise in the PDF's
   coordinates decides whether they count as body lines: in samizdat's PDFs the
   0.8 lines fall out, in Typst's they fall in. Here every line whose height is
   15 % or more off the body's median is moved 1 % further out first, so that
   such lines fall out for both producers alike.
2. typo-audit finds the right edge of the text block as the most common line end
   among the widest lines. With hanging punctuation (samizdat hangs hyphens and
   punctuation fully, Typst partly) the hang position can outvote the flush
   position on a page parity, and then every flush justified line counts as
   "short" and drops out of the word-space statistics. Here only lines that do not
   end in hanging punctuation vote for the right edge.

Everything else is typo-audit's own code, read from its file and patched in
memory; typo-audit itself is not changed.

--pages 1-9,13-15 audits only those pages (1-based); the other pages are kept
empty, so that typo-audit's odd/even page margins stay right.

usage: audit.py FILE.pdf [--json] [--pages RANGES]
       (typo-audit at /work/shared/tools/typo-audit, or $TYPO_AUDIT)
"""
import json
import os
import statistics
import sys
import types

TA = os.environ.get("TYPO_AUDIT", "/work/shared/tools/typo-audit")

VOTE_OLD = 'right_c = Counter(round(l["x1"] * 2) / 2 for l in lines)'
VOTE_NEW = ('right_c = Counter(round(l["x1"] * 2) / 2 for l in lines\n'
            '                          if l["words"][-1]["t"][-1:] not in HANGING) or '
            'Counter(round(l["x1"] * 2) / 2 for l in lines)')


def load_patched():
    with open(TA, encoding="utf-8") as f:
        src = f.read()
    if VOTE_OLD not in src:
        raise SystemExit("audit.py: typo-audit changed; the right-edge patch does not apply")
    src = src.replace(VOTE_OLD, VOTE_NEW)
    mod = types.ModuleType("typo_audit_patched")
    mod.__file__ = TA
    exec(compile(src, TA, "exec"), mod.__dict__)
    return mod


def main(argv):
    ta = load_patched()
    pages = ta.load(argv[0])
    hs = [l["h"] for p in pages for l in p["lines"] if len(l["words"]) >= 3]
    if hs:
        body = statistics.median(hs)
        for p in pages:
            for l in p["lines"]:
                d = l["h"] - body
                if abs(d) >= 0.15 * body:
                    l["h"] = body + d * 1.01 + (0.01 * body if d > 0 else -0.01 * body)
    if "--pages" in argv:
        keep = set()
        for part in argv[argv.index("--pages") + 1].split(","):
            lo, _, hi = part.partition("-")
            keep.update(range(int(lo), int(hi or lo) + 1))
        for i, p in enumerate(pages):
            if i + 1 not in keep:
                p["lines"] = []
    res = ta.audit(pages)
    if "--json" in argv:
        print(json.dumps(res, ensure_ascii=False))
    else:
        for k, v in res.items():
            print(f"{k}: {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
