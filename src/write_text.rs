//! The JSONL and CSV rows of the data files, encoded by hand.
//!
//! The rows are most of what a run writes (about six bytes out for every byte of
//! text in), so they are made with no intermediate values: cells go straight
//! into the file's buffer, text is scanned eight bytes at a time for the few bytes
//! that need escaping or quoting, and runs without them are copied whole. The
//! bytes are those serde_json and the csv crate write (`QuoteStyle::Necessary`);
//! the tests below compare the two on arbitrary text.

use crate::model::{Claim, Sentence, Span};
use crate::scan::{find_byte, has_below, has_byte};

fn json_special(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// `s` as a JSON string, quotes included.
pub fn json_str(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut run = 0;
    loop {
        let i = find_byte(
            bytes,
            run,
            |v| has_below(v, 0x20) | has_byte(v, b'"') | has_byte(v, b'\\'),
            json_special,
        );
        out.extend_from_slice(&bytes[run..i]);
        let Some(&b) = bytes.get(i) else { break };
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            _ => out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(b >> 4)],
                HEX[usize::from(b & 0xf)],
            ]),
        }
        run = i + 1;
    }
    out.push(b'"');
}

fn num(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

/// One JSON object being written: `key(name)` before each value.
struct Object<'o> {
    out: &'o mut Vec<u8>,
    first: bool,
}

impl<'o> Object<'o> {
    fn new(out: &'o mut Vec<u8>) -> Self {
        out.push(b'{');
        Object { out, first: true }
    }

    fn key(&mut self, name: &str) -> &mut Vec<u8> {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        // Key names are this file's own and need no escaping.
        self.out.push(b'"');
        self.out.extend_from_slice(name.as_bytes());
        self.out.extend_from_slice(b"\":");
        self.out
    }

    fn str(&mut self, name: &str, v: &str) -> &mut Self {
        json_str(self.key(name), v);
        self
    }

    fn num(&mut self, name: &str, v: usize) -> &mut Self {
        num(self.key(name), v);
        self
    }

    fn opt_str(&mut self, name: &str, v: Option<&str>) -> &mut Self {
        match v {
            Some(v) => self.str(name, v),
            None => {
                self.key(name).extend_from_slice(b"null");
                self
            }
        }
    }

    /// A nested object, or null.
    fn obj<T>(&mut self, name: &str, v: Option<&T>, fields: impl Fn(&mut Object, &T)) -> &mut Self {
        let out = self.key(name);
        match v {
            Some(v) => {
                let mut o = Object::new(out);
                fields(&mut o, v);
                o.end();
            }
            None => out.extend_from_slice(b"null"),
        }
        self
    }

    fn end(&mut self) {
        self.out.push(b'}');
    }
}

fn span_fields(o: &mut Object, s: &Span) {
    o.str("text", &s.text)
        .num("start", s.start)
        .num("end", s.end);
}

/// A claim as a JSON object (a line of claims.jsonl, without its newline).
pub fn claim_json(out: &mut Vec<u8>, c: &Claim) {
    let mut o = Object::new(out);
    o.str("article_id", &c.article_id)
        .num("claim_index", c.claim_index)
        .num("sentence_index", c.sentence_index)
        .obj("source", c.source.as_ref(), span_fields)
        .str("sourcing", &c.sourcing)
        .opt_str("actor", c.actor.as_deref())
        .obj("cue", Some(&c.cue), |o, cue| {
            o.str("text", &cue.text)
                .num("start", cue.start)
                .num("end", cue.end)
                .str("lemma", &cue.lemma);
        })
        .obj("content", c.content.as_ref(), span_fields)
        .obj("via", c.via.as_ref(), |o, v| {
            o.str("text", &v.text)
                .num("start", v.start)
                .num("end", v.end)
                .str("sourcing", &v.sourcing);
        })
        .str("quote", &c.quote)
        .str("stance", &c.stance);
    o.key("negated")
        .extend_from_slice(if c.negated { b"true" } else { b"false" });
    let issues = o.key("issues");
    issues.push(b'[');
    for (i, issue) in c.issues.iter().enumerate() {
        if i > 0 {
            issues.push(b',');
        }
        json_str(issues, issue);
    }
    issues.push(b']');
    o.str("rule", &c.rule)
        .str("cue_rule", &c.cue_rule)
        .str("sourcing_rule", &c.sourcing_rule)
        .end();
}

