//! Stage 1: turn the inputs named on the command line into a stream of records.
//!
//! Every input record becomes exactly one [`Record`]: an article, or an error that
//! names the file, the line and what was wrong. Nothing is skipped silently; the
//! only things not turned into records are blank JSONL lines (they hold no record).

use std::collections::{HashMap, VecDeque};
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::model::{Article, Record, RecordError};

/// Which fields of JSONL and CSV records to read.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadOptions {
    pub id_field: String,
    pub text_field: String,
    /// Extra fields copied into the manifest, in this order.
    pub meta: Vec<String>,
    /// A blank JSONL line is an error record instead of no record, so that every
    /// input line has its output line (the streaming mode's promise).
    pub blank_lines_are_records: bool,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            id_field: "id".into(),
            text_field: "text".into(),
            meta: Vec::new(),
            blank_lines_are_records: false,
        }
    }
}

/// One input to read, found by [`plan_inputs`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// One article; `id` is its path relative to the folder given, without extension.
    Txt {
        path: PathBuf,
        id: String,
    },
    Jsonl {
        path: PathBuf,
        gzip: bool,
    },
    Csv {
        path: PathBuf,
    },
    /// The lines of an uncompressed JSONL file that start in bytes `start..end`.
    JsonlRange {
        path: PathBuf,
        start: u64,
        end: u64,
    },
    Stdin,
}

impl Source {
    pub fn display(&self) -> String {
        match self {
            Source::Txt { path, .. }
            | Source::Jsonl { path, .. }
            | Source::Csv { path }
            | Source::JsonlRange { path, .. } => path.display().to_string(),
            Source::Stdin => "-".into(),
        }
    }
}

/// A problem with the inputs as a whole, found before anything is read.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("{0}: no such file or folder")]
    Missing(String),
    #[error("{0}: not a .txt, .jsonl, .jsonl.gz or .csv file")]
    UnknownKind(String),
    #[error("{0}: cannot list folder: {1}")]
    Walk(String, io::Error),
}

/// What planning found: the sources to read, and files in walked folders that are not
/// of a readable kind (reported in run.json, never read).
#[derive(Debug, Default)]
pub struct Plan {
    pub sources: Vec<Source>,
    pub skipped: Vec<String>,
}

fn kind_of(path: &Path) -> Option<&'static str> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    ["txt", "jsonl.gz", "jsonl", "csv"]
        .into_iter()
        .find(|ext| name.ends_with(&format!(".{ext}")))
}

fn source_for(path: &Path, root: Option<&Path>) -> Option<Source> {
    let path = path.to_path_buf();
    Some(match kind_of(&path)? {
        "txt" => {
            let rel = root
                .and_then(|r| path.strip_prefix(r).ok())
                .map(Path::to_path_buf)
                .unwrap_or_else(|| PathBuf::from(path.file_name().unwrap_or_default()));
            let id = rel
                .with_extension("")
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            Source::Txt { path, id }
        }
        "jsonl" => Source::Jsonl { path, gzip: false },
        "jsonl.gz" => Source::Jsonl { path, gzip: true },
        _ => Source::Csv { path },
    })
}

fn walk(dir: &Path, root: &Path, plan: &mut Plan) -> Result<(), PlanError> {
    let err = |e| PlanError::Walk(dir.display().to_string(), e);
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(err)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(err)?;
    // Sorted by name so the record order, and so the output, never depends on the
    // file system's listing order.
    entries.sort();
    for path in entries {
        let hidden = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        if path.is_dir() {
            walk(&path, root, plan)?;
        } else if let Some(src) = source_for(&path, Some(root)) {
            plan.sources.push(src);
        } else {
            plan.skipped.push(path.display().to_string());
        }
    }
    Ok(())
}

