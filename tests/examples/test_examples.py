"""The analysis examples (examples/analyse.py and .ipynb), the report page in a real
browser, and the Parquet files, against the release binary.

Needs the binary (WHOSAID_BIN, default target/release/whosaid), the packages in
examples/requirements.txt and Chromium (/usr/bin/chromium or $CHROMIUM);
../examples/run_tests.sh, that is tests/examples/run_tests.sh, sets them up.

Two runs are made: the sample corpus (no outlet, no date) and the PolNeAR dev set with
its publisher and publication date (skipped when ../shared is absent, a failure under
WHOSAID_REQUIRE_SHARED=1). Screenshots go to WHOSAID_SCREENSHOT_DIR (default a
temporary folder); their paths and the report sizes are listed at the end.
"""

import csv
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BINARY = Path(os.environ.get("WHOSAID_BIN", ROOT / "target" / "release" / "whosaid"))
POLNEAR = ROOT.parent / "shared" / "data" / "polnear" / "dev.gold.jsonl"
REQUIRE_SHARED = os.environ.get("WHOSAID_REQUIRE_SHARED") == "1"
EXAMPLES = ROOT / "examples"
CHECK_REPORT = ROOT / "tests" / "browser" / "check_report.py"

# What each run's report and the examples must show.
RUNS = {
    "corpus": {
        "args": [str(ROOT / "corpus")],
        "tables": ["counts", "sourcing", "top_actors_by_issue", "stance_by_actor"],
        "figures": ["sourcing", "stance_by_actor", "top_actors_by_issue"],
    },
    "polnear": {
        "args": [str(POLNEAR), "--id-field", "article_id", "--meta", "publisher,publication_date"],
        "tables": ["counts", "sourcing", "sourcing_by_outlet", "top_actors_by_issue",
                   "stance_by_actor", "anonymous_over_time"],
        "figures": ["sourcing", "stance_by_actor", "anonymous_over_time"],
    },
}


def whosaid(*args, ok=(0,), timeout=120):
    p = subprocess.run([str(BINARY), *map(str, args)], capture_output=True, text=True, timeout=timeout)
    assert p.returncode in ok, f"whosaid {' '.join(map(str, args))}: exit {p.returncode}\n{p.stderr}"
    return p


@pytest.fixture(scope="session")
def binary():
    if not (BINARY.is_file() and os.access(BINARY, os.X_OK)):
        pytest.fail(f"whosaid binary not found at {BINARY}: run `cargo build --release` first, "
                    "or set WHOSAID_BIN", pytrace=False)
    return BINARY


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory):
    d = os.environ.get("WHOSAID_SCREENSHOT_DIR")
    d = Path(d) if d else tmp_path_factory.mktemp("screenshots")
    d.mkdir(parents=True, exist_ok=True)
    return d


def need_polnear():
    if not POLNEAR.exists():
        why = f"{POLNEAR} not found (the PolNeAR dev set lives in ../shared)"
        if REQUIRE_SHARED:
            pytest.fail(why + " and WHOSAID_REQUIRE_SHARED=1", pytrace=False)
        pytest.skip(why)


@pytest.fixture(scope="session", params=list(RUNS))
def run(request, binary, tmp_path_factory, made):
    """A run folder with its report: (name, folder)."""
    name = request.param
    if name == "polnear":
        need_polnear()
    out = tmp_path_factory.mktemp(f"run-{name}")
    whosaid("run", "-q", *RUNS[name]["args"], "-o", out)
    whosaid("report", out)
    report = out / "report.html"
    made.append(f"{name}: report {report} ({report.stat().st_size:,} bytes, "
                f"{len(list(out.glob('report-*.csv')))} CSVs)")
    return name, out


def test_report_csvs_are_the_expected_ones(run):
    name, out = run
    have = sorted(p.stem.removeprefix("report-") for p in out.glob("report-*.csv"))
    assert have == sorted(RUNS[name]["tables"])