/// A line of sentences.jsonl, newline included.
pub fn sentence_json(out: &mut Vec<u8>, article_id: &str, s: &Sentence) {
    Object::new(out)
        .str("article_id", article_id)
        .num("sentence_index", s.sentence_index)
        .num("start", s.start)
        .num("end", s.end)
        .str("text", &s.text)
        .end();
    out.push(b'\n');
}

/// The JSON envelope of the streaming mode (see [`crate::envelope`]), newline
/// included.
pub fn envelope_json(
    out: &mut Vec<u8>,
    id: &str,
    status: &str,
    error: Option<&str>,
    claims: &[Claim],
) {
    let mut o = Object::new(out);
    o.str("id", id)
        .str("status", status)
        .opt_str("error", error);
    let list = o.key("claims");
    list.push(b'[');
    for (i, c) in claims.iter().enumerate() {
        if i > 0 {
            list.push(b',');
        }
        claim_json(list, c);
    }
    list.push(b']');
    o.end();
    out.push(b'\n');
}

fn csv_special(b: u8) -> bool {
    matches!(b, b',' | b'"' | b'\n' | b'\r')
}

/// One CSV record being written: cells, then [`CsvRow::end`].
pub struct CsvRow<'o> {
    out: &'o mut Vec<u8>,
    first: bool,
    /// Neutralise cells a spreadsheet would run as a formula (`--csv-safe`).
    safe: bool,
}

impl<'o> CsvRow<'o> {
    pub fn new(out: &'o mut Vec<u8>, safe: bool) -> Self {
        CsvRow {
            out,
            first: true,
            safe,
        }
    }

    fn sep(&mut self) {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
    }

    /// A text cell, quoted only when it holds a comma, a quotation mark or a line
    /// break.
    pub fn text(&mut self, cell: &str) -> &mut Self {
        self.sep();
        let formula = self.safe && cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
        let bytes = cell.as_bytes();
        let any = |v: u64| {
            has_byte(v, b',') | has_byte(v, b'"') | has_byte(v, b'\n') | has_byte(v, b'\r')
        };
        let first = find_byte(bytes, 0, any, csv_special);
        let out = &mut *self.out;
        if first == bytes.len() {
            if formula {
                out.push(b'\'');
            }
            out.extend_from_slice(bytes);
            return self;
        }
        out.reserve(bytes.len() + 4);
        out.push(b'"');
        if formula {
            out.push(b'\'');
        }
        let mut run = 0;
        let mut at = first;
        while at < bytes.len() {
            if bytes[at] == b'"' {
                out.extend_from_slice(&bytes[run..=at]);
                out.push(b'"');
                run = at + 1;
            }
            at = find_byte(bytes, at + 1, |v| has_byte(v, b'"'), |b| b == b'"');
        }
        out.extend_from_slice(&bytes[run..]);
        out.push(b'"');
        self
    }

    pub fn num(&mut self, n: usize) -> &mut Self {
        self.sep();
        num(self.out, n);
        self
    }

    /// A number, or an empty cell.
    pub fn opt_num(&mut self, n: Option<usize>) -> &mut Self {
        match n {
            Some(n) => self.num(n),
            None => self.text(""),
        }
    }

    pub fn end(&mut self) {
        self.out.push(b'\n');
    }
}

fn text(s: Option<&String>) -> &str {
    s.map_or("", String::as_str)
}

/// A row of claims.csv, in [`crate::write::CLAIM_COLUMNS`] order.
pub fn claim_csv(out: &mut Vec<u8>, c: &Claim, safe: bool) {
    let mut row = CsvRow::new(out, safe);
    let (source, content, via) = (c.source.as_ref(), c.content.as_ref(), c.via.as_ref());
    row.text(&c.article_id)
        .num(c.claim_index)
        .num(c.sentence_index)
        .text(text(source.map(|s| &s.text)))
        .opt_num(source.map(|s| s.start))
        .opt_num(source.map(|s| s.end))
        .text(&c.sourcing)
        .text(text(c.actor.as_ref()))
        .text(&c.cue.text)
        .num(c.cue.start)
        .num(c.cue.end)
        .text(&c.cue.lemma)
        .text(text(content.map(|s| &s.text)))
        .opt_num(content.map(|s| s.start))
        .opt_num(content.map(|s| s.end))
        .text(text(via.map(|s| &s.text)))
        .opt_num(via.map(|s| s.start))
        .opt_num(via.map(|s| s.end))
        .text(text(via.map(|s| &s.sourcing)))
        .text(&c.quote)
        .text(&c.stance)
        .text(if c.negated { "true" } else { "false" })
        .text(&c.issues.join(";"))
        .text(&c.rule)
        .text(&c.cue_rule)
        .text(&c.sourcing_rule)
        .end();
}

