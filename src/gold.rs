//! Gold attributions that `whosaid eval` and `whosaid rules suggest` measure against,
//! read from any of the three layouts annotators hand over:
//!
//! - a gold JSONL as written by `shared/tools/polnear_gold.py` (one article a line,
//!   with its text and its attributions);
//! - a BRAT folder (`text/*.txt` and `attributions/<stem>_<annotator>.ann`), read the
//!   way that converter reads it: the first annotator's file in sorted order;
//! - the project's native sample gold (`tests/samples/*.gold.jsonl`: one claim a line,
//!   fields of claims.jsonl plus `required`), with the article texts in a folder.
//!
//! Offsets everywhere are character (code point) offsets, end exclusive.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// A gold file or folder that cannot be read or does not say what it must.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct GoldError(pub String);

fn err<T>(msg: String) -> Result<T, GoldError> {
    Err(GoldError(msg))
}

/// One article's text with the byte offset of every character, so that character
/// offsets from the gold and the claims slice it directly.
pub struct Text {
    pub text: String,
    byte_of: Vec<usize>,
}

impl Text {
    pub fn new(text: String) -> Self {
        let mut byte_of: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
        byte_of.push(text.len());
        Text { text, byte_of }
    }

    /// Length in characters.
    pub fn len(&self) -> usize {
        self.byte_of.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// The byte offset of character offset `c` (at most `len()`).
    pub fn byte(&self, c: usize) -> usize {
        self.byte_of[c]
    }

    /// The character offset of byte offset `b` (a character boundary).
    pub fn char_of(&self, b: usize) -> usize {
        self.byte_of.partition_point(|&x| x < b)
    }

    pub fn slice(&self, start: usize, end: usize) -> &str {
        &self.text[self.byte(start)..self.byte(end)]
    }
}

/// A gold span: its outer bounds and its fragments (one fragment unless the
/// annotation is discontinuous, as a quote split by its cue is).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoldSpan {
    pub start: usize,
    pub end: usize,
    pub parts: Vec<(usize, usize)>,
}

#[derive(Debug, Clone)]
pub struct GoldAttribution {
    pub cue: GoldSpan,
    pub source: Option<GoldSpan>,
    pub content: Option<GoldSpan>,
    /// false for the native gold's debatable claims (`"required": false`): missing one
    /// costs nothing and a prediction matching one is neither right nor wrong.
    pub required: bool,
}

pub struct GoldArticle {
    pub text: Text,
    pub attributions: Vec<GoldAttribution>,
}

/// Gold articles by id, in id order (the order scores and error lists are built in).
pub type Gold = BTreeMap<String, GoldArticle>;

/// Read gold from `path`: a JSONL file (PolNeAR gold or native gold, told apart by
/// their first line), a BRAT folder, or a folder of native `*.gold.jsonl` files.
/// `texts` is where native gold finds `<article_id>.txt`.
pub fn load(path: &Path, texts: &Path) -> Result<Gold, GoldError> {
    let gold = if path.is_dir() {
        if path.join("text").is_dir() && path.join("attributions").is_dir() {
            load_brat(path)?
        } else {
            let files = native_files(path)?;
            let mut gold = Gold::new();
            for f in files {
                load_native(&f, texts, &mut gold)?;
            }
            gold
        }
    } else {
        let body = read_text(path)?;
        let first = body.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        let is_native = serde_json::from_str::<Value>(first)
            .map(|v| v.get("cue").is_some() && v.get("attributions").is_none())
            .unwrap_or(false);
        if is_native {
            let mut gold = Gold::new();
            load_native(path, texts, &mut gold)?;
            gold
        } else {
            parse_gold_jsonl(path, &body)?
        }
    };
    if gold.is_empty() {
        return err(format!("{}: no gold articles", path.display()));
    }
    Ok(gold)
}

fn read_text(path: &Path) -> Result<String, GoldError> {
    let bytes = fs::read(path).map_err(|e| GoldError(format!("{}: {e}", path.display())))?;
    String::from_utf8(bytes).map_err(|e| GoldError(format!("{}: not UTF-8 ({e})", path.display())))
}

fn native_files(dir: &Path) -> Result<Vec<PathBuf>, GoldError> {
    let entries = fs::read_dir(dir).map_err(|e| GoldError(format!("{}: {e}", dir.display())))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".gold.jsonl"))
        .collect();
    files.sort();
    if files.is_empty() {
        return err(format!(
            "{}: neither a BRAT folder (text/ and attributions/) nor a folder of *.gold.jsonl files",
            dir.display()
        ));
    }
    Ok(files)
}

