//! The notebook recipes and the report in a browser (tests/examples, pytest):
//! examples/analyse.py and examples/analyse.ipynb run on real runs and must
//! reproduce the report's numbers; the report renders in headless Chromium with
//! no console error, no empty chart and no page wider than the window; Parquet
//! files read in pandas, polars and DuckDB give the JSONL's rows. Run from
//! `cargo test` so that the one test command covers it. It needs the virtualenv
//! that .ci/run makes (examples/requirements.txt) and Debian's chromium; without
//! them it skips with the reason, unless WHOSAID_REQUIRE_PYTHON=1 (CI).

use std::path::PathBuf;
use std::process::Command;

fn venv() -> PathBuf {
    std::env::var_os("WHOSAID_VENV")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/whosaid-venv")))
        .unwrap_or_else(|| PathBuf::from(".venv"))
}

#[test]
fn notebooks_and_the_report_in_a_browser() {
    let python = venv().join("bin/python");
    let ready = Command::new(&python)
        .args([
            "-c",
            "import pandas, polars, duckdb, matplotlib, nbclient, websocket",
        ])
        .output()
        .is_ok_and(|o| o.status.success())
        && Command::new("chromium").arg("--version").output().is_ok();
    if !ready {
        let why = format!(
            "{} lacks examples/requirements.txt, or chromium is missing (.ci/run installs both)",
            python.display()
        );
        if std::env::var("WHOSAID_REQUIRE_PYTHON").is_ok_and(|v| v == "1") {
            panic!("WHOSAID_REQUIRE_PYTHON=1 but {why}");
        }
        eprintln!("skipped: {why}");
        return;
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new("bash")
        .arg(root.join("tests/examples/run_tests.sh"))
        .arg("-s")
        .env("WHOSAID_BIN", env!("CARGO_BIN_EXE_whosaid"))
        .env("WHOSAID_VENV", venv())
        .output()
        .expect("run tests/examples/run_tests.sh");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!("{text}");
    assert!(out.status.success(), "the examples suite failed:\n{text}");
}
