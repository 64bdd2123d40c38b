//! `whosaid report` and `whosaid stats` on a run with outlet and date columns:
//! the page is self-contained, every chart has its CSV, and the numbers agree
//! with the run's files.

use std::path::{Path, PathBuf};
use std::process::Command;

fn whosaid(args: &[&str], cwd: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_whosaid"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run whosaid")
}

/// The sample articles as JSONL, with an outlet and a date each.
fn run_with_meta(dir: &Path) {
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(corpus)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    let lines: Vec<String> = paths
        .iter()
        .enumerate()
        .map(|(i, p)| {
            serde_json::json!({
                "id": format!("a{i}"),
                "text": std::fs::read_to_string(p).unwrap(),
                "publisher": if i % 2 == 0 { "wire" } else { "daily" },
                "date": format!("2025-0{}-15", 1 + i % 3),
            })
            .to_string()
        })
        .collect();
    std::fs::write(dir.join("in.jsonl"), lines.join("\n")).unwrap();
    let out = whosaid(
        &[
            "run",
            "-q",
            "in.jsonl",
            "--meta",
            "publisher,date",
            "-o",
            "run",
        ],
        dir,
    );
    assert!(out.status.success(), "{out:?}");
}

fn csv(path: &Path) -> Vec<Vec<String>> {
    csv::Reader::from_path(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn the_report_is_one_file_with_a_csv_per_chart() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    run_with_meta(d);
    let out = whosaid(&["report", "run", "-o", "site/report.html"], d);
    assert!(out.status.success(), "{out:?}");
    let html = std::fs::read_to_string(d.join("site/report.html")).unwrap();
    for external in ["src=", "href=\"http", "@import", "url("] {
        assert!(!html.contains(external), "the page loads {external}");
    }
    for name in [
        "counts",
        "sourcing",
        "sourcing_by_outlet",
        "top_actors_by_issue",
        "stance_by_actor",
        "anonymous_over_time",
    ] {
        let path = d.join(format!("site/report-{name}.csv"));
        assert!(!csv(&path).is_empty(), "{name}: no rows");
        assert!(
            html.contains(&format!("href=\"report-{name}.csv\"")),
            "{name}: no link"
        );
        if name != "counts" {
            assert!(
                html.contains(&format!("<section id=\"{name}\">")),
                "{name}: no chart"
            );
        }
    }
    assert_eq!(
        html.matches("<svg").count(),
        4 + 8.min(html.matches("<figure>").count())
    );

    // The numbers agree with the run's own files.
    let claims = std::fs::read_to_string(d.join("run/claims.jsonl"))
        .unwrap()
        .lines()
        .count();
    let sourcing = csv(&d.join("site/report-sourcing.csv"));
    let total: usize = sourcing
        .iter()
        .map(|r| r[1].parse::<usize>().unwrap())
        .sum();
    assert_eq!(total, claims);
    let months = csv(&d.join("site/report-anonymous_over_time.csv"));
    assert_eq!(months.len(), 3, "three months of dates");
    let outlets: Vec<String> = csv(&d.join("site/report-sourcing_by_outlet.csv"))
        .into_iter()
        .map(|r| r[0].clone())
        .collect();
    assert!(outlets.contains(&"wire".to_string()) && outlets.contains(&"daily".to_string()));
    assert!(html.contains(&format!("of {claims} claims listed")));
}

#[test]
fn stats_prints_the_same_tables() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    run_with_meta(d);
    let out = whosaid(&["stats", "run"], d);
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    for title in [
        "Counts at a glance",
        "How claims are sourced",
        "Sourcing mix by outlet (publisher)",
        "Who is quoted on which issue",
        "Stance by actor",
        "by month (date)",
    ] {
        assert!(text.contains(title), "{title} missing:\n{text}");
    }
    // Without the columns, the charts that need them are left out, not empty.
    let out = whosaid(&["run", "-q", "in.jsonl", "-o", "plain"], d);
    assert!(out.status.success());
    let text = String::from_utf8(whosaid(&["stats", "plain"], d).stdout).unwrap();
    assert!(!text.contains("by outlet") && !text.contains("by month"));

    let out = whosaid(&["stats", "plain", "--outlet-field", "nope"], d);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no column \"nope\""));
}
