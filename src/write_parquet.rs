//! Stage 4, columnar: claims.parquet, sentences.parquet and articles.parquet, with
//! typed columns (spans as structs, `issues` as a list, offsets as integers) and
//! the same rows as the JSONL. Rows are gathered into row groups of
//! [`ROW_GROUP`] and written as the run streams, so memory stays bounded.

use std::fs::File;
use std::io;
use std::path::Path;
use std::sync::Arc;

use arrow_array::builder::{ListBuilder, StringBuilder};
use arrow_array::{ArrayRef, BooleanArray, Int64Array, RecordBatch, StringArray, StructArray};
use arrow_buffer::NullBuffer;
use arrow_schema::{DataType, Field, Fields, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

use crate::model::{Claim, Sentence};

/// Rows a row group holds: small enough to keep a few MB in memory, large
/// enough for readers to scan quickly.
pub const ROW_GROUP: usize = 16 * 1024;

pub const PARQUET_FILES: &[&str] = &["claims.parquet", "sentences.parquet", "articles.parquet"];

/// One article's rows for the Parquet files.
#[derive(Debug, Default)]
pub struct Typed {
    pub claims: Vec<Claim>,
    pub sentences: Vec<(String, Sentence)>,
    pub article: Option<ArticleRow>,
}

/// A row of articles.parquet: articles.csv's columns, typed.
#[derive(Debug, Clone)]
pub struct ArticleRow {
    pub article_id: String,
    pub input: String,
    pub status: &'static str,
    pub error: Option<String>,
    pub chars: usize,
    pub sentences: usize,
    pub claims: usize,
    pub meta: Vec<String>,
}

fn field(name: &str, t: DataType, nullable: bool) -> Field {
    Field::new(name, t, nullable)
}

fn span_fields(extra: &[&str]) -> Fields {
    let mut f = vec![
        field("text", DataType::Utf8, false),
        field("start", DataType::Int64, false),
        field("end", DataType::Int64, false),
    ];
    f.extend(extra.iter().map(|n| field(n, DataType::Utf8, false)));
    f.into()
}

fn claims_schema() -> Schema {
    let text = |n: &str, nullable| field(n, DataType::Utf8, nullable);
    let int = |n: &str| field(n, DataType::Int64, false);
    Schema::new(vec![
        text("article_id", false),
        int("claim_index"),
        int("sentence_index"),
        field("source", DataType::Struct(span_fields(&[])), true),
        text("sourcing", false),
        text("actor", true),
        field("cue", DataType::Struct(span_fields(&["lemma"])), false),
        field("content", DataType::Struct(span_fields(&[])), true),
        field("via", DataType::Struct(span_fields(&["sourcing"])), true),
        text("quote", false),
        text("stance", false),
        field("negated", DataType::Boolean, false),
        field(
            "issues",
            DataType::List(Arc::new(field("item", DataType::Utf8, true))),
            false,
        ),
        text("rule", false),
        text("cue_rule", false),
        text("sourcing_rule", false),
    ])
}

fn strings<'a>(v: impl Iterator<Item = &'a str>) -> ArrayRef {
    Arc::new(StringArray::from_iter_values(v))
}

fn opt_strings<'a>(v: impl Iterator<Item = Option<&'a str>>) -> ArrayRef {
    Arc::new(v.collect::<StringArray>())
}

fn ints(v: impl Iterator<Item = usize>) -> ArrayRef {
    Arc::new(Int64Array::from_iter_values(v.map(|n| n as i64)))
}

/// A span's cells: text, start, end and the extra text fields; `None` for no span.
type SpanCells<'a> = Option<(&'a str, usize, usize, Vec<&'a str>)>;

