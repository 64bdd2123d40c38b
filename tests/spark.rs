//! The Spark recipes' test suite (scale/spark/tests, pytest on `local[2]`), run
//! from `cargo test` so that the one test command covers it. It needs the
//! virtualenv that .ci/run makes (pyspark, pandas, pyarrow, pytest; see
//! scale/spark/run_tests.sh) and Java 17. Without them it skips with the reason,
//! unless WHOSAID_REQUIRE_PYTHON=1 (CI), which makes a skip a failure.

use std::path::PathBuf;
use std::process::Command;

fn venv() -> PathBuf {
    std::env::var_os("WHOSAID_VENV")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/whosaid-venv")))
        .unwrap_or_else(|| PathBuf::from(".venv"))
}

#[test]
fn spark_recipes_give_the_one_machine_claims() {
    let python = venv().join("bin/python");
    let ready = Command::new(&python)
        .args(["-c", "import pyspark, pytest, pyarrow, pandas"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ready {
        let why = format!(
            "{} cannot import pyspark, pytest, pyarrow and pandas (scale/spark/run_tests.sh installs them)",
            python.display()
        );
        if std::env::var("WHOSAID_REQUIRE_PYTHON").is_ok_and(|v| v == "1") {
            panic!("WHOSAID_REQUIRE_PYTHON=1 but {why}");
        }
        eprintln!("skipped: {why}");
        return;
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    // The debug binary that cargo test built: the suite checks bytes, not speed,
    // so its throughput test runs on a small corpus here.
    let out = Command::new("bash")
        .arg(root.join("scale/spark/run_tests.sh"))
        .arg("-s")
        .env("WHOSAID_BIN", env!("CARGO_BIN_EXE_whosaid"))
        .env("WHOSAID_VENV", venv())
        .env("WHOSAID_SPARK_BENCH_MB", "2")
        .output()
        .expect("run scale/spark/run_tests.sh");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!("{text}");
    assert!(out.status.success(), "the Spark suite failed:\n{text}");
}
