//! Attribution scores of a claims.jsonl against gold: the definition of
//! `shared/tools/score_claims.py` (its docstring is the specification), figure for
//! figure, so that `whosaid eval` and the reference scorer print the same numbers.
//!
//! Matching: within an article, a prediction and a gold attribution whose cue spans
//! overlap are candidates, taken greedily by overlap size (ties: earlier gold cue,
//! then earlier prediction), each used at most once.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;
use serde_json::Value;

use crate::gold::{json_lines, Gold, GoldArticle, GoldAttribution, GoldError, GoldSpan, Text};
use crate::segment::Segmenter;

/// Python's `\w+`: letters, numbers and the underscore.
static TOKEN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[\p{L}\p{N}_]+").expect("token regex"));

/// One predicted claim, as the scorer sees it.
#[derive(Debug, Clone)]
pub struct Prediction {
    pub cue: (usize, usize),
    pub source: Option<(usize, usize)>,
    /// None when the claim has no content or a content without offsets.
    pub content: Option<(usize, usize)>,
    pub content_text: Option<String>,
    pub has_content: bool,
    pub sourcing: Option<String>,
}

pub type Predictions = HashMap<String, Vec<Prediction>>;

fn check_span(
    v: Option<&Value>,
    text: &Text,
    where_: &str,
    field: &str,
    required: bool,
) -> Result<Option<(usize, usize)>, GoldError> {
    let fail = |m: String| Err(GoldError(format!("{where_}: {m}")));
    let v = match v {
        None | Some(Value::Null) if required => return fail(format!("{field} is null")),
        None | Some(Value::Null) => return Ok(None),
        Some(v) => v,
    };
    let Some(obj) = v.as_object() else {
        return fail(format!("{field} is not an object"));
    };
    let (s, e) = (obj.get("start"), obj.get("end"));
    let is_null = |x: Option<&Value>| x.is_none_or(Value::is_null);
    if is_null(s) && is_null(e) && field == "content" {
        return Ok(None);
    }
    let as_int =
        |x: Option<&Value>| x.and_then(|v| v.as_i64().filter(|_| v.is_i64() || v.is_u64()));
    let (Some(s), Some(e)) = (as_int(s), as_int(e)) else {
        let show = |x: Option<&Value>| x.map_or("None".to_string(), Value::to_string);
        return fail(format!(
            "{field} start/end must be integers, got {} {}",
            show(s),
            show(e)
        ));
    };
    if !(0 <= s && s <= e && e as usize <= text.len()) {
        return fail(format!(
            "{field} offsets {s} {e} outside the article ({} characters)",
            text.len()
        ));
    }
    let (s, e) = (s as usize, e as usize);
    if let Some(t) = obj.get("text") {
        if t.as_str() != Some(text.slice(s, e)) {
            return fail(format!(
                "{field} text {t} is not the article text at {s}:{e} ({:?}); offsets must be \
                 character (code point) offsets into the text as read",
                text.slice(s, e).chars().take(40).collect::<String>()
            ));
        }
    }
    Ok(Some((s, e)))
}

/// Read a claims.jsonl; every claim must name a gold article and carry spans that lie
/// in its text. Returns the predictions by article and their number.
pub fn load_claims(path: &Path, gold: &Gold) -> Result<(Predictions, usize), GoldError> {
    let body =
        fs::read_to_string(path).map_err(|e| GoldError(format!("{}: {e}", path.display())))?;
    let mut preds = Predictions::new();
    let mut n = 0;
    for line in json_lines(path, &body) {
        let (where_, c) = line?;
        if !c.is_object() {
            return Err(GoldError(format!("{where_}: not a JSON object")));
        }
        let aid = c.get("article_id").and_then(Value::as_str);
        let Some((aid, article)) = aid.and_then(|a| gold.get_key_value(a)) else {
            let shown = c.get("article_id").map_or("None".into(), Value::to_string);
            let hint = aid
                .map(|a| a.replace('\\', "/"))
                .and_then(|a| {
                    a.rsplit('/')
                        .next()
                        .map(|s| s.trim_end_matches(".txt").to_string())
                })
                .filter(|stem| gold.contains_key(stem))
                .map(|stem| {
                    format!(" (the gold has {stem:?}: article_id must be the text file stem)")
                })
                .unwrap_or_default();
            return Err(GoldError(format!(
                "{where_}: article_id {shown} is not in the gold{hint}"
            )));
        };
        let text = &article.text;
        let cue = check_span(c.get("cue"), text, &where_, "cue", true)?.expect("required");
        let source = check_span(c.get("source"), text, &where_, "source", false)?;
        let content_v = c.get("content");
        let content = check_span(content_v, text, &where_, "content", false)?;
        preds.entry(aid.clone()).or_default().push(Prediction {
            cue,
            source,
            content,
            content_text: content_v
                .and_then(|v| v.get("text"))
                .and_then(Value::as_str)
                .map(str::to_string),
            has_content: content_v.is_some_and(|v| !v.is_null()),
            sourcing: c
                .get("sourcing")
                .and_then(Value::as_str)
                .map(str::to_string),
        });
        n += 1;
    }
    Ok((preds, n))
}