def test_notebook_is_made_from_the_script():
    p = subprocess.run([sys.executable, EXAMPLES / "make_notebook.py", "--check"],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stderr


def check_figures(folder, name):
    for fig in RUNS[name]["figures"]:
        png = folder / f"{fig}.png"
        assert png.is_file(), f"{png} not written"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000, png


def check_equal_line(text, name):
    line = [l for l in text.splitlines() if l.startswith("equal to the report:")]
    assert line, f"no 'equal to the report' line in:\n{text[-2000:]}"
    checked = line[-1].split(":", 1)[1].strip().split(", ")
    assert sorted(checked) == sorted(RUNS[name]["tables"]), line[-1]


def test_analyse_script(run, tmp_path):
    name, out = run
    figures = tmp_path / "figures"
    p = subprocess.run([sys.executable, EXAMPLES / "analyse.py", out, figures],
                       capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert p.returncode == 0, f"analyse.py failed:\n{p.stdout[-3000:]}\n{p.stderr[-3000:]}"
    check_equal_line(p.stdout, name)
    check_figures(figures, name)
    for question in ["who is quoted on which issue", "how claims are sourced", "who rejects what"]:
        assert f"## {question}" in p.stdout
    if name == "polnear":
        assert "## outlets by their share of unnamed officials" in p.stdout


def test_analyse_notebook(run, tmp_path, monkeypatch):
    import nbformat
    from nbclient import NotebookClient

    name, out = run
    figures = tmp_path / "figures"
    monkeypatch.setenv("WHOSAID_RUN_DIR", str(out))
    monkeypatch.setenv("WHOSAID_FIGURES_DIR", str(figures))
    nb = nbformat.read(EXAMPLES / "analyse.ipynb", as_version=4)
    client = NotebookClient(nb, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})
    try:
        client.execute()
    finally:
        nbformat.write(nb, tmp_path / "analyse.out.ipynb")  # to look at when it fails
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                   for o in c.get("outputs", []) if o.get("output_type") == "stream")
    check_equal_line(text, name)
    check_figures(figures, name)
    images = sum("image/png" in o.get("data", {}) for c in nb.cells if c.cell_type == "code"
                 for o in c.get("outputs", []))
    assert images == 3, f"{images} figures shown in the notebook"


def test_report_in_the_browser(run, screenshots, tmp_path, made):
    name, out = run
    shot = screenshots / f"report-{name}.png"
    findings = tmp_path / "findings.json"
    started = time.monotonic()
    p = subprocess.run([sys.executable, CHECK_REPORT, out / "report.html", "--screenshot", shot,
                        "--json", findings, "--timeout", "90"],
                       capture_output=True, text=True, timeout=150)
    assert p.returncode == 0, f"check_report.py exit {p.returncode}:\n{p.stdout}\n{p.stderr}"
    info = json.loads(findings.read_text())
    sections = {s["section"] for s in info["1280x900"]["sections"]}
    assert sections == set(RUNS[name]["tables"]) - {"counts"}
    for s in info["screenshots"]:
        made.append(f"{name}: screenshot {s['path']} ({s['width']}x{s['height']} of "
                    f"{s['page_height']} px, {s['bytes']:,} bytes)")
    made.append(f"{name}: browser check {time.monotonic() - started:.1f} s")


BROKEN = """<!DOCTYPE html><html><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"></head><body>
<section id="empty"><svg viewBox="0 0 100 10" width="100%"><rect width="0" height="5"/></svg></section>
<section id="fine"><svg viewBox="0 0 100 10" width="100%"><rect width="50" height="5"/></svg></section>
<div style="width:3000px">too wide</div>
<img src="http://127.0.0.1:9/pixel.png">
<input id="q"><table id="claims"><tbody><tr><td>a</td><td>alpha</td></tr>
<tr><td>b</td><td>beta</td></tr></tbody></table>
<script>console.error("boom"); notAFunction();</script></body></html>
"""


