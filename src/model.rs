//! The plain data that flows between the stages: an input record, its sentences and
//! claims, and the per-article result the writers consume.

use serde::Serialize;

/// One article as read from the input, with the place it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Article {
    pub id: String,
    pub text: String,
    /// Where the record was read: `path` for a .txt, `path:line` for JSONL and CSV.
    pub input: String,
    /// Values of the `--meta` fields, in the order they were asked for.
    pub meta: Vec<String>,
}

/// A record that could not be read as an article. It still gets its row in the
/// manifest, so nothing is dropped silently.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordError {
    /// The record's id when it could be read, else a placeholder naming the place.
    pub id: String,
    pub input: String,
    pub error: String,
    pub meta: Vec<String>,
}

/// What the reader yields: one per input record.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    Ok(Article),
    Err(RecordError),
    /// A JSONL line still to be parsed, on a worker thread.
    Line(crate::read::JsonLine),
}

/// A stretch of article text. `start`/`end` are character offsets (Unicode scalar
/// values, end exclusive) into the text as read, as SCHEMA.md requires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Span {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

/// A sentence as byte offsets into the article text; converted to character offsets
/// only when written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SentenceBounds {
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sentence {
    pub sentence_index: usize,
    pub start: usize,
    pub end: usize,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CueSpan {
    pub text: String,
    pub start: usize,
    pub end: usize,
    pub lemma: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Via {
    pub text: String,
    pub start: usize,
    pub end: usize,
    pub sourcing: String,
}

/// One attributed claim: a row of claims.jsonl. Field order is the JSON key order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Claim {
    pub article_id: String,
    pub claim_index: usize,
    pub sentence_index: usize,
    pub source: Option<Span>,
    pub sourcing: String,
    pub actor: Option<String>,
    pub cue: CueSpan,
    pub content: Option<Span>,
    pub via: Option<Via>,
    pub quote: String,
    pub stance: String,
    pub negated: bool,
    pub issues: Vec<String>,
    pub rule: String,
    /// The cue lexicon entry that fired.
    pub cue_rule: String,
    /// The sourcing lexicon entry (or built-in step) that decided `sourcing`.
    pub sourcing_rule: String,
}

/// Everything the writers need about one input record.
#[derive(Debug, Clone, PartialEq)]
pub struct ArticleResult {
    pub id: String,
    pub input: String,
    pub meta: Vec<String>,
    /// `None` when the record is ok.
    pub error: Option<String>,
    pub chars: usize,
    pub sentences: Vec<Sentence>,
    pub claims: Vec<Claim>,
}

impl ArticleResult {
    pub fn failed(e: RecordError) -> Self {
        ArticleResult {
            id: e.id,
            input: e.input,
            meta: e.meta,
            error: Some(e.error),
            chars: 0,
            sentences: Vec::new(),
            claims: Vec::new(),
        }
    }

    pub fn is_ok(&self) -> bool {
        self.error.is_none()
    }
}
