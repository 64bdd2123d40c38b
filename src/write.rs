//! Stage 4: write the datasets.
//!
//! Each article's rows are encoded to bytes by an [`Encode`] on the worker threads,
//! and a [`Sink`] appends them in input order: the ordered stage only copies bytes.
//! The files are written under a temporary folder inside the output folder and
//! renamed into place only when the run completes, run.json last: a run that
//! crashes or is killed leaves the previous complete output (or none), never a
//! truncated file under a final name, and run.json marks a complete set.

use std::borrow::Cow;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::model::{ArticleResult, Claim};
use crate::write_parquet::{ArticleRow, ParquetFiles, Typed, PARQUET_FILES};

/// Turns one article's result into the rows a [`Sink`] appends. Runs on the worker
/// threads, so the ordered stage that writes does no formatting.
pub trait Encode: Sync {
    type Rows: Send;
    /// Encodes `result` and hands its rows to `emit` in input order, in one piece
    /// or, for a very large article, several: the result is taken so that its rows
    /// replace its claims and sentences as they are made, not add to them.
    fn encode(
        &self,
        result: ArticleResult,
        emit: &mut dyn FnMut(Self::Rows) -> io::Result<()>,
    ) -> io::Result<()>;
}

/// Receives each article's encoded rows, in input order.
pub trait Sink: Send {
    type Rows;
    fn write(&mut self, rows: Self::Rows) -> io::Result<()>;
}

/// The names of the data files a run writes, in the order they are renamed.
pub const DATA_FILES: &[&str] = &[
    "claims.jsonl",
    "claims.csv",
    "sentences.jsonl",
    "sentences.csv",
    "articles.csv",
];

/// The flat column order of claims.csv (SCHEMA.md), fixed.
pub const CLAIM_COLUMNS: &[&str] = &[
    "article_id",
    "claim_index",
    "sentence_index",
    "source_text",
    "source_start",
    "source_end",
    "sourcing",
    "actor",
    "cue_text",
    "cue_start",
    "cue_end",
    "cue_lemma",
    "content_text",
    "content_start",
    "content_end",
    "via_text",
    "via_start",
    "via_end",
    "via_sourcing",
    "quote",
    "stance",
    "negated",
    "issues",
    "rule",
    "cue_rule",
    "sourcing_rule",
];

pub const SENTENCE_COLUMNS: &[&str] = &["article_id", "sentence_index", "start", "end", "text"];
pub const ARTICLE_COLUMNS: &[&str] = &[
    "article_id",
    "input",
    "status",
    "error",
    "chars",
    "sentences",
    "claims",
];

/// Options that change how cells are written.
#[derive(Debug, Clone, Default)]
pub struct WriteOptions {
    /// Neutralise CSV cells that a spreadsheet would run as a formula.
    pub csv_safe: bool,
    /// Names of the extra manifest columns (`--meta`).
    pub meta: Vec<String>,
    pub formats: Formats,
}

/// Which kinds of data file a run writes (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Formats {
    pub jsonl: bool,
    pub csv: bool,
    pub parquet: bool,
}

impl Default for Formats {
    fn default() -> Self {
        Formats {
            jsonl: true,
            csv: true,
            parquet: false,
        }
    }
}

impl Formats {
    /// `jsonl,csv,parquet`, any of them, in any order.
    pub fn parse(s: &str) -> Result<Formats, String> {
        let mut f = Formats {
            jsonl: false,
            csv: false,
            parquet: false,
        };
        for name in s.split(',').map(str::trim) {
            match name {
                "jsonl" => f.jsonl = true,
                "csv" => f.csv = true,
                "parquet" => f.parquet = true,
                other => {
                    return Err(format!(
                        "unknown format {other:?}: use jsonl, csv or parquet"
                    ))
                }
            }
        }
        Ok(f)
    }

