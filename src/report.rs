//! From a run's files to answers: the aggregates behind `whosaid stats` (text
//! tables) and `whosaid report` (one self-contained HTML page with SVG charts, and
//! each chart's numbers in a CSV beside it).
//!
//! The files are streamed: memory grows with the number of distinct actors,
//! outlets and months, and with the claims kept for the page's table (at most
//! `table_limit`), never with the corpus.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::Path;

use serde::Deserialize;

/// Which manifest columns hold the outlet and the date, and how much to show.
#[derive(Debug, Clone)]
pub struct Options {
    /// `None`: the first of [`OUTLET_FIELDS`] that articles.csv has.
    pub outlet_field: Option<String>,
    /// `None`: the first of [`DATE_FIELDS`] that articles.csv has.
    pub date_field: Option<String>,
    /// Actors shown per issue, and actors in the stance chart.
    pub top: usize,
    /// Claims listed in the report's table.
    pub table_limit: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            outlet_field: None,
            date_field: None,
            top: 10,
            table_limit: 500,
        }
    }
}

pub const OUTLET_FIELDS: &[&str] = &["publisher", "outlet", "source", "site", "domain"];
pub const DATE_FIELDS: &[&str] = &["date", "publication_date", "published", "pubdate"];

/// Sourcing classes that rest on no named source: the share the time chart follows.
pub const ANONYMOUS: &[&str] = &["anonymous", "unnamed_official"];

/// One aggregate: what a chart draws and a CSV holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// File stem of its CSV, e.g. `sourcing`.
    pub name: &'static str,
    pub title: String,
    pub columns: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

/// A claim as the table shows it.
#[derive(Debug, Clone)]
pub struct ClaimRow {
    pub article_id: String,
    pub outlet: String,
    pub date: String,
    pub actor: String,
    pub sourcing: String,
    pub cue: String,
    pub stance: String,
    pub issues: String,
    pub content: String,
    pub sentence: String,
    pub rule: String,
}

/// Everything the report shows.
#[derive(Debug)]
pub struct Summary {
    pub tables: Vec<Table>,
    pub outlet_field: Option<String>,
    pub date_field: Option<String>,
    pub claims: Vec<ClaimRow>,
    /// Claims in the run (the table may hold fewer).
    pub claim_count: usize,
}

impl Summary {
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.name == name)
    }
}

#[derive(Deserialize)]
struct Text {
    text: String,
}

/// The fields of a claims.jsonl line the aggregates need.
#[derive(Deserialize)]
struct ClaimLine {
    article_id: String,
    sentence_index: usize,
    sourcing: String,
    actor: Option<String>,
    cue: Text,
    content: Option<Text>,
    stance: String,
    issues: Vec<String>,
    rule: String,
}

#[derive(Deserialize)]
struct SentenceLine {
    article_id: String,
    sentence_index: usize,
    text: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("{path}: {why}")]
    File { path: String, why: String },
    #[error("{0}")]
    Usage(String),
}

fn err(path: &Path, why: impl std::fmt::Display) -> ReportError {
    ReportError::File {
        path: path.display().to_string(),
        why: why.to_string(),
    }
}

fn lines(path: &Path) -> Result<impl Iterator<Item = (usize, io::Result<String>)>, ReportError> {
    let f = File::open(path).map_err(|e| err(path, e))?;
    Ok(BufReader::with_capacity(1 << 20, f)
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l)))
}

/// Outlet and month of each article, from articles.csv's meta columns.
struct Articles {
    outlet_field: Option<String>,
    date_field: Option<String>,
    of: HashMap<String, (String, String)>,
    counts: [usize; 4],
}

