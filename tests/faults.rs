//! The fault matrix of issue 7: every kind of broken input is built in a temp folder
//! and run through the binary. For each kind: the run finishes with the documented
//! exit code, every good record's claims are present and identical to a clean run's,
//! and every bad record has exactly one articles.csv row with status `error` and a
//! message naming the file, the line (or a byte offset) and the cause.
//!
//! Commands run in the case folder with relative paths, so messages are compared
//! as the user sees them (`in/e.jsonl:2: malformed JSON ...`). The crash test sends
//! real signals and is unix-only. `WHOSAID_FAULT_MB` sets the size of kind 8's big
//! article (default 50).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use whosaid::write::DATA_FILES;

const ARTICLE: &str = "Ukrainian officials have firmly rejected the plan, Reuters reported.";
const CRLF_TEXT: &str = "Kyiv said the plan failed.\r\nIt said talks would go on.\r\n";

fn whosaid() -> Command {
    Command::new(env!("CARGO_BIN_EXE_whosaid"))
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// One JSONL record.
fn rec(id: &str, text: &str) -> String {
    serde_json::json!({ "id": id, "text": text }).to_string()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// 1-based line of byte `at`.
fn line_at(src: &str, at: usize) -> usize {
    src[..at].matches('\n').count() + 1
}

/// Python's text[start:end] on character offsets.
fn slice(text: &str, start: &Value, end: &Value) -> String {
    let (s, e) = (
        start.as_u64().unwrap() as usize,
        end.as_u64().unwrap() as usize,
    );
    text.chars().skip(s).take(e - s).collect()
}

/// A temp folder that inputs are built in and commands run in.
struct Case {
    tmp: tempfile::TempDir,
}

/// One finished `whosaid run`.
struct Run {
    code: Option<i32>,
    stderr: String,
    out: PathBuf,
}

/// One articles.csv row.
#[derive(Debug)]
struct Row {
    id: String,
    input: String,
    status: String,
    error: String,
    chars: usize,
    sentences: usize,
    claims: usize,
}

impl Case {
    fn new() -> Case {
        Case {
            tmp: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.tmp.path().join(rel)
    }

    /// Write `data` to `rel`, creating folders.
    fn file(&self, rel: &str, data: impl AsRef<[u8]>) {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, data).unwrap();
    }

    fn cmd(&self) -> Command {
        let mut c = whosaid();
        c.current_dir(self.tmp.path());
        c
    }

    /// `whosaid run --quiet -o OUT ARGS...`
    fn run(&self, out: &str, args: &[&str]) -> Run {
        let o = self
            .cmd()
            .args(["run", "--quiet", "-o", out])
            .args(args)
            .output()
            .expect("run whosaid");
        Run {
            code: o.status.code(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
            out: self.path(out),
        }
    }

    /// Run `whosaid run --quiet -o out INPUT` to its end, killing it at `cap`; the
    /// wall time and the peak RSS in kB (read from /proc, so None off Linux).
    fn bounded(&self, input: &str, cap: Duration) -> (ExitStatus, Duration, Option<u64>) {
        let start = Instant::now();
        let mut child = self
            .cmd()
            .args(["run", "--quiet", "-o", "out-bounded", input])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let status_file = format!("/proc/{}/status", child.id());
        let mut peak = None;
        loop {
            let hwm = std::fs::read_to_string(&status_file).ok().and_then(|s| {
                s.lines()
                    .find_map(|l| l.strip_prefix("VmHWM:"))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            });
            peak = peak.max(hwm);
            if let Some(status) = child.try_wait().unwrap() {
                return (status, start.elapsed(), peak);
            }
            if start.elapsed() > cap {
                let _ = child.kill();
                let _ = child.wait();
                panic!("{input}: still running after {cap:?}, killed");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Run {
    fn rows(&self) -> Vec<Row> {
        let path = self.out.join("articles.csv");
        csv::Reader::from_path(&path)
            .unwrap_or_else(|e| panic!("{}: {e}; stderr: {}", path.display(), self.stderr))
            .records()
            .map(|r| {
                let r = r.unwrap();
                Row {
                    id: r[0].to_string(),
                    input: r[1].to_string(),
                    status: r[2].to_string(),
                    error: r[3].to_string(),
                    chars: r[4].parse().unwrap(),
                    sentences: r[5].parse().unwrap(),
                    claims: r[6].parse().unwrap(),
                }
            })
            .collect()
    }

    fn jsonl(&self, name: &str) -> Vec<Value> {
        std::fs::read_to_string(self.out.join(name))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// Article id → its claims.jsonl lines and claims.csv rows, as written.
    fn claims(&self) -> BTreeMap<String, Vec<String>> {
        let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let text = std::fs::read_to_string(self.out.join("claims.jsonl")).unwrap();
        for line in text.lines() {
            let v: Value = serde_json::from_str(line).unwrap();
            let id = v["article_id"].as_str().unwrap().to_string();
            m.entry(id).or_default().push(line.to_string());
        }
        for r in csv::Reader::from_path(self.out.join("claims.csv"))
            .unwrap()
            .records()
        {
            let r = r.unwrap();
            let row = r.iter().collect::<Vec<_>>().join("\u{1f}");
            m.entry(r[0].to_string()).or_default().push(row);
        }
        m
    }
}

/// The files under their final names, with their bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    DATA_FILES
        .iter()
        .chain(&["run.json"])
        .filter_map(|f| Some((f.to_string(), std::fs::read(dir.join(f)).ok()?)))
        .collect()
}

/// Hidden entries of an output folder (temporary folders of unfinished runs).
fn hidden(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect()
}

/// An error row names its place (its `input`) first, with a line number or a byte
/// offset (a .txt is one record: its file alone is its place), then a cause.
fn assert_names_place(r: &Row) {
    let prefix = format!("{}: ", r.input);
    assert!(
        r.error.starts_with(&prefix),
        "{r:?}: error does not start with its place"
    );
    let cause = &r.error[prefix.len()..];
    let has_line = r
        .input
        .rsplit_once(':')
        .is_some_and(|(_, n)| n.parse::<u64>().is_ok());
    let txt = r.input.to_ascii_lowercase().ends_with(".txt");
    assert!(
        has_line || txt || cause.contains("offset"),
        "{r:?}: no line or offset"
    );
    assert!(cause.len() >= 8, "{r:?}: no cause");
}

/// The issue's checks: `bad` exits with `code`; its error rows are exactly `errors`
/// (input column, a piece of the message); every record of `clean` is ok in `bad`
/// with byte-identical claims, and no other record has claims.
fn check(bad: &Run, clean: &Run, code: i32, errors: &[(&str, &str)]) {
    assert_eq!(clean.code, Some(0), "clean run: {}", clean.stderr);
    assert_eq!(bad.code, Some(code), "exit code; stderr: {}", bad.stderr);
    let rows = bad.rows();
    assert!(rows.iter().all(|r| r.status == "ok" || r.status == "error"));
    let errs: Vec<&Row> = rows.iter().filter(|r| r.status == "error").collect();
    for r in &errs {
        assert_names_place(r);
        assert_eq!((r.sentences, r.claims), (0, 0), "{r:?}");
    }
    for (input, needle) in errors {
        let hits: Vec<&&Row> = errs.iter().filter(|r| r.input == *input).collect();
        assert_eq!(
            hits.len(),
            1,
            "one error row for {input}; error rows: {errs:#?}"
        );
        assert!(
            hits[0].error.contains(needle),
            "{:?} lacks {needle:?}",
            hits[0].error
        );
    }
    assert_eq!(errs.len(), errors.len(), "unexpected error rows: {errs:#?}");
    let (got, want) = (bad.claims(), clean.claims());
    for r in clean.rows() {
        assert!(
            rows.iter().any(|b| b.id == r.id && b.status == "ok"),
            "good record {} is not ok: {rows:#?}",
            r.id
        );
        assert_eq!(got.get(&r.id), want.get(&r.id), "claims of {} differ", r.id);
    }
    for id in got.keys() {
        assert!(
            want.contains_key(id),
            "claims for {id}, which the clean run has not"
        );
    }
}

#[test]
fn k1_non_utf8_and_nul_are_error_rows_with_byte_offsets() {
    let c = Case::new();
    c.file("in/a-good.txt", ARTICLE);
    c.file("clean/a-good.txt", ARTICLE);
    c.file("in/b-latin1.txt", b"Caf\xe9 owners said the talks failed.");
    c.file("in/c-nul.txt", b"Officials said\0 it failed.");
    c.file(
        "in/d.jsonl",
        b"{\"id\":\"l1\",\"text\":\"caf\xe9 said it.\"}\n{\"id\":\"n1\",\"text\":\"x\\u0000 said y.\"}\n",
    );
    c.file("in/e.csv", b"id,text\nc1,\"caf\xe9 said it.\"\n");
    check(
        &c.run("out", &["in"]),
        &c.run("ref", &["clean"]),
        1,
        &[
            (
                "in/b-latin1.txt",
                "not UTF-8 (invalid byte 0xE9 at byte offset 3)",
            ),
            ("in/c-nul.txt", "NUL byte at byte offset 14"),
            ("in/d.jsonl:1", "not UTF-8"),
            ("in/d.jsonl:2", "NUL character at character offset 1"),
            ("in/e.csv:2", "field \"text\" is not UTF-8"),
        ],
    );
}

#[test]
fn k2_empty_and_whitespace_articles_are_ok_with_zero_claims() {
    let c = Case::new();
    c.file("in/a-good.txt", ARTICLE);
    c.file("clean/a-good.txt", ARTICLE);
    c.file("in/b-empty.txt", "");
    c.file("in/c-space.txt", " \n\t\r\n  \n");
    c.file(
        "in/d.jsonl",
        format!("{}\n{}\n", rec("j-empty", ""), rec("j-space", "  \n ")),
    );
    let run = c.run("out", &["in"]);
    check(&run, &c.run("ref", &["clean"]), 0, &[]);
    let rows = run.rows();
    assert_eq!(rows.len(), 5);
    for r in rows.iter().filter(|r| r.id != "a-good") {
        assert_eq!(
            (r.status.as_str(), r.sentences, r.claims),
            ("ok", 0, 0),
            "{r:?}"
        );
    }
}

#[test]
fn k3_bom_and_crlf_offsets_index_the_text_as_read() {
    let c = Case::new();
    c.file("in/bom-crlf.txt", format!("\u{feff}{CRLF_TEXT}"));
    c.file(
        "in/crlf.jsonl",
        format!("\u{feff}{}\r\n", rec("j-crlf", CRLF_TEXT)),
    );
    c.file(
        "in/crlf.csv",
        format!("\u{feff}id,text\r\nc-crlf,\"{CRLF_TEXT}\"\r\n"),
    );
    let run = c.run("out", &["in"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let rows = run.rows();
    let n = CRLF_TEXT.chars().count();
    assert_eq!(rows.len(), 3);
    assert!(
        rows.iter()
            .all(|r| r.status == "ok" && r.chars == n && r.claims > 0),
        "{rows:#?}"
    );
    let mut per_article: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for mut claim in run.jsonl("claims.jsonl") {
        for f in ["source", "cue", "content", "via"] {
            if let Some(s) = claim[f].as_object() {
                assert_eq!(
                    slice(CRLF_TEXT, &s["start"], &s["end"]),
                    s["text"],
                    "{f} of {claim}"
                );
            }
        }
        let id = claim["article_id"].take().as_str().unwrap().to_string();
        per_article.entry(id).or_default().push(claim);
    }
    for s in run.jsonl("sentences.jsonl") {
        assert_eq!(slice(CRLF_TEXT, &s["start"], &s["end"]), s["text"], "{s}");
    }
    let readers: Vec<&Vec<Value>> = per_article.values().collect();
    assert_eq!(readers.len(), 3);
    assert!(
        readers.iter().all(|c| *c == readers[0]),
        "the three readers disagree"
    );
}

#[test]
fn k4_jsonl_bad_lines_are_error_rows_blank_lines_are_not_records() {
    let c = Case::new();
    let lines = [
        rec("ok1", ARTICLE),
        "{not json".to_string(),
        String::new(),
        r#"{"id":"notext"}"#.to_string(),
        r#"{"id":"num","text":42}"#.to_string(),
        r#"{"id":"arr","text":["x"]}"#.to_string(),
        "   ".to_string(),
        rec("last", ARTICLE),
    ];
    c.file("in/e.jsonl", lines.join("\n")); // the last line has no newline
    c.file("clean/e.jsonl", format!("{}\n{}\n", lines[0], lines[7]));
    let run = c.run("out", &["in"]);
    check(
        &run,
        &c.run("ref", &["clean"]),
        1,
        &[
            ("in/e.jsonl:2", "malformed JSON"),
            ("in/e.jsonl:4", "missing \"text\" field"),
            (
                "in/e.jsonl:5",
                "\"text\" field is not a string (found a number)",
            ),
            (
                "in/e.jsonl:6",
                "\"text\" field is not a string (found an array)",
            ),
        ],
    );
    assert_eq!(run.rows().len(), 6, "blank lines are not records");
}

#[test]
fn k5_a_repeated_id_is_an_error_naming_the_first() {
    let c = Case::new();
    let ab = format!("{}\n{}\n", rec("x", ARTICLE), rec("y", ARTICLE));
    c.file("in/a.jsonl", format!("{ab}{}\n", rec("x", "Kyiv said no.")));
    c.file("in/b.txt", ARTICLE);
    c.file(
        "in/c.csv",
        format!("id,text\nb,\"{ARTICLE}\"\ny,\"{ARTICLE}\"\n"),
    );
    c.file("in2/b.txt", ARTICLE);
    c.file("clean/a.jsonl", ab);
    c.file("clean/b.txt", ARTICLE);
    check(
        &c.run("out", &["in", "in2"]),
        &c.run("ref", &["clean"]),
        1,
        &[
            (
                "in/a.jsonl:3",
                "duplicate id \"x\", first seen at in/a.jsonl:1",
            ),
            ("in/c.csv:2", "duplicate id \"b\", first seen at in/b.txt"),
            (
                "in/c.csv:3",
                "duplicate id \"y\", first seen at in/a.jsonl:2",
            ),
            ("in2/b.txt", "duplicate id \"b\", first seen at in/b.txt"),
        ],
    );
}

#[test]
fn k6_truncated_gzip_keeps_the_records_before_the_damage() {
    let c = Case::new();
    let lines: Vec<String> = (0..2000)
        .map(|i| {
            rec(
                &format!("gz{i}"),
                &format!("{ARTICLE} Officials said item {i} was next."),
            ) + "\n"
        })
        .collect();
    let gz = gzip(lines.concat().as_bytes());
    for (name, cut) in [
        ("mid", gz.len() / 2),
        ("trailer", gz.len() - 4),
        ("header", 5),
    ] {
        let input = format!("{name}/t.jsonl.gz");
        c.file(&input, &gz[..cut]);
        let bad = c.run(&format!("out-{name}"), &[input.as_str()]);
        let kept = bad.rows().iter().filter(|r| r.status == "ok").count();
        match name {
            "mid" => assert!(kept > 0 && kept < 2000, "{name}: {kept} kept"),
            "trailer" => assert_eq!(kept, 2000, "all records precede a cut trailer"),
            _ => assert_eq!(kept, 0),
        }
        let clean_input = format!("{name}-clean/t.jsonl");
        c.file(&clean_input, lines[..kept].concat());
        let clean = c.run(&format!("ref-{name}"), &[clean_input.as_str()]);
        let place = format!("{input}:{}", kept + 1);
        check(&bad, &clean, 1, &[(place.as_str(), "read failed")]);
    }
}

#[test]
fn k7_csv_quoted_newlines_are_valid_and_bad_rows_are_named_by_their_line() {
    let c = Case::new();
    let q1 = format!("q1,\"{ARTICLE}\nIt said \"\"talks\"\" would go on.\"\n");
    let row = |id: &str, end: &str| format!("{id},\"{ARTICLE}\"{end}");
    // g.csv lines: 1 header, 2-3 q1, 4 short, 5 extra field, 6 blank, 7 short, 8 q3.
    c.file(
        "in/g.csv",
        format!(
            "id,text\n{q1}short\n{}\nshort2\n{}",
            row("q2", ",extra\n"),
            row("q3", "\n")
        ),
    );
    // h.csv, CRLF: 1 header, 2 h1, 3 short, 4 h3.
    c.file(
        "in/h.csv",
        format!(
            "id,text\r\n{}short\r\n{}",
            row("h1", "\r\n"),
            row("h3", "\r\n")
        ),
    );
    let clean = [
        q1.clone(),
        row("q3", "\n"),
        row("h1", "\n"),
        row("h3", "\n"),
    ]
    .concat();
    c.file("clean/g.csv", format!("id,text\n{clean}"));
    check(
        &c.run("out", &["in"]),
        &c.run("ref", &["clean"]),
        1,
        &[
            ("in/g.csv:4", "row has 1 fields, the header has 2"),
            ("in/g.csv:5", "row has 3 fields, the header has 2"),
            ("in/g.csv:7", "row has 1 fields, the header has 2"),
            ("in/h.csv:3", "row has 1 fields, the header has 2"),
        ],
    );
}

/// `bytes` of news-like words with cue words among them, and no line break; with
/// `terminators`, a full stop after every 20th word (ordinary sentences), else one
/// sentence.
fn news(bytes: usize, terminators: bool) -> String {
    const WORDS: &[&str] = &[
        "the",
        "plan",
        "talks",
        "officials",
        "said",
        "government",
        "rejected",
        "Kyiv",
        "peace",
        "deal",
        "that",
        "and",
        "of",
        "troops",
        "would",
        "border",
    ];
    let mut s = String::with_capacity(bytes + 16);
    let (mut x, mut n): (u64, usize) = (0x9e37_79b9_7f4a_7c15, 0);
    while s.len() < bytes {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        s.push_str(WORDS[(x % WORDS.len() as u64) as usize]);
        n += 1;
        s.push_str(if terminators && n % 20 == 0 {
            ". "
        } else {
            " "
        });
    }
    s.truncate(bytes);
    s
}

/// A kind 8 input: what it is, how to make it, and its size (bytes or marks).
type BigInput = (&'static str, fn(usize) -> String, usize);

fn one_sentence(bytes: usize) -> String {
    news(bytes, false)
}

fn one_token(bytes: usize) -> String {
    "a".repeat(bytes)
}

fn quotes_in_one_sentence(marks: usize) -> String {
    "\"Yes,\" he said, ".repeat(marks / 2)
}

fn quotes_one_a_line(marks: usize) -> String {
    "\"Yes,\" he said.\n".repeat(marks / 2)
}

fn bare_quotes(marks: usize) -> String {
    "\"".repeat(marks)
}

#[test]
fn k8_a_huge_sentence_and_many_quotes_finish_in_bounded_time_and_memory() {
    let mb: usize = std::env::var("WHOSAID_FAULT_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    let c = Case::new();
    let cases: [BigInput; 5] = [
        (
            "one sentence of words, no terminator",
            one_sentence,
            mb * 1_000_000,
        ),
        ("one token, no terminator", one_token, mb * 1_000_000),
        (
            "100,000 quotation marks in one sentence",
            quotes_in_one_sentence,
            100_000,
        ),
        (
            "100,000 quotation marks, one quote a line",
            quotes_one_a_line,
            100_000,
        ),
        ("100,000 bare quotation marks", bare_quotes, 100_000),
    ];
    for (i, (what, make, count)) in cases.into_iter().enumerate() {
        let big = format!("k8/{i}-big.txt");
        c.file(&big, make(count));
        let size = std::fs::metadata(c.path(&big)).unwrap().len() as usize;
        // The budget: 10 times the time of ordinary sentences of the same size (timed
        // on a tenth of it for big inputs, which is linear), plus 1 s.
        let scale: u32 = if size > 5_000_000 { 10 } else { 1 };
        let base = format!("k8/{i}-base.txt");
        c.file(&base, news(size / scale as usize, true));
        let (status, t_base, _) = c.bounded(&base, Duration::from_secs(600));
        assert!(status.success(), "{what}, baseline: {status}");
        let budget = t_base * (10 * scale) + Duration::from_secs(1);
        let (status, t, rss) = c.bounded(&big, budget + Duration::from_secs(30));
        eprintln!("{what} ({size} bytes): {t:?}, peak RSS {rss:?} kB; budget {budget:?}");
        assert!(status.success(), "{what}: {status}");
        assert!(t <= budget, "{what}: {t:?}, over the budget of {budget:?}");
        if let Some(kb) = rss {
            let limit = 300_000 + 8 * size as u64 / 1024;
            assert!(kb < limit, "{what}: peak RSS {kb} kB (limit {limit})");
        }
    }
}

/// An output folder this process cannot write to: a 0555 folder, or /proc/1 when
/// the test runs as root (root writes anywhere); None where neither works.
fn read_only_dir(c: &Case) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let d = c.path("ro");
        std::fs::create_dir_all(&d).unwrap();
        std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o555)).unwrap();
        if std::fs::write(d.join(".probe"), "").is_err() {
            return Some("ro".into());
        }
        if Path::new("/proc/1").is_dir() {
            return Some("/proc/1".into());
        }
    }
    let _ = c;
    None
}

#[test]
fn k9_fatal_paths_exit_2_with_one_line_and_no_partial_output() {
    let c = Case::new();
    c.file("in/a.txt", ARTICLE);
    c.file("out-file", "a file");
    assert_eq!(c.run("prev", &["in/a.txt"]).code, Some(0));
    let prev = snapshot(&c.path("prev"));
    let ro = read_only_dir(&c);
    let mut cases: Vec<(&str, &[&str], &str)> = vec![
        (
            "out-new",
            &["in/a.txt", "nope.txt"][..],
            "nope.txt: no such file or folder",
        ),
        (
            "prev",
            &["nope.txt"][..],
            "nope.txt: no such file or folder",
        ),
        (
            "out-file",
            &["in/a.txt"][..],
            "out-file: exists and is not a folder",
        ),
        (
            "out-file/sub",
            &["in/a.txt"][..],
            "out-file/sub: cannot create output folder",
        ),
    ];
    match &ro {
        Some(ro) => cases.push((
            ro.as_str(),
            &["in/a.txt"][..],
            "cannot write to output folder",
        )),
        None => eprintln!("skipped: no folder this process cannot write to"),
    }
    for (out, args, needle) in cases {
        let r = c.run(out, args);
        let err = r.stderr.trim_end();
        assert_eq!(r.code, Some(2), "-o {out} {args:?}: {err}");
        assert!(
            !err.contains('\n') && err.starts_with("whosaid: error: ") && err.contains(needle),
            "-o {out} {args:?}: want one line with {needle:?}, got {err:?}"
        );
        let expect = if out == "prev" {
            prev.clone()
        } else {
            BTreeMap::new()
        };
        assert!(
            snapshot(&r.out) == expect,
            "-o {out} {args:?}: output files changed"
        );
        let partial: Vec<String> = hidden(&r.out)
            .into_iter()
            .filter(|n| n.starts_with(".whosaid-partial-"))
            .collect();
        assert!(partial.is_empty(), "-o {out}: left {partial:?}");
    }
    assert_eq!(
        std::fs::read_to_string(c.path("out-file")).unwrap(),
        "a file"
    );
}

/// A copy of the rules with the first `from` in `file` replaced by `to`: the folder
/// (relative to the case) and the line of the change.
fn broken_rules(c: &Case, name: &str, file: &str, from: &str, to: &str) -> (String, usize) {
    let dir = format!("rules-{name}");
    let mut line = 0;
    for e in std::fs::read_dir(root().join("rules")).unwrap() {
        let p = e.unwrap().path();
        let f = p.file_name().unwrap().to_string_lossy().into_owned();
        let mut text = std::fs::read_to_string(&p).unwrap();
        if f == file {
            let at = text
                .find(from)
                .unwrap_or_else(|| panic!("{from:?} not in {f}"));
            line = line_at(&text, at);
            text = text.replacen(from, to, 1);
        }
        c.file(&format!("{dir}/{f}"), text);
    }
    assert!(line > 0, "no {file} in rules/");
    (dir, line)
}

#[test]
fn k10_invalid_rules_are_refused_by_check_and_run_with_file_line_and_reason() {
    let c = Case::new();
    c.file("in/a.txt", ARTICLE);
    let cues = std::fs::read_to_string(root().join("rules/cues.toml")).unwrap();
    let say = line_at(&cues, cues.find("id = \"cue/verb/say\"").unwrap());
    let cases = [
        (
            "regex",
            "issues.toml",
            "'cease-?fires?'",
            "'cease-?fires?('",
            "invalid regex \"cease-?fires?(\"".to_string(),
        ),
        (
            "stance",
            "cues.toml",
            "stance = \"assert\"",
            "stance = \"shrug\"",
            "unknown stance class \"shrug\"".to_string(),
        ),
        (
            "dup",
            "cues.toml",
            "id = \"cue/verb/tell\"",
            "id = \"cue/verb/say\"",
            format!(
                "duplicate rule id \"cue/verb/say\" (first defined at rules-dup/cues.toml:{say})"
            ),
        ),
        (
            "huge",
            "issues.toml",
            "'cease-?fires?'",
            r"'\w{1000}'",
            "exceeds size limit".to_string(),
        ),
    ];
    for (name, file, from, to, reason) in cases {
        let (dir, line) = broken_rules(&c, name, file, from, to);
        let place = format!("{dir}/{file}:{line}: ");
        let checked = c
            .cmd()
            .args(["rules", "check", dir.as_str()])
            .output()
            .unwrap();
        let run = c.run(
            &format!("out-{name}"),
            &["--rules", dir.as_str(), "in/a.txt"],
        );
        for (what, code, stderr) in [
            (
                "rules check",
                checked.status.code(),
                String::from_utf8_lossy(&checked.stderr).into_owned(),
            ),
            ("run --rules", run.code, run.stderr.clone()),
        ] {
            let err = stderr.trim_end();
            assert_eq!(code, Some(2), "{what} {dir}: {err}");
            assert!(
                !err.contains('\n') && err.contains(&place) && err.contains(reason.as_str()),
                "{what} {dir}: want {place}...{reason}, got {err:?}"
            );
        }
        assert!(
            !run.out.exists(),
            "run --rules {dir} made its output folder"
        );
    }
}

#[test]
fn k10_issue_keywords_too_large_together_are_refused_naming_the_issue() {
    let c = Case::new();
    // Each keyword is under the per-regex limit; the twelve together exceed the set's.
    let many = ["'(?:ab|cd|ef){1,1500}'"; 12].join(", ");
    let to = format!("'cease-?fires?', {many}");
    let (dir, line) = broken_rules(&c, "big-set", "issues.toml", "'cease-?fires?'", &to);
    let src = std::fs::read_to_string(c.path(&format!("{dir}/issues.toml"))).unwrap();
    let id_line = line_at(&src, src.find("id = \"issue/ceasefire\"").unwrap());
    let o = c
        .cmd()
        .args(["rules", "check", dir.as_str()])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("size limit"), "{err}");
    assert!(
        [line, id_line]
            .iter()
            .any(|l| err.contains(&format!("{dir}/issues.toml:{l}: "))),
        "the message should name the issue (line {id_line} or {line}): {err:?}"
    );
}

/// Bytes written so far into the temporary folders of an output folder.
fn partial_bytes(out: &Path) -> u64 {
    hidden(out)
        .iter()
        .filter(|n| n.starts_with(".whosaid-partial-"))
        .flat_map(|n| {
            std::fs::read_dir(out.join(n))
                .into_iter()
                .flatten()
                .flatten()
        })
        .filter_map(|f| f.metadata().ok())
        .map(|m| m.len())
        .sum()
}

/// SIGINT and SIGKILL once the run has written data (mid-run), into an empty output
/// folder and onto a previous complete output: the files under their final names
/// are byte for byte what they were before. Unix only (signals, `kill`).
#[cfg(unix)]
#[test]
fn crash_sigint_or_sigkill_mid_run_leaves_the_previous_output_or_none() {
    use std::os::unix::process::ExitStatusExt;
    let c = Case::new();
    let mut big = String::new();
    for e in std::fs::read_dir(root().join("corpus")).unwrap() {
        let p = e.unwrap().path();
        let text = std::fs::read_to_string(&p).unwrap();
        let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
        for i in 0..1000 {
            big.push_str(&rec(&format!("{stem}-{i}"), &text));
            big.push('\n');
        }
    }
    c.file("big.jsonl", big);
    c.file("small.jsonl", rec("s", ARTICLE) + "\n");
    let reference = c.run("ref", &["big.jsonl"]);
    assert_eq!(reference.code, Some(0), "{}", reference.stderr);
    let complete = snapshot(&reference.out);
    for sig in ["INT", "KILL"] {
        for prev in [false, true] {
            let out = format!("out-{sig}-{prev}");
            if prev {
                assert_eq!(c.run(&out, &["small.jsonl"]).code, Some(0));
            }
            let before = snapshot(&c.path(&out));
            let mut child = c
                .cmd()
                .args(["run", "--quiet", "-o", out.as_str(), "big.jsonl"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            let t0 = Instant::now();
            while partial_bytes(&c.path(&out)) == 0 && child.try_wait().unwrap().is_none() {
                assert!(
                    t0.elapsed() < Duration::from_secs(300),
                    "no data written in 300 s"
                );
                std::thread::sleep(Duration::from_millis(2));
            }
            if sig == "KILL" {
                let _ = child.kill();
            } else {
                let pid = child.id().to_string();
                let _ = Command::new("kill").args(["-INT", pid.as_str()]).status();
            }
            let status = child.wait().unwrap();
            let after = snapshot(&c.path(&out));
            let left = hidden(&c.path(&out));
            eprintln!("SIG{sig}, previous output {prev}: {status}; left behind: {left:?}");
            if status.signal().is_some() || status.code() == Some(130) {
                assert!(
                    after == before,
                    "SIG{sig}: final files were {:?}, now {:?} (or their bytes changed)",
                    before.keys().collect::<Vec<_>>(),
                    after.keys().collect::<Vec<_>>()
                );
            } else {
                // It finished first, or SIGINT is ignored (inherited by a background job).
                assert!(status.success(), "{status}");
                for f in DATA_FILES {
                    assert!(
                        after.get(*f) == complete.get(*f),
                        "{f} differs from a complete run"
                    );
                }
                assert!(after.contains_key("run.json"));
            }
            if sig == "INT" {
                // Ctrl-C is handled: exit 130, the temporary folder removed.
                assert!(status.signal().is_none(), "SIGINT killed the run: {status}");
                assert!(left.is_empty(), "SIGINT left {left:?}");
            }
            assert!(
                left.iter().all(|n| n.starts_with(".whosaid-partial-")),
                "{left:?}"
            );
        }
    }
}