    /// The data files these formats write, in the order they are renamed.
    pub fn files(&self) -> Vec<&'static str> {
        let mut v: Vec<&str> = DATA_FILES
            .iter()
            .copied()
            .filter(|n| {
                if n.ends_with(".csv") {
                    self.csv
                } else {
                    self.jsonl
                }
            })
            .collect();
        if self.parquet {
            v.extend(PARQUET_FILES);
        }
        v
    }
}

/// The six output files of a run, written to a temporary folder until [`Outputs::commit`].
pub struct Outputs {
    dir: PathBuf,
    tmp: tempfile::TempDir,
    /// In [`DATA_FILES`] order.
    files: [Out; 5],
    parquet: Option<ParquetFiles>,
    opts: WriteOptions,
    part: Option<Part>,
}

/// Which shard of a run an output is: its files are `part-I-of-N.<name>`, with a
/// `part-I-of-N.manifest.json` instead of run.json, and are checksummed so that
/// `whosaid merge` can tell a complete part from a damaged one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Part {
    pub index: usize,
    pub of: usize,
}

impl Part {
    pub fn file_name(&self, name: &str) -> String {
        format!("part-{}-of-{}.{name}", self.index, self.of)
    }

    pub fn manifest_name(&self) -> String {
        self.file_name("manifest.json")
    }
}

/// A data file being written, with its size and, for a part, its SHA-256.
struct Out {
    w: BufWriter<File>,
    bytes: u64,
    sha256: Option<Sha256>,
}

impl Write for Out {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.w.write(buf)?;
        self.bytes += n as u64;
        if let Some(h) = &mut self.sha256 {
            h.update(&buf[..n]);
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.w.flush()
    }
}

/// One article's rows for each data file, in [`DATA_FILES`] order.
#[derive(Debug, Default)]
pub struct Rows {
    pub files: [Vec<u8>; 5],
    /// The rows themselves, for the Parquet files.
    pub typed: Option<Typed>,
}

/// Encodes the rows of the five data files ([`Outputs`]).
pub struct FileEncoder {
    opts: WriteOptions,
}

fn create(dir: &Path, name: &str) -> io::Result<BufWriter<File>> {
    Ok(BufWriter::with_capacity(
        1 << 17,
        File::create(dir.join(name))?,
    ))
}

/// A data file with its header, if it is a CSV.
fn data_file(dir: &Path, name: &str, part: Option<Part>, extra: &[String]) -> io::Result<Out> {
    let file = part.map_or_else(|| name.to_string(), |p| p.file_name(name));
    let mut out = Out {
        w: create(dir, &file)?,
        bytes: 0,
        sha256: part.map(|_| Sha256::new()),
    };
    let header = match name {
        "claims.csv" => CLAIM_COLUMNS,
        "sentences.csv" => SENTENCE_COLUMNS,
        "articles.csv" => ARTICLE_COLUMNS,
        _ => return Ok(out),
    };
    let mut w = csv::WriterBuilder::new().from_writer(&mut out);
    let mut cols: Vec<&str> = header.to_vec();
    cols.extend(extra.iter().map(String::as_str));
    w.write_record(&cols)?;
    w.flush()?;
    drop(w);
    Ok(out)
}

/// A CSV writer into memory, for one article's rows.
fn csv_rows(capacity: usize) -> csv::Writer<Vec<u8>> {
    // The writer's own buffer is zeroed when made, for every article and file: a
    // small one costs less than the copies it saves.
    csv::WriterBuilder::new()
        .buffer_capacity(512)
        .from_writer(Vec::with_capacity(capacity))
}

fn csv_bytes(w: csv::Writer<Vec<u8>>) -> Vec<u8> {
    w.into_inner().expect("a flush into memory cannot fail")
}

/// A spreadsheet runs a cell that starts with one of these as a formula.
fn neutralise(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

#[derive(Serialize)]
struct SentenceRow<'a> {
    article_id: &'a str,
    sentence_index: usize,
    start: usize,
    end: usize,
    text: &'a str,
}

