//! PolNeAR dev (../shared/data/polnear): `whosaid eval` against the reference scorer
//! (../shared/tools/score_claims.py), and the dev score against its recorded figure.
//! Skips with a reason when ../shared or python3 is absent, unless
//! WHOSAID_REQUIRE_SHARED=1 (as .ci/run sets), which makes a skip a failure.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// The dev attribution F1 reported in the README; a drop of more than 0.01 below it
/// fails.
const DEV_ATTRIBUTION_F1: f64 = 0.7004;

fn shared() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared");
    let python = Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let why = if !dir.join("data/polnear/dev/text").is_dir() {
        "../shared/data/polnear is absent"
    } else if !python {
        "python3 is absent"
    } else {
        return Some(dir);
    };
    if std::env::var("WHOSAID_REQUIRE_SHARED").is_ok_and(|v| v == "1") {
        panic!("WHOSAID_REQUIRE_SHARED=1 but {why}");
    }
    eprintln!("skipped: {why}");
    None
}

fn whosaid(args: &[&std::ffi::OsStr]) -> std::process::Output {
    let o = Command::new(env!("CARGO_BIN_EXE_whosaid"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "whosaid {args:?} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

fn json(o: &std::process::Output) -> Value {
    serde_json::from_slice(&o.stdout).expect("JSON on stdout")
}

/// Every key and value of the reference (nested) must be in ours: numbers equal,
/// everything else identical. Ours may carry more keys (error examples).
fn assert_agrees(reference: &Value, ours: &Value, path: &str) {
    match (reference, ours) {
        (Value::Object(r), Value::Object(o)) => {
            for (k, v) in r {
                let sub = format!("{path}.{k}");
                let got = o.get(k).unwrap_or_else(|| panic!("eval lacks {sub}"));
                assert_agrees(v, got, &sub);
            }
        }
        (Value::Array(r), Value::Array(o)) => {
            assert_eq!(r.len(), o.len(), "{path}: lengths differ");
            for (i, (a, b)) in r.iter().zip(o).enumerate() {
                assert_agrees(a, b, &format!("{path}[{i}]"));
            }
        }
        (Value::Number(r), Value::Number(o)) => {
            let (a, b) = (r.as_f64().unwrap(), o.as_f64().unwrap());
            assert!(
                (a - b).abs() < 1e-12,
                "{path}: score_claims.py {a}, eval {b}"
            );
        }
        (r, o) => assert_eq!(r, o, "{path}"),
    }
}

fn reference(shared: &Path, claims: &Path, gold: &Path, extra: &[&str]) -> Value {
    let o = Command::new("python3")
        .arg(shared.join("tools/score_claims.py"))
        .arg(claims)
        .arg(gold)
        .arg("--json")
        .args(extra)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "the scorer refused the claims: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    json(&o)
}

#[test]
fn eval_agrees_with_the_reference_scorer_and_dev_holds_its_figure() {
    let Some(shared) = shared() else { return };
    let polnear = shared.join("data/polnear");
    let out = tempfile::tempdir().unwrap();
    whosaid(&[
        "run".as_ref(),
        "--quiet".as_ref(),
        "-o".as_ref(),
        out.path().as_os_str(),
        polnear.join("dev/text").as_os_str(),
    ]);
    let claims = out.path().join("claims.jsonl");
    let gold_jsonl = polnear.join("dev.gold.jsonl");
    let py = reference(&shared, &claims, &gold_jsonl, &["--errors", "15"]);

    // The same figures from the gold JSONL and from the BRAT folder it was made of.
    for gold in [gold_jsonl.as_path(), polnear.join("dev").as_path()] {
        let ours = json(&whosaid(&[
            "eval".as_ref(),
            claims.as_os_str(),
            gold.as_os_str(),
            "--json".as_ref(),
            "--errors".as_ref(),
            "15".as_ref(),
        ]));
        assert_agrees(&py, &ours, &gold.display().to_string());
        assert_eq!(ours["missed_examples"].as_array().map(Vec::len), Some(15));
    }

    // --subset, on a claims file that names a few articles only.
    let body = std::fs::read_to_string(&claims).unwrap();
    let few: Vec<&str> = body.lines().take(40).collect();
    let part = out.path().join("part.jsonl");
    std::fs::write(&part, few.join("\n")).unwrap();
    let py_subset = reference(&shared, &part, &gold_jsonl, &["--subset"]);
    let ours = json(&whosaid(&[
        "eval".as_ref(),
        part.as_os_str(),
        gold_jsonl.as_os_str(),
        "--json".as_ref(),
        "--subset".as_ref(),
    ]));
    assert_agrees(&py_subset, &ours, "subset");

    // The table prints the same figures as the reference's table.
    let table = |o: std::process::Output| String::from_utf8(o.stdout).unwrap();
    let py_table = table(
        Command::new("python3")
            .arg(shared.join("tools/score_claims.py"))
            .arg(&claims)
            .arg(&gold_jsonl)
            .output()
            .unwrap(),
    );
    let our_table = table(whosaid(&[
        "eval".as_ref(),
        claims.as_os_str(),
        gold_jsonl.as_os_str(),
    ]));
    assert_eq!(py_table.trim_end(), our_table.trim_end());

    let f1 = py["attribution"]["f1"].as_f64().unwrap();
    println!(
        "PolNeAR dev: cue F1 {} attribution F1 {f1}",
        py["cue"]["f1"]
    );
    assert!(
        f1 >= DEV_ATTRIBUTION_F1 - 0.01,
        "dev attribution F1 {f1} more than 0.01 below the reported {DEV_ATTRIBUTION_F1}"
    );
}

/// `rules suggest` on PolNeAR train proposes entries, and a rules folder with all of
/// them pasted into cues.toml passes `rules check`.
#[test]
fn suggestions_from_train_pass_rules_check() {
    let Some(shared) = shared() else { return };
    let o = whosaid(&[
        "rules".as_ref(),
        "suggest".as_ref(),
        shared.join("data/polnear/train.gold.jsonl").as_os_str(),
    ]);
    let toml = String::from_utf8(o.stdout).unwrap();
    let entries = toml.matches("\n[[cue]]\n").count();
    assert!(entries >= 20, "only {entries} suggestions:\n{toml}");
    let rules = tempfile::tempdir().unwrap();
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("rules");
    for f in std::fs::read_dir(&src).unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, rules.path().join(f.file_name().unwrap())).unwrap();
    }
    let cues = rules.path().join("cues.toml");
    let mut body = std::fs::read_to_string(&cues).unwrap();
    body.push_str(&toml);
    std::fs::write(&cues, body).unwrap();
    let check = whosaid(&["rules".as_ref(), "check".as_ref(), rules.path().as_os_str()]);
    let said = String::from_utf8_lossy(&check.stdout);
    assert!(said.contains(" 0 failed"), "{said}");
}
