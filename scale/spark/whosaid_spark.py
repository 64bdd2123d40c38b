"""Run whosaid over a large corpus on Spark.

Two recipes (docs/scaling.md explains when to use which):

* **envelope** (default): Spark reads JSONL articles line by line; every task pipes
  its lines through `whosaid run - --envelope` and gets back one JSON envelope per
  line (id, status, error, claims). Spark writes the claims (the binary's exact
  claims.jsonl lines, or Parquet) and one status row per article. Works on any
  storage Spark can read and write (HDFS, S3, GCS, ...).
* **shard**: one task per shard runs `whosaid run INPUT... --shard I/N -o DIR/parts`
  on a shared POSIX folder, and the driver runs `whosaid merge`. The merged files are
  byte-identical to a one-machine `whosaid run` over the same inputs, sorted.

    spark-submit whosaid_spark.py --binary target/release/whosaid \\
        --input 'gs://bucket/news/*.jsonl' --output gs://bucket/whosaid-out

The binary is shipped to the executors with SparkContext.addFile, so it must run on
the executors' OS (see docs/scaling.md on glibc and the musl build).
"""

import argparse
import collections
import glob
import json
import os
import signal
import subprocess
import sys
import threading
import traceback

from pyspark import SparkFiles, StorageLevel
from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

# A line of ASCII whitespace only is blank, as whosaid's reader has it. A one-machine
# run skips blank lines (README, Inputs) while the envelope mode makes each an error
# record, to keep one line out for every line in, so they are never fed to the binary.
BLANK = b" \t\n\x0c\r"
# Lines of the binary's stderr kept to explain a failure.
STDERR_TAIL = 40


def _span(*extra):
    return T.StructType(
        [
            T.StructField("text", T.StringType()),
            T.StructField("start", T.LongType()),
            T.StructField("end", T.LongType()),
            *extra,
        ]
    )


# claims.jsonl as a Spark schema, fields in the file's order (README, Outputs).
CLAIM_SCHEMA = T.StructType(
    [
        T.StructField("article_id", T.StringType()),
        T.StructField("claim_index", T.LongType()),
        T.StructField("sentence_index", T.LongType()),
        T.StructField("source", _span()),
        T.StructField("sourcing", T.StringType()),
        T.StructField("actor", T.StringType()),
        T.StructField("cue", _span(T.StructField("lemma", T.StringType()))),
        T.StructField("content", _span()),
        T.StructField("via", _span(T.StructField("sourcing", T.StringType()))),
        T.StructField("quote", T.StringType()),
        T.StructField("stance", T.StringType()),
        T.StructField("negated", T.BooleanType()),
        T.StructField("issues", T.ArrayType(T.StringType())),
        T.StructField("rule", T.StringType()),
        T.StructField("cue_rule", T.StringType()),
        T.StructField("sourcing_rule", T.StringType()),
    ]
)

ENVELOPE_SCHEMA = T.StructType(
    [
        T.StructField("id", T.StringType(), False),
        T.StructField("status", T.StringType(), False),
        T.StructField("error", T.StringType()),
        T.StructField("input", T.StringType()),
        T.StructField("claims", T.ArrayType(T.StringType(), False), False),
    ]
)


class WhosaidError(RuntimeError):
    """The binary failed or broke the envelope protocol; fails the Spark task."""


# ---------------------------------------------------------------- executor side


def _executable(name):
    """Path of the shipped binary on this node. addFile does not keep the execute bit
    on every file system (an HDFS or object-store copy loses it), so set it here."""
    path = SparkFiles.get(name)
    os.chmod(path, 0o755)
    return path


def _failure(what, code, stderr):
    """WhosaidError naming how the binary ended and the tail of its stderr."""
    if code < 0:
        try:
            how = f"killed by signal {signal.Signals(-code).name}"
        except ValueError:  # real-time signals have no name
            how = f"killed by signal {-code}"
    else:
        how = f"exited with code {code}"
    tail = "\n".join(stderr.splitlines()[-STDERR_TAIL:])
    return WhosaidError(f"{what}: whosaid {how}" + (f"; stderr:\n{tail}" if tail else ""))


