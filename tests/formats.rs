//! `run --format`: which files a run writes, and Parquet files that hold the
//! JSONL's rows (pandas, polars and DuckDB read them in tests/examples).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;

use parquet::file::reader::{FileReader, SerializedFileReader};

fn run(args: &[&str], out: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_whosaid"))
        .args(["run", "-q"])
        .arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus"))
        .arg("-o")
        .arg(out)
        .args(args)
        .output()
        .expect("run whosaid")
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn parquet_rows(path: &Path) -> i64 {
    let r = SerializedFileReader::new(File::open(path).expect("parquet file")).expect("parquet");
    r.metadata().file_metadata().num_rows()
}

fn lines(path: &Path) -> i64 {
    std::fs::read_to_string(path).unwrap().lines().count() as i64
}

#[test]
fn parquet_files_hold_the_jsonl_rows() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("all");
    assert!(run(&["--format", "jsonl,csv,parquet"], &out)
        .status
        .success());
    assert_eq!(
        names(&out),
        [
            "articles.csv",
            "articles.parquet",
            "claims.csv",
            "claims.jsonl",
            "claims.parquet",
            "run.json",
            "sentences.csv",
            "sentences.jsonl",
            "sentences.parquet"
        ]
    );
    let claims = lines(&out.join("claims.jsonl"));
    assert!(claims > 50);
    assert_eq!(parquet_rows(&out.join("claims.parquet")), claims);
    assert_eq!(
        parquet_rows(&out.join("sentences.parquet")),
        lines(&out.join("sentences.jsonl"))
    );
    assert_eq!(parquet_rows(&out.join("articles.parquet")), 6);

    // Parquet alone, over the same folder: the earlier run's other files go, so
    // the folder never mixes two runs.
    assert!(run(&["--format", "parquet"], &out).status.success());
    assert_eq!(
        names(&out),
        [
            "articles.parquet",
            "claims.parquet",
            "run.json",
            "sentences.parquet"
        ]
    );
    assert_eq!(parquet_rows(&out.join("claims.parquet")), claims);
}

#[test]
fn unknown_formats_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["--format", "xlsx"], &dir.path().join("o"));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown format \"xlsx\""));
}
