//! Integration tests that run the `whosaid` binary: input kinds, error records,
//! exit codes, the output contract (../shared/SCHEMA.md) and determinism.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;
use whosaid::write::DATA_FILES;

fn whosaid() -> Command {
    Command::new(env!("CARGO_BIN_EXE_whosaid"))
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run(args: &[&str], out: &Path) -> Output {
    whosaid()
        .arg("run")
        .arg("--quiet")
        .arg("-o")
        .arg(out)
        .args(args)
        .output()
        .expect("run whosaid")
}

fn jsonl(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect()
}

fn csv_rows(path: &Path) -> Vec<csv::StringRecord> {
    csv::Reader::from_path(path)
        .expect("csv")
        .records()
        .map(|r| r.expect("row"))
        .collect()
}

fn manifest(dir: &Path) -> Vec<(String, String, String, String)> {
    csv_rows(&dir.join("articles.csv"))
        .iter()
        .map(|r| {
            (
                r[0].to_string(),
                r[1].to_string(),
                r[2].to_string(),
                r[3].to_string(),
            )
        })
        .collect()
}

/// Python's text[start:end] on character offsets.
fn slice(text: &str, start: u64, end: u64) -> String {
    text.chars()
        .skip(start as usize)
        .take((end - start) as usize)
        .collect()
}

// SCHEMA.md's value sets written out here rather than taken from
// `whosaid::rules::SOURCINGS`/`STANCES`: a wrong value added to the library's
// lists must still fail this test.
const SOURCINGS: &[&str] = &[
    "named_person",
    "named_organization",
    "unnamed_official",
    "anonymous",
    "media_report",
    "document",
    "pronoun",
    "unattributed",
];
const STANCES: &[&str] = &[
    "assert", "support", "oppose", "propose", "concern", "confirm",
];
const CLAIM_KEYS: &[&str] = &[
    "article_id",
    "claim_index",
    "sentence_index",
    "source",
    "sourcing",
    "actor",
    "cue",
    "content",
    "via",
    "quote",
    "stance",
    "negated",
    "issues",
    "rule",
];

#[test]
fn corpus_run_writes_six_files_that_hold_to_the_schema() {
    let out = tempfile::tempdir().unwrap();
    let o = run(&[root().join("corpus").to_str().unwrap()], out.path());
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    for f in DATA_FILES.iter().chain(&["run.json"]) {
        assert!(out.path().join(f).is_file(), "{f} missing");
    }
    let leftovers: Vec<_> = std::fs::read_dir(out.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with('.')
        })
        .collect();
    assert!(leftovers.is_empty(), "temporary files left behind");

    let text = |id: &str| {
        std::fs::read_to_string(root().join("corpus").join(format!("{id}.txt"))).unwrap()
    };
    let claims = jsonl(&out.path().join("claims.jsonl"));
    assert!(
        claims.len() > 40,
        "only {} claims on the corpus",
        claims.len()
    );
    let mut last: Option<(String, u64)> = None;
    for c in &claims {
        for k in CLAIM_KEYS {
            assert!(c.get(*k).is_some(), "claim lacks {k}: {c}");
        }
        assert!(SOURCINGS.contains(&c["sourcing"].as_str().unwrap()), "{c}");
        assert!(STANCES.contains(&c["stance"].as_str().unwrap()), "{c}");
        assert!(
            ["direct", "mixed", "indirect"].contains(&c["quote"].as_str().unwrap()),
            "{c}"
        );
        assert!(
            c["negated"].is_boolean()
                && c["issues"].is_array()
                && c["rule"].as_str().unwrap().starts_with("claim/")
        );
        let id = c["article_id"].as_str().unwrap();
        let t = text(id);
        for field in ["source", "cue", "content"] {
            if let Some(s) = c[field].as_object() {
                let got = slice(&t, s["start"].as_u64().unwrap(), s["end"].as_u64().unwrap());
                assert_eq!(got, s["text"].as_str().unwrap(), "{field} offsets of {c}");
            }
        }
        if let Some(v) = c["via"].as_object() {
            assert!(SOURCINGS.contains(&v["sourcing"].as_str().unwrap()));
            assert_eq!(
                slice(&t, v["start"].as_u64().unwrap(), v["end"].as_u64().unwrap()),
                v["text"].as_str().unwrap()
            );
        }
        assert_eq!(
            c["source"].is_null(),
            c["actor"].is_null(),
            "actor is null exactly when source is: {c}"
        );
        assert_eq!(
            c["source"].is_null(),
            c["sourcing"] == "unattributed",
            "{c}"
        );
        // claim_index counts up from 0 within an article
        let idx = c["claim_index"].as_u64().unwrap();
        match &last {
            Some((prev, i)) if prev == id => assert_eq!(idx, i + 1),
            _ => assert_eq!(idx, 0),
        }
        last = Some((id.to_string(), idx));
    }
    let csv_claims = csv_rows(&out.path().join("claims.csv"));
    assert_eq!(csv_claims.len(), claims.len());
    let sentences = jsonl(&out.path().join("sentences.jsonl"));
    for s in &sentences {
        let t = text(s["article_id"].as_str().unwrap());
        assert_eq!(
            slice(&t, s["start"].as_u64().unwrap(), s["end"].as_u64().unwrap()),
            s["text"].as_str().unwrap()
        );
    }
    assert_eq!(
        csv_rows(&out.path().join("sentences.csv")).len(),
        sentences.len()
    );
    let m = manifest(out.path());
    assert_eq!(m.len(), 6);
    assert!(m.iter().all(|r| r.2 == "ok" && r.3.is_empty()));
    let run_json: Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("run.json")).unwrap())
            .unwrap();
    assert_eq!(
        run_json["counts"]["claims"].as_u64().unwrap() as usize,
        claims.len()
    );
    assert!(run_json["rules_version"].is_string() && run_json["whosaid_version"].is_string());
}