class _StderrTail:
    """Drains the binary's stderr so it can never block on a full pipe, and keeps the
    last lines for the error message."""

    def __init__(self, stream):
        self.lines = collections.deque(maxlen=STDERR_TAIL)
        self.thread = threading.Thread(target=self._drain, args=(stream,), daemon=True)
        self.thread.start()

    def _drain(self, stream):
        for line in stream:
            self.lines.append(line.decode("utf-8", "replace"))

    def text(self):
        self.thread.join()
        return "".join(self.lines)


def _skip_ws(s, i):
    while i < len(s) and s[i] in " \t\r\n":
        i += 1
    return i


def _expect(s, i, char):
    if s[i : i + 1] != char:
        raise ValueError(f"expected {char!r} at column {i + 1}")
    return _skip_ws(s, i + 1)


def _claim_texts(raw_decode, s, i):
    """The exact text of each element of the JSON array at s[i], and the index after
    it. Slicing the envelope (not re-serialising the parsed claims) is what keeps the
    claims byte-identical to claims.jsonl whatever the binary's number or escape
    formatting."""
    i = _expect(s, i, "[")
    texts = []
    if s[i : i + 1] == "]":
        return texts, i + 1
    while True:
        _, end = raw_decode(s, i)
        texts.append(s[i:end])
        i = _skip_ws(s, end)
        if s[i : i + 1] == "]":
            return texts, i + 1
        i = _expect(s, i, ",")


def parse_envelope(line):
    """(id, status, error, [claim JSON text]) of one envelope line; ValueError when it
    does not follow the protocol."""
    # A decoder per call: a module-level one could not be pickled with this module's
    # functions when spark-submit runs it as __main__.
    raw_decode = json.JSONDecoder().raw_decode
    fields, claims = {}, None
    i = _expect(line, _skip_ws(line, 0), "{")
    while line[i : i + 1] != "}":
        key, i = raw_decode(line, i)
        i = _expect(line, _skip_ws(line, i), ":")
        if key == "claims":
            claims, i = _claim_texts(raw_decode, line, i)
        else:
            fields[key], i = raw_decode(line, i)
        i = _skip_ws(line, i)
        if line[i : i + 1] == ",":
            i = _skip_ws(line, i + 1)
        elif line[i : i + 1] != "}":
            raise ValueError(f"expected ',' or '}}' at column {i + 1}")
    if _skip_ws(line, i + 1) != len(line):
        raise ValueError("text after the envelope")
    aid, status, error = fields.get("id"), fields.get("status"), fields.get("error")
    if not isinstance(aid, str) or status not in ("ok", "error") or claims is None:
        raise ValueError("missing or mistyped id, status or claims")
    if (status == "ok") != (error is None) or not (error is None or isinstance(error, str)):
        raise ValueError("status and error disagree")
    return aid, status, error, claims