/// A struct column of spans: `text, start, end` and extra text fields, null
/// where the span is absent (its children then hold empty values).
fn spans(fields: Fields, rows: &[SpanCells]) -> ArrayRef {
    let extra = fields.len() - 3;
    let mut children = vec![
        strings(rows.iter().map(|r| r.as_ref().map_or("", |s| s.0))),
        ints(rows.iter().map(|r| r.as_ref().map_or(0, |s| s.1))),
        ints(rows.iter().map(|r| r.as_ref().map_or(0, |s| s.2))),
    ];
    for k in 0..extra {
        children.push(strings(
            rows.iter().map(|r| r.as_ref().map_or("", |s| s.3[k])),
        ));
    }
    let valid = NullBuffer::from(rows.iter().map(Option::is_some).collect::<Vec<bool>>());
    let nulls = (valid.null_count() > 0).then_some(valid);
    Arc::new(StructArray::new(fields, children, nulls))
}

fn claims_batch(schema: &SchemaRef, c: &[Claim]) -> Result<RecordBatch, arrow_schema::ArrowError> {
    let plain = span_fields(&[]);
    fn span(s: Option<&crate::model::Span>) -> SpanCells<'_> {
        s.map(|s| (s.text.as_str(), s.start, s.end, vec![]))
    }
    let mut issues = ListBuilder::new(StringBuilder::new());
    for claim in c {
        for i in &claim.issues {
            issues.values().append_value(i);
        }
        issues.append(true);
    }
    let columns: Vec<ArrayRef> = vec![
        strings(c.iter().map(|c| c.article_id.as_str())),
        ints(c.iter().map(|c| c.claim_index)),
        ints(c.iter().map(|c| c.sentence_index)),
        spans(
            plain.clone(),
            &c.iter()
                .map(|c| span(c.source.as_ref()))
                .collect::<Vec<_>>(),
        ),
        strings(c.iter().map(|c| c.sourcing.as_str())),
        opt_strings(c.iter().map(|c| c.actor.as_deref())),
        spans(
            span_fields(&["lemma"]),
            &c.iter()
                .map(|c| {
                    Some((
                        c.cue.text.as_str(),
                        c.cue.start,
                        c.cue.end,
                        vec![c.cue.lemma.as_str()],
                    ))
                })
                .collect::<Vec<_>>(),
        ),
        spans(
            plain,
            &c.iter()
                .map(|c| span(c.content.as_ref()))
                .collect::<Vec<_>>(),
        ),
        spans(
            span_fields(&["sourcing"]),
            &c.iter()
                .map(|c| {
                    c.via
                        .as_ref()
                        .map(|v| (v.text.as_str(), v.start, v.end, vec![v.sourcing.as_str()]))
                })
                .collect::<Vec<_>>(),
        ),
        strings(c.iter().map(|c| c.quote.as_str())),
        strings(c.iter().map(|c| c.stance.as_str())),
        Arc::new(BooleanArray::from(
            c.iter().map(|c| c.negated).collect::<Vec<bool>>(),
        )),
        Arc::new(issues.finish()),
        strings(c.iter().map(|c| c.rule.as_str())),
        strings(c.iter().map(|c| c.cue_rule.as_str())),
        strings(c.iter().map(|c| c.sourcing_rule.as_str())),
    ];
    RecordBatch::try_new(schema.clone(), columns)
}

fn sentences_batch(
    schema: &SchemaRef,
    s: &[(String, Sentence)],
) -> Result<RecordBatch, arrow_schema::ArrowError> {
    RecordBatch::try_new(
        schema.clone(),
        vec![
            strings(s.iter().map(|(id, _)| id.as_str())),
            ints(s.iter().map(|(_, s)| s.sentence_index)),
            ints(s.iter().map(|(_, s)| s.start)),
            ints(s.iter().map(|(_, s)| s.end)),
            strings(s.iter().map(|(_, s)| s.text.as_str())),
        ],
    )
}

