//! The stages joined: records in, per-article rows out, in input order.
//!
//! Records are taken in bounded batches. The worker threads parse, process and
//! encode a batch in parallel (rayon keeps the batch's order); with more than one
//! thread a writer thread appends the previous batch's bytes meanwhile, through a
//! channel that holds at most [`BATCHES_IN_FLIGHT`] batches. Memory is bounded by
//! the batches in flight, never by the corpus, and the output does not depend on
//! the number of threads.

use std::io;
use std::sync::mpsc;

use rayon::prelude::*;

use crate::extract::Extractor;
use crate::model::{
    Article, ArticleResult, Claim, CueSpan, Record, RecordError, Sentence, Span, Via,
};
use crate::offsets::CharIndex;
use crate::read::Ids;
use crate::rules::Rules;
use crate::write::{Encode, Sink};

/// Run the read → segment → extract stages on one article.
pub fn process(rules: &Rules, article: Article) -> ArticleResult {
    let text = &article.text;
    let bounds = rules.segmenter.split(text);
    let found = Extractor::new(rules).extract(text, &bounds);
    let idx = CharIndex::new(text);
    let span = |(s, e): (usize, usize)| Span {
        text: text[s..e].to_string(),
        start: idx.char_at(s),
        end: idx.char_at(e),
    };
    let sentences = bounds
        .iter()
        .enumerate()
        .map(|(i, b)| Sentence {
            sentence_index: i,
            start: idx.char_at(b.start),
            end: idx.char_at(b.end),
            text: text[b.start..b.end].to_string(),
        })
        .collect();
    let mut claims: Vec<Claim> = found
        .into_iter()
        .map(|f| {
            let cue = &rules.cues[f.cue_index];
            let content = f.content.map(span);
            Claim {
                article_id: article.id.clone(),
                claim_index: 0,
                sentence_index: f.sentence_index,
                source: f.source.map(span),
                sourcing: f.sourced.sourcing.to_string(),
                actor: f.source.map(|_| f.sourced.actor.to_string()),
                cue: CueSpan {
                    text: text[f.cue.0..f.cue.1].to_string(),
                    start: idx.char_at(f.cue.0),
                    end: idx.char_at(f.cue.1),
                    lemma: cue.lemma.clone(),
                },
                issues: content
                    .as_ref()
                    .map(|c| rules.issues_in(&c.text))
                    .unwrap_or_default(),
                content,
                via: f.via.map(|(s, e, sourcing)| Via {
                    text: text[s..e].to_string(),
                    start: idx.char_at(s),
                    end: idx.char_at(e),
                    sourcing: sourcing.to_string(),
                }),
                quote: f.quote.to_string(),
                stance: cue.stance.get_ref().clone(),
                negated: f.negated,
                rule: f.rule.to_string(),
                cue_rule: cue.id.get_ref().clone(),
                sourcing_rule: f.sourced.rule.to_string(),
            }
        })
        .collect();
    claims.sort_by_key(|c| (c.cue.start, c.cue.end));
    for (i, c) in claims.iter_mut().enumerate() {
        c.claim_index = i;
    }
    ArticleResult {
        chars: idx.char_at(text.len()),
        id: article.id,
        input: article.input,
        meta: article.meta,
        error: None,
        sentences,
        claims,
    }
}

/// [`process`], with a bug in it costing one record instead of the run: the article
/// gets an error row that says so, and the run goes on.
fn process_guarded(rules: &Rules, article: Article) -> ArticleResult {
    let (id, input, meta) = (
        article.id.clone(),
        article.input.clone(),
        article.meta.clone(),
    );
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| process(rules, article)))
        .unwrap_or_else(|panic| {
            let why = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("unknown");
            ArticleResult::failed(RecordError {
                error: format!("{input}: internal error in whosaid (please report it): {why}"),
                id,
                input,
                meta,
            })
        })
}

/// Counts of a run, for run.json and the exit code.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Counts {
    pub records: usize,
    pub ok: usize,
    pub errors: usize,
    pub sentences: usize,
    pub claims: usize,
    pub chars: usize,
    /// Bytes of article text processed.
    pub bytes: usize,
}

impl Counts {
    fn of(r: &ArticleResult, bytes: usize) -> Counts {
        Counts {
            records: 1,
            ok: usize::from(r.is_ok()),
            errors: usize::from(!r.is_ok()),
            sentences: r.sentences.len(),
            claims: r.claims.len(),
            chars: r.chars,
            bytes,
        }
    }

    pub fn add(&mut self, o: &Counts) {
        self.records += o.records;
        self.ok += o.ok;
        self.errors += o.errors;
        self.sentences += o.sentences;
        self.claims += o.claims;
        self.chars += o.chars;
        self.bytes += o.bytes;
    }
}

/// How many records, or bytes of text, one batch holds at most. A small batch's
/// memory is reused while still warm: 1 MB ran faster than 8 MB (1.13 s against
/// 1.19 s on 31.6 MB, one thread) and peaked at 50 MB instead of 84.
const BATCH_RECORDS: usize = 1024;
const BATCH_BYTES: usize = 1 << 20;

/// Batches encoded and not yet written, at most: the reorder buffer's bound.
pub const BATCHES_IN_FLIGHT: usize = 1;

/// An article whose text is larger than this is encoded by the ordered stage
/// straight into the sink, a piece at a time, instead of by a worker into memory:
/// a 50 MB article's rows are six times its size.
const ENCODE_LATER_BYTES: usize = 4 << 20;

