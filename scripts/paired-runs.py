#!/usr/bin/env python3
"""Compare samizdat binaries on one book, run alternately.

The development VM's speed drifts by tens of per cent within minutes, so
timing one binary after the other compares two moments as much as two
binaries. This runs `BIN build TARGET` for each binary in turn, `--runs`
rounds, reversing the order every other round, and prints per binary the
median wall time, CPU time (user + system) and peak RSS of each run, then
for two binaries the median of the per-round wall-time ratios.

    scripts/paired-runs.py -n 16 /tmp/corpus target/release/samizdat /tmp/old/samizdat

Outputs go to each book's `out/` folder, as with a plain `samizdat build`.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time


def run(binary, target):
    """Wall seconds, CPU seconds and peak RSS in MB of one build."""
    start = time.perf_counter()
    child = subprocess.Popen([binary, "build", target], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{binary} build {target} failed (exit {os.waitstatus_to_exitcode(status)})")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--runs", type=int, default=10, help="rounds (default 10)")
    parser.add_argument("target", help="book folder, book.toml or Markdown file")
    parser.add_argument("binaries", nargs="+", help="samizdat binaries to compare")
    args = parser.parse_args()

    results = {b: [] for b in args.binaries}
    for b in args.binaries:  # one untimed run each: page cache, output folder
        run(b, args.target)
    for i in range(args.runs):
        order = args.binaries if i % 2 == 0 else args.binaries[::-1]
        for b in order:
            results[b].append(run(b, args.target))

    for b, rs in results.items():
        walls = [r[0] * 1e3 for r in rs]
        cpus = [r[1] * 1e3 for r in rs]
        rss = [r[2] for r in rs]
        print(
            f"{b}: wall {statistics.median(walls):.0f} ms (min {min(walls):.0f}, max {max(walls):.0f}), "
            f"CPU {statistics.median(cpus):.0f} ms, peak RSS {statistics.median(rss):.0f} MB "
            f"(min {min(rss):.0f}, max {max(rss):.0f})"
        )
    if len(args.binaries) == 2:
        a, b = (results[x] for x in args.binaries)
        ratios = [y[0] / x[0] for x, y in zip(a, b)]
        print(f"wall time, second / first: median {statistics.median(ratios):.3f} over {len(ratios)} rounds")


if __name__ == "__main__":
    main()