fn articles_batch(
    schema: &SchemaRef,
    a: &[ArticleRow],
) -> Result<RecordBatch, arrow_schema::ArrowError> {
    let mut columns = vec![
        strings(a.iter().map(|a| a.article_id.as_str())),
        strings(a.iter().map(|a| a.input.as_str())),
        strings(a.iter().map(|a| a.status)),
        opt_strings(a.iter().map(|a| a.error.as_deref())),
        ints(a.iter().map(|a| a.chars)),
        ints(a.iter().map(|a| a.sentences)),
        ints(a.iter().map(|a| a.claims)),
    ];
    for k in 0..schema.fields().len() - columns.len() {
        columns.push(strings(a.iter().map(|a| a.meta[k].as_str())));
    }
    RecordBatch::try_new(schema.clone(), columns)
}

/// Rows waiting for their row group, and the file they go to.
struct Pending<T> {
    rows: Vec<T>,
    schema: SchemaRef,
    writer: ArrowWriter<File>,
}

impl<T> Pending<T> {
    fn open(dir: &Path, name: &str, schema: Schema) -> io::Result<Self> {
        let schema = Arc::new(schema);
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_size(ROW_GROUP)
            .build();
        let file = File::create(dir.join(name))?;
        let writer =
            ArrowWriter::try_new(file, schema.clone(), Some(props)).map_err(io::Error::other)?;
        Ok(Pending {
            rows: Vec::with_capacity(ROW_GROUP),
            schema,
            writer,
        })
    }

    fn flush(
        &mut self,
        batch: fn(&SchemaRef, &[T]) -> Result<RecordBatch, arrow_schema::ArrowError>,
    ) -> io::Result<()> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let b = batch(&self.schema, &self.rows).map_err(io::Error::other)?;
        self.writer.write(&b).map_err(io::Error::other)?;
        self.rows.clear();
        Ok(())
    }
}

/// The three Parquet files of a run.
pub struct ParquetFiles {
    claims: Pending<Claim>,
    sentences: Pending<(String, Sentence)>,
    articles: Pending<ArticleRow>,
}

impl ParquetFiles {
    /// Create the files in `dir`; `meta` names articles.parquet's extra columns.
    pub fn create(dir: &Path, meta: &[String]) -> io::Result<ParquetFiles> {
        let int = |n: &str| field(n, DataType::Int64, false);
        let text = |n: &str| field(n, DataType::Utf8, false);
        let sentences = Schema::new(vec![
            text("article_id"),
            int("sentence_index"),
            int("start"),
            int("end"),
            text("text"),
        ]);
        let mut cols = vec![
            text("article_id"),
            text("input"),
            text("status"),
            field("error", DataType::Utf8, true),
            int("chars"),
            int("sentences"),
            int("claims"),
        ];
        cols.extend(meta.iter().map(|m| text(m)));
        Ok(ParquetFiles {
            claims: Pending::open(dir, PARQUET_FILES[0], claims_schema())?,
            sentences: Pending::open(dir, PARQUET_FILES[1], sentences)?,
            articles: Pending::open(dir, PARQUET_FILES[2], Schema::new(cols))?,
        })
    }

    pub fn write(&mut self, t: Typed) -> io::Result<()> {
        self.claims.rows.extend(t.claims);
        if self.claims.rows.len() >= ROW_GROUP {
            self.claims.flush(claims_batch)?;
        }
        self.sentences.rows.extend(t.sentences);
        if self.sentences.rows.len() >= ROW_GROUP {
            self.sentences.flush(sentences_batch)?;
        }
        self.articles.rows.extend(t.article);
        if self.articles.rows.len() >= ROW_GROUP {
            self.articles.flush(articles_batch)?;
        }
        Ok(())
    }

    /// Write the last row groups and the files' footers.
    pub fn finish(mut self) -> io::Result<()> {
        self.claims.flush(claims_batch)?;
        self.sentences.flush(sentences_batch)?;
        self.articles.flush(articles_batch)?;
        for w in [
            self.claims.writer,
            self.sentences.writer,
            self.articles.writer,
        ] {
            w.close().map_err(io::Error::other)?;
        }
        Ok(())
    }
}
