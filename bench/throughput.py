#!/usr/bin/env python3
"""Corpus-scale throughput of whosaid, against ripgrep's cue-word scan as the yardstick.

Builds a JSONL corpus of N MB by repeating the article texts of PolNeAR train with
fresh ids, then, in one run and alternating the commands, times:

  * `whosaid run -j1` and `whosaid run -j2` (all six outputs), and
  * `rg --count-matches -j1 -w '<cue words>'` on the same file,

and prints MB/s, the time ratio whosaid/rg, the two-thread speedup and peak RSS
(from wait4, per child). Each figure is the median of --repeat runs. It also
checks that -j1 and -j2 wrote the same bytes.

    python3 bench/throughput.py                 # N = 200 MB, 3 repeats
    python3 bench/throughput.py --mb 10 200 1000
    python3 bench/throughput.py --single-mb 50  # one 50 MB article (memory)

The corpora are written under --work (default /tmp/whosaid-bench) and reused.
"""

import argparse
import filecmp
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TEXTS = ROOT.parent / "shared" / "data" / "polnear" / "train" / "text"

# The yardstick, exactly: ASCII word boundaries (-w), one thread. A Unicode
# \b in the pattern would make rg about 20 times slower and the ratio meaningless.
RG_PATTERN = (
    "said|says|say|told|tells|according to|reported|reports|added|stated|claimed|"
    "argued|noted|explained|insisted|warned|suggested|rejected|denied|confirmed|"
    "announced|asked|wrote|acknowledged|believes?|thinks?"
)


def build_corpus(texts_dir: Path, mb: int, path: Path) -> int:
    """JSONL of about `mb` MB of article text: the texts repeated, fresh ids."""
    if path.exists():
        return path.stat().st_size
    texts = [p.read_text(encoding="utf-8") for p in sorted(texts_dir.glob("*.txt"))]
    if not texts:
        sys.exit(f"bench: no .txt files in {texts_dir}")
    target = mb * 1_000_000
    tmp = path.with_suffix(".partial")
    written = 0
    n = 0
    with open(tmp, "w", encoding="utf-8") as f:
        while written < target:
            for t in texts:
                line = json.dumps({"id": f"a{n:08d}", "text": t}, ensure_ascii=False) + "\n"
                f.write(line)
                written += len(line.encode("utf-8"))
                n += 1
                if written >= target:
                    break
    tmp.rename(path)
    return path.stat().st_size


def build_single(texts_dir: Path, mb: int, path: Path) -> int:
    """One JSONL record whose text is `mb` MB of articles joined by blank lines."""
    if path.exists():
        return path.stat().st_size
    texts = [p.read_text(encoding="utf-8") for p in sorted(texts_dir.glob("*.txt"))]
    parts, size, i = [], 0, 0
    while size < mb * 1_000_000:
        t = texts[i % len(texts)]
        parts.append(t)
        size += len(t.encode("utf-8")) + 2
        i += 1
    tmp = path.with_suffix(".partial")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(json.dumps({"id": "single", "text": "\n\n".join(parts)}, ensure_ascii=False))
        f.write("\n")
    tmp.rename(path)
    return path.stat().st_size


