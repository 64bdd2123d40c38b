//! The scale-out modes, run as a driver would: `run --envelope` on a pipe,
//! `run --shard I/N` (and `--byte-range`) then `merge`, each checked against a
//! one-machine run of the same input, byte for byte.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;
use whosaid::write::DATA_FILES;

fn whosaid() -> Command {
    Command::new(env!("CARGO_BIN_EXE_whosaid"))
}

/// A JSONL corpus from the sample articles, repeated with fresh ids, with broken
/// records among them: a text that is a number, a malformed line, a blank line.
fn corpus(dir: &Path, name: &str) -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let mut texts: Vec<String> = std::fs::read_dir(&root)
        .expect("corpus/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .map(|p| std::fs::read_to_string(p).expect("UTF-8"))
        .collect();
    texts.sort();
    let mut lines = Vec::new();
    for i in 0..60 {
        let text = &texts[i % texts.len()];
        lines.push(serde_json::json!({"id": format!("{name}{i:03}"), "text": text}).to_string());
        match i {
            17 => lines.push(format!(r#"{{"id":"{name}-n1","text":5}}"#)),
            31 => lines.push("{not json".into()),
            44 => lines.push(String::new()),
            _ => {}
        }
    }
    let path = dir.join(format!("{name}.jsonl"));
    std::fs::write(&path, lines.join("\n") + "\n").expect("write corpus");
    path
}

fn run(args: &[&str], cwd: &Path) -> std::process::Output {
    whosaid()
        .args(["run", "-q"])
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run whosaid")
}

/// Run each argument list (a shard), then merge the parts in `parts` into `out`.
fn shards_then_merge(runs: &[Vec<String>], parts: &str, out: &str, cwd: &Path) {
    for args in runs {
        let mut args: Vec<&str> = args.iter().map(String::as_str).collect();
        args.extend(["-o", parts]);
        let done = run(&args, cwd);
        assert!(done.status.code().is_some_and(|c| c <= 1), "{done:?}");
    }
    let merged = whosaid()
        .args(["merge", "-q", parts, "-o", out])
        .current_dir(cwd)
        .output()
        .unwrap();
    assert!(merged.status.success(), "{merged:?}");
}

fn same_files(a: &Path, b: &Path) {
    for name in DATA_FILES {
        let (x, y) = (
            std::fs::read(a.join(name)).expect("file a"),
            std::fs::read(b.join(name)).expect("file b"),
        );
        assert!(x == y, "{name} differs between {a:?} and {b:?}");
    }
}

#[test]
fn envelopes_one_line_per_input_line_claims_as_in_the_files() {
    let dir = tempfile::tempdir().unwrap();
    let input = corpus(dir.path(), "corpus");
    let full = run(&["corpus.jsonl", "-o", "full"], dir.path());
    assert_eq!(full.status.code(), Some(1), "broken records: exit 1");

    let bytes = std::fs::read(&input).unwrap();
    let mut child = whosaid()
        .args(["run", "-", "--envelope", "-q"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let feeder = std::thread::spawn(move || stdin.write_all(&bytes));
    let out = child.wait_with_output().unwrap();
    feeder.join().unwrap().unwrap();
    assert_eq!(out.status.code(), Some(1));

    let input_lines = std::fs::read_to_string(&input).unwrap().lines().count();
    let envelopes: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object a line"))
        .collect();
    assert_eq!(envelopes.len(), input_lines, "one envelope per input line");
    let status = |i: usize| envelopes[i]["status"].as_str().unwrap().to_string();
    let errors: Vec<usize> = (0..envelopes.len())
        .filter(|&i| status(i) == "error")
        .collect();
    assert_eq!(errors, [18, 33, 47], "the three broken lines, in place");
    assert_eq!(envelopes[18]["id"], "corpus-n1");
    assert!(envelopes[33]["error"]
        .as_str()
        .unwrap()
        .starts_with("-:34: malformed JSON"));
    assert_eq!(envelopes[47]["error"], "-:48: blank line, no article");

    // The claims are claims.jsonl's, in its order.
    let claims: Vec<Value> = envelopes
        .iter()
        .flat_map(|e| e["claims"].as_array().unwrap().clone())
        .collect();
    let file: Vec<Value> = std::fs::read_to_string(dir.path().join("full/claims.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(!claims.is_empty());
    assert!(claims == file, "envelope claims differ from claims.jsonl");
}

#[test]
fn a_crash_switch_kills_the_stream_for_driver_tests() {
    let mut child = whosaid()
        .args(["run", "-", "--envelope", "-q"])
        .env("WHOSAID_TEST_CRASH_ON_ID", "b")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(b"{\"id\":\"a\",\"text\":\"x\"}\n{\"id\":\"b\",\"text\":\"y\"}\n")
        .unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert!(
        !out.status.success(),
        "a crash is a failure: {:?}",
        out.status
    );
}

#[test]
fn shards_and_byte_ranges_merge_into_the_one_machine_files() {
    let dir = tempfile::tempdir().unwrap();
    let input = corpus(dir.path(), "corpus");
    // A second file, so whole-file shards have something to split.
    corpus(dir.path(), "more");
    let cwd = dir.path();
    run(&["corpus.jsonl", "more.jsonl", "-o", "full"], cwd);
    run(&["corpus.jsonl", "-o", "one"], cwd);

    let shards: Vec<Vec<String>> = (0..3)
        .map(|i| {
            ["more.jsonl", "corpus.jsonl", "--shard", &format!("{i}/3")]
                .map(String::from)
                .to_vec()
        })
        .collect();
    shards_then_merge(&shards, "parts", "merged", cwd);
    same_files(&cwd.join("full"), &cwd.join("merged"));
    let run_json: Value =
        serde_json::from_slice(&std::fs::read(cwd.join("merged/run.json")).unwrap()).unwrap();
    assert_eq!(run_json["counts"]["records"], 2 * 62);

    // Byte ranges cut anywhere, even mid-line: every line read once, same numbers.
    let size = std::fs::metadata(&input).unwrap().len();
    let cuts = [0, 1, size / 3, size / 3 + 1, size - 1, size];
    let ranges: Vec<Vec<String>> = cuts
        .windows(2)
        .enumerate()
        .map(|(i, w)| {
            let (shard, range) = (format!("{i}/5"), format!("{}:{}", w[0], w[1]));
            ["corpus.jsonl", "--shard", &shard, "--byte-range", &range]
                .map(String::from)
                .to_vec()
        })
        .collect();
    shards_then_merge(&ranges, "ranges", "rmerged", cwd);
    same_files(&cwd.join("one"), &cwd.join("rmerged"));

    // A missing part, and a damaged one, are refused with their names.
    std::fs::remove_file(cwd.join("ranges/part-2-of-5.manifest.json")).unwrap();
    let out = whosaid()
        .args(["merge", "ranges", "-o", "bad"])
        .current_dir(cwd)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("parts 2 of 5 missing"), "{err}");
    assert!(!cwd.join("bad/claims.jsonl").exists());

    let claims = cwd.join("parts/part-1-of-3.claims.jsonl");
    let mut bytes = std::fs::read(&claims).unwrap();
    bytes[10] ^= 1;
    std::fs::write(&claims, bytes).unwrap();
    let out = whosaid()
        .args(["merge", "parts", "-o", "bad"])
        .current_dir(cwd)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("part-1-of-3.claims.jsonl: does not match"),
        "{err}"
    );
}

#[test]
fn shard_flags_are_checked_before_anything_is_read() {
    let dir = tempfile::tempdir().unwrap();
    corpus(dir.path(), "corpus");
    for (args, why) in [
        (vec!["corpus.jsonl", "--shard", "3/3"], "0 <= I < N"),
        (vec!["corpus.jsonl", "--byte-range", "0:10"], "--shard"),
        (
            vec![
                "corpus.jsonl",
                "corpus.jsonl",
                "--shard",
                "0/1",
                "--byte-range",
                "0:10",
            ],
            "one uncompressed .jsonl",
        ),
        (
            vec!["corpus.jsonl", "--envelope"],
            "give - as the only input",
        ),
    ] {
        let out = run(&args, dir.path());
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(why), "{args:?}: {err}");
    }
}