/// Resolve command-line inputs to sources, in the order given (folders walked in
/// name order). A missing path or a file of unknown kind is an error for the run.
pub fn plan_inputs(inputs: &[PathBuf]) -> Result<Plan, PlanError> {
    let mut plan = Plan::default();
    for input in inputs {
        if input.as_os_str() == "-" {
            plan.sources.push(Source::Stdin);
        } else if input.is_dir() {
            walk(input, input, &mut plan)?;
        } else if input.exists() {
            let src = source_for(input, None)
                .ok_or_else(|| PlanError::UnknownKind(input.display().to_string()))?;
            plan.sources.push(src);
        } else {
            return Err(PlanError::Missing(input.display().to_string()));
        }
    }
    Ok(plan)
}

/// Decode bytes as UTF-8, naming the first bad byte. A leading byte-order mark is an
/// encoding mark, not text, and is dropped before offsets are counted.
fn decode(bytes: Vec<u8>) -> Result<String, String> {
    let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    let text = String::from_utf8(bytes).map_err(|e| {
        format!(
            "not UTF-8 (invalid byte 0x{:02X} at byte offset {})",
            e.as_bytes()[e.utf8_error().valid_up_to()],
            e.utf8_error().valid_up_to()
        )
    })?;
    if let Some(pos) = text.find('\0') {
        return Err(format!(
            "NUL byte at byte offset {pos}: binary data, not article text"
        ));
    }
    Ok(text)
}

fn read_txt(path: &Path, id: &str, opts: &ReadOptions) -> Record {
    // A .txt has no metadata fields; its manifest cells stay empty.
    let meta = vec![String::new(); opts.meta.len()];
    let input = path.display().to_string();
    let fail = |error: String| {
        Record::Err(RecordError {
            id: id.to_string(),
            input: input.clone(),
            error: format!("{input}: {error}"),
            meta: meta.clone(),
        })
    };
    match std::fs::read(path) {
        Err(e) => fail(format!("cannot read: {e}")),
        Ok(bytes) => match decode(bytes) {
            Ok(text) => Record::Ok(Article {
                id: id.to_string(),
                text,
                input,
                meta,
            }),
            Err(e) => fail(e),
        },
    }
}