impl Outputs {
    /// Prepare a run's output in `dir` (created if missing), or one part of a
    /// sharded run's. Fails, before any input is read, when `dir` is a file or
    /// cannot be written.
    pub fn create(dir: &Path, opts: WriteOptions, part: Option<Part>) -> io::Result<Outputs> {
        if dir.exists() && !dir.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("{}: exists and is not a folder", dir.display()),
            ));
        }
        std::fs::create_dir_all(dir).map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("{}: cannot create output folder: {e}", dir.display()),
            )
        })?;
        let tmp = tempfile::Builder::new()
            .prefix(".whosaid-partial-")
            .tempdir_in(dir)
            .map_err(|e| {
                io::Error::new(
                    e.kind(),
                    format!("{}: cannot write to output folder: {e}", dir.display()),
                )
            })?;
        let t = tmp.path();
        let file = |name: &str| data_file(t, name, part, &opts.meta);
        Ok(Outputs {
            dir: dir.to_path_buf(),
            files: [
                file("claims.jsonl")?,
                file("claims.csv")?,
                file("sentences.jsonl")?,
                file("sentences.csv")?,
                file("articles.csv")?,
            ],
            parquet: if opts.formats.parquet {
                Some(ParquetFiles::create(t, &opts.meta)?)
            } else {
                None
            },
            tmp,
            opts,
            part,
        })
    }

    /// The encoder for this output's rows.
    pub fn encoder(&self) -> FileEncoder {
        FileEncoder {
            opts: self.opts.clone(),
        }
    }

    /// One CSV record from borrowed cells: rows are written straight from the
    /// claims, with no copy of their text.
    fn write_csv_row<'c>(
        w: &mut csv::Writer<Vec<u8>>,
        row: impl IntoIterator<Item = Cow<'c, str>>,
        safe: bool,
    ) -> io::Result<()> {
        for cell in row {
            if safe {
                w.write_field(neutralise(&cell).as_bytes())?;
            } else {
                w.write_field(cell.as_bytes())?;
            }
        }
        w.write_record(None::<&[u8]>)?;
        Ok(())
    }

    fn claim_row(c: &Claim) -> [Cow<'_, str>; 26] {
        let num = |v: usize| Cow::Owned(v.to_string());
        fn text(s: Option<&String>) -> Cow<'_, str> {
            Cow::Borrowed(s.map_or("", String::as_str))
        }
        let at = |v: Option<usize>| v.map_or(Cow::Borrowed(""), num);
        let (source, content, via) = (c.source.as_ref(), c.content.as_ref(), c.via.as_ref());
        [
            Cow::Borrowed(c.article_id.as_str()),
            num(c.claim_index),
            num(c.sentence_index),
            text(source.map(|s| &s.text)),
            at(source.map(|s| s.start)),
            at(source.map(|s| s.end)),
            Cow::Borrowed(c.sourcing.as_str()),
            text(c.actor.as_ref()),
            Cow::Borrowed(c.cue.text.as_str()),
            num(c.cue.start),
            num(c.cue.end),
            Cow::Borrowed(c.cue.lemma.as_str()),
            text(content.map(|s| &s.text)),
            at(content.map(|s| s.start)),
            at(content.map(|s| s.end)),
            text(via.map(|s| &s.text)),
            at(via.map(|s| s.start)),
            at(via.map(|s| s.end)),
            text(via.map(|s| &s.sourcing)),
            Cow::Borrowed(c.quote.as_str()),
            Cow::Borrowed(c.stance.as_str()),
            Cow::Borrowed(if c.negated { "true" } else { "false" }),
            Cow::Owned(c.issues.join(";")),
            Cow::Borrowed(c.rule.as_str()),
            Cow::Borrowed(c.cue_rule.as_str()),
            Cow::Borrowed(c.sourcing_rule.as_str()),
        ]
    }

    /// Flush everything and move the files into place, run.json (or the part's
    /// manifest, which also gets each file's size and SHA-256) last.
    pub fn commit(mut self, run_json: &serde_json::Value) -> io::Result<()> {
        if let Some(p) = self.parquet.take() {
            p.finish()?;
        }
        let mut run_json = run_json.clone();
        let mut files = serde_json::Map::new();
        for (out, name) in self.files.iter_mut().zip(DATA_FILES) {
            out.flush()?;
            if let Some(h) = out.sha256.take() {
                let hex: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
                files.insert(
                    name.to_string(),
                    serde_json::json!({"bytes": out.bytes, "sha256": hex}),
                );
            }
        }
        if let (Some(obj), false) = (run_json.as_object_mut(), files.is_empty()) {
            obj.insert("files".into(), files.into());
        }
        let name = |n: &str| self.part.map_or_else(|| n.to_string(), |p| p.file_name(n));
        let last = self
            .part
            .map_or_else(|| "run.json".to_string(), |p| p.manifest_name());
        let t = self.tmp.path().to_path_buf();
        let mut f = create(&t, &last)?;
        serde_json::to_writer_pretty(&mut f, &run_json)?;
        f.write_all(b"\n")?;
        f.flush()?;
        drop(f);
        // Without run.json the folder never claims to be complete. The old data
        // files go before the new ones come, so a kill between two renames leaves
        // an incomplete folder, never old and new files side by side.
        // Every kind of data file goes, written this time or not: a file left
        // from an earlier run with other formats would not match this run.json.
        let old: Vec<String> = DATA_FILES
            .iter()
            .chain(PARQUET_FILES)
            .map(|n| name(n))
            .collect();
        let data: Vec<String> = self.opts.formats.files().iter().map(|n| name(n)).collect();
        for file in std::iter::once(&last).chain(&old) {
            match std::fs::remove_file(self.dir.join(file)) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
        }
        for file in data.iter().chain(std::iter::once(&last)) {
            std::fs::rename(t.join(file), self.dir.join(file))?;
        }
        Ok(())
    }
}

