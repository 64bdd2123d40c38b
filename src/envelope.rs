//! The streaming mode's output (`whosaid run - --envelope`): one JSON line for
//! every input line, in input order, `{"id", "status", "error", "claims"}`, with
//! each claim as in claims.jsonl. A process that drives whosaid through a pipe (a
//! Spark task, say) can then count lines in against lines out.

use std::io::{self, Write};

use crate::model::ArticleResult;
use crate::write::{Encode, Sink};
use crate::write_text::envelope_json;

/// Encodes an article's envelope line.
#[derive(Debug, Default)]
pub struct EnvelopeEncoder {
    /// Test-only: abort the process on reaching this id, to check that a driver
    /// notices a crashed binary (`WHOSAID_TEST_CRASH_ON_ID`).
    pub crash_on_id: Option<String>,
}

impl Encode for EnvelopeEncoder {
    type Rows = Vec<u8>;

    fn encode(
        &self,
        r: ArticleResult,
        emit: &mut dyn FnMut(Vec<u8>) -> io::Result<()>,
    ) -> io::Result<()> {
        if self.crash_on_id.as_deref() == Some(r.id.as_str()) {
            std::process::abort();
        }
        let mut line = Vec::with_capacity(256 + r.claims.len() * 1024);
        let status = if r.is_ok() { "ok" } else { "error" };
        envelope_json(&mut line, &r.id, status, r.error.as_deref(), &r.claims);
        emit(line)
    }
}

/// Writes envelope lines to a stream, flushing each so a reader sees them as
/// they are made.
pub struct StreamSink<W: Write + Send> {
    pub out: W,
}

impl<W: Write + Send> Sink for StreamSink<W> {
    type Rows = Vec<u8>;

    fn write(&mut self, line: Vec<u8>) -> io::Result<()> {
        self.out.write_all(&line)?;
        self.out.flush()
    }
}
