"""The Spark recipes against a one-machine `whosaid run` on the same corpus.

Needs the release binary (WHOSAID_BIN, default target/release/whosaid), Java 17+
and the packages in ../requirements.txt; ../run_tests.sh sets all three up.
`pytest -s` shows the throughput table. WHOSAID_SPARK_ARTICLES sets the size of the
test corpus, WHOSAID_SPARK_BENCH_MB that of the throughput corpus.
"""

import json
import os
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(HERE.parent))
import whosaid_spark as ws  # noqa: E402

BINARY = Path(os.environ.get("WHOSAID_BIN", ROOT / "target" / "release" / "whosaid"))
ARTICLES = int(os.environ.get("WHOSAID_SPARK_ARTICLES", "3000"))
BENCH_MB = int(os.environ.get("WHOSAID_SPARK_BENCH_MB", "100"))
BOM = b"\xef\xbb\xbf"
POLNEAR_TEXTS = ROOT.parent / "shared" / "data" / "polnear" / "dev" / "text"
DATA_FILES = ["claims.jsonl", "claims.csv", "sentences.jsonl", "sentences.csv", "articles.csv"]
CORES = 2

# Workers must run the interpreter that has pyspark (the venv's), not the first python3 on PATH.
os.environ.setdefault("PYSPARK_PYTHON", sys.executable)

# Spark logs every failed task at ERROR with a Java stack trace; the crash tests fail
# tasks on purpose, and the Python exception already carries the message.
LOG4J = """\
rootLogger.level = error
rootLogger.appenderRef.console.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
logger.executor.name = org.apache.spark.executor.Executor
logger.executor.level = off
logger.tasksets.name = org.apache.spark.scheduler.TaskSetManager
logger.tasksets.level = off
logger.writer.name = org.apache.spark.sql.execution.datasources.FileFormatWriter
logger.writer.level = off
"""


@dataclass
class Corpus:
    files: list  # the JSONL files, sorted, absolute
    single: Path  # the same records in one file, for byte-range shards
    good_ids: list
    broken: dict  # kind -> id, or None when the record has no readable id


def article_texts():
    """The repository's articles, two articles made of the sentence-boundary cases, and
    PolNeAR dev when ../shared is there."""
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpus").glob("*.txt"))]
    for cases in sorted((ROOT / "tests" / "sbd").glob("*.jsonl")):
        lines = cases.read_text(encoding="utf-8").splitlines()
        texts.append("\n\n".join(json.loads(line)["text"] for line in lines if line.strip()))
    texts += [p.read_text(encoding="utf-8") for p in sorted(POLNEAR_TEXTS.glob("*.txt"))]
    assert texts, f"no article texts under {ROOT / 'corpus'}"
    return texts


def record(**fields):
    return json.dumps(fields, ensure_ascii=False).encode("utf-8")


@pytest.fixture(scope="session")
def binary():
    if not (BINARY.is_file() and os.access(BINARY, os.X_OK)):
        pytest.fail(
            f"whosaid binary not found at {BINARY}: run `cargo build --release` first, or set WHOSAID_BIN",
            pytrace=False,
        )
    return str(BINARY)


