//! `whosaid rules suggest`: grow the rules from an annotated sample.
//!
//! The current rules run over the sample; every gold attribution they miss is
//! filed either as a **lexicon gap** (its cue holds no known cue form) or as a
//! **pattern gap** (the cue form is known, the sentence shape is not read). Each
//! frequent gap form becomes a trial cue entry; the rules with all trial entries run
//! over the sample again, so every entry is reported with the precision it really
//! had there, and with an example sentence from the sample that the extended rules
//! read. What is printed is TOML to paste into `cues.toml`, which `rules check`
//! accepts: entries whose examples would fail are dropped and listed.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;

use rayon::prelude::*;

use crate::examples::check_examples;
use crate::gold::{Gold, GoldAttribution};
use crate::model::{Article, ArticleResult, Claim};
use crate::pipeline::process;
use crate::rules::{normalise_form, role, RuleError, Rules};
use crate::score::{match_article, Prediction};

/// What to suggest.
pub struct SuggestOptions {
    /// A gap form must be missed at least this often to be tried.
    pub min_count: usize,
    /// An entry is suggested when this share of its claims is right (cue matched and
    /// source agreeing) on the sample.
    pub min_precision: f64,
    /// How many pattern gaps to list.
    pub pattern_gaps: usize,
}

/// A suggested cue entry, with how it did on the sample.
#[derive(Debug, Clone)]
pub struct Entry {
    pub id: String,
    pub form: String,
    pub kind: &'static str,
    /// Gold attributions with this cue form that the current rules miss.
    pub missed: usize,
    /// Claims the entry made on the sample with the extended rules.
    pub claims: usize,
    pub cue_matched: usize,
    pub correct: usize,
    pub example: Option<Example>,
}

impl Entry {
    pub fn precision(&self) -> f64 {
        if self.claims == 0 {
            0.0
        } else {
            self.correct as f64 / self.claims as f64
        }
    }
}

#[derive(Debug, Clone)]
pub struct Example {
    pub text: String,
    pub cue: String,
    pub source: Option<String>,
}

/// Missed gold attributions whose cue the lexicon knows: the sentence shape is what
/// the patterns do not read.
#[derive(Debug, Clone)]
pub struct PatternGap {
    /// The known cue form and the order of source, cue and content in the gold.
    pub form: String,
    pub shape: String,
    pub count: usize,
    pub example: String,
}

pub struct Suggestions {
    pub gold_attributions: usize,
    pub missed: usize,
    /// Entries that passed, by descending number of missed attributions.
    pub entries: Vec<Entry>,
    /// Tried and left out: too rare on the sample's claims, too imprecise, or no
    /// sentence of the sample made a passing example.
    pub rejected: Vec<(Entry, String)>,
    pub pattern_gaps: Vec<PatternGap>,
}

fn predictions(claims: &[Claim]) -> Vec<Prediction> {
    claims
        .iter()
        .map(|c| Prediction {
            cue: (c.cue.start, c.cue.end),
            source: c.source.as_ref().map(|s| (s.start, s.end)),
            content: c.content.as_ref().map(|s| (s.start, s.end)),
            content_text: c.content.as_ref().map(|s| s.text.clone()),
            has_content: c.content.is_some(),
            sourcing: Some(c.sourcing.clone()),
        })
        .collect()
}

/// Run `rules` over every gold article: (result, matched gold index per claim).
fn run(rules: &Rules, gold: &Gold) -> Vec<(String, ArticleResult, Vec<Option<usize>>)> {
    gold.par_iter()
        .map(|(id, a)| {
            let result = process(
                rules,
                Article {
                    id: id.clone(),
                    text: a.text.text.clone(),
                    input: id.clone(),
                    meta: Vec::new(),
                },
            );
            let mut matched = vec![None; result.claims.len()];
            for (pi, gi) in match_article(&predictions(&result.claims), &a.attributions) {
                matched[pi] = Some(gi);
            }
            (id.clone(), result, matched)
        })
        .collect()
}

fn source_agrees(c: &Claim, g: &GoldAttribution) -> bool {
    match (&c.source, &g.source) {
        (None, None) => true,
        (Some(s), Some(gs)) => gs.parts.iter().any(|&(a, b)| s.start.max(a) < s.end.min(b)),
        _ => false,
    }
}

