//! Every sentence-boundary case in tests/sbd (the English Golden Rules and the news
//! cases, see tests/sbd/README.md) must segment exactly as annotated.

use whosaid::rules::Rules;

fn failures(file: &str) -> (usize, Vec<String>) {
    let rules = Rules::embedded().expect("embedded rules load");
    let path = format!("{}/tests/sbd/{file}", env!("CARGO_MANIFEST_DIR"));
    let mut n = 0;
    let mut bad = Vec::new();
    for line in std::fs::read_to_string(&path).expect("case file").lines() {
        if line.trim().is_empty() {
            continue;
        }
        let case: serde_json::Value = serde_json::from_str(line).expect("case is JSON");
        let text = case["text"].as_str().expect("text");
        let want: Vec<&str> = case["sentences"]
            .as_array()
            .expect("sentences")
            .iter()
            .map(|s| s.as_str().expect("sentence").trim())
            .collect();
        let got: Vec<&str> = rules
            .segmenter
            .split(text)
            .iter()
            .map(|b| text[b.start..b.end].trim())
            .collect();
        n += 1;
        if got != want {
            bad.push(format!(
                "{}: expected {want:?}\n      got {got:?}",
                case["id"]
            ));
        }
    }
    (n, bad)
}

#[test]
fn golden_rules_all_pass() {
    let (n, bad) = failures("golden_rules_en.jsonl");
    assert_eq!(n, 48);
    assert!(
        bad.is_empty(),
        "{} of {n} Golden Rules fail:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

#[test]
fn news_cases_all_pass() {
    let (n, bad) = failures("news_cases_en.jsonl");
    assert_eq!(n, 36);
    assert!(
        bad.is_empty(),
        "{} of {n} news cases fail:\n{}",
        bad.len(),
        bad.join("\n")
    );
}