def envelope_partition(binary_name, env, partition, rows):
    """mapPartitionsWithIndex body: pipe the partition's (line bytes, input file) rows through
    `whosaid run - --envelope` and yield one ENVELOPE_SCHEMA tuple per record.

    A feeder thread writes stdin while this generator reads stdout, so neither side
    waits on a full pipe. rdd.pipe is not used: by default it ignores the command's
    exit status and runs it with an empty environment."""
    proc = subprocess.Popen(
        [_executable(binary_name), "run", "-", "--envelope", "-q"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **env},
    )
    stderr = _StderrTail(proc.stderr)
    # Input file of each line fed, in order; an envelope takes the oldest.
    inputs = collections.deque()
    fed = 0
    feed_failure = []

    def feed():
        nonlocal fed
        try:
            for line, path in rows:
                line = bytes(line)
                if not line.strip(BLANK):
                    continue
                inputs.append(path)
                proc.stdin.write(line + b"\n")
                fed += 1
            proc.stdin.close()
        except BrokenPipeError:
            pass  # the binary stopped reading; its exit status says why
        except BaseException as e:  # a failed Spark read: report it, not a count mismatch
            feed_failure.append(e)
            proc.kill()

    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    envelopes, last_id = 0, None
    try:
        for raw in proc.stdout:
            try:
                aid, status, error, claims = parse_envelope(raw.decode("utf-8"))
            except ValueError as e:
                raise WhosaidError(
                    f"partition {partition}: envelope {envelopes + 1} breaks the protocol ({e}): {raw[:200]!r}"
                ) from None
            if not inputs:
                raise WhosaidError(f"partition {partition}: more envelopes than lines fed (id {aid!r})")
            envelopes, last_id = envelopes + 1, aid
            yield aid, status, error, inputs.popleft(), claims
        code = proc.wait()
        feeder.join()
        if feed_failure:
            raise feed_failure[0]
        # Envelopes come in input order, so a record that killed the binary is the
        # next one, or one of the few in flight after it: say where that is.
        where = f"partition {partition}: {envelopes} envelopes for {fed} lines"
        if last_id is not None:
            where += f", the last for id {last_id!r}"
        if inputs:
            where += f"; the next record is from {inputs[0]}"
        if code not in (0, 1) or envelopes != fed:
            raise _failure(where, code, stderr.text())
    finally:
        # Reached early when Spark stops reading (a failed write, task kill, take()).
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        # Bounded: after a kill the feeder may be stuck reading input Spark no longer sends.
        feeder.join(timeout=10)
        try:
            proc.stdin.close()
        except OSError:
            pass  # the binary died with lines still buffered for it


def shard_task(binary_name, files, shard, shards, byte_range, parts_dir, threads, env):
    """One shard of the shard recipe: run the binary, return (exit code, manifest)."""
    cmd = [_executable(binary_name), "run", *files, "--shard", f"{shard}/{shards}", "-j", str(threads)]
    cmd += ["-o", parts_dir, "-q"]
    if byte_range is not None:
        cmd += ["--byte-range", f"{byte_range[0]}:{byte_range[1]}"]
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, **env})
    if done.returncode not in (0, 1):
        raise _failure(f"shard {shard}/{shards}", done.returncode, done.stderr.decode("utf-8", "replace"))
    with open(os.path.join(parts_dir, f"part-{shard}-of-{shards}.manifest.json"), encoding="utf-8") as f:
        return done.returncode, json.load(f)


# ---------------------------------------------------------------- driver side


def _ship(spark, binary):
    """Send the binary and this module to every executor; returns the binary's
    SparkFiles name. The module matters when it is imported (tests, notebooks):
    its functions are then pickled by reference and executors must import it."""
    sc = spark.sparkContext
    sc.addFile(binary)
    sc.addPyFile(os.path.abspath(__file__))
    return os.path.basename(binary)