/// Render a JSON value as a manifest cell: strings as they are, anything else as JSON.
fn cell(v: Option<&serde_json::Value>) -> String {
    match v {
        None | Some(serde_json::Value::Null) => String::new(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// Build a record from named fields, shared by the JSONL and CSV readers so both
/// apply the same checks in the same words.
fn record_from_fields(
    get: &dyn Fn(&str) -> Option<serde_json::Value>,
    opts: &ReadOptions,
    place: String,
) -> Record {
    let meta: Vec<String> = opts.meta.iter().map(|m| cell(get(m).as_ref())).collect();
    let id = match get(&opts.id_field) {
        Some(serde_json::Value::String(s)) if !s.is_empty() => Ok(s),
        Some(serde_json::Value::Number(n)) => Ok(n.to_string()),
        Some(serde_json::Value::String(_)) => Err(format!("empty {:?} field", opts.id_field)),
        Some(_) => Err(format!(
            "{:?} field is not a string or number",
            opts.id_field
        )),
        None => Err(format!("missing {:?} field", opts.id_field)),
    };
    let text = match get(&opts.text_field) {
        Some(serde_json::Value::String(s)) => Ok(s),
        Some(v) => Err(format!(
            "{:?} field is not a string (found {})",
            opts.text_field,
            json_kind(&v)
        )),
        None => Err(format!("missing {:?} field", opts.text_field)),
    };
    let fail = |id: String, why: String| {
        Record::Err(RecordError {
            id,
            input: place.clone(),
            error: format!("{place}: {why}"),
            meta: meta.clone(),
        })
    };
    match (id, text) {
        (Err(why), _) => fail(place.clone(), why),
        (Ok(id), Err(why)) => fail(id, why),
        (Ok(id), Ok(text)) => match text.find('\0') {
            Some(pos) => fail(
                id,
                format!("NUL character at character offset {pos} of the text"),
            ),
            None => Record::Ok(Article {
                id,
                text,
                input: place.clone(),
                meta: meta.clone(),
            }),
        },
    }
}

fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// Reads one JSONL stream a line at a time; a read error (a truncated gzip member,
/// say) becomes one error record and ends the stream.
struct JsonlRecords {
    reader: Box<dyn BufRead + Send>,
    name: String,
    /// The number of the line last read.
    line: usize,
    /// Byte offset of the next line; no line starting at `end` or later is read.
    pos: u64,
    end: u64,
    buf: Vec<u8>,
    done: bool,
    opts: Arc<ReadOptions>,
}

/// One JSONL line as read, parsed later by [`JsonLine::parse`] on a worker thread:
/// parsing is most of the reading work, and the reader must not be the bottleneck.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonLine {
    bytes: Vec<u8>,
    place: String,
    opts: Arc<ReadOptions>,
}

impl JsonLine {
    /// Bytes of the line as read.
    pub fn size(&self) -> usize {
        self.bytes.len()
    }

    /// The article this line holds, or an error naming its place.
    pub fn parse(self) -> Record {
        let place = self.place;
        let fail = |why: String| {
            Record::Err(RecordError {
                id: place.clone(),
                input: place.clone(),
                error: format!("{place}: {why}"),
                meta: vec![String::new(); self.opts.meta.len()],
            })
        };
        let line = match std::str::from_utf8(&self.bytes) {
            Ok(s) => s,
            Err(e) => {
                return fail(format!(
                    "not UTF-8 (invalid byte at byte {} of the line)",
                    e.valid_up_to()
                ))
            }
        };
        match serde_json::from_str::<serde_json::Value>(line) {
            Err(e) => fail(format!("malformed JSON: {e}")),
            Ok(serde_json::Value::Object(map)) => {
                record_from_fields(&|k| map.get(k).cloned(), &self.opts, place.clone())
            }
            Ok(v) => fail(format!("expected a JSON object, found {}", json_kind(&v))),
        }
    }
}

impl Iterator for JsonlRecords {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        while !self.done {
            if self.pos >= self.end {
                self.done = true;
                break;
            }
            self.buf.clear();
            self.line += 1;
            match self.reader.read_until(b'\n', &mut self.buf) {
                Ok(0) => self.done = true,
                Ok(n) => {
                    self.pos += n as u64;
                    let mut bytes = self.buf.as_slice();
                    if self.line == 1 {
                        bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
                    }
                    if bytes.iter().all(u8::is_ascii_whitespace) {
                        if self.opts.blank_lines_are_records {
                            let place = format!("{}:{}", self.name, self.line);
                            return Some(Record::Err(RecordError {
                                id: place.clone(),
                                input: place.clone(),
                                error: format!("{place}: blank line, no article"),
                                meta: vec![String::new(); self.opts.meta.len()],
                            }));
                        }
                        continue;
                    }
                    return Some(Record::Line(JsonLine {
                        bytes: bytes.to_vec(),
                        place: format!("{}:{}", self.name, self.line),
                        opts: Arc::clone(&self.opts),
                    }));
                }
                Err(e) => {
                    self.done = true;
                    let place = format!("{}:{}", self.name, self.line);
                    return Some(Record::Err(RecordError {
                        id: place.clone(),
                        input: place.clone(),
                        error: format!("{place}: read failed, the rest of the file is lost: {e}"),
                        meta: vec![String::new(); self.opts.meta.len()],
                    }));
                }
            }
        }
        None
    }
}

/// The line breaks a reader has passed and not yet been asked about: the csv
/// crate's own line numbers go wrong after CRLF and blank lines, so records are
/// named by lines counted here. Only breaks still ahead of the parser are kept.
#[derive(Default)]
struct LineBreaks {
    /// Byte offset of each '\n' not yet passed, and whether a '\r' precedes it.
    ahead: VecDeque<(u64, bool)>,
    passed: usize,
    read: u64,
    last_cr: bool,
}

impl LineBreaks {
    /// The 1-based line of the record starting at byte `pos`; line ends the parser
    /// skipped before it (blank lines) do not count as its start.
    fn line_of(&mut self, mut pos: u64) -> usize {
        loop {
            match self.ahead.front() {
                Some(&(at, _)) if at < pos => {}
                Some(&(at, _)) if at == pos => pos += 1,
                Some(&(at, cr)) if at == pos + 1 && cr => pos += 2,
                _ => return self.passed + 1,
            }
            self.ahead.pop_front();
            self.passed += 1;
        }
    }
}

struct CountLines<R> {
    inner: R,
    breaks: Arc<Mutex<LineBreaks>>,
}

impl<R: Read> Read for CountLines<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut b = self
            .breaks
            .lock()
            .expect("only this reader's parser locks it");
        for (i, &c) in buf[..n].iter().enumerate() {
            if c == b'\n' {
                let cr = if i == 0 {
                    b.last_cr
                } else {
                    buf[i - 1] == b'\r'
                };
                let at = b.read + i as u64;
                b.ahead.push_back((at, cr));
            }
        }
        if n > 0 {
            b.read += n as u64;
            b.last_cr = buf[n - 1] == b'\r';
        }
        Ok(n)
    }
}