#[test]
fn same_bytes_for_any_thread_count() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let corpus = root().join("corpus");
    assert!(run(&["-j", "1", corpus.to_str().unwrap()], a.path())
        .status
        .success());
    assert!(run(&["-j", "2", corpus.to_str().unwrap()], b.path())
        .status
        .success());
    for f in DATA_FILES {
        assert_eq!(
            std::fs::read(a.path().join(f)).unwrap(),
            std::fs::read(b.path().join(f)).unwrap(),
            "{f} differs"
        );
    }
}

const ARTICLE: &str = "Ukrainian officials have firmly rejected the plan, Reuters reported.";

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

#[test]
fn every_input_kind_is_read_with_its_ids() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("in/sub")).unwrap();
    std::fs::write(d.join("in/sub/nested.txt"), ARTICLE).unwrap();
    std::fs::write(d.join("in/notes.md"), "not an input").unwrap();
    let line = |id: &str| {
        format!(
            "{{\"id\":\"{id}\",\"text\":{},\"publisher\":\"AP\",\"date\":\"2025-03-01\"}}\n",
            serde_json::to_string(ARTICLE).unwrap()
        )
    };
    std::fs::write(d.join("in/a.jsonl"), line("j1")).unwrap();
    std::fs::write(d.join("in/b.jsonl.gz"), gzip(line("g1").as_bytes())).unwrap();
    std::fs::write(
        d.join("in/c.csv"),
        format!("id,text,publisher\nc1,\"{ARTICLE}\",Reuters\n"),
    )
    .unwrap();
    std::fs::write(d.join("single.txt"), ARTICLE).unwrap();

    let out = d.join("out");
    let o = whosaid()
        .args(["run", "--quiet", "--meta", "publisher,date", "-o"])
        .arg(&out)
        .arg(d.join("in"))
        .arg(d.join("single.txt"))
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            child
                .stdin
                .take()
                .unwrap()
                .write_all(line("s1").as_bytes())
                .unwrap();
            child.wait_with_output()
        })
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let rows = csv_rows(&out.join("articles.csv"));
    let ids: Vec<&str> = rows.iter().map(|r| &r[0]).collect();
    assert_eq!(ids, ["j1", "g1", "c1", "sub/nested", "single", "s1"]);
    let header = csv::Reader::from_path(out.join("articles.csv"))
        .unwrap()
        .headers()
        .unwrap()
        .clone();
    assert_eq!(&header[7], "publisher");
    assert_eq!(&header[8], "date");
    assert_eq!(&rows[0][7], "AP");
    assert_eq!(&rows[2][7], "Reuters");
    assert_eq!(
        &rows[0][1],
        &format!("{}:1", d.join("in/a.jsonl").display())
    );
    let claims = jsonl(&out.join("claims.jsonl"));
    assert_eq!(claims.len(), 6, "one claim from each of the six records");
    let run_json: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    assert!(
        run_json["skipped_files"][0]
            .as_str()
            .unwrap()
            .ends_with("notes.md"),
        "skipped files are reported"
    );
}