@pytest.fixture(scope="session")
def corpus(tmp_path_factory):
    """ARTICLES articles over five JSONL files with what real dumps have: byte-order
    marks, CRLF line ends, blank lines, no final newline, numeric and non-ASCII ids,
    and one broken record of each kind whosaid reports. The fifth file is small, so
    Spark packs it into a task after another file's lines."""
    texts = article_texts()
    records = [record(id=f"a{n:06d}", text=texts[n % len(texts)], publisher="test") for n in range(ARTICLES)]
    good_ids = [f"a{n:06d}" for n in range(ARTICLES)]
    odd = {
        "9000000001": record(id=9000000001, text=texts[0]),
        "статья-1": record(id="статья-1", text=texts[1]),
        "empty-text": record(id="empty-text", text=""),
        "line-separators": record(id="line-separators", text="Kyiv said\u2028no.\r\nMoscow said yes.\u2029"),
    }
    broken = {
        "malformed JSON": (None, b'{"id": "broken-json", "text": "unterminated}'),
        "missing text": ("broken-no-text", record(id="broken-no-text", title="no text")),
        "text not a string": ("broken-text-number", record(id="broken-text-number", text=42)),
        "NUL in text": ("broken-nul", record(id="broken-nul", text="a\u0000b")),
        "invalid UTF-8": (None, b'{"id": "broken-utf8", "text": "caf\xe9 said"}'),
    }
    per_file = [records[i::4] for i in range(4)] + [[record(id=f"small-{n}", text=texts[n]) for n in range(3)]]
    per_file[0][1:1] = [odd["9000000001"], broken["invalid UTF-8"][1]]
    per_file[1][5:5] = [b"", broken["malformed JSON"][1], b" \t\x0c", odd["статья-1"]]
    per_file[2][7:7] = [broken["missing text"][1], odd["empty-text"]]
    per_file[3][9:9] = [broken["text not a string"][1], broken["NUL in text"][1], odd["line-separators"]]
    good_ids += list(odd) + [f"small-{n}" for n in range(3)]

    root = tmp_path_factory.mktemp("corpus")
    (root / "files").mkdir()
    files, joined = [], []
    for i, lines in enumerate(per_file):
        data = b"\n".join(lines) + b"\n"
        if i in (0, 4):
            data = BOM + data
        if i == 2:
            data = data.replace(b"\n", b"\r\n")
        if i == 3:
            data = data[:-1]
        path = root / "files" / f"news-{i}.jsonl"
        path.write_bytes(data)
        files.append(str(path))
        # A byte-order mark inside a file is not one; only the first file keeps its own.
        joined.append((data if i == 0 else data.removeprefix(BOM)).rstrip(b"\n") + b"\n")
    single = root / "single.jsonl"
    single.write_bytes(b"".join(joined))
    return Corpus(
        files=files,
        single=single,
        good_ids=good_ids,
        broken={kind: aid for kind, (aid, _) in broken.items()},
    )


@pytest.fixture(scope="session")
def bench(tmp_path_factory):
    """WHOSAID_SPARK_BENCH_MB of good records in eight JSONL files, for the throughput test."""
    texts = article_texts()
    root = tmp_path_factory.mktemp("bench")
    files, n = [], 0
    for k in range(8):
        path = root / f"bench-{k}.jsonl"
        with open(path, "wb") as f:
            while f.tell() < BENCH_MB * 1_000_000 / 8:
                f.write(record(id=f"b{n:08d}", text=texts[n % len(texts)]) + b"\n")
                n += 1
        files.append(str(path))
    return files


def whosaid_run(binary, inputs, out):
    done = subprocess.run([binary, "run", *inputs, "-o", str(out), "-q"], capture_output=True, text=True, check=False)
    assert done.returncode == 1, f"expected exit 1 (broken records), got {done.returncode}: {done.stderr}"
    return out


@pytest.fixture(scope="session")
def reference(binary, corpus, tmp_path_factory):
    """One-machine runs: over the five files, and over the single file."""
    root = tmp_path_factory.mktemp("reference")
    return {
        "files": whosaid_run(binary, corpus.files, root / "files"),
        "single": whosaid_run(binary, [str(corpus.single)], root / "single"),
    }