/// A row of sentences.csv.
pub fn sentence_csv(out: &mut Vec<u8>, article_id: &str, s: &Sentence, safe: bool) {
    CsvRow::new(out, safe)
        .text(article_id)
        .num(s.sentence_index)
        .num(s.start)
        .num(s.end)
        .text(&s.text)
        .end();
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn csv_crate(cells: &[&str]) -> Vec<u8> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(cells).unwrap();
        w.into_inner().unwrap()
    }

    fn csv_hand(cells: &[&str], safe: bool) -> Vec<u8> {
        let mut out = Vec::new();
        let mut row = CsvRow::new(&mut out, safe);
        for c in cells {
            row.text(c);
        }
        row.end();
        out
    }

    #[test]
    fn escapes_like_serde_json() {
        for s in [
            "",
            "plain",
            "a\"b\\c",
            "\u{0}\u{1f}\u{7f}\n\r\t\u{8}\u{c}",
            "“curly” é 😀",
        ] {
            let mut out = Vec::new();
            json_str(&mut out, s);
            assert_eq!(out, serde_json::to_vec(s).unwrap(), "{s:?}");
        }
    }

    #[test]
    fn claims_and_envelopes_encode_as_serde_json_does() {
        use crate::model::{CueSpan, Via};
        let span = |t: &str, start| Span {
            text: t.into(),
            start,
            end: start + 3,
        };
        let full = Claim {
            article_id: "a\"1".into(),
            claim_index: 2,
            sentence_index: 10,
            source: Some(span("Mr. \\ Smith", 0)),
            sourcing: "named_person".into(),
            actor: Some("Smith".into()),
            cue: CueSpan {
                text: "said".into(),
                start: 12,
                end: 16,
                lemma: "say".into(),
            },
            content: Some(span("“no”\n\ttalks", 17)),
            via: Some(Via {
                text: "citing AP".into(),
                start: 40,
                end: 49,
                sourcing: "media_report".into(),
            }),
            quote: "direct".into(),
            stance: "assert".into(),
            negated: true,
            issues: vec!["war".into(), "trade".into()],
            rule: "claim/preposed".into(),
            cue_rule: "cue/verb/say".into(),
            sourcing_rule: "sourcing/builtin/proper-name".into(),
        };
        let bare = Claim {
            source: None,
            actor: None,
            content: None,
            via: None,
            negated: false,
            issues: Vec::new(),
            ..full.clone()
        };
        for c in [&full, &bare] {
            let mut out = Vec::new();
            claim_json(&mut out, c);
            assert_eq!(out, serde_json::to_vec(c).unwrap());
        }
        let claims = [full, bare];
        let mut out = Vec::new();
        envelope_json(&mut out, "x", "error", Some("bad"), &claims);
        let expected = format!(
            "{{\"id\":\"x\",\"status\":\"error\",\"error\":\"bad\",\"claims\":{}}}\n",
            serde_json::to_string(&claims).unwrap()
        );
        assert_eq!(String::from_utf8(out).unwrap(), expected);
    }

    #[test]
    fn quotes_like_the_csv_crate() {
        let cells = ["a,b", "say \"no\"", "line\nbreak", "cr\rhere", "", "plain"];
        assert_eq!(csv_hand(&cells, false), csv_crate(&cells));
    }

    #[test]
    fn safe_cells_start_with_an_apostrophe() {
        assert_eq!(
            csv_hand(&["=SUM(A1)", "-2, or", "x"], true),
            b"'=SUM(A1),\"'-2, or\",x\n"
        );
    }

    proptest! {
        #[test]
        fn any_text_encodes_as_the_crates_do(s in "\\PC*|[\"\\\\,\\n\\r\\x00-\\x1f a-z]{0,40}") {
            let mut out = Vec::new();
            json_str(&mut out, &s);
            prop_assert_eq!(out, serde_json::to_vec(&s).unwrap());
            let cells = [s.as_str(), "x"];
            prop_assert_eq!(csv_hand(&cells, false), csv_crate(&cells));
        }
    }
}
