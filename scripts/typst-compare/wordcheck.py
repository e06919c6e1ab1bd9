#!/usr/bin/env python3
"""Check that two PDFs carry the same words (hyphenation undone, page furniture
dropped): prints the words found in only one of them.

usage: wordcheck.py A.pdf B.pdf
"""
import collections
import html
import statistics
import re
import subprocess
import sys


def words(path):
    # the word boxes typo-audit reads (pdftotext -bbox-layout), line by line
    xml = subprocess.run(["pdftotext", "-bbox-layout", path, "-"], capture_output=True,
                         text=True).stdout
    lines, heights = [], []
    for line in re.findall(r"<line[^>]*>(.*?)</line>", xml, re.S):
        ws = re.findall(r'<word xMin="[^"]*" yMin="([^"]*)" xMax="[^"]*" yMax="([^"]*)">(.*?)</word>', line)
        if ws:
            lines.append(" ".join(html.unescape(w[2]) for w in ws))
            heights.append(statistics.median(float(w[1]) - float(w[0]) for w in ws))
    # drop page furniture (running heads, folios: set smaller than the body)
    body = statistics.median(heights)
    lines = [l for l, h in zip(lines, heights) if h >= 0.9 * body]
    joined = []
    for l in lines:
        if joined and re.search(r"[\w][-\u00ad\u2010]$", joined[-1]) and l[:1].islower():
            joined[-1] = joined[-1].rstrip("-\u00ad\u2010") + l
        elif joined and joined[-1].endswith("-") and l.startswith("-"):
            joined[-1] = joined[-1] + l[1:]  # a hyphen repeated on the next line
        else:
            joined.append(l)
    c = collections.Counter()
    for l in joined:
        for w in l.replace("\u00a0", " ").split():
            c[w] += 1
    return c


a, b = words(sys.argv[1]), words(sys.argv[2])
only_a, only_b = a - b, b - a
print(f"words: {sum(a.values())} vs {sum(b.values())}")
print("only in", sys.argv[1], dict(only_a.most_common(40)))
print("only in", sys.argv[2], dict(only_b.most_common(40)))