def timed(cmd, stdout=subprocess.DEVNULL):
    """(seconds, peak RSS in MiB, exit code) of one child process."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(p.pid, 0)
    secs = time.perf_counter() - t0
    err = p.stderr.read().decode(errors="replace")
    p.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"bench: {' '.join(map(str, cmd))} exited {code}\n{err}")
    return secs, usage.ru_maxrss / 1024, code


def same_output(a: Path, b: Path) -> bool:
    names = ["claims.jsonl", "claims.csv", "sentences.jsonl", "sentences.csv", "articles.csv"]
    return all(filecmp.cmp(a / n, b / n, shallow=False) for n in names)


def measure(whosaid: str, corpus: Path, size: int, repeat: int, work: Path, rg: bool):
    out = {1: work / "out-j1", 2: work / "out-j2"}
    runs = {"j1": [], "j2": [], "rg": []}
    rss = {"j1": [], "j2": []}
    for _ in range(repeat):
        for j in (1, 2):
            secs, peak, _ = timed([whosaid, "run", "-q", f"-j{j}", str(corpus), "-o", str(out[j])])
            runs[f"j{j}"].append(secs)
            rss[f"j{j}"].append(peak)
        if rg:
            secs, _, _ = timed(["rg", "--count-matches", "-j1", "-w", RG_PATTERN, str(corpus)])
            runs["rg"].append(secs)
    med = {k: statistics.median(v) for k, v in runs.items() if v}
    mb = size / 1e6
    row = {
        "corpus": corpus.name,
        "MB": round(mb, 1),
        "j1_s": round(med["j1"], 3),
        "j1_MB_s": round(mb / med["j1"], 1),
        "j2_s": round(med["j2"], 3),
        "j2_MB_s": round(mb / med["j2"], 1),
        "speedup_j2": round(med["j1"] / med["j2"], 2),
        "peak_MiB_j1": round(max(rss["j1"]), 1),
        "peak_MiB_j2": round(max(rss["j2"]), 1),
        "same_bytes_j1_j2": same_output(out[1], out[2]),
    }
    if "rg" in med:
        row["rg_s"] = round(med["rg"], 3)
        row["rg_MB_s"] = round(mb / med["rg"], 1)
        row["ratio_j1_rg"] = round(med["j1"] / med["rg"], 2)
    for d in out.values():
        shutil.rmtree(d, ignore_errors=True)
    return row


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=int, nargs="*", default=[200], help="corpus sizes in MB (default 200)")
    ap.add_argument("--single-mb", type=int, nargs="*", default=[], help="sizes of a one-article corpus")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each command; the median is reported")
    ap.add_argument("--texts", type=Path, default=DEFAULT_TEXTS, help="folder of .txt articles to repeat")
    ap.add_argument("--work", type=Path, default=Path("/tmp/whosaid-bench"), help="where corpora and outputs go")
    ap.add_argument("--whosaid", default=str(ROOT / "target" / "release" / "whosaid"), help="the binary to measure")
    ap.add_argument("--json", action="store_true", help="print the rows as JSON lines")
    args = ap.parse_args()

    if not Path(args.whosaid).is_file():
        sys.exit(f"bench: {args.whosaid} not found: run `cargo build --release` first")
    if not args.texts.is_dir():
        sys.exit(f"bench: {args.texts}: no such folder (PolNeAR train text; see --texts)")
    rg = shutil.which("rg") is not None
    if not rg:
        print("bench: rg not found, the ratio to ripgrep is left out (apt-get install ripgrep)", file=sys.stderr)
    args.work.mkdir(parents=True, exist_ok=True)

    rows = []
    for mb in args.mb:
        corpus = args.work / f"corpus-{mb}mb.jsonl"
        size = build_corpus(args.texts, mb, corpus)
        rows.append(measure(args.whosaid, corpus, size, args.repeat, args.work, rg))
    for mb in args.single_mb:
        corpus = args.work / f"single-{mb}mb.jsonl"
        size = build_single(args.texts, mb, corpus)
        rows.append(measure(args.whosaid, corpus, size, args.repeat, args.work, rg))

    if args.json:
        for r in rows:
            print(json.dumps(r))
        return
    cols = list(rows[0].keys()) if rows else []
    for r in rows[1:]:
        cols += [c for c in r if c not in cols]
    widths = {c: max(len(c), *(len(str(r.get(c, ""))) for r in rows)) for c in cols}
    print("  ".join(c.rjust(widths[c]) for c in cols))
    for r in rows:
        print("  ".join(str(r.get(c, "")).rjust(widths[c]) for c in cols))


if __name__ == "__main__":
    main()