/// The gold cue without the auxiliaries, negators and adverbs a lexicon entry does
/// not need ("has also said" → "said"), lower case, without trailing punctuation.
fn cue_form(rules: &Rules, cue: &str) -> String {
    let norm = normalise_form(cue);
    let words: Vec<&str> = norm.split(' ').collect();
    let skip = words
        .iter()
        .take_while(|w| {
            let verb_group =
                role::AUXILIARY | role::NEGATOR | role::DISCOURSE_ADVERB | role::COPULA;
            rules.is(verb_group, w) || (w.len() > 4 && w.ends_with("ly"))
        })
        .count()
        .min(words.len().saturating_sub(1));
    let form = words[skip..].join(" ");
    match form.trim_end_matches(|c: char| !c.is_alphanumeric()) {
        "" => form,
        word => word.to_string(),
    }
}

/// Does a cue form the lexicon already has stand alone somewhere in `form`?
fn known(rules: &Rules, form: &str) -> bool {
    let mut found = Vec::new();
    rules.cue_scan.candidates(form, &mut found);
    !found.is_empty()
}

/// A cue form is tried as an entry only if it has a word in it.
fn has_word(form: &str) -> bool {
    form.chars().any(char::is_alphanumeric)
}

fn shape(g: &GoldAttribution) -> String {
    let mut parts = vec![(g.cue.start, "CUE")];
    if let Some(s) = &g.source {
        parts.push((s.start, "SOURCE"));
    }
    if let Some(c) = &g.content {
        parts.push((c.start, "CONTENT"));
    }
    parts.sort();
    parts.iter().map(|p| p.1).collect::<Vec<_>>().join(" ")
}

/// The line around `start..end` (character offsets), the span marked `[[...]]`.
fn context(text: &crate::gold::Text, start: usize, end: usize) -> String {
    let (bs, be) = (text.byte(start), text.byte(end));
    let t = &text.text;
    let s = t[..bs].rfind('\n').map_or(0, |i| i + 1);
    let e = t[be..].find('\n').map_or(t.len(), |i| be + i);
    let clip = |x: &str, keep_end: bool| -> String {
        let chars: Vec<char> = x.chars().collect();
        if chars.len() <= 120 {
            x.to_string()
        } else if keep_end {
            format!("…{}", chars[chars.len() - 120..].iter().collect::<String>())
        } else {
            format!("{}…", chars[..120].iter().collect::<String>())
        }
    };
    format!(
        "{}[[{}]]{}",
        clip(&t[s..bs], true),
        &t[bs..be],
        clip(&t[be..e], false)
    )
}

fn slug(form: &str) -> String {
    let mut s = String::new();
    for c in form.chars() {
        if c.is_alphanumeric() {
            s.extend(c.to_lowercase());
        } else if !s.ends_with('-') {
            s.push('-');
        }
    }
    s.trim_matches('-').to_string()
}