fn read_articles(dir: &Path, opts: &Options) -> Result<Articles, ReportError> {
    let path = dir.join("articles.csv");
    let mut r = csv::Reader::from_path(&path).map_err(|e| err(&path, e))?;
    let header: Vec<String> = r
        .headers()
        .map_err(|e| err(&path, e))?
        .iter()
        .map(str::to_string)
        .collect();
    let col = |name: &str| header.iter().position(|h| h == name);
    let pick = |asked: &Option<String>, defaults: &[&str]| -> Result<Option<usize>, ReportError> {
        match asked {
            Some(f) => col(f).map(Some).ok_or_else(|| {
                ReportError::Usage(format!(
                    "{}: no column {f:?} (it has {})",
                    path.display(),
                    header.join(", ")
                ))
            }),
            None => Ok(defaults.iter().find_map(|d| col(d))),
        }
    };
    let outlet = pick(&opts.outlet_field, OUTLET_FIELDS)?;
    let date = pick(&opts.date_field, DATE_FIELDS)?;
    let need = |name: &str| col(name).ok_or_else(|| err(&path, format!("no {name:?} column")));
    let (id, status, sentences, claims) = (
        need("article_id")?,
        need("status")?,
        need("sentences")?,
        need("claims")?,
    );
    let mut of = HashMap::new();
    let mut counts = [0usize; 4]; // records, errors, sentences, claims
    for row in r.records() {
        let row = row.map_err(|e| err(&path, e))?;
        let cell = |i: usize| row.get(i).unwrap_or_default();
        counts[0] += 1;
        counts[1] += usize::from(cell(status) == "error");
        counts[2] += cell(sentences).parse::<usize>().unwrap_or(0);
        counts[3] += cell(claims).parse::<usize>().unwrap_or(0);
        let o = outlet
            .map(|i| cell(i).trim().to_string())
            .unwrap_or_default();
        // A month is the first seven characters of an ISO date, "2016-09".
        let d = date
            .map(|i| cell(i).trim())
            .filter(|d| d.len() >= 7 && d.as_bytes()[4] == b'-')
            .map(|d| d[..7].to_string())
            .unwrap_or_default();
        of.insert(cell(id).to_string(), (o, d));
    }
    Ok(Articles {
        outlet_field: outlet.map(|i| header[i].clone()),
        date_field: date.map(|i| header[i].clone()),
        of,
        counts,
    })
}

fn share(part: usize, whole: usize) -> String {
    if whole == 0 {
        return "0".into();
    }
    format!("{:.4}", part as f64 / whole as f64)
}