/// A record after the workers: its rows (or its result, for a very large
/// article), and what the ordered stage needs to check its id and count it.
struct Done<R> {
    /// `Some` for an article read whole: its id must be unique.
    article: Option<(String, String, Vec<String>)>,
    counts: Counts,
    rows: Encoded<R>,
}

enum Encoded<R> {
    Rows(Vec<R>),
    Later(ArticleResult),
}

fn work<E: Encode>(rules: &Rules, encoder: &E, record: Record) -> io::Result<Done<E::Rows>> {
    let record = match record {
        Record::Line(line) => line.parse(),
        r => r,
    };
    let (result, bytes, article) = match record {
        Record::Ok(a) => {
            let key = (a.id.clone(), a.input.clone(), a.meta.clone());
            let n = a.text.len();
            (process_guarded(rules, a), n, Some(key))
        }
        Record::Err(e) => (ArticleResult::failed(e), 0, None),
        Record::Line(_) => unreachable!("parsed above"),
    };
    let counts = Counts::of(&result, bytes);
    let rows = if bytes > ENCODE_LATER_BYTES {
        Encoded::Later(result)
    } else {
        let mut rows = Vec::with_capacity(1);
        encoder.encode(result, &mut |r| {
            rows.push(r);
            Ok(())
        })?;
        Encoded::Rows(rows)
    };
    Ok(Done {
        article,
        counts,
        rows,
    })
}

/// The ordered stage: checks ids, counts, and hands rows to the sink in input order.
struct Ordered<'a, E: Encode, S> {
    encoder: &'a E,
    sink: &'a mut S,
    ids: Ids,
    counts: Counts,
}

impl<E: Encode, S: Sink<Rows = E::Rows>> Ordered<'_, E, S> {
    fn deliver(&mut self, batch: Vec<Done<E::Rows>>) -> io::Result<()> {
        for mut d in batch {
            if let Some((id, input, meta)) = d.article {
                if let Some(error) = self.ids.check(&id, &input) {
                    // Only the first record of an id counts; this one was processed
                    // in parallel before its turn came, and is replaced here.
                    let failed = ArticleResult::failed(RecordError {
                        id,
                        input,
                        error,
                        meta,
                    });
                    d.counts = Counts::of(&failed, 0);
                    d.rows = Encoded::Later(failed);
                }
            }
            match d.rows {
                Encoded::Rows(rows) => {
                    for r in rows {
                        self.sink.write(r)?;
                    }
                }
                Encoded::Later(result) => {
                    let sink = &mut *self.sink;
                    self.encoder.encode(result, &mut |r| sink.write(r))?;
                }
            }
            self.counts.add(&d.counts);
        }
        Ok(())
    }
}

/// Process every record and hand the encoded rows to `sink` in input order.
/// `progress` is called after each batch with the counts of the records processed
/// so far; an error from it (an interrupt, say) stops the run there. Runs on the
/// current rayon pool; with one thread everything runs on the calling thread.
pub fn run<E, S>(
    rules: &Rules,
    records: impl Iterator<Item = Record>,
    encoder: &E,
    sink: &mut S,
    mut progress: impl FnMut(&Counts) -> io::Result<()>,
) -> io::Result<Counts>
where
    E: Encode,
    S: Sink<Rows = E::Rows>,
{
    let mut ordered = Ordered {
        encoder,
        sink,
        ids: Ids::default(),
        counts: Counts::default(),
    };
    let mut seen = Counts::default();
    let mut records = records.peekable();
    let mut next_batch = move || {
        let mut batch: Vec<Record> = Vec::with_capacity(BATCH_RECORDS);
        let mut bytes = 0;
        while batch.len() < BATCH_RECORDS && bytes < BATCH_BYTES {
            let Some(r) = records.next() else { break };
            bytes += match &r {
                Record::Ok(a) => a.text.len(),
                Record::Line(l) => l.size(),
                Record::Err(_) => 0,
            };
            batch.push(r);
        }
        (!batch.is_empty()).then_some(batch)
    };
    let mut encode = |batch: Vec<Record>| -> io::Result<Vec<Done<E::Rows>>> {
        let done: Vec<Done<E::Rows>> = batch
            .into_par_iter()
            .map(|r| work(rules, encoder, r))
            .collect::<io::Result<_>>()?;
        for d in &done {
            seen.add(&d.counts);
        }
        progress(&seen)?;
        Ok(done)
    };
    if rayon::current_num_threads() == 1 {
        while let Some(batch) = next_batch() {
            ordered.deliver(encode(batch)?)?;
        }
        return Ok(ordered.counts);
    }
    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::sync_channel::<Vec<Done<E::Rows>>>(BATCHES_IN_FLIGHT);
        let writer = scope.spawn(move || -> io::Result<Counts> {
            for batch in rx {
                ordered.deliver(batch)?;
            }
            Ok(ordered.counts)
        });
        let mut stopped = Ok(());
        while let Some(batch) = next_batch() {
            match encode(batch) {
                Ok(done) => {
                    // A closed channel means the writer failed: its error is the
                    // one to report.
                    if tx.send(done).is_err() {
                        break;
                    }
                }
                Err(e) => {
                    stopped = Err(e);
                    break;
                }
            }
        }
        drop(tx);
        let written = writer.join().expect("the writer thread does not panic");
        stopped.and(written)
    })
}