fn toml_str(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// The cue entries as TOML; `examples` false gives each a placeholder example that
/// expects nothing, for the trial run.
fn entries_toml(entries: &[Entry], examples: bool) -> String {
    let mut out = String::new();
    for e in entries {
        let _ = writeln!(out, "\n[[cue]]\nid = {}", toml_str(&e.id));
        let _ = writeln!(out, "lemma = {}", toml_str(&e.form));
        let _ = writeln!(out, "kind = \"{}\"\nstance = \"assert\"", e.kind);
        let _ = writeln!(out, "forms = [{}]", toml_str(&e.form));
        match (&e.example, examples) {
            (Some(x), true) => {
                let _ = writeln!(out, "[[cue.example]]\ntext = {}", toml_str(&x.text));
                if let Some(s) = &x.source {
                    let _ = writeln!(out, "source = {}", toml_str(s));
                }
                let _ = writeln!(out, "cue = {}", toml_str(&x.cue));
            }
            _ => {
                let _ = writeln!(out, "[[cue.example]]\ntext = \"-\"\nclaims = 0");
            }
        }
    }
    out
}

/// `files` with `extra` appended to cues.toml.
fn with_cues(files: &[(String, String)], extra: &str) -> Vec<(String, String)> {
    files
        .iter()
        .map(|(n, s)| {
            if n == "cues.toml" {
                (n.clone(), format!("{s}\n{extra}"))
            } else {
                (n.clone(), s.clone())
            }
        })
        .collect()
}

/// Suggest cue entries and list pattern gaps for the rules `files` (as read by
/// [`Rules::read_files`]) on the annotated sample `gold`.
pub fn suggest(
    origin: &str,
    files: &[(String, String)],
    gold: &Gold,
    opts: &SuggestOptions,
) -> Result<Suggestions, RuleError> {
    let rules = Rules::from_files(origin.to_string(), files)?;
    let base = run(&rules, gold);

    let mut gaps: BTreeMap<String, (usize, String, String)> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    let mut shapes: HashMap<(String, String), (usize, String)> = HashMap::new();
    let mut shape_order: Vec<(String, String)> = Vec::new();
    let (mut total, mut missed) = (0, 0);
    for (id, _, matched) in &base {
        let article = &gold[id];
        let hit: HashSet<usize> = matched.iter().flatten().copied().collect();
        for (gi, g) in article.attributions.iter().enumerate() {
            if !g.required {
                continue;
            }
            total += 1;
            if hit.contains(&gi) {
                continue;
            }
            missed += 1;
            let form = cue_form(&rules, article.text.slice(g.cue.start, g.cue.end));
            let ctx = context(&article.text, g.cue.start, g.cue.end);
            if has_word(&form) && !known(&rules, &form) {
                let e = gaps.entry(form.clone()).or_insert_with(|| {
                    order.push(form.clone());
                    (0, ctx, id.clone())
                });
                e.0 += 1;
            } else {
                let key = (form, shape(g));
                let e = shapes.entry(key.clone()).or_insert_with(|| {
                    shape_order.push(key.clone());
                    (0, ctx)
                });
                e.0 += 1;
            }
        }
    }

    let taken: HashSet<&String> = rules.refs.keys().collect();
    let mut trial: Vec<Entry> = Vec::new();
    for form in &order {
        let (n, _, _) = &gaps[form];
        if *n < opts.min_count {
            continue;
        }
        let mut id = format!("cue/suggested/{}", slug(form));
        let stem = id.clone();
        for n in 2.. {
            if !taken.contains(&id) && !trial.iter().any(|e| e.id == id) {
                break;
            }
            id = format!("{stem}-{n}");
        }
        let ends_in_verb = ["ed", "ing", "s"].iter().any(|x| form.ends_with(x));
        trial.push(Entry {
            id,
            form: form.clone(),
            kind: if ends_in_verb || form.contains(' ') {
                "verb"
            } else {
                "noun"
            },
            missed: *n,
            claims: 0,
            cue_matched: 0,
            correct: 0,
            example: None,
        });
    }
    trial.sort_by(|a, b| b.missed.cmp(&a.missed).then(a.form.cmp(&b.form)));

    let trial_files = with_cues(files, &entries_toml(&trial, false));
    let trial_rules = Rules::from_files(origin.to_string(), &trial_files)?;
    let index: HashMap<String, usize> = trial
        .iter()
        .enumerate()
        .map(|(i, e)| (e.id.clone(), i))
        .collect();
    let extended = run(&trial_rules, gold);
    let mut candidates: Vec<Vec<Example>> = vec![Vec::new(); trial.len()];
    for (id, result, matched) in &extended {
        let article = &gold[id];
        for (c, m) in result.claims.iter().zip(matched) {
            let Some(&i) = index.get(&c.cue_rule) else {
                continue;
            };
            let e = &mut trial[i];
            e.claims += 1;
            let Some(gi) = m else { continue };
            let g = &article.attributions[*gi];
            e.cue_matched += 1;
            if source_agrees(c, g) {
                e.correct += 1;
                if candidates[i].len() < 5 {
                    candidates[i].push(Example {
                        text: result.sentences[c.sentence_index].text.clone(),
                        cue: c.cue.text.clone(),
                        source: c.source.as_ref().map(|s| s.text.clone()),
                    });
                }
            }
        }
    }

    let mut rejected = Vec::new();
    let mut kept = Vec::new();
    for (e, cands) in trial.into_iter().zip(candidates) {
        if e.precision() < opts.min_precision {
            let why = format!(
                "precision {:.2} on the sample, below {:.2}",
                e.precision(),
                opts.min_precision
            );
            rejected.push((e, why));
        } else {
            kept.push((e, cands));
        }
    }
    // Pick, per entry, the first candidate sentence that passes as an example on
    // its own; the final rules are checked as `rules check` will check them.
    let mut entries: Vec<Entry> = Vec::new();
    let mut pending: Vec<(Entry, Vec<Example>)> = kept;
    for _round in 0..8 {
        for (e, cands) in &mut pending {
            e.example = if cands.is_empty() {
                None
            } else {
                Some(cands.remove(0))
            };
        }
        let (with, without): (Vec<_>, Vec<_>) =
            pending.into_iter().partition(|(e, _)| e.example.is_some());
        for (e, _) in without {
            rejected.push((e, "no sentence of the sample made a passing example".into()));
        }
        let mut all: Vec<Entry> = entries.clone();
        all.extend(with.iter().map(|(e, _)| e.clone()));
        let final_files = with_cues(files, &entries_toml(&all, true));
        let final_rules = Rules::from_files(origin.to_string(), &final_files)?;
        let (failures, _) = check_examples(&final_rules);
        let failed: HashSet<&str> = failures.iter().map(|f| f.rule.id.as_str()).collect();
        // A new entry may also break another rule's example ("claims = 0" texts
        // that now give a claim): the entries whose cues fired there go.
        let mut breakers: HashSet<String> = HashSet::new();
        for f in failures
            .iter()
            .filter(|f| !f.rule.id.starts_with("cue/suggested/"))
        {
            let article = Article {
                id: "example".into(),
                text: f.text.clone(),
                input: String::new(),
                meta: Vec::new(),
            };
            for c in process(&final_rules, article).claims {
                breakers.insert(c.cue_rule);
            }
        }
        let breaks = |e: &Entry| breakers.contains(&e.id);
        let (broke, kept): (Vec<Entry>, Vec<Entry>) = entries.drain(..).partition(breaks);
        entries = kept;
        pending = Vec::new();
        for (e, cands) in with {
            if breaks(&e) {
                rejected.push((e, "its cue breaks another rule's example".into()));
            } else if failed.contains(e.id.as_str()) {
                pending.push((e, cands));
            } else {
                entries.push(e);
            }
        }
        for e in broke {
            rejected.push((e, "its cue breaks another rule's example".into()));
        }
        if !breakers.is_empty() {
            continue; // check again without them
        }
        if pending.is_empty() {
            break;
        }
    }
    for (e, _) in pending {
        rejected.push((e, "no sentence of the sample made a passing example".into()));
    }
    entries.sort_by(|a, b| b.missed.cmp(&a.missed).then(a.form.cmp(&b.form)));

    let mut pattern_gaps: Vec<PatternGap> = shape_order
        .into_iter()
        .map(|k| {
            let (count, example) = shapes[&k].clone();
            PatternGap {
                form: k.0,
                shape: k.1,
                count,
                example,
            }
        })
        .collect();
    pattern_gaps.sort_by_key(|g| std::cmp::Reverse(g.count));
    pattern_gaps.truncate(opts.pattern_gaps);
    Ok(Suggestions {
        gold_attributions: total,
        missed,
        entries,
        rejected,
        pattern_gaps,
    })
}

/// The suggestions as TOML to paste into cues.toml, the rest as comments.
pub fn render(s: &Suggestions, opts: &SuggestOptions) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# whosaid rules suggest: {} gold attributions, {} missed by the current rules.\n\
         # Cue entries below: paste into cues.toml, then check each stance (\"assert\" is a\n\
         # placeholder), kind and forms (add the other inflections), and run `whosaid rules check`.\n\
         # \"precision\" = share of the entry's claims on this sample whose cue and source\n\
         # agree with the gold (entries below {:.2} are left out, listed at the end).",
        s.gold_attributions, s.missed, opts.min_precision
    );
    for e in &s.entries {
        let _ = writeln!(
            out,
            "\n# missed {} times; with this entry: {} claims, {} cue-matched, {} right: precision {:.2}",
            e.missed,
            e.claims,
            e.cue_matched,
            e.correct,
            e.precision()
        );
        out.push_str(entries_toml(std::slice::from_ref(e), true).trim_start_matches('\n'));
    }
    if !s.rejected.is_empty() {
        let _ = writeln!(out, "\n# Tried and left out:");
        for (e, why) in &s.rejected {
            let _ = writeln!(out, "#   {:?} (missed {}): {why}", e.form, e.missed);
        }
    }
    if !s.pattern_gaps.is_empty() {
        let _ = writeln!(
            out,
            "\n# Pattern gaps: the cue form is in the lexicon, the sentence shape is not read\n\
             # (order of the gold's source, cue and content; a new pattern in src/extract.rs):"
        );
        for g in &s.pattern_gaps {
            let _ = writeln!(
                out,
                "#   {:4}  {:?}  {}\n#         e.g. {}",
                g.count,
                g.form,
                g.shape,
                g.example.replace('\n', " ")
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cue_form_drops_auxiliaries_and_adverbs() {
        let rules = Rules::embedded().unwrap();
        assert_eq!(cue_form(&rules, "has also said"), "said");
        assert_eq!(cue_form(&rules, "privately suggested"), "suggested");
        assert_eq!(cue_form(&rules, "said:"), "said");
        assert_eq!(cue_form(&rules, ":"), ":");
        assert_eq!(cue_form(&rules, "Pointed To,"), "pointed to");
        assert!(known(&rules, "said in a statement"));
        assert!(known(&rules, "said:"));
        assert!(!known(&rules, "resaid"));
        assert!(!has_word(":"));
    }

    #[test]
    fn slugs_are_ids() {
        assert_eq!(slug("pointed to"), "pointed-to");
        assert_eq!(slug("Says:"), "says");
    }
}