impl Sink for Outputs {
    type Rows = Rows;

    fn write(&mut self, rows: Rows) -> io::Result<()> {
        for (f, bytes) in self.files.iter_mut().zip(&rows.files) {
            f.write_all(bytes)?;
        }
        match (&mut self.parquet, rows.typed) {
            (Some(p), Some(t)) => p.write(t),
            _ => Ok(()),
        }
    }
}

/// An article's rows are handed on in pieces of about this many bytes of JSONL,
/// so a very large article is written as it is encoded.
const CHUNK_BYTES: usize = 1 << 20;

/// One article's rows being encoded, handed to `emit` a piece at a time.
struct Chunks<'e> {
    claims_jsonl: Vec<u8>,
    claims_csv: csv::Writer<Vec<u8>>,
    sentences_jsonl: Vec<u8>,
    sentences_csv: csv::Writer<Vec<u8>>,
    emit: &'e mut dyn FnMut(Rows) -> io::Result<()>,
}

impl Chunks<'_> {
    /// The last rows, with `articles_csv` as the manifest's part.
    fn finish(self, articles_csv: Vec<u8>, typed: Option<Typed>) -> io::Result<()> {
        let rows = Rows {
            files: [
                self.claims_jsonl,
                csv_bytes(self.claims_csv),
                self.sentences_jsonl,
                csv_bytes(self.sentences_csv),
                articles_csv,
            ],
            typed,
        };
        (self.emit)(rows)
    }

    fn emit_if_full(&mut self) -> io::Result<()> {
        if self.claims_jsonl.len() + self.sentences_jsonl.len() < CHUNK_BYTES {
            return Ok(());
        }
        let csv = |w: &mut csv::Writer<Vec<u8>>| csv_bytes(std::mem::replace(w, csv_rows(0)));
        let rows = Rows {
            files: [
                std::mem::take(&mut self.claims_jsonl),
                csv(&mut self.claims_csv),
                std::mem::take(&mut self.sentences_jsonl),
                csv(&mut self.sentences_csv),
                Vec::new(),
            ],
            typed: None,
        };
        (self.emit)(rows)
    }
}