def test_the_browser_check_finds_faults(tmp_path):
    page = tmp_path / "broken.html"
    page.write_text(BROKEN)
    p = subprocess.run([sys.executable, CHECK_REPORT, page, "--size", "800x600", "--timeout", "60"],
                       capture_output=True, text=True, timeout=90)
    assert p.returncode == 1, p.stdout + p.stderr
    for fault in ["console.error: boom", "notAFunction is not defined", "section #empty draws no mark",
                  "wider than the window", "fetched http://127.0.0.1:9/pixel.png",
                  "typing 'alpha' in #q shows 2 of 2 rows"]:
        assert fault in p.stderr, f"{fault!r} not reported:\n{p.stderr}"
    gone = subprocess.run([sys.executable, CHECK_REPORT, tmp_path / "missing.html"],
                          capture_output=True, text=True, timeout=30)
    assert gone.returncode == 2 and "no such file" in gone.stderr


# ---------------------------------------------------------------- Parquet

def parquet_supported():
    if not (BINARY.is_file() and os.access(BINARY, os.X_OK)):
        return True  # let the binary fixture say what is wrong
    p = subprocess.run([str(BINARY), "run", "--help"], capture_output=True, text=True, timeout=30)
    return "parquet" in p.stdout


EDGE = [  # an id that looks like a number, a `via`, a hedge with no source, a missing
    # meta field, non-ASCII text, and a broken line (an error row)
    {"id": "007", "text": "The minister said taxes would rise next year.", "publisher": "nyt",
     "date": "2016-09-01"},
    {"id": "a2", "text": "CNN has reported, citing multiple sources familiar with the talks, "
                         "that the deal is close. Moscow reportedly rejected the plan.",
     "publisher": "cnn"},
    {"id": "ü3", "text": "„Wir lehnen das ab“, sagte er. Zelensky rejected “any deal on territory”.",
     "date": "2016-10-02"},
]


@pytest.fixture(scope="module", params=["corpus", "edge", "polnear"])
def parquet_run(request, binary, tmp_path_factory):
    if not parquet_supported():
        pytest.skip("binary has no --format parquet")
    name = request.param
    out = tmp_path_factory.mktemp(f"parquet-{name}")
    if name == "polnear":
        need_polnear()
        args = RUNS["polnear"]["args"]
    elif name == "corpus":
        args = RUNS["corpus"]["args"]
    else:
        src = out.parent / f"{out.name}-input.jsonl"
        src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in EDGE)
                       + '{"id": "broken", "text": \n', encoding="utf-8")
        args = [src, "--meta", "publisher,date"]
    whosaid("run", "-q", *args, "--format", "jsonl,csv,parquet", "-o", out, ok=(0, 1))
    for stem in ["claims", "sentences", "articles"]:
        assert (out / f"{stem}.parquet").is_file(), f"{stem}.parquet not written"
    return name, out


def plain(v):
    """A value as plain Python: numpy scalars and arrays, NaN and pandas NA made ordinary."""
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if hasattr(v, "tolist") and not isinstance(v, (str, bytes)):
        return plain(v.tolist())
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    try:
        import pandas as pd
        if v is pd.NA or v is pd.NaT:
            return None
    except ImportError:
        pass
    return v


def readers():
    """Each library's rows of a Parquet file, as lists of plain dicts, with no arguments."""
    import duckdb
    import pandas as pd
    import polars as pl

    def with_duckdb(path):
        con = duckdb.connect()
        try:
            rel = con.sql(f"SELECT * FROM '{path}'")
            cols = rel.columns
            return [dict(zip(cols, row)) for row in rel.fetchall()]
        finally:
            con.close()

    return {
        "pandas": lambda path: [plain(r) for r in pd.read_parquet(path).to_dict("records")],
        "polars": lambda path: [plain(r) for r in pl.read_parquet(path).to_dicts()],
        "duckdb": lambda path: [plain(r) for r in with_duckdb(path)],
    }