/// Reads a CSV with a header row, one record a row (quoted newlines allowed).
struct CsvRecords {
    reader: csv::Reader<CountLines<Box<dyn Read + Send>>>,
    breaks: Arc<Mutex<LineBreaks>>,
    name: String,
    header: Vec<String>,
    done: bool,
    opts: ReadOptions,
}

impl Iterator for CsvRecords {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        if self.done {
            return None;
        }
        let mut row = csv::ByteRecord::new();
        let line_of = |pos: u64| {
            let mut b = self
                .breaks
                .lock()
                .expect("not poisoned: no panics while held");
            b.line_of(pos)
        };
        let place = format!("{}:{}", self.name, line_of(self.reader.position().byte()));
        let fail = |why: String, place: &str| {
            Record::Err(RecordError {
                id: place.to_string(),
                input: place.to_string(),
                error: format!("{place}: {why}"),
                meta: vec![String::new(); self.opts.meta.len()],
            })
        };
        match self.reader.read_byte_record(&mut row) {
            Ok(false) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(fail(
                    format!("unreadable CSV, the rest of the file is lost: {e}"),
                    &place,
                ))
            }
            Ok(true) => {
                let start = row.position().map_or(0, |p| p.byte());
                let place = format!("{}:{}", self.name, line_of(start));
                if row.len() != self.header.len() {
                    return Some(fail(
                        format!(
                            "row has {} fields, the header has {}",
                            row.len(),
                            self.header.len()
                        ),
                        &place,
                    ));
                }
                let mut fields = HashMap::new();
                for (name, value) in self.header.iter().zip(row.iter()) {
                    match std::str::from_utf8(value) {
                        Ok(v) => {
                            fields.insert(name.as_str(), serde_json::Value::String(v.into()));
                        }
                        Err(e) => {
                            return Some(fail(
                                format!(
                                    "field {name:?} is not UTF-8 (invalid byte at byte {})",
                                    e.valid_up_to()
                                ),
                                &place,
                            ))
                        }
                    }
                }
                Some(record_from_fields(
                    &|k| fields.get(k).cloned(),
                    &self.opts,
                    place,
                ))
            }
        }
    }
}

fn open(path: &Path) -> io::Result<Box<dyn Read + Send>> {
    Ok(Box::new(File::open(path)?))
}

fn file_error(name: &str, why: String, opts: &ReadOptions) -> Record {
    Record::Err(RecordError {
        id: name.to_string(),
        input: name.to_string(),
        error: format!("{name}: {why}"),
        meta: vec![String::new(); opts.meta.len()],
    })
}

type Records = Box<dyn Iterator<Item = Record> + Send>;

fn jsonl_records(reader: Box<dyn BufRead + Send>, name: String, opts: &ReadOptions) -> Records {
    Box::new(JsonlRecords {
        reader,
        name,
        line: 0,
        pos: 0,
        end: u64::MAX,
        buf: Vec::new(),
        done: false,
        opts: Arc::new(opts.clone()),
    })
}

