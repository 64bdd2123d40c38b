//! `whosaid eval` on the project's own samples (native gold, no ../shared needed):
//! it reads the native layout, honours debatable claims and refuses bad claims with
//! file and line.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn eval(claims: &Path, gold: &Path, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_whosaid"))
        .arg("eval")
        .arg(claims)
        .arg(gold)
        .args(["--texts", root().join("corpus").to_str().unwrap()])
        .args(extra)
        .output()
        .expect("run whosaid eval")
}

fn corpus_claims(dir: &Path) -> PathBuf {
    let status = Command::new(env!("CARGO_BIN_EXE_whosaid"))
        .args(["run", "--quiet", "-o"])
        .arg(dir)
        .arg(root().join("corpus"))
        .status()
        .unwrap();
    assert!(status.success());
    dir.join("claims.jsonl")
}

#[test]
fn native_sample_gold_is_scored_file_or_folder() {
    let out = tempfile::tempdir().unwrap();
    let claims = corpus_claims(out.path());
    let samples = root().join("tests/samples");
    let o = eval(&claims, &samples, &["--json", "--errors", "3"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let all: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(all["articles"], 6);
    assert!(all["cue"]["r"].as_f64().unwrap() >= 0.85, "{}", all["cue"]);
    assert!(
        all["attribution"]["p"].as_f64().unwrap() >= 0.80,
        "{}",
        all["attribution"]
    );
    // Debatable claims neither count as gold nor penalise a prediction.
    let required: usize = std::fs::read_dir(&samples)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".gold.jsonl"))
        .map(|p| {
            std::fs::read_to_string(p)
                .unwrap()
                .lines()
                .filter(|l| !l.contains("\"required\": false"))
                .count()
        })
        .sum();
    assert_eq!(all["gold_attributions"], required);

    // One gold file: the claims must name its article only, as with any gold.
    let seed = out.path().join("seed.jsonl");
    let body = std::fs::read_to_string(&claims).unwrap();
    let lines: Vec<&str> = body
        .lines()
        .filter(|l| l.contains("\"article_id\":\"ukraine-us-talks\""))
        .collect();
    assert!(lines.len() > 10);
    std::fs::write(&seed, lines.join("\n")).unwrap();
    let one = eval(
        &seed,
        &samples.join("ukraine-us-talks.gold.jsonl"),
        &["--json"],
    );
    assert!(
        one.status.success(),
        "{}",
        String::from_utf8_lossy(&one.stderr)
    );
    let one: Value = serde_json::from_slice(&one.stdout).unwrap();
    assert_eq!(one["articles"], 1);
    assert!(
        one["attribution"]["f1"].as_f64().unwrap() >= 0.85,
        "{}",
        one["attribution"]
    );
}

#[test]
fn bad_claims_are_refused_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let samples = root().join("tests/samples");
    let cases = [
        (
            r#"{"article_id": "no-such-article", "cue": {"start": 0, "end": 1}}"#,
            "article_id \"no-such-article\" is not in the gold",
        ),
        (
            r#"{"article_id": "ukraine-us-talks", "cue": {"text": "xyz", "start": 0, "end": 3}}"#,
            "cue text \"xyz\" is not the article text at 0:3",
        ),
        (
            r#"{"article_id": "ukraine-us-talks", "cue": {"start": 5, "end": 99999}}"#,
            "cue offsets 5 99999 outside the article",
        ),
        (r#"{"article_id": "ukraine-us-talks""#, "not JSON"),
    ];
    for (line, why) in cases {
        let claims = dir.path().join("claims.jsonl");
        std::fs::write(&claims, format!("\n{line}\n")).unwrap();
        let o = eval(&claims, &samples, &[]);
        assert_eq!(o.status.code(), Some(2), "{line}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains(&format!("{}:2: ", claims.display())) && err.contains(why),
            "{line}: {err}"
        );
    }
}

#[test]
fn native_gold_without_texts_says_where_it_looked() {
    let dir = tempfile::tempdir().unwrap();
    let claims = dir.path().join("claims.jsonl");
    std::fs::write(&claims, "").unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_whosaid"))
        .arg("eval")
        .arg(&claims)
        .arg(root().join("tests/samples"))
        .args(["--texts", dir.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains(".gold.jsonl:1: no text for article"), "{err}");
    assert!(err.contains("--texts"), "{err}");
}

#[test]
fn suggestions_from_the_samples_paste_into_a_rules_folder_that_checks() {
    let o = Command::new(env!("CARGO_BIN_EXE_whosaid"))
        .args([
            "rules",
            "suggest",
            "--min-count",
            "1",
            "--min-precision",
            "0",
        ])
        .arg(root().join("tests/samples"))
        .args(["--texts", root().join("corpus").to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let toml = String::from_utf8(o.stdout).unwrap();
    assert!(toml.starts_with("# whosaid rules suggest: "), "{toml}");
    assert!(toml.contains("missed by the current rules"), "{toml}");
    let dir = tempfile::tempdir().unwrap();
    for f in std::fs::read_dir(root().join("rules")).unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, dir.path().join(f.file_name().unwrap())).unwrap();
    }
    let cues = dir.path().join("cues.toml");
    let body = std::fs::read_to_string(&cues).unwrap() + &toml;
    std::fs::write(&cues, body).unwrap();
    let check = Command::new(env!("CARGO_BIN_EXE_whosaid"))
        .args(["rules", "check"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
}