/// A span object `{start, end, parts?}` of a gold line.
fn span(v: &Value, where_: &str, field: &str, text: &Text) -> Result<Option<GoldSpan>, GoldError> {
    if v.is_null() {
        return Ok(None);
    }
    let bounds = |v: &Value| -> Result<(usize, usize), GoldError> {
        let (s, e) = match (
            v.get("start").and_then(Value::as_u64),
            v.get("end").and_then(Value::as_u64),
        ) {
            (Some(s), Some(e)) => (s as usize, e as usize),
            _ => return err(format!("{where_}: {field} needs integer start and end")),
        };
        if s > e || e > text.len() {
            return err(format!(
                "{where_}: {field} offsets {s} {e} outside the article ({} characters)",
                text.len()
            ));
        }
        if let Some(t) = v.get("text").and_then(Value::as_str) {
            if t != text.slice(s, e) {
                return err(format!(
                    "{where_}: {field} text {t:?} is not the article text at {s}:{e}"
                ));
            }
        }
        Ok((s, e))
    };
    let (start, end) = bounds(v)?;
    let mut parts = Vec::new();
    if let Some(list) = v.get("parts").and_then(Value::as_array) {
        for p in list {
            parts.push(bounds(p)?);
        }
    }
    if parts.is_empty() {
        parts.push((start, end));
    }
    Ok(Some(GoldSpan { start, end, parts }))
}

fn attribution(
    v: &Value,
    where_: &str,
    text: &Text,
    required: bool,
) -> Result<GoldAttribution, GoldError> {
    let null = Value::Null;
    let cue = span(v.get("cue").unwrap_or(&null), where_, "cue", text)?;
    let Some(cue) = cue else {
        return err(format!("{where_}: an attribution has no cue"));
    };
    Ok(GoldAttribution {
        cue,
        source: span(v.get("source").unwrap_or(&null), where_, "source", text)?,
        content: span(v.get("content").unwrap_or(&null), where_, "content", text)?,
        required,
    })
}

/// The non-empty lines of a JSONL body, parsed, each with its "file:line".
pub fn json_lines<'a>(
    path: &'a Path,
    body: &'a str,
) -> impl Iterator<Item = Result<(String, Value), GoldError>> + 'a {
    body.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(move |(i, line)| {
            let where_ = format!("{}:{}", path.display(), i + 1);
            match serde_json::from_str(line) {
                Ok(v) => Ok((where_, v)),
                Err(e) => Err(GoldError(format!("{where_}: not JSON ({e})"))),
            }
        })
}

fn parse_gold_jsonl(path: &Path, body: &str) -> Result<Gold, GoldError> {
    let mut gold = Gold::new();
    for line in json_lines(path, body) {
        let (where_, v) = line?;
        let (Some(id), Some(text), Some(atts)) = (
            v.get("article_id").and_then(Value::as_str),
            v.get("text").and_then(Value::as_str),
            v.get("attributions").and_then(Value::as_array),
        ) else {
            return err(format!(
                "{where_}: not a gold article (needs article_id, text, attributions)"
            ));
        };
        if gold.contains_key(id) {
            return err(format!("{where_}: duplicate article_id {id:?}"));
        }
        let text = Text::new(text.to_string());
        let attributions = atts
            .iter()
            .map(|a| attribution(a, &where_, &text, true))
            .collect::<Result<_, _>>()?;
        gold.insert(id.to_string(), GoldArticle { text, attributions });
    }
    Ok(gold)
}

/// Native gold: one claim a line; the text is `<texts>/<article_id>.txt`.
fn load_native(path: &Path, texts: &Path, gold: &mut Gold) -> Result<(), GoldError> {
    let body = read_text(path)?;
    let mut ids_here: Vec<String> = Vec::new();
    for line in json_lines(path, &body) {
        let (where_, v) = line?;
        let Some(id) = v.get("article_id").and_then(Value::as_str) else {
            return err(format!("{where_}: no article_id"));
        };
        if !gold.contains_key(id) {
            let file = texts.join(format!("{id}.txt"));
            if !file.is_file() {
                return err(format!(
                    "{where_}: no text for article {id:?}: {} does not exist (give the folder \
                     of the article texts with --texts)",
                    file.display()
                ));
            }
            gold.insert(
                id.to_string(),
                GoldArticle {
                    text: Text::new(read_text(&file)?),
                    attributions: Vec::new(),
                },
            );
            ids_here.push(id.to_string());
        } else if !ids_here.iter().any(|x| x == id) {
            return err(format!(
                "{where_}: article {id:?} is already annotated in another gold file"
            ));
        }
        let article = gold.get_mut(id).expect("inserted above");
        let required = v.get("required").and_then(Value::as_bool).unwrap_or(true);
        let a = attribution(&v, &where_, &article.text, required)?;
        article.attributions.push(a);
    }
    for id in ids_here {
        let atts = &mut gold.get_mut(&id).expect("inserted").attributions;
        atts.sort_by_key(|a| a.cue.start);
    }
    Ok(())
}