/// Moves `r` to the first line that starts at byte `start` or later (the Hadoop
/// rule: a line that starts before `start` belongs to the range before), and
/// returns that line's offset and the number of lines before it, so that records
/// keep the line numbers a whole-file run gives them.
fn seek_line(r: &mut impl BufRead, start: u64) -> io::Result<(u64, usize)> {
    let (mut pos, mut lines) = (0u64, 0usize);
    if start == 0 {
        return Ok((0, 0));
    }
    loop {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            return Ok((pos, lines));
        }
        // A line starts at `start` exactly when the byte before it is a newline:
        // the first newline at `start - 1` or later ends the skipped part.
        let from = usize::try_from((start - 1).saturating_sub(pos))
            .unwrap_or(usize::MAX)
            .min(buf.len());
        lines += memchr::memchr_iter(b'\n', &buf[..from]).count();
        let used = match memchr::memchr(b'\n', &buf[from..]) {
            Some(i) => {
                let n = from + i + 1;
                r.consume(n);
                return Ok((pos + n as u64, lines + 1));
            }
            None => buf.len(),
        };
        r.consume(used);
        pos += used as u64;
    }
}

fn jsonl_range(path: &Path, start: u64, end: u64, opts: &ReadOptions) -> Records {
    let name = path.display().to_string();
    let opened = File::open(path).and_then(|f| {
        let mut reader = BufReader::with_capacity(1 << 16, f);
        let (pos, lines) = seek_line(&mut reader, start)?;
        Ok((reader, pos, lines))
    });
    match opened {
        Err(e) => Box::new(std::iter::once(file_error(
            &name,
            format!("cannot read: {e}"),
            opts,
        ))),
        Ok((reader, pos, line)) => Box::new(JsonlRecords {
            reader: Box::new(reader),
            name,
            line,
            pos,
            end,
            buf: Vec::new(),
            done: false,
            opts: Arc::new(opts.clone()),
        }),
    }
}

fn csv_records(path: &Path, opts: &ReadOptions) -> Records {
    let name = path.display().to_string();
    let breaks = Arc::new(Mutex::new(LineBreaks::default()));
    let mut reader = match open(path) {
        Ok(inner) => {
            let counted = CountLines {
                inner,
                breaks: Arc::clone(&breaks),
            };
            csv::ReaderBuilder::new()
                .flexible(true)
                .from_reader(counted)
        }
        Err(e) => {
            return Box::new(std::iter::once(file_error(
                &name,
                format!("cannot read: {e}"),
                opts,
            )))
        }
    };
    let header: Vec<String> = match reader.byte_headers() {
        Ok(h) => h
            .iter()
            .map(|f| {
                String::from_utf8_lossy(f)
                    .trim_start_matches('\u{feff}')
                    .to_string()
            })
            .collect(),
        Err(e) => {
            return Box::new(std::iter::once(file_error(
                &name,
                format!("unreadable CSV header: {e}"),
                opts,
            )))
        }
    };
    for needed in [&opts.id_field, &opts.text_field] {
        if !header.iter().any(|h| h == needed) {
            let why = format!(
                "the header has no {needed:?} column (it has {})",
                header.join(", ")
            );
            return Box::new(std::iter::once(file_error(&name, why, opts)));
        }
    }
    Box::new(CsvRecords {
        reader,
        breaks,
        name,
        header,
        done: false,
        opts: opts.clone(),
    })
}

fn source_records(source: Source, opts: &ReadOptions) -> Records {
    match source {
        Source::Txt { path, id } => Box::new(std::iter::once(read_txt(&path, &id, opts))),
        Source::Stdin => jsonl_records(Box::new(BufReader::new(io::stdin())), "-".into(), opts),
        Source::Jsonl { path, gzip } => {
            let name = path.display().to_string();
            match open(&path) {
                Err(e) => Box::new(std::iter::once(file_error(
                    &name,
                    format!("cannot read: {e}"),
                    opts,
                ))),
                Ok(f) if gzip => jsonl_records(
                    Box::new(BufReader::new(flate2::read::MultiGzDecoder::new(f))),
                    name,
                    opts,
                ),
                Ok(f) => jsonl_records(Box::new(BufReader::with_capacity(1 << 16, f)), name, opts),
            }
        }
        Source::Csv { path } => csv_records(&path, opts),
        Source::JsonlRange { path, start, end } => jsonl_range(&path, start, end, opts),
    }
}

