//! The notebook recipes and the report in a browser (tests/examples, pytest):
//! examples/analyse.py and examples/analyse.ipynb run on real runs and must
//! reproduce the report's numbers; the report renders in headless Chromium with
//! no console error, no empty chart and no page wider than the window; Parquet
//! files read in pandas, polars and DuckDB give the JSONL's rows. Needs the
//! virtualenv (examples/requirements.txt) and Debian's chromium; see
//! tests/python/mod.rs.

mod python;

#[test]
fn notebooks_and_the_report_in_a_browser() {
    python::run_suite(
        "tests/examples/run_tests.sh",
        "pandas, polars, duckdb, matplotlib, nbclient, websocket",
        &["chromium"],
        &[],
    );
}