/// A BRAT folder: every `text/<stem>.txt` with the `.ann` of its first annotator.
fn load_brat(dir: &Path) -> Result<Gold, GoldError> {
    let list = |sub: &str| -> Result<Vec<String>, GoldError> {
        let d = dir.join(sub);
        let rd = fs::read_dir(&d).map_err(|e| GoldError(format!("{}: {e}", d.display())))?;
        let mut names: Vec<String> = rd
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        Ok(names)
    };
    let mut anns: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for f in list("attributions")? {
        let Some(stem_ann) = f.strip_suffix(".ann") else {
            continue;
        };
        match stem_ann.rsplit_once('_') {
            Some((stem, ann))
                if ann.len() == 4
                    && ann
                        .bytes()
                        .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()) =>
            {
                anns.entry(stem.to_string()).or_default().push(f.clone());
            }
            _ => {
                return err(format!(
                    "{}: name is not <stem>_<annotator>.ann",
                    dir.join("attributions").join(&f).display()
                ))
            }
        }
    }
    let mut gold = Gold::new();
    for f in list("text")? {
        let Some(stem) = f.strip_suffix(".txt") else {
            continue;
        };
        let text_path = dir.join("text").join(&f);
        let Some(files) = anns.get(stem) else {
            return err(format!(
                "{}: no .ann file for this article",
                text_path.display()
            ));
        };
        let text = Text::new(read_text(&text_path)?);
        let ann_path = dir.join("attributions").join(&files[0]);
        let attributions = parse_ann(&read_text(&ann_path)?, &text, &ann_path)?;
        gold.insert(stem.to_string(), GoldArticle { text, attributions });
    }
    if let Some(orphan) = anns.keys().find(|s| !gold.contains_key(*s)) {
        return err(format!(
            "{}: .ann files without a text file, e.g. {orphan}",
            dir.display()
        ));
    }
    Ok(gold)
}