def jsonl(path):
    return [json.loads(l) for l in path.read_text(encoding="utf-8").splitlines() if l.strip()]


def first_difference(got, want):
    if len(got) != len(want):
        return f"{len(got)} rows, the JSONL/CSV has {len(want)}"
    for k, (g, w) in enumerate(zip(got, want)):
        if g != w:
            keys = sorted(set(g) | set(w))
            diff = {key: (g.get(key, "<missing>"), w.get(key, "<missing>")) for key in keys
                    if g.get(key, "<missing>") != w.get(key, "<missing>")}
            return f"row {k}: (parquet, expected) differ in {diff}"
    return None


@pytest.mark.parametrize("table", ["claims", "sentences"])
def test_parquet_rows_equal_the_jsonl(parquet_run, table):
    name, out = parquet_run
    want = jsonl(out / f"{table}.jsonl")
    for lib, read in readers().items():
        got = read(out / f"{table}.parquet")
        diff = first_difference(got, want)
        assert diff is None, f"{name}: {lib} reads {table}.parquet: {diff}"


def test_parquet_articles_equal_the_csv(parquet_run):
    name, out = parquet_run
    with open(out / "articles.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
        header = list(rows[0]) if rows else []
    counts = ["chars", "sentences", "claims"]
    want = [{k: (int(v) if k in counts else v) for k, v in r.items()} for r in rows]
    for lib, read in readers().items():
        got = read(out / "articles.parquet")
        if got:
            assert list(got[0]) == header, f"{lib}: columns {list(got[0])}, articles.csv {header}"
        # A null error (or meta field) is an empty CSV cell.
        got = [{k: ("" if v is None and k not in counts else v) for k, v in r.items()} for r in got]
        diff = first_difference(got, want)
        assert diff is None, f"{name}: {lib} reads articles.parquet: {diff}"


def test_parquet_types(parquet_run):
    import pyarrow as pa
    import pyarrow.parquet as pq

    name, out = parquet_run

    def kind(t):
        if pa.types.is_string(t) or pa.types.is_large_string(t) or getattr(pa.types, "is_string_view", lambda _: False)(t):
            return "string"
        if pa.types.is_list(t) or pa.types.is_large_list(t):
            return f"list<{kind(t.value_type)}>"
        if pa.types.is_struct(t):
            return "struct{" + ",".join(f"{t.field(i).name}:{kind(t.field(i).type)}"
                                        for i in range(t.num_fields)) + "}"
        return str(t)

    span = "struct{text:string,start:int64,end:int64}"
    want = {
        "article_id": "string", "claim_index": "int64", "sentence_index": "int64",
        "source": span, "sourcing": "string", "actor": "string",
        "cue": "struct{text:string,start:int64,end:int64,lemma:string}", "content": span,
        "via": "struct{text:string,start:int64,end:int64,sourcing:string}",
        "quote": "string", "stance": "string", "negated": "bool", "issues": "list<string>",
        "rule": "string",
    }
    schema = pq.read_schema(out / "claims.parquet")
    got = {f.name: kind(f.type) for f in schema}
    for col, t in want.items():
        assert got.get(col) == t, f"claims.parquet {col}: {got.get(col)}, expected {t}"
    assert schema.field("via").nullable and schema.field("source").nullable
    sentences = {f.name: kind(f.type) for f in pq.read_schema(out / "sentences.parquet")}
    assert sentences == {"article_id": "string", "sentence_index": "int64", "start": "int64",
                         "end": "int64", "text": "string"}
    articles = {f.name: kind(f.type) for f in pq.read_schema(out / "articles.parquet")}
    for col, t in {"article_id": "string", "input": "string", "status": "string",
                   "error": "string", "chars": "int64", "sentences": "int64", "claims": "int64"}.items():
        assert articles.get(col) == t, f"articles.parquet {col}: {articles.get(col)}, expected {t}"
    if name != "corpus":
        meta = list(articles)[7:]
        assert meta and all(articles[m] == "string" for m in meta), articles