impl Encode for FileEncoder {
    type Rows = Rows;

    fn encode(
        &self,
        mut a: ArticleResult,
        emit: &mut dyn FnMut(Rows) -> io::Result<()>,
    ) -> io::Result<()> {
        let safe = self.opts.csv_safe;
        let Formats {
            jsonl,
            csv,
            parquet,
        } = self.opts.formats;
        let (claims, sentences) = (a.claims.len(), a.sentences.len());
        let text_bytes: usize = a.sentences.iter().map(|s| s.text.len()).sum();
        let text_bytes = text_bytes.min(CHUNK_BYTES);
        let mut out = Chunks {
            claims_jsonl: Vec::with_capacity((claims * 1024).min(CHUNK_BYTES)),
            claims_csv: csv_rows((claims * 512).min(CHUNK_BYTES)),
            sentences_jsonl: Vec::with_capacity(text_bytes + sentences.min(4096) * 80),
            sentences_csv: csv_rows(text_bytes + sentences.min(4096) * 40),
            emit,
        };
        // Each claim and sentence is dropped once encoded (rows replace them),
        // unless the Parquet files take it.
        let mut typed = parquet.then(Typed::default);
        for c in std::mem::take(&mut a.claims) {
            if jsonl {
                serde_json::to_writer(&mut out.claims_jsonl, &c)?;
                out.claims_jsonl.push(b'\n');
            }
            if csv {
                Outputs::write_csv_row(&mut out.claims_csv, Outputs::claim_row(&c), safe)?;
            }
            if let Some(t) = &mut typed {
                t.claims.push(c);
            }
            out.emit_if_full()?;
        }
        for s in std::mem::take(&mut a.sentences) {
            if jsonl {
                let row = SentenceRow {
                    article_id: &a.id,
                    sentence_index: s.sentence_index,
                    start: s.start,
                    end: s.end,
                    text: &s.text,
                };
                serde_json::to_writer(&mut out.sentences_jsonl, &row)?;
                out.sentences_jsonl.push(b'\n');
            }
            if csv {
                let cells = [
                    Cow::Borrowed(a.id.as_str()),
                    Cow::Owned(s.sentence_index.to_string()),
                    Cow::Owned(s.start.to_string()),
                    Cow::Owned(s.end.to_string()),
                    Cow::Borrowed(s.text.as_str()),
                ];
                Outputs::write_csv_row(&mut out.sentences_csv, cells, safe)?;
            }
            if let Some(t) = &mut typed {
                t.sentences.push((a.id.clone(), s));
            }
            out.emit_if_full()?;
        }
        let status = if a.is_ok() { "ok" } else { "error" };
        let mut articles_csv = csv_rows(256);
        if csv {
            let cells = [
                Cow::Borrowed(a.id.as_str()),
                Cow::Borrowed(a.input.as_str()),
                Cow::Borrowed(status),
                Cow::Borrowed(a.error.as_deref().unwrap_or_default()),
                Cow::Owned(a.chars.to_string()),
                Cow::Owned(sentences.to_string()),
                Cow::Owned(claims.to_string()),
            ];
            let meta = a.meta.iter().map(|m| Cow::Borrowed(m.as_str()));
            Outputs::write_csv_row(&mut articles_csv, cells.into_iter().chain(meta), safe)?;
        }
        if let Some(t) = &mut typed {
            t.article = Some(ArticleRow {
                article_id: a.id,
                input: a.input,
                status,
                error: a.error,
                chars: a.chars,
                sentences,
                claims,
                meta: a.meta,
            });
        }
        out.finish(csv_bytes(articles_csv), typed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised() {
        assert_eq!(neutralise("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(neutralise("-2 points"), "'-2 points");
        assert_eq!(neutralise("plain"), "plain");
    }
}
