//! Stage 4: write the datasets.
//!
//! Each article's rows are encoded to bytes by an [`Encode`] on the worker threads,
//! and a [`Sink`] appends them in input order: the ordered stage only copies bytes.
//! The files are written under a temporary folder inside the output folder and
//! renamed into place only when the run completes, run.json last: a run that
//! crashes or is killed leaves the previous complete output (or none), never a
//! truncated file under a final name, and run.json marks a complete set.

use std::fs::File;
use std::io::{self, BufWriter, IoSlice, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::model::ArticleResult;
use crate::write_parquet::{ArticleRow, ParquetFiles, Typed, PARQUET_FILES};
use crate::write_text::{claim_csv, claim_json, sentence_csv, sentence_json, CsvRow};

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
///
/// Rows arrive as each article's own buffers; they are kept until about
/// [`WRITE_BYTES`] are waiting and then handed to the kernel in one vectored
/// write, instead of being copied into a write buffer first (the output is
/// about six times the input, and with two threads the writer is the one
/// serial step).
struct Out {
    file: File,
    pending: Vec<Vec<u8>>,
    pending_bytes: usize,
    bytes: u64,
    sha256: Option<Sha256>,
}

/// Bytes of rows gathered before they are written.
const WRITE_BYTES: usize = 1 << 19;

/// Buffers gathered at most before they are written (the kernel takes 1,024 a
/// call).
const WRITE_BUFFERS: usize = 512;

impl Out {
    fn push(&mut self, rows: Vec<u8>) -> io::Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        self.pending_bytes += rows.len();
        self.pending.push(rows);
        if self.pending_bytes >= WRITE_BYTES || self.pending.len() >= WRITE_BUFFERS {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        let mut slices: Vec<IoSlice> = self.pending.iter().map(|b| IoSlice::new(b)).collect();
        let mut left = &mut slices[..];
        while !left.is_empty() {
            match self.file.write_vectored(left) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => IoSlice::advance_slices(&mut left, n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        if let Some(h) = &mut self.sha256 {
            for b in &self.pending {
                h.update(b);
            }
        }
        self.bytes += self.pending_bytes as u64;
        self.pending.clear();
        self.pending_bytes = 0;
        Ok(())
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
        file: File::create(dir.join(file))?,
        pending: Vec::new(),
        pending_bytes: 0,
        bytes: 0,
        sha256: part.map(|_| Sha256::new()),
    };
    let header = match name {
        "claims.csv" => CLAIM_COLUMNS,
        "sentences.csv" => SENTENCE_COLUMNS,
        "articles.csv" => ARTICLE_COLUMNS,
        _ => return Ok(out),
    };
    let mut line = Vec::new();
    let mut row = CsvRow::new(&mut line, false);
    for col in header
        .iter()
        .copied()
        .chain(extra.iter().map(String::as_str))
    {
        row.text(col);
    }
    row.end();
    out.push(line)?;
    Ok(out)
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
        for (f, bytes) in self.files.iter_mut().zip(rows.files) {
            f.push(bytes)?;
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
    /// Claims and sentences, JSONL and CSV, in [`DATA_FILES`] order.
    files: [Vec<u8>; 4],
    emit: &'e mut dyn FnMut(Rows) -> io::Result<()>,
}

impl Chunks<'_> {
    /// The last rows, with `articles_csv` as the manifest's part.
    fn finish(self, articles_csv: Vec<u8>, typed: Option<Typed>) -> io::Result<()> {
        let [a, b, c, d] = self.files;
        (self.emit)(Rows {
            files: [a, b, c, d, articles_csv],
            typed,
        })
    }

    fn emit_if_full(&mut self) -> io::Result<()> {
        if self.files[0].len() + self.files[2].len() < CHUNK_BYTES {
            return Ok(());
        }
        let [a, b, c, d] = std::mem::take(&mut self.files);
        (self.emit)(Rows {
            files: [a, b, c, d, Vec::new()],
            typed: None,
        })
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
            files: [
                Vec::with_capacity((claims * 1024).min(CHUNK_BYTES)),
                Vec::with_capacity((claims * 512).min(CHUNK_BYTES)),
                Vec::with_capacity(text_bytes + sentences.min(4096) * 80),
                Vec::with_capacity(text_bytes + sentences.min(4096) * 40),
            ],
            emit,
        };
        // Each claim and sentence is dropped once encoded (rows replace them),
        // unless the Parquet files take it.
        let mut typed = parquet.then(Typed::default);
        for c in std::mem::take(&mut a.claims) {
            if jsonl {
                claim_json(&mut out.files[0], &c);
                out.files[0].push(b'\n');
            }
            if csv {
                claim_csv(&mut out.files[1], &c, safe);
            }
            if let Some(t) = &mut typed {
                t.claims.push(c);
            }
            out.emit_if_full()?;
        }
        for s in std::mem::take(&mut a.sentences) {
            if jsonl {
                sentence_json(&mut out.files[2], &a.id, &s);
            }
            if csv {
                sentence_csv(&mut out.files[3], &a.id, &s, safe);
            }
            if let Some(t) = &mut typed {
                t.sentences.push((a.id.clone(), s));
            }
            out.emit_if_full()?;
        }
        let status = if a.is_ok() { "ok" } else { "error" };
        let mut articles_csv = Vec::new();
        if csv {
            let mut row = CsvRow::new(&mut articles_csv, safe);
            row.text(&a.id)
                .text(&a.input)
                .text(status)
                .text(a.error.as_deref().unwrap_or_default())
                .num(a.chars)
                .num(sentences)
                .num(claims);
            for m in &a.meta {
                row.text(m);
            }
            row.end();
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
        out.finish(articles_csv, typed)
    }
}
