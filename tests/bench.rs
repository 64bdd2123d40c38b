//! The throughput benchmark (bench/throughput.py) on a small corpus, so that it
//! never rots: it must run end to end and find -j1 and -j2 output identical.
//! Speed is not asserted here (benchmarks measure it, tests do not). Needs
//! python3 and rg; without them it skips, unless WHOSAID_REQUIRE_SHARED=1 (CI).

use std::path::PathBuf;
use std::process::Command;

fn skip(why: &str) {
    if std::env::var("WHOSAID_REQUIRE_SHARED").is_ok_and(|v| v == "1") {
        panic!("WHOSAID_REQUIRE_SHARED=1 but {why}");
    }
    eprintln!("skipped: {why}");
}

fn have(tool: &str) -> bool {
    Command::new(tool).arg("--version").output().is_ok()
}

#[test]
fn the_benchmark_runs_and_compares_thread_counts() {
    for tool in ["python3", "rg"] {
        if !have(tool) {
            return skip(&format!("{tool} is not installed"));
        }
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let work = tempfile::tempdir().unwrap();
    let out = Command::new("python3")
        .arg(root.join("bench/throughput.py"))
        .args(["--mb", "1", "--repeat", "1", "--json"])
        .arg("--texts")
        .arg(root.join("corpus"))
        .arg("--work")
        .arg(work.path())
        .arg("--whosaid")
        .arg(env!("CARGO_BIN_EXE_whosaid"))
        .output()
        .expect("run bench/throughput.py");
    assert!(out.status.success(), "{out:?}");
    let row: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("one JSON row for one corpus");
    assert_eq!(row["same_bytes_j1_j2"], true, "{row}");
    for key in [
        "j1_MB_s",
        "j2_MB_s",
        "speedup_j2",
        "peak_MiB_j1",
        "rg_MB_s",
        "ratio_j1_rg",
    ] {
        assert!(row[key].as_f64().is_some_and(|v| v > 0.0), "{key} in {row}");
    }
}
