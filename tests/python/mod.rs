//! Running a Python test suite (pytest, through its run_tests.sh) from `cargo
//! test`, in the virtualenv that .ci/run makes, so the one test command covers it.

use std::path::PathBuf;
use std::process::Command;

fn venv() -> PathBuf {
    std::env::var_os("WHOSAID_VENV")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/whosaid-venv")))
        .unwrap_or_else(|| PathBuf::from(".venv"))
}

/// Runs `script` (relative to the repository) with the debug binary when the
/// virtualenv can import `modules` and `tools` are on the PATH; otherwise skips
/// with the reason, unless WHOSAID_REQUIRE_PYTHON=1 (CI), which makes a skip a
/// failure.
pub fn run_suite(script: &str, modules: &str, tools: &[&str], env: &[(&str, &str)]) {
    let python = venv().join("bin/python");
    let importable = Command::new(&python)
        .args(["-c", &format!("import {modules}")])
        .output()
        .is_ok_and(|o| o.status.success());
    let missing: Vec<&str> = tools
        .iter()
        .copied()
        .filter(|t| Command::new(t).arg("--version").output().is_err())
        .collect();
    if !importable || !missing.is_empty() {
        let why = format!(
            "{} cannot import {modules}, or {missing:?} is not installed (.ci/run installs them)",
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
        .arg(root.join(script))
        .arg("-s")
        .env("WHOSAID_BIN", env!("CARGO_BIN_EXE_whosaid"))
        .env("WHOSAID_VENV", venv())
        .envs(env.iter().copied())
        .output()
        .unwrap_or_else(|e| panic!("{script}: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!("{text}");
    assert!(out.status.success(), "{script} failed:\n{text}");
}