@pytest.fixture(scope="session")
def spark(tmp_path_factory):
    from pyspark.sql import SparkSession

    log4j = tmp_path_factory.mktemp("log4j") / "log4j2.properties"
    log4j.write_text(LOG4J)
    session = (
        SparkSession.builder.master(f"local[{CORES}]")  # local mode: a failed task fails the job, no retry
        .appName("whosaid-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile=file:{log4j}")
        .config("spark.sql.shuffle.partitions", "4")
        # Several tasks per file, and small files packed into one task (as many small
        # daily files are), so records meet the binary far from their file's start.
        .config("spark.sql.files.maxPartitionBytes", "1m")
        .config("spark.sql.files.openCostInBytes", "0")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def lines_of(paths):
    """The lines of the files, as bytes; "\\n" alone ends a line."""
    lines = []
    for p in sorted(paths):
        data = Path(p).read_bytes()
        lines += data.split(b"\n")[:-1] if data.endswith(b"\n") else data.split(b"\n")
    return [line for line in lines if line]


def claim_key(claim):
    return claim["article_id"], claim["claim_index"]


def by_claim(lines):
    return sorted(lines, key=lambda line: claim_key(json.loads(line)))


def assert_same_lines(got, want, what):
    """Equality with a short message: the count, then the first line that differs."""
    assert len(got) == len(want), f"{what}: {len(got)} lines, one-machine run has {len(want)}"
    for n, (g, w) in enumerate(zip(got, want, strict=True)):
        assert g == w, f"{what}: line {n + 1} differs:\n  spark: {g[:300]!r}\n  plain: {w[:300]!r}"


# ---------------------------------------------------------------- envelope protocol


def test_claims_are_sliced_from_envelopes_byte_exact():
    claim = '{"article_id":"x","text":"\\u00e9 \\"q\\" é","n":1.50,"a":[1,{"b":[]}]}'
    line = '{ "id" : "x", "status":"ok" ,"error":null, "claims" : [ ' + claim + " , " + claim + " ] }\n"
    assert ws.parse_envelope(line) == ("x", "ok", None, [claim, claim])
    assert ws.parse_envelope('{"id":"-:3","status":"error","error":"-:3: bad","claims":[]}') == (
        "-:3",
        "error",
        "-:3: bad",
        [],
    )


@pytest.mark.parametrize(
    "line",
    [
        '{"id":"x","status":"ok","error":null}',  # no claims
        '{"id":"x","status":"done","error":null,"claims":[]}',
        '{"id":"x","status":"ok","error":"why","claims":[]}',
        '{"id":"x","status":"error","error":null,"claims":[]}',
        '{"id":7,"status":"ok","error":null,"claims":[]}',
        '{"id":"x","status":"ok","error":null,"claims":[]} {}',
        '{"id":"x","status":"ok","error":null,"claims":[{]}',
        "not json",
    ],
)
def test_envelopes_off_protocol_are_refused(line):
    with pytest.raises(ValueError):
        ws.parse_envelope(line)


# ---------------------------------------------------------------- recipes


def test_envelope_recipe_matches_one_machine_run(spark, binary, corpus, reference, tmp_path):
    summary = ws.run_envelope(spark, binary, [str(Path(corpus.files[0]).parent / "*.jsonl")], str(tmp_path))

    got = by_claim(lines_of((tmp_path / "claims").glob("part-*")))
    want = by_claim(lines_of([reference["files"] / "claims.jsonl"]))
    assert_same_lines(got, want, "claims")

    articles = [json.loads(line) for line in lines_of((tmp_path / "articles").glob("part-*"))]
    ids = Counter(a["id"] for a in articles)
    ok = sorted(a["id"] for a in articles if a["status"] == "ok")
    errors = [a for a in articles if a["status"] == "error"]
    assert ok == sorted(corpus.good_ids), "every good record has one ok envelope"
    assert len(errors) == len(corpus.broken), [a["error"] for a in errors]
    for kind, aid in corpus.broken.items():
        if aid is not None:
            assert ids[aid] == 1 and aid in {a["id"] for a in errors}, f"{kind}: {aid} has one error envelope"
    assert all(a["error"] for a in errors)
    assert summary["exit_code"] == 1
    assert summary["claims"] == len(want)
    assert summary["articles"] == len(corpus.good_ids) + len(corpus.broken)


def test_envelope_recipe_parquet_holds_every_claim_field(spark, binary, corpus, reference, tmp_path):
    ws.run_envelope(spark, binary, corpus.files, str(tmp_path), fmt="parquet")
    want = [json.loads(line) for line in lines_of([reference["files"] / "claims.jsonl"])]
    claims = spark.read.parquet(str(tmp_path / "claims"))
    assert claims.columns == list(want[0]), "columns in claims.jsonl's order"
    got = [row.asDict(recursive=True) for row in claims.collect()]
    assert sorted(got, key=claim_key) == sorted(want, key=claim_key)
    articles = spark.read.parquet(str(tmp_path / "articles"))
    assert articles.where("status = 'error'").count() == len(corpus.broken)


def test_crashing_binary_fails_the_job(spark, binary, corpus, tmp_path):
    # The small file is one task: with more, the failure kills sibling tasks' Python
    # workers, which print tracebacks of their own.
    small = corpus.files[-1]
    env = {"WHOSAID_TEST_CRASH_ON_ID": "small-1"}
    with pytest.raises(Exception, match=r"the next record is from \S*news-4\.jsonl: whosaid killed by signal SIGABRT"):
        ws.run_envelope(spark, binary, [small], str(tmp_path), env=env)


@pytest.mark.parametrize(
    "recipe, name, script, message",
    [
        ("envelope", "silent", "cat >/dev/null", "0 envelopes for"),
        (
            "envelope",
            "fatal",
            "cat >/dev/null; echo 'whosaid: error: boom' >&2; exit 2",
            "exited with code 2; stderr:\nwhosaid: error: boom",
        ),
        ("shard", "abort", "kill -ABRT $$", "killed by signal SIGABRT"),
    ],
)
def test_binary_failing_or_off_protocol_fails_the_job(spark, corpus, tmp_path, recipe, name, script, message):
    impostor = tmp_path / f"whosaid-{name}"  # not "whosaid": SparkFiles holds one file per name
    impostor.write_text(f"#!/bin/sh\n{script}\n")
    impostor.chmod(0o755)
    with pytest.raises(Exception, match=message):
        if recipe == "envelope":
            ws.run_envelope(spark, str(impostor), corpus.files[-1:], str(tmp_path / "out"))
        else:
            ws.run_shards(spark, str(impostor), corpus.files, str(tmp_path / "out"), shards=1)


@pytest.mark.parametrize(
    "split, shards",
    [
        ("files", 7),  # more shards than files: some shards are empty
        ("single", 3),  # one JSONL file: byte ranges
    ],
)
def test_shard_recipe_merges_to_one_machine_run(spark, binary, corpus, reference, tmp_path, split, shards):
    inputs = corpus.files if split == "files" else [str(corpus.single)]
    summary = ws.run_shards(spark, binary, inputs, str(tmp_path), shards)
    assert summary["byte_ranges"] == (split == "single")
    assert len(summary["manifests"]) == shards
    assert summary["exit_code"] == 1
    for name in DATA_FILES:
        got, want = (tmp_path / name).read_bytes(), (reference[split] / name).read_bytes()
        assert_same_lines(got.split(b"\n"), want.split(b"\n"), name)


@pytest.mark.parametrize(
    "recipe, flags, outputs",
    [
        ("envelope", ["--format", "parquet"], ["claims", "articles"]),
        ("shard", ["--recipe", "shard", "--shards", "2"], DATA_FILES + ["run.json"]),
    ],
)
def test_command_line_runs_each_recipe(binary, corpus, tmp_path, recipe, flags, outputs):
    """As spark-submit runs it: __main__, so Spark pickles its functions by value."""
    args = [sys.executable, str(HERE.parent / "whosaid_spark.py"), "--master", "local[1]", "--binary", binary]
    args += ["--input", corpus.files[-1], "--output", str(tmp_path), *flags]
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads(done.stderr.strip().splitlines()[-1])
    assert summary["recipe"] == recipe and summary["exit_code"] == 0
    assert all((tmp_path / name).exists() for name in outputs)


def test_throughput(spark, binary, bench, tmp_path):
    """Prints MB/s of each way to run the same corpus on the same cores; asserts nothing
    about speed. Spark reads 64 MB a task here, nearer a cluster's 128 MB than the 1 MB
    the other tests use."""

    def timed(run):
        start = time.perf_counter()
        assert run() == 0
        return time.perf_counter() - start

    def plain():
        args = [binary, "run", *bench, "-o", str(tmp_path / "plain"), "-q", "-j", str(CORES)]
        return subprocess.run(args, check=False).returncode

    spark.conf.set("spark.sql.files.maxPartitionBytes", "64m")
    try:
        # Python workers and the JVM's compiled code as they are after a first job.
        ws.run_envelope(spark, binary, bench[:1], str(tmp_path / "warm-envelope"))
        ws.run_shards(spark, binary, bench[:1], str(tmp_path / "warm-shard"), CORES)
        runs = {
            f"whosaid run -j{CORES}": timed(plain),
            f"spark shard {CORES}, no merge": timed(
                lambda: ws.run_shards(spark, binary, bench, str(tmp_path / "parts"), CORES, merge=False)["exit_code"]
            ),
            f"spark shard {CORES} + merge": timed(
                lambda: ws.run_shards(spark, binary, bench, str(tmp_path / "shard"), CORES)["exit_code"]
            ),
            f"spark envelope, local[{CORES}]": timed(
                lambda: ws.run_envelope(spark, binary, bench, str(tmp_path / "envelope"))["exit_code"]
            ),
        }
    finally:
        spark.conf.set("spark.sql.files.maxPartitionBytes", "1m")
    mb = sum(Path(f).stat().st_size for f in bench) / 1e6
    base = next(iter(runs.values()))
    print(f"\nthroughput on {mb:.0f} MB of JSONL, {CORES} cores, {binary}:")
    for name, seconds in runs.items():
        print(
            f"  {name:<28} {seconds:6.2f} s {mb / seconds:7.1f} MB/s {mb / seconds / CORES:7.1f} MB/s/core"
            f" {base / seconds:6.2f}x plain"
        )