/// Largest first, then by name, so tables never depend on hash order.
fn ranked<K: Clone + Ord>(m: &HashMap<K, usize>) -> Vec<(K, usize)> {
    let mut v: Vec<(K, usize)> = m.iter().map(|(k, n)| (k.clone(), *n)).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

/// Read a run's output folder and compute every aggregate.
pub fn summarise(dir: &Path, opts: &Options) -> Result<Summary, ReportError> {
    let articles = read_articles(dir, opts)?;
    let mut sourcing: HashMap<String, usize> = HashMap::new();
    let mut by_outlet: BTreeMap<String, HashMap<String, usize>> = BTreeMap::new();
    let mut actor_issue: HashMap<(String, String), usize> = HashMap::new();
    let mut issue_total: HashMap<String, usize> = HashMap::new();
    let mut actor_total: HashMap<String, usize> = HashMap::new();
    let mut actor_stance: HashMap<(String, String), usize> = HashMap::new();
    let mut by_month: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut table = Vec::new();
    let mut claim_count = 0;
    let mut named = 0;

    let path = dir.join("claims.jsonl");
    for (n, line) in lines(&path)? {
        let line = line.map_err(|e| err(&path, e))?;
        let c: ClaimLine = serde_json::from_str(&line)
            .map_err(|e| err(&path, format!("line {n}: not a claim: {e}")))?;
        claim_count += 1;
        let (outlet, month) = articles.of.get(&c.article_id).cloned().unwrap_or_default();
        *sourcing.entry(c.sourcing.clone()).or_default() += 1;
        if articles.outlet_field.is_some() && !outlet.is_empty() {
            *by_outlet
                .entry(outlet.clone())
                .or_default()
                .entry(c.sourcing.clone())
                .or_default() += 1;
        }
        if !month.is_empty() {
            let m = by_month.entry(month.clone()).or_default();
            m.0 += 1;
            m.1 += usize::from(ANONYMOUS.contains(&c.sourcing.as_str()));
        }
        for issue in &c.issues {
            *issue_total.entry(issue.clone()).or_default() += 1;
        }
        // Actors are ranked among named sources only: "they", "officials" or an
        // unresolved "he" is nobody a reader can look up.
        let is_named = matches!(c.sourcing.as_str(), "named_person" | "named_organization");
        named += usize::from(is_named);
        if let Some(actor) = c.actor.as_ref().filter(|a| is_named && !a.is_empty()) {
            *actor_total.entry(actor.clone()).or_default() += 1;
            *actor_stance
                .entry((actor.clone(), c.stance.clone()))
                .or_default() += 1;
            for issue in &c.issues {
                *actor_issue
                    .entry((issue.clone(), actor.clone()))
                    .or_default() += 1;
            }
        }
        if table.len() < opts.table_limit {
            table.push(ClaimRow {
                article_id: c.article_id,
                outlet,
                date: month,
                actor: c.actor.unwrap_or_default(),
                sourcing: c.sourcing,
                cue: c.cue.text,
                stance: c.stance,
                issues: c.issues.join("; "),
                content: c.content.map(|t| t.text).unwrap_or_default(),
                sentence: c.sentence_index.to_string(),
                rule: c.rule,
            });
        }
    }
    fill_sentences(dir, &mut table)?;

    let [records, errors, sentences, claims_in_manifest] = articles.counts;
    let mut tables = vec![Table {
        name: "counts",
        title: "Counts at a glance".into(),
        columns: vec!["measure", "value"],
        rows: [
            ("articles", records.to_string()),
            ("articles with errors", errors.to_string()),
            ("sentences", sentences.to_string()),
            ("claims", claim_count.to_string()),
            (
                "claims per article",
                format!(
                    "{:.1}",
                    claim_count as f64 / (records - errors).max(1) as f64
                ),
            ),
            ("share with a named source", share(named, claim_count)),
            (
                "share anonymous or unnamed official",
                share(
                    ANONYMOUS
                        .iter()
                        .map(|a| sourcing.get(*a).copied().unwrap_or(0))
                        .sum(),
                    claim_count,
                ),
            ),
        ]
        .into_iter()
        .map(|(k, v)| vec![k.to_string(), v])
        .collect(),
    }];
    if claims_in_manifest != claim_count {
        return Err(err(
            &path,
            format!("{claim_count} claims, but articles.csv counts {claims_in_manifest}: the folder mixes two runs"),
        ));
    }
    tables.push(Table {
        name: "sourcing",
        title: "How claims are sourced".into(),
        columns: vec!["sourcing", "claims", "share"],
        rows: ranked(&sourcing)
            .into_iter()
            .map(|(s, n)| vec![s, n.to_string(), share(n, claim_count)])
            .collect(),
    });
    if let Some(field) = &articles.outlet_field {
        let mut rows = Vec::new();
        for (outlet, mix) in &by_outlet {
            let total: usize = mix.values().sum();
            for (s, n) in ranked(mix) {
                rows.push(vec![outlet.clone(), s, n.to_string(), share(n, total)]);
            }
        }
        tables.push(Table {
            name: "sourcing_by_outlet",
            title: format!("Sourcing mix by outlet ({field})"),
            columns: vec!["outlet", "sourcing", "claims", "share"],
            rows,
        });
    }
    let mut rows = Vec::new();
    for (issue, _) in ranked(&issue_total) {
        let mut actors: HashMap<String, usize> = HashMap::new();
        for ((i, a), n) in &actor_issue {
            if *i == issue {
                actors.insert(a.clone(), *n);
            }
        }
        for (rank, (actor, n)) in ranked(&actors).into_iter().take(opts.top).enumerate() {
            rows.push(vec![
                issue.clone(),
                (rank + 1).to_string(),
                actor,
                n.to_string(),
            ]);
        }
    }
    tables.push(Table {
        name: "top_actors_by_issue",
        title: "Who is quoted on which issue (named sources)".into(),
        columns: vec!["issue", "rank", "actor", "claims"],
        rows,
    });
    let mut rows = Vec::new();
    for (actor, _) in ranked(&actor_total).into_iter().take(opts.top) {
        let mut stances: HashMap<String, usize> = HashMap::new();
        for ((a, s), n) in &actor_stance {
            if *a == actor {
                stances.insert(s.clone(), *n);
            }
        }
        for (s, n) in ranked(&stances) {
            rows.push(vec![actor.clone(), s, n.to_string()]);
        }
    }
    tables.push(Table {
        name: "stance_by_actor",
        title: "Stance by actor (the most quoted named sources)".into(),
        columns: vec!["actor", "stance", "claims"],
        rows,
    });
    if let Some(field) = &articles.date_field {
        tables.push(Table {
            name: "anonymous_over_time",
            title: format!("Share of anonymous and unnamed-official sourcing by month ({field})"),
            columns: vec!["month", "claims", "anonymous_or_unnamed_official", "share"],
            rows: by_month
                .iter()
                .map(|(m, (n, a))| vec![m.clone(), n.to_string(), a.to_string(), share(*a, *n)])
                .collect(),
        });
    }
    Ok(Summary {
        tables,
        outlet_field: articles.outlet_field,
        date_field: articles.date_field,
        claims: table,
        claim_count,
    })
}

/// Replace each table row's sentence index by the sentence's text.
fn fill_sentences(dir: &Path, rows: &mut [ClaimRow]) -> Result<(), ReportError> {
    let wanted: HashSet<(&str, &str)> = rows
        .iter()
        .map(|r| (r.article_id.as_str(), r.sentence.as_str()))
        .collect();
    let path = dir.join("sentences.jsonl");
    let mut found: HashMap<(String, String), String> = HashMap::new();
    for (n, line) in lines(&path)? {
        let line = line.map_err(|e| err(&path, e))?;
        let s: SentenceLine = serde_json::from_str(&line)
            .map_err(|e| err(&path, format!("line {n}: not a sentence: {e}")))?;
        let key = (s.article_id, s.sentence_index.to_string());
        if wanted.contains(&(key.0.as_str(), key.1.as_str())) {
            found.insert(key, s.text);
        }
    }
    for r in rows {
        r.sentence = found
            .remove(&(r.article_id.clone(), r.sentence.clone()))
            .unwrap_or_default();
    }
    Ok(())
}

/// A table as aligned text, for the terminal.
pub fn text_table(t: &Table) -> String {
    let mut width: Vec<usize> = t.columns.iter().map(|c| c.chars().count()).collect();
    for row in &t.rows {
        for (w, cell) in width.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        cells
            .iter()
            .zip(&width)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    let mut out = format!("{}\n", t.title);
    out += &line(t.columns.clone());
    out.push('\n');
    for row in &t.rows {
        out += &line(row.iter().map(String::as_str).collect());
        out.push('\n');
    }
    if t.rows.is_empty() {
        out += "(none)\n";
    }
    out
}

/// A table as CSV.
pub fn csv_table(t: &Table) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&t.columns).expect("writes into memory");
    for row in &t.rows {
        w.write_record(row).expect("writes into memory");
    }
    w.into_inner().expect("flush into memory")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_are_by_count_then_name() {
        let m: HashMap<String, usize> = [("b", 2), ("a", 2), ("c", 5)]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        let names: Vec<String> = ranked(&m).into_iter().map(|(k, _)| k).collect();
        assert_eq!(names, ["c", "a", "b"]);
    }

    #[test]
    fn text_tables_align_and_say_none() {
        let t = Table {
            name: "x",
            title: "T".into(),
            columns: vec!["a", "bb"],
            rows: vec![vec!["long".into(), "1".into()]],
        };
        assert_eq!(text_table(&t), "T\na     bb\nlong  1\n");
        let empty = Table { rows: vec![], ..t };
        assert!(text_table(&empty).ends_with("(none)\n"));
    }
}