/// All records of all sources, in order. JSONL lines come unparsed
/// ([`Record::Line`]); ids are checked for duplicates by [`Ids`] once records are
/// back in input order.
pub fn read_records(
    sources: Vec<Source>,
    opts: &ReadOptions,
) -> impl Iterator<Item = Record> + Send {
    let opts = opts.clone();
    sources
        .into_iter()
        .flat_map(move |s| source_records(s, &opts))
}

/// The ids seen so far in a run: ids must be unique for claims to be joined, so a
/// record whose id was already seen is an error naming the first one's place.
/// Holds one entry per article (about 80 bytes), the only state that grows with
/// the corpus.
#[derive(Default)]
pub struct Ids {
    seen: HashMap<Box<str>, Box<str>>,
}

impl Ids {
    /// `None` for a first sighting, else the error for the duplicate.
    pub fn check(&mut self, id: &str, input: &str) -> Option<String> {
        match self.seen.get(id) {
            Some(first) => Some(format!(
                "{input}: duplicate id {id:?}, first seen at {first}"
            )),
            None => {
                self.seen.insert(id.into(), input.into());
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jsonl(s: &str) -> Vec<Record> {
        jsonl_records(
            Box::new(io::Cursor::new(s.as_bytes().to_vec())),
            "f.jsonl".into(),
            &ReadOptions::default(),
        )
        .map(|r| match r {
            Record::Line(l) => l.parse(),
            r => r,
        })
        .collect()
    }

    #[test]
    fn jsonl_bad_lines_become_error_records_with_line_numbers() {
        let recs = jsonl("{\"id\":\"a\",\"text\":\"x\"}\n\n{bad\n{\"id\":\"c\"}\n{\"id\":\"d\",\"text\":5}\n{\"id\":7,\"text\":\"y\"}");
        assert_eq!(recs.len(), 5);
        assert!(matches!(&recs[0], Record::Ok(a) if a.id == "a"));
        let errs: Vec<&str> = recs
            .iter()
            .filter_map(|r| match r {
                Record::Err(e) => Some(e.error.as_str()),
                _ => None,
            })
            .collect();
        assert!(
            errs[0].starts_with("f.jsonl:3: malformed JSON"),
            "{}",
            errs[0]
        );
        assert_eq!(errs[1], "f.jsonl:4: missing \"text\" field");
        assert_eq!(
            errs[2],
            "f.jsonl:5: \"text\" field is not a string (found a number)"
        );
        assert!(matches!(&recs[4], Record::Ok(a) if a.id == "7"));
    }

    #[test]
    fn byte_ranges_split_lines_as_hadoop_does() {
        let text = "a\nbb\nccc\n\nd";
        let lines_in = |start: u64, end: u64| {
            let mut r = io::BufReader::with_capacity(2, text.as_bytes());
            let (pos, before) = seek_line(&mut r, start).unwrap();
            let mut out = vec![];
            let (mut pos, mut line) = (pos, before);
            for l in r.split(b'\n') {
                if pos >= end {
                    break;
                }
                line += 1;
                let l = l.unwrap();
                pos += l.len() as u64 + 1;
                out.push((line, String::from_utf8(l).unwrap()));
            }
            out
        };
        // Every line once, in order, whatever the cuts, with whole-file numbers.
        let all = lines_in(0, 100);
        assert_eq!(all.len(), 5);
        for cut in 0..=text.len() as u64 {
            let mut joined = lines_in(0, cut);
            joined.extend(lines_in(cut, 100));
            assert_eq!(joined, all, "cut at {cut}");
        }
        assert_eq!(lines_in(2, 5), vec![(2, "bb".to_string())]);
        assert_eq!(lines_in(3, 5), vec![]);
    }

    #[test]
    fn decode_names_the_bad_byte() {
        assert_eq!(
            decode(b"caf\xe9".to_vec()).unwrap_err(),
            "not UTF-8 (invalid byte 0xE9 at byte offset 3)"
        );
        assert_eq!(decode(b"\xEF\xBB\xBFhi".to_vec()).unwrap(), "hi");
    }
}