def run_envelope(spark, binary, inputs, output, fmt="jsonl", env=None):
    """Envelope recipe. `inputs`: JSONL paths or globs (gzip is read transparently).
    Writes OUTPUT/claims (JSONL text parts: the binary's claims.jsonl lines; or
    Parquet) and OUTPUT/articles (id, status, error, input, claims per record; JSON
    lines or Parquet), replacing earlier output. Returns a summary dict with an
    `exit_code` like `whosaid run`'s: 1 when some records failed or ids repeat."""
    if fmt not in ("jsonl", "parquet"):
        raise ValueError(f"unknown format {fmt!r}")
    name = _ship(spark, binary)
    env = dict(env or {})
    lines = (
        spark.read.option("lineSep", "\n")  # "\r" alone must not end a line, as in the binary
        .text(inputs)
        # The cast hands Python the line's bytes as read: a Python str would already
        # have replaced invalid UTF-8, which the binary must see to report it.
        .select(F.col("value").cast("binary"), F.col("_metadata.file_path"))
    )
    # Hadoop's line reader drops a byte-order mark at the start of each file, as
    # whosaid does, so a file packed into a task after another file's lines needs
    # nothing done here.
    envelopes = spark.createDataFrame(
        lines.rdd.mapPartitionsWithIndex(lambda i, rows: envelope_partition(name, env, i, rows)),
        ENVELOPE_SCHEMA,
        verifySchema=False,  # parse_envelope has checked every field, no need to pay for it twice
    )
    # Two outputs from one pass: keep the envelopes instead of running the binary twice.
    envelopes.persist(StorageLevel.MEMORY_AND_DISK)
    try:
        articles = envelopes.select("id", "status", "error", "input", F.size("claims").alias("claims"))
        claims = envelopes.select(F.explode("claims").alias("value"))
        if fmt == "jsonl":
            articles.write.mode("overwrite").option("ignoreNullFields", False).json(f"{output}/articles")
            claims.write.mode("overwrite").text(f"{output}/claims")
        else:
            articles.write.mode("overwrite").parquet(f"{output}/articles")
            # FAILFAST: a claim that no longer fits the schema fails the job instead
            # of becoming a row of nulls.
            parsed = claims.select(F.from_json("value", CLAIM_SCHEMA, {"mode": "FAILFAST"}).alias("c"))
            parsed.select("c.*").write.mode("overwrite").parquet(f"{output}/claims")
        totals = envelopes.agg(
            F.count("*").alias("articles"),
            F.sum(F.when(F.col("status") == "error", 1).otherwise(0)).alias("errors"),
            F.sum(F.size("claims")).alias("claims"),
        ).first()
        # One binary sees one partition, so an id repeated across partitions is not
        # caught there. Error ids are left out: placeholders ("-:LINE") repeat.
        duplicates = envelopes.where("status = 'ok'").groupBy("id").count().where("count > 1").count()
    finally:
        envelopes.unpersist(blocking=True)  # free the executors' memory and disk before returning
    summary = {
        "recipe": "envelope",
        "output": output,
        "articles": totals["articles"],
        "errors": totals["errors"] or 0,
        "claims": totals["claims"] or 0,
        "duplicate_ids": duplicates,
    }
    summary["exit_code"] = 1 if summary["errors"] or duplicates else 0
    return summary


def _expand(inputs):
    """Local globs expanded on the driver (the binary sees no shell); folders and plain
    paths are passed on as given, absolute, since tasks run in other directories."""
    paths = []
    for p in inputs:
        if "://" in p:
            raise ValueError(f"{p}: the shard recipe reads POSIX paths (a shared mount), not URIs")
        matches = sorted(glob.glob(p)) if glob.has_magic(p) else [p]
        if not matches:
            raise FileNotFoundError(f"{p}: no match")
        paths += [os.path.abspath(m) for m in matches]
    return paths