#[test]
fn broken_records_are_named_in_the_manifest_and_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("in");
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(d.join("a-latin1.txt"), b"caf\xe9 said the talks failed.").unwrap();
    std::fs::write(d.join("b-nul.txt"), b"Officials said\0 it failed.").unwrap();
    std::fs::write(d.join("c-empty.txt"), "  \n").unwrap();
    std::fs::write(
        d.join("d-bom-crlf.txt"),
        "\u{feff}Kyiv said the plan failed.\r\nIt said talks would go on.\r\n",
    )
    .unwrap();
    let good = serde_json::to_string(ARTICLE).unwrap();
    std::fs::write(
        d.join("e.jsonl"),
        format!("{{\"id\":\"ok1\",\"text\":{good}}}\n{{not json\n\n{{\"id\":\"notext\"}}\n{{\"id\":\"num\",\"text\":42}}\n{{\"id\":\"ok1\",\"text\":{good}}}\n{{\"id\":\"last\",\"text\":{good}}}"),
    )
    .unwrap();
    let gz = gzip(
        format!("{{\"id\":\"gz1\",\"text\":{good}}}\n{{\"id\":\"gz2\",\"text\":{good}}}\n")
            .as_bytes(),
    );
    std::fs::write(d.join("f.jsonl.gz"), &gz[..gz.len() - 12]).unwrap();
    std::fs::write(
        d.join("g.csv"),
        format!("id,text\nq1,\"{ARTICLE}\nsecond line\"\nshort\n"),
    )
    .unwrap();

    let out = dir.path().join("out");
    let o = run(&[d.to_str().unwrap()], &out);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let m = manifest(&out);
    let by_id = |id: &str| {
        m.iter()
            .find(|r| r.0 == id)
            .unwrap_or_else(|| panic!("no row for {id}: {m:?}"))
            .clone()
    };
    let err = |id: &str, needle: &str| {
        let r = by_id(id);
        assert_eq!(r.2, "error", "{id}: {r:?}");
        assert!(
            r.3.contains(needle),
            "{id}: error {:?} lacks {needle:?}",
            r.3
        );
    };
    err(
        "a-latin1",
        "a-latin1.txt: not UTF-8 (invalid byte 0xE9 at byte offset 3)",
    );
    err("b-nul", "NUL byte at byte offset 14");
    assert_eq!(by_id("c-empty").2, "ok");
    assert_eq!(by_id("d-bom-crlf").2, "ok");
    assert_eq!(by_id("ok1").2, "ok");
    let e = d.join("e.jsonl").display().to_string();
    err(&format!("{e}:2"), &format!("{e}:2: malformed JSON"));
    err("notext", &format!("{e}:4: missing \"text\" field"));
    err("num", &format!("{e}:5: \"text\" field is not a string"));
    assert_eq!(m.iter().filter(|r| r.0 == "ok1").count(), 2);
    let dup = m.iter().filter(|r| r.0 == "ok1").nth(1).unwrap();
    assert!(
        dup.3
            .contains(&format!("{e}:6: duplicate id \"ok1\", first seen at {e}:1")),
        "{dup:?}"
    );
    assert_eq!(
        by_id("last").2,
        "ok",
        "a last line without newline is a record"
    );
    assert_eq!(by_id("gz1").2, "ok", "records before gzip damage are kept");
    assert!(
        m.iter()
            .any(|r| r.2 == "error" && r.3.contains("f.jsonl.gz") && r.3.contains("read failed")),
        "{m:?}"
    );
    assert_eq!(by_id("q1").2, "ok", "quoted newline in CSV is valid");
    err(
        &format!("{}:4", d.join("g.csv").display()),
        "row has 1 fields, the header has 2",
    );

    // Every record has one row; only good records have claims.
    let claims = jsonl(&out.join("claims.jsonl"));
    assert!(claims
        .iter()
        .all(|c| m.iter().any(|r| r.0 == c["article_id"] && r.2 == "ok")));
    // BOM dropped and CRLF kept: offsets index the text as read, less the BOM.
    let crlf = "Kyiv said the plan failed.\r\nIt said talks would go on.\r\n";
    for c in claims.iter().filter(|c| c["article_id"] == "d-bom-crlf") {
        let cue = &c["cue"];
        assert_eq!(
            slice(
                crlf,
                cue["start"].as_u64().unwrap(),
                cue["end"].as_u64().unwrap()
            ),
            cue["text"].as_str().unwrap()
        );
    }
}