/// The attributions of one `.ann` file: its `E` events with their Source, Cue and
/// Content (and Content2) arguments. Discard/Discuss flags and notes carry nothing.
fn parse_ann(ann: &str, text: &Text, path: &Path) -> Result<Vec<GoldAttribution>, GoldError> {
    let at = |line: usize| format!("{}:{line}", path.display());
    // A T record's text may run over a newline, so a line that starts no record
    // continues the previous one.
    let mut records: Vec<(usize, String)> = Vec::new();
    for (i, line) in ann.split('\n').enumerate() {
        let starts_record = {
            let head = line.split('\t').next().unwrap_or("");
            line.contains('\t')
                && head.chars().next().is_some_and(|c| "TERAMN#*".contains(c))
                && head[1..].bytes().all(|b| b.is_ascii_digit())
        };
        if starts_record {
            records.push((i + 1, line.to_string()));
        } else if let Some(last) = records.last_mut() {
            last.1.push('\n');
            last.1.push_str(line);
        } else if !line.trim().is_empty() {
            return err(format!("{}: text before the first annotation", at(i + 1)));
        }
    }
    let mut spans: BTreeMap<String, (String, Vec<(usize, usize)>)> = BTreeMap::new();
    let mut events: Vec<(usize, String, Vec<String>)> = Vec::new();
    for (lineno, rec) in &records {
        let mut cols = rec.splitn(3, '\t');
        let id = cols.next().unwrap_or("");
        if id.starts_with('T') {
            let (Some(meta), Some(span_text)) = (cols.next(), cols.next()) else {
                return err(format!("{}: malformed T line", at(*lineno)));
            };
            let Some((kind, offs)) = meta.split_once(' ') else {
                return err(format!("{}: malformed T line", at(*lineno)));
            };
            let mut frags = Vec::new();
            for piece in offs.split(';') {
                let nums: Vec<Option<usize>> = piece.split(' ').map(|n| n.parse().ok()).collect();
                match nums[..] {
                    [Some(a), Some(b)] if a <= b && b <= text.len() => frags.push((a, b)),
                    [Some(a), Some(b)] => {
                        return err(format!(
                            "{}: offsets {a} {b} outside the text ({} chars)",
                            at(*lineno),
                            text.len()
                        ))
                    }
                    _ => return err(format!("{}: malformed T offsets {offs:?}", at(*lineno))),
                }
            }
            let want: Vec<&str> = frags.iter().map(|&(a, b)| text.slice(a, b)).collect();
            if span_text.trim_end_matches('\n') != want.join(" ").trim_end_matches('\n') {
                return err(format!(
                    "{}: span text does not match the article text at {offs}",
                    at(*lineno)
                ));
            }
            if spans
                .insert(id.to_string(), (kind.to_string(), frags))
                .is_some()
            {
                return err(format!("{}: duplicate id {id}", at(*lineno)));
            }
        } else if id.starts_with('E') {
            let Some(args) = cols.next() else {
                return err(format!("{}: malformed E line", at(*lineno)));
            };
            let args = args.split_whitespace().map(str::to_string).collect();
            events.push((*lineno, id.to_string(), args));
        }
    }
    let mut out: Vec<(usize, u64, GoldAttribution)> = Vec::new();
    for (lineno, eid, args) in events {
        let mut trigger = None;
        let mut frags: [Vec<(usize, usize)>; 3] = Default::default();
        for arg in &args {
            let (role, target) = arg.split_once(':').unwrap_or((arg, ""));
            if target.is_empty() {
                return err(format!("{}: argument {arg:?} has no target", at(lineno)));
            }
            let Some((_, tf)) = spans.get(target) else {
                return err(format!("{}: {eid} refers to unknown {target}", at(lineno)));
            };
            match role {
                "Attribution" | "Attribution-no-source" => trigger = Some(tf.clone()),
                "Source" => frags[0].extend(tf),
                "Cue" => frags[1].extend(tf),
                "Content" | "Content2" => frags[2].extend(tf),
                _ => return err(format!("{}: unknown role {role:?} in {eid}", at(lineno))),
            }
        }
        let Some(trigger) = trigger else {
            return err(format!(
                "{}: event {eid} has no Attribution trigger",
                at(lineno)
            ));
        };
        if frags[1].is_empty() {
            frags[1] = trigger;
        }
        let [source, cue, content] = frags.map(|mut f| {
            f.sort();
            (!f.is_empty()).then(|| GoldSpan {
                start: f[0].0,
                end: f.iter().map(|x| x.1).max().unwrap_or(0),
                parts: f,
            })
        });
        let cue = cue.expect("a trigger always gives a cue");
        let order = eid[1..].parse().unwrap_or(0);
        let a = GoldAttribution {
            cue,
            source,
            content,
            required: true,
        };
        out.push((a.cue.start, order, a));
    }
    out.sort_by_key(|(start, order, _)| (*start, *order));
    Ok(out.into_iter().map(|(_, _, a)| a).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_maps_characters_to_bytes_and_back() {
        let t = Text::new("é said “no”".to_string());
        assert_eq!(t.len(), 11);
        assert_eq!(t.slice(2, 6), "said");
        assert_eq!(t.slice(7, 11), "“no”");
        assert_eq!(t.char_of(t.byte(8)), 8);
    }

    #[test]
    fn ann_events_become_attributions_with_fragments() {
        let text = Text::new("\"A,\" he said, \"B.\"".to_string());
        let ann = "T1\tSource 5 7\the\nT2\tCue 8 12\tsaid\nT3\tContent 1 3;15 17\tA, B.\n\
                   T4\tAttribution 8 12\tsaid\nE1\tAttribution:T4 Source:T1 Cue:T2 Content:T3\n";
        let atts = parse_ann(ann, &text, Path::new("x.ann")).unwrap();
        assert_eq!(atts.len(), 1);
        let a = &atts[0];
        assert_eq!((a.cue.start, a.cue.end), (8, 12));
        assert_eq!(a.source.as_ref().unwrap().parts, vec![(5, 7)]);
        let c = a.content.as_ref().unwrap();
        assert_eq!((c.start, c.end), (1, 17));
        assert_eq!(c.parts, vec![(1, 3), (15, 17)]);
    }

    #[test]
    fn ann_errors_name_file_and_line() {
        let text = Text::new("he said".to_string());
        let e = parse_ann("T1\tCue 3 99\tsaid\n", &text, Path::new("a.ann")).unwrap_err();
        assert!(e.0.starts_with("a.ann:1: offsets 3 99 outside"), "{e}");
        let e = parse_ann("E1\tCue:T9\n", &text, Path::new("a.ann")).unwrap_err();
        assert!(e.0.starts_with("a.ann:1: E1 refers to unknown T9"), "{e}");
    }
}
