//! Golden test: `whosaid run corpus/` against the hand annotation in tests/samples
//! (format: tests/samples/README.md). Fails when quality drops below the bars.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// The quality bars: the first version's figures, rounded down, never below the
/// acceptance bars of the pipeline issue.
const MIN_RECALL: f64 = 0.85;
const MIN_PRECISION: f64 = 0.80;
const MIN_SOURCE: f64 = 0.80;
const MIN_SOURCING: f64 = 0.80;
const MIN_STANCE: f64 = 0.70;

fn span(v: &Value) -> Option<(u64, u64)> {
    Some((v.get("start")?.as_u64()?, v.get("end")?.as_u64()?))
}

fn overlap(a: (u64, u64), b: (u64, u64)) -> u64 {
    a.1.min(b.1).saturating_sub(a.0.max(b.0))
}

/// A gold field may be one value or a list of acceptable values.
fn accepts(gold: &Value, got: &Value) -> bool {
    match gold {
        Value::Array(options) => options.contains(got),
        one => one == got,
    }
}

fn read_jsonl(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect()
}

#[derive(Default)]
struct Tally {
    required: usize,
    found_required: usize,
    predictions: usize,
    matched_predictions: usize,
    matched: usize,
    source_ok: usize,
    sourcing_ok: usize,
    stance_ok: usize,
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        1.0
    } else {
        a as f64 / b as f64
    }
}

#[test]
fn corpus_claims_match_hand_annotation() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().expect("temp dir");
    let status = Command::new(env!("CARGO_BIN_EXE_whosaid"))
        .args(["run", "--quiet", "-o"])
        .arg(out.path())
        .arg(root.join("corpus"))
        .status()
        .expect("run whosaid");
    assert!(status.success(), "whosaid run corpus failed: {status}");

    let mut preds: HashMap<String, Vec<Value>> = HashMap::new();
    for c in read_jsonl(&out.path().join("claims.jsonl")) {
        preds
            .entry(c["article_id"].as_str().expect("id").to_string())
            .or_default()
            .push(c);
    }
    let mut total = Tally::default();
    let mut report = Vec::new();
    let mut gold_files: Vec<_> = std::fs::read_dir(root.join("tests/samples"))
        .expect("tests/samples")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.to_string_lossy().ends_with(".gold.jsonl"))
        .collect();
    gold_files.sort();
    assert!(
        gold_files.len() >= 6,
        "expected a gold file for every corpus article"
    );
    for path in gold_files {
        let gold = read_jsonl(&path);
        let id = path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .trim_end_matches(".gold.jsonl")
            .to_string();
        assert!(
            root.join("corpus").join(format!("{id}.txt")).exists(),
            "{id}: no corpus article"
        );
        let ps = preds.remove(&id).unwrap_or_default();
        // Greedy matching by cue overlap, as ../shared/tools/score_claims.py does.
        let mut cands = Vec::new();
        for (pi, p) in ps.iter().enumerate() {
            for (gi, g) in gold.iter().enumerate() {
                let o = overlap(span(&p["cue"]).unwrap(), span(&g["cue"]).unwrap());
                if o > 0 {
                    cands.push((std::cmp::Reverse(o), span(&g["cue"]).unwrap().0, gi, pi));
                }
            }
        }
        cands.sort();
        let (mut used_p, mut used_g) = (vec![false; ps.len()], vec![false; gold.len()]);
        let mut t = Tally {
            required: gold.iter().filter(|g| g["required"] == true).count(),
            predictions: ps.len(),
            ..Tally::default()
        };
        for (_, _, gi, pi) in cands {
            if used_p[pi] || used_g[gi] {
                continue;
            }
            used_p[pi] = true;
            used_g[gi] = true;
            let (p, g) = (&ps[pi], &gold[gi]);
            t.matched_predictions += 1;
            t.found_required += (g["required"] == true) as usize;
            t.matched += 1;
            let source_ok = match (span(&p["source"]), span(&g["source"])) {
                (None, None) => true,
                (Some(a), Some(b)) => overlap(a, b) > 0,
                _ => false,
            };
            t.source_ok += source_ok as usize;
            t.sourcing_ok += accepts(&g["sourcing"], &p["sourcing"]) as usize;
            t.stance_ok += accepts(&g["stance"], &p["stance"]) as usize;
        }
        for (gi, g) in gold.iter().enumerate() {
            if !used_g[gi] && g["required"] == true {
                report.push(format!("  {id}: missed {:?}", g["cue"]["text"]));
            }
        }
        for (pi, p) in ps.iter().enumerate() {
            if !used_p[pi] {
                report.push(format!(
                    "  {id}: spurious {:?} ({})",
                    p["cue"]["text"], p["rule"]
                ));
            }
        }
        println!(
            "{id:28} recall {:.3} precision {:.3} source {:.3} sourcing {:.3} stance {:.3}",
            ratio(t.found_required, t.required),
            ratio(t.matched_predictions, t.predictions),
            ratio(t.source_ok, t.matched),
            ratio(t.sourcing_ok, t.matched),
            ratio(t.stance_ok, t.matched)
        );
        total.required += t.required;
        total.found_required += t.found_required;
        total.predictions += t.predictions;
        total.matched_predictions += t.matched_predictions;
        total.matched += t.matched;
        total.source_ok += t.source_ok;
        total.sourcing_ok += t.sourcing_ok;
        total.stance_ok += t.stance_ok;
    }
    let figures = [
        (
            "recall of required claims",
            ratio(total.found_required, total.required),
            MIN_RECALL,
        ),
        (
            "precision",
            ratio(total.matched_predictions, total.predictions),
            MIN_PRECISION,
        ),
        (
            "source span (overlap)",
            ratio(total.source_ok, total.matched),
            MIN_SOURCE,
        ),
        (
            "sourcing",
            ratio(total.sourcing_ok, total.matched),
            MIN_SOURCING,
        ),
        ("stance", ratio(total.stance_ok, total.matched), MIN_STANCE),
    ];
    println!("all samples:");
    for (name, value, _) in &figures {
        println!("  {name:28} {value:.3}");
    }
    println!("{}", report.join("\n"));
    for (name, value, min) in figures {
        assert!(value >= min, "{name} {value:.3} is below {min}");
    }
}