fn overlap(a: (usize, usize), b: (usize, usize)) -> usize {
    a.1.min(b.1).saturating_sub(a.0.max(b.0))
}

/// Token ids (start offsets) of the `\w+` runs inside any of the fragments; a run
/// cut by a fragment's edge counts from the edge, as Python's `finditer(text, s, e)`.
fn tokens_in(text: &Text, frags: &[(usize, usize)]) -> HashSet<usize> {
    let mut out = HashSet::new();
    for &(s, e) in frags {
        let base = text.byte(s);
        for m in TOKEN.find_iter(&text.text[base..text.byte(e)]) {
            out.insert(text.char_of(base + m.start()));
        }
    }
    out
}

/// A prediction's content tokens, less the tokens of its own cue and source.
fn pred_content_tokens(text: &Text, p: &Prediction, content: (usize, usize)) -> HashSet<usize> {
    let mut own = vec![p.cue];
    own.extend(p.source);
    let own = tokens_in(text, &own);
    tokens_in(text, &[content])
        .into_iter()
        .filter(|t| !own.contains(t))
        .collect()
}

/// Python's `round(x, 4)`: the float nearest the decimal rounded half to even.
fn round4(x: f64) -> f64 {
    format!("{x:.4}").parse().expect("a formatted float parses")
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Prf {
    pub p: f64,
    pub r: f64,
    pub f1: f64,
    pub tp: usize,
    pub pred: usize,
    pub gold: usize,
}

fn prf(tp: usize, npred: usize, ngold: usize) -> Prf {
    let p = if npred > 0 {
        tp as f64 / npred as f64
    } else {
        0.0
    };
    let r = if ngold > 0 {
        tp as f64 / ngold as f64
    } else {
        0.0
    };
    let f1 = if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    };
    Prf {
        p: round4(p),
        r: round4(r),
        f1: round4(f1),
        tp,
        pred: npred,
        gold: ngold,
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SourceScore {
    #[serde(flatten)]
    pub prf: Prf,
    pub accuracy: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SourceNull {
    pub both_null: usize,
    pub gold_null_only: usize,
    pub pred_null_only: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct ContentScore {
    #[serde(flatten)]
    pub prf: Prf,
    pub mean_pair_f1: f64,
    pub same_tokens: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SourcingRow {
    pub n: usize,
    pub cue_matched: usize,
    pub attribution_correct: usize,
    pub precision: f64,
}

/// A frequent cue error with one place it occurs.
#[derive(Debug, Clone, Serialize)]
pub struct CueError {
    pub cue: String,
    pub count: usize,
    pub article_id: String,
    /// The sentence around the first occurrence, the cue marked `[[...]]`.
    pub example: String,
}

/// Every figure of score_claims.py, under its names, plus examples of the errors.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub articles: usize,
    pub subset: bool,
    pub gold_attributions: usize,
    pub predictions: usize,
    pub cue: Prf,
    pub attribution: Prf,
    pub attribution_exact_source: Prf,
    pub attribution_full: Prf,
    pub matched_pairs: usize,
    pub source_exact: SourceScore,
    pub source_overlap: SourceScore,
    pub source_null: SourceNull,
    pub content: ContentScore,
    pub by_sourcing: BTreeMap<String, SourcingRow>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missed_gold_cues: Option<Vec<(String, usize)>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unmatched_pred_cues: Option<Vec<(String, usize)>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missed_examples: Option<Vec<CueError>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unmatched_examples: Option<Vec<CueError>>,
    /// Native gold only: predictions that matched a debatable (`required: false`)
    /// claim, left out of every figure.
    #[serde(skip_serializing_if = "is_zero")]
    pub optional_matches: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// Greedy cue matching of one article: (prediction, gold) index pairs.
pub fn match_article(preds: &[Prediction], golds: &[GoldAttribution]) -> Vec<(usize, usize)> {
    let mut cands = Vec::new();
    for (pi, p) in preds.iter().enumerate() {
        for (gi, g) in golds.iter().enumerate() {
            let o = overlap(p.cue, (g.cue.start, g.cue.end));
            if o > 0 {
                cands.push((std::cmp::Reverse(o), g.cue.start, gi, p.cue.0, pi));
            }
        }
    }
    cands.sort_unstable();
    let (mut used_p, mut used_g) = (vec![false; preds.len()], vec![false; golds.len()]);
    let mut pairs = Vec::new();
    for (_, _, gi, _, pi) in cands {
        if !used_p[pi] && !used_g[gi] {
            used_p[pi] = true;
            used_g[gi] = true;
            pairs.push((pi, gi));
        }
    }
    pairs
}

/// A counter that remembers first-seen order, so ties rank as Python's
/// `Counter.most_common` ranks them.
#[derive(Default)]
struct Tally {
    index: HashMap<String, usize>,
    rows: Vec<(String, usize, String, usize)>,
}

impl Tally {
    fn add(&mut self, key: String, article: &str, at: usize) {
        match self.index.get(&key) {
            Some(&i) => self.rows[i].1 += 1,
            None => {
                self.index.insert(key.clone(), self.rows.len());
                self.rows.push((key, 1, article.to_string(), at));
            }
        }
    }

    fn most_common(&self, n: usize) -> Vec<&(String, usize, String, usize)> {
        let mut rows: Vec<_> = self.rows.iter().collect();
        rows.sort_by_key(|r| std::cmp::Reverse(r.1));
        rows.truncate(n);
        rows
    }
}

/// The content token agreement of one matched pair: (tp, predicted, gold, pair F1,
/// same token set).
fn content_pair(
    text: &Text,
    p: &Prediction,
    g: &Option<GoldSpan>,
) -> (usize, usize, usize, f64, bool) {
    let gfr = g.as_ref().map(|g| &g.parts);
    match (gfr, p.has_content) {
        (None, false) => (0, 0, 0, 1.0, true),
        (Some(gfr), false) => (0, 0, tokens_in(text, gfr).len(), 0.0, false),
        (None, true) => {
            let npt = p
                .content
                .map_or(0, |c| pred_content_tokens(text, p, c).len());
            (0, npt, 0, 0.0, false)
        }
        (Some(gfr), true) => {
            let gt = tokens_in(text, gfr);
            let (inter, npt, same) = match p.content {
                Some(c) => {
                    let pt = pred_content_tokens(text, p, c);
                    (pt.intersection(&gt).count(), pt.len(), pt == gt)
                }
                None => {
                    // No offsets: a bag of words against the gold's words.
                    let mut gw: HashMap<&str, usize> = HashMap::new();
                    for &t in &gt {
                        let b = text.byte(t);
                        let m = TOKEN.find_at(&text.text, b).filter(|m| m.start() == b);
                        *gw.entry(m.map_or("", |m| m.as_str())).or_default() += 1;
                    }
                    let mut pw: HashMap<&str, usize> = HashMap::new();
                    for m in TOKEN.find_iter(p.content_text.as_deref().unwrap_or("")) {
                        *pw.entry(m.as_str()).or_default() += 1;
                    }
                    let inter = pw
                        .iter()
                        .map(|(w, n)| (*n).min(gw.get(w).copied().unwrap_or(0)))
                        .sum();
                    (inter, pw.values().sum(), gw == pw)
                }
            };
            let pp = if npt > 0 {
                inter as f64 / npt as f64
            } else {
                0.0
            };
            let rr = if gt.is_empty() {
                0.0
            } else {
                inter as f64 / gt.len() as f64
            };
            let f1 = if pp + rr > 0.0 {
                2.0 * pp * rr / (pp + rr)
            } else if gt.is_empty() && npt == 0 {
                1.0
            } else {
                0.0
            };
            (inter, npt, gt.len(), f1, same)
        }
    }
}

/// What `score` is asked for.
pub struct ScoreOptions<'a> {
    /// Score only the gold articles that the claims name.
    pub subset: bool,
    /// List this many most frequent missed and spurious cues.
    pub errors: usize,
    /// Finds the sentence shown with each listed error.
    pub segmenter: Option<&'a Segmenter>,
}

fn example(segmenter: Option<&Segmenter>, text: &Text, cue: (usize, usize)) -> String {
    let (bs, be) = (text.byte(cue.0), text.byte(cue.1));
    let (mut s, mut e) = (
        text.text[..bs].rfind('\n').map_or(0, |i| i + 1),
        text.text[be..]
            .find('\n')
            .map_or(text.text.len(), |i| be + i),
    );
    if let Some(seg) = segmenter {
        if let Some(b) = seg
            .split(&text.text)
            .into_iter()
            .find(|b| b.start <= bs && bs < b.end)
        {
            s = b.start.min(bs);
            e = b.end.max(be);
        }
    }
    let one_line = |x: &str| x.replace(['\n', '\r'], " ");
    format!(
        "{}[[{}]]{}",
        one_line(&text.text[s..bs]),
        one_line(&text.text[bs..be]),
        one_line(&text.text[be..e])
    )
}

/// Score `preds` against `gold` as score_claims.py does.
pub fn score(gold: &Gold, preds: &Predictions, opts: &ScoreOptions) -> Report {
    let ids: Vec<&String> = gold
        .keys()
        .filter(|a| !opts.subset || preds.contains_key(*a))
        .collect();
    let mut c: HashMap<&str, usize> = HashMap::new();
    let (mut tok_tp, mut tok_pred, mut tok_gold) = (0, 0, 0);
    let mut pair_f1 = Vec::new();
    let mut by_sourcing: BTreeMap<String, SourcingRow> = BTreeMap::new();
    let (mut missed, mut extra) = (Tally::default(), Tally::default());
    let mut optional_matches = 0;
    let no_preds = Vec::new();
    for aid in &ids {
        let GoldArticle {
            text,
            attributions: golds,
        } = &gold[*aid];
        let ps = preds.get(*aid).unwrap_or(&no_preds);
        let pairs = match_article(ps, golds);
        // A prediction that matched a debatable native-gold claim is left out.
        let dropped: HashSet<usize> = pairs
            .iter()
            .filter(|&&(_, gi)| !golds[gi].required)
            .map(|&(pi, _)| pi)
            .collect();
        optional_matches += dropped.len();
        *c.entry("gold").or_default() += golds.iter().filter(|g| g.required).count();
        *c.entry("pred").or_default() += ps.len() - dropped.len();
        let (mut used_p, mut used_g) = (vec![false; ps.len()], vec![false; golds.len()]);
        let mut correct_p = vec![false; ps.len()];
        for &(pi, gi) in &pairs {
            used_p[pi] = true;
            used_g[gi] = true;
            if dropped.contains(&pi) {
                continue;
            }
            let (p, g) = (&ps[pi], &golds[gi]);
            let mut add = |k: &'static str, yes: bool| *c.entry(k).or_default() += yes as usize;
            add("matched", true);
            let (s_exact, s_ov) = match (&g.source, p.source) {
                (None, None) => {
                    add("src_both_null", true);
                    (true, true)
                }
                (None, Some(_)) => {
                    add("src_gold_null_only", true);
                    (false, false)
                }
                (Some(_), None) => {
                    add("src_pred_null_only", true);
                    (false, false)
                }
                (Some(gs), Some(ps_)) => {
                    let exact = ps_ == (gs.start, gs.end);
                    let ov = gs.parts.iter().any(|&f| overlap(ps_, f) > 0);
                    add("src_both", true);
                    add("src_both_exact", exact);
                    add("src_both_overlap", ov);
                    (exact, ov)
                }
            };
            add("src_exact_acc", s_exact);
            add("src_overlap_acc", s_ov);
            add("src_pred_nonnull", p.source.is_some());
            add("src_gold_nonnull", g.source.is_some());
            let (tp, np, ng, f1, same) = content_pair(text, p, &g.content);
            tok_tp += tp;
            tok_pred += np;
            tok_gold += ng;
            pair_f1.push(f1);
            add("content_same", same);
            if s_ov {
                add("att", true);
                correct_p[pi] = true;
                add("att_full", f1 >= 0.5);
            }
            add("att_exact", s_exact);
        }
        for (pi, p) in ps.iter().enumerate() {
            if dropped.contains(&pi) {
                continue;
            }
            let level = p.sourcing.clone().unwrap_or_else(|| "(none)".to_string());
            let row = by_sourcing.entry(level).or_insert(SourcingRow {
                n: 0,
                cue_matched: 0,
                attribution_correct: 0,
                precision: 0.0,
            });
            row.n += 1;
            row.cue_matched += used_p[pi] as usize;
            row.attribution_correct += correct_p[pi] as usize;
            if !used_p[pi] {
                extra.add(text.slice(p.cue.0, p.cue.1).to_lowercase(), aid, p.cue.0);
            }
        }
        for (gi, g) in golds.iter().enumerate() {
            if !used_g[gi] && g.required {
                missed.add(
                    text.slice(g.cue.start, g.cue.end).to_lowercase(),
                    aid,
                    g.cue.start,
                );
            }
        }
    }
    for row in by_sourcing.values_mut() {
        row.precision = round4(row.attribution_correct as f64 / row.n as f64);
    }
    let n = |k: &str| c.get(k).copied().unwrap_or(0);
    let m = n("matched");
    let acc = |k: &str| {
        if m > 0 {
            round4(n(k) as f64 / m as f64)
        } else {
            0.0
        }
    };
    let errors = |t: &Tally| -> (Vec<(String, usize)>, Vec<CueError>) {
        let top = t.most_common(opts.errors);
        let counts = top.iter().map(|r| (r.0.clone(), r.1)).collect();
        let examples = top
            .iter()
            .map(|(cue, count, aid, at)| {
                let text = &gold[aid].text;
                let len = cue.chars().count();
                CueError {
                    cue: cue.clone(),
                    count: *count,
                    article_id: aid.clone(),
                    example: example(opts.segmenter, text, (*at, at + len)),
                }
            })
            .collect();
        (counts, examples)
    };
    let ((mc, me), (uc, ue)) = if opts.errors > 0 {
        let (a, b) = (errors(&missed), errors(&extra));
        ((Some(a.0), Some(a.1)), (Some(b.0), Some(b.1)))
    } else {
        ((None, None), (None, None))
    };
    Report {
        articles: ids.len(),
        subset: opts.subset,
        gold_attributions: n("gold"),
        predictions: n("pred"),
        cue: prf(m, n("pred"), n("gold")),
        attribution: prf(n("att"), n("pred"), n("gold")),
        attribution_exact_source: prf(n("att_exact"), n("pred"), n("gold")),
        attribution_full: prf(n("att_full"), n("pred"), n("gold")),
        matched_pairs: m,
        source_exact: SourceScore {
            prf: prf(
                n("src_both_exact"),
                n("src_pred_nonnull"),
                n("src_gold_nonnull"),
            ),
            accuracy: acc("src_exact_acc"),
        },
        source_overlap: SourceScore {
            prf: prf(
                n("src_both_overlap"),
                n("src_pred_nonnull"),
                n("src_gold_nonnull"),
            ),
            accuracy: acc("src_overlap_acc"),
        },
        source_null: SourceNull {
            both_null: n("src_both_null"),
            gold_null_only: n("src_gold_null_only"),
            pred_null_only: n("src_pred_null_only"),
        },
        content: ContentScore {
            prf: prf(tok_tp, tok_pred, tok_gold),
            mean_pair_f1: if m > 0 {
                round4(pair_f1.iter().sum::<f64>() / m as f64)
            } else {
                0.0
            },
            same_tokens: acc("content_same"),
        },
        by_sourcing,
        missed_gold_cues: mc,
        unmatched_pred_cues: uc,
        missed_examples: me,
        unmatched_examples: ue,
        optional_matches,
    }
}

/// Python's `repr` of a short string, for the error lines of the table.
fn py_repr(s: &str) -> String {
    let q = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::from(q);
    for ch in s.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == q => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out.push(q);
    out
}

/// The report as score_claims.py prints it, then the error examples.
pub fn table(r: &Report) -> String {
    let mut l = Vec::new();
    l.push(format!(
        "articles {}{}   gold attributions {}   predictions {}",
        r.articles,
        if r.subset {
            " (subset: only articles named in the claims)"
        } else {
            ""
        },
        r.gold_attributions,
        r.predictions
    ));
    l.push(format!(
        "{:34}{:>7}{:>7}{:>7}   tp / pred / gold",
        "", "P", "R", "F1"
    ));
    let row = |name: &str, d: &Prf| {
        format!(
            "{name:34}{:7.3}{:7.3}{:7.3}   {} / {} / {}",
            d.p, d.r, d.f1, d.tp, d.pred, d.gold
        )
    };
    l.push(row("cue (overlap)", &r.cue));
    l.push(row("attribution (cue + source overlap)", &r.attribution));
    l.push(row("  ... source exact", &r.attribution_exact_source));
    l.push(row("  ... + content token F1 >= 0.5", &r.attribution_full));
    l.push(format!(
        "over {} cue-matched pairs (P/R over non-null sources; acc counts null==null):",
        r.matched_pairs
    ));
    for (name, d) in [
        ("source exact span", &r.source_exact),
        ("source overlap", &r.source_overlap),
    ] {
        l.push(format!(
            "{name:34}{:7.3}{:7.3}{:7.3}   acc {:.3}",
            d.prf.p, d.prf.r, d.prf.f1, d.accuracy
        ));
    }
    let sn = &r.source_null;
    l.push(format!(
        "{:34}both {}, gold only {}, prediction only {}",
        "source null", sn.both_null, sn.gold_null_only, sn.pred_null_only
    ));
    let d = &r.content;
    l.push(format!(
        "{:34}{:7.3}{:7.3}{:7.3}   mean pair F1 {:.3}, same tokens {:.3}",
        "content tokens (micro)", d.prf.p, d.prf.r, d.prf.f1, d.mean_pair_f1, d.same_tokens
    ));
    l.push("predictions by sourcing:".to_string());
    l.push(format!(
        "  {:20}{:>7}{:>8}{:>8}{:>7}",
        "sourcing", "n", "cue ok", "att ok", "prec"
    ));
    for (k, v) in &r.by_sourcing {
        l.push(format!(
            "  {k:20}{:7}{:8}{:8}{:7.3}",
            v.n, v.cue_matched, v.attribution_correct, v.precision
        ));
    }
    let listed = |xs: &[(String, usize)]| {
        xs.iter()
            .map(|(t, n)| format!("{} {n}", py_repr(t)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if let (Some(m), Some(u)) = (&r.missed_gold_cues, &r.unmatched_pred_cues) {
        l.push(format!("most missed gold cues: {}", listed(m)));
        l.push(format!("most unmatched predicted cues: {}", listed(u)));
    }
    if r.optional_matches > 0 {
        l.push(format!(
            "{} predictions matched debatable gold claims (required: false) and are not counted",
            r.optional_matches
        ));
    }
    for (title, xs) in [
        ("missed gold cues, an example each:", &r.missed_examples),
        (
            "unmatched predicted cues, an example each:",
            &r.unmatched_examples,
        ),
    ] {
        if let Some(xs) = xs {
            l.push(title.to_string());
            for x in xs {
                l.push(format!(
                    "  {} {}  [{}] {}",
                    py_repr(&x.cue),
                    x.count,
                    x.article_id,
                    x.example
                ));
            }
        }
    }
    l.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_is_half_even_on_the_binary_value_like_python() {
        // round(0.03125, 4) == 0.0312 and round(0.00015, 4) == 0.0001 in Python:
        // the first is an exact tie, the second lies just below its decimal.
        assert_eq!(round4(0.03125), 0.0312);
        assert_eq!(round4(0.00015), 0.0001);
        assert_eq!(round4(2.0 / 3.0), 0.6667);
    }

    #[test]
    fn tokens_cut_by_a_span_edge_count_from_the_edge() {
        let t = Text::new("héllo wörld_1 x".to_string());
        let got: Vec<usize> = {
            let mut v: Vec<_> = tokens_in(&t, &[(2, 15)]).into_iter().collect();
            v.sort();
            v
        };
        assert_eq!(got, vec![2, 6, 14]);
    }

    #[test]
    fn greedy_matching_prefers_larger_overlap_then_earlier_gold() {
        let span = |s, e| GoldSpan {
            start: s,
            end: e,
            parts: vec![(s, e)],
        };
        let gold = |s, e| GoldAttribution {
            cue: span(s, e),
            source: None,
            content: None,
            required: true,
        };
        let pred = |s, e| Prediction {
            cue: (s, e),
            source: None,
            content: None,
            content_text: None,
            has_content: false,
            sourcing: None,
        };
        let golds = [gold(0, 4), gold(3, 10)];
        let preds = [pred(2, 6), pred(3, 4)];
        // pred 0 overlaps gold 1 by 3 > gold 0 by 2; pred 1 then takes gold 0.
        assert_eq!(match_article(&preds, &golds), vec![(0, 1), (1, 0)]);
    }

    #[test]
    fn python_repr_picks_its_quote() {
        assert_eq!(py_repr("said"), "'said'");
        assert_eq!(py_repr("isn't"), "\"isn't\"");
    }
}