#[test]
fn missing_input_is_fatal_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = run(&["/no/such/input.txt"], &out);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("/no/such/input.txt: no such file or folder"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1);
    assert!(!out.exists(), "no output folder for a fatal error");
}

#[test]
fn output_path_that_is_a_file_is_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::write(&out, "a file").unwrap();
    let o = run(&[root().join("corpus").to_str().unwrap()], &out);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("exists and is not a folder"));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "a file");
}

fn copy_rules(to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(root().join("rules")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, to.join(p.file_name().unwrap())).unwrap();
    }
}

#[test]
fn invalid_rules_are_refused_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    copy_rules(&rules);
    let cues = std::fs::read_to_string(rules.join("cues.toml")).unwrap();
    let line = cues
        .lines()
        .position(|l| l.starts_with("stance = "))
        .unwrap()
        + 1;
    let broken = cues.replacen("stance = \"assert\"", "stance = \"shrug\"", 1);
    std::fs::write(rules.join("cues.toml"), broken).unwrap();
    let out = dir.path().join("out");
    let o = run(
        &[
            "--rules",
            rules.to_str().unwrap(),
            root().join("corpus").to_str().unwrap(),
        ],
        &out,
    );
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!("cues.toml:{line}: unknown stance class \"shrug\"")),
        "{err}"
    );
    assert!(!out.exists());
    let o = whosaid()
        .args(["rules", "check"])
        .arg(&rules)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown stance class"));
}

#[test]
fn embedded_rules_check_passes() {
    let o = whosaid().args(["rules", "check"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains(" 0 failed"), "{stdout}");
}

#[test]
fn version_names_the_rules_version() {
    let o = whosaid().arg("--version").output().unwrap();
    let v = String::from_utf8_lossy(&o.stdout);
    let rules = std::fs::read_to_string(root().join("rules/rules.toml")).unwrap();
    let rv = rules
        .lines()
        .find_map(|l| l.strip_prefix("version = "))
        .unwrap()
        .trim_matches('"');
    assert_eq!(
        v.trim(),
        format!("whosaid {} (rules {rv})", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn help_documents_inputs_outputs_and_exit_codes() {
    let o = whosaid().args(["run", "--help"]).output().unwrap();
    let h = String::from_utf8_lossy(&o.stdout);
    for needle in [
        ".jsonl.gz",
        "claims.jsonl",
        "articles.csv",
        "run.json",
        "--threads",
        "--meta",
        "--rules",
        "--csv-safe",
        "Exit codes",
    ] {
        assert!(h.contains(needle), "run --help lacks {needle}");
    }
}