def run_shards(spark, binary, inputs, output, shards, merge=True, env=None):
    """Shard recipe. Parts go to OUTPUT/parts, which every executor must see as the
    same POSIX folder (NFS, a FUSE mount, or local disk with a local master). With
    `merge`, the driver then runs `whosaid merge` into OUTPUT. A single uncompressed
    .jsonl input is split by byte ranges, anything else by files.
    Returns a summary dict with the manifests and an `exit_code` like `whosaid run`'s."""
    files = _expand(inputs)
    name = _ship(spark, binary)
    env = dict(env or {})
    parts_dir = os.path.join(os.path.abspath(output), "parts")
    os.makedirs(parts_dir, exist_ok=True)
    # Parts of an earlier run with another N would make merge refuse the folder.
    for stale in glob.glob(os.path.join(parts_dir, "part-*-of-*")):
        os.remove(stale)
    # whosaid uses every core by default, and Spark runs a task per core: give each
    # shard the cores Spark reserves for it (one per task unless spark.task.cpus says).
    threads = int(spark.sparkContext.getConf().get("spark.task.cpus", "1"))
    ranges = [None] * shards
    if len(files) == 1 and os.path.isfile(files[0]) and files[0].lower().endswith(".jsonl"):
        size = os.path.getsize(files[0])
        ranges = [(size * i // shards, size * (i + 1) // shards) for i in range(shards)]
    results = (
        spark.sparkContext.parallelize(range(shards), shards)
        .map(lambda i: shard_task(name, files, i, shards, ranges[i], parts_dir, threads, env))
        .collect()
    )
    summary = {
        "recipe": "shard",
        "output": output,
        "byte_ranges": ranges[0] is not None,
        "manifests": [manifest for _, manifest in results],  # collect keeps shard order
        "exit_code": max(code for code, _ in results),
    }
    if merge:
        done = subprocess.run(
            [_executable(name), "merge", parts_dir, "-o", output], stderr=subprocess.PIPE, env={**os.environ, **env}
        )
        if done.returncode not in (0, 1):
            raise _failure("merge", done.returncode, done.stderr.decode("utf-8", "replace"))
        summary["exit_code"] = max(summary["exit_code"], done.returncode)
    return summary


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Run whosaid over a corpus on Spark (docs/scaling.md).",
        epilog="Exit codes as whosaid run: 0 every record ok, 1 some records failed "
        "(or, envelope recipe, ids repeat), 2 the job failed.",
    )
    parser.add_argument("--binary", required=True, help="the whosaid binary to ship to the executors")
    parser.add_argument(
        "--input", required=True, nargs="+", help="JSONL files or globs (shard recipe: any whosaid input)"
    )
    parser.add_argument("--output", required=True, help="output folder")
    parser.add_argument("--recipe", choices=["envelope", "shard"], default="envelope")
    parser.add_argument(
        "--shards", type=int, help="shard recipe: number of shards (default: Spark's default parallelism)"
    )
    parser.add_argument("--no-merge", action="store_true", help="shard recipe: leave the parts, do not merge")
    parser.add_argument("--master", help="Spark master (default: spark-submit's)")
    parser.add_argument(
        "--format", choices=["jsonl", "parquet"], default="jsonl", help="envelope recipe: output format"
    )
    parser.add_argument(
        "--max-partition-mb", type=int, help="envelope recipe: input MB per task (spark.sql.files.maxPartitionBytes)"
    )
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="environment variable for the binary (repeatable)",
    )
    args = parser.parse_args(argv)
    if args.recipe == "shard" and args.format != "jsonl":
        parser.error("--format applies to the envelope recipe; the shard recipe writes whosaid's own files")
    env = {}
    for item in args.env:
        key, sep, value = item.partition("=")
        if not sep:
            parser.error(f"--env {item}: expected KEY=VALUE")
        env[key] = value

    builder = SparkSession.builder.appName("whosaid")
    if args.master:
        builder = builder.master(args.master)
    if args.max_partition_mb:
        builder = builder.config("spark.sql.files.maxPartitionBytes", f"{args.max_partition_mb}m")
    spark = builder.getOrCreate()
    try:
        if args.recipe == "envelope":
            summary = run_envelope(spark, args.binary, args.input, args.output, args.format, env)
        else:
            shards = args.shards or spark.sparkContext.defaultParallelism
            summary = run_shards(spark, args.binary, args.input, args.output, shards, not args.no_merge, env)
    except Exception:
        traceback.print_exc()
        return 2
    finally:
        spark.stop()
    summary.pop("manifests", None)  # per-part detail stays in the part manifests
    print(json.dumps(summary), file=sys.stderr)
    return summary["exit_code"]


if __name__ == "__main__":
    sys.exit(main())
