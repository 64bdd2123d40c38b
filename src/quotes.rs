//! Quotation regions of an article.
//!
//! Marks are paired within a paragraph; a quotation still open at the end of a
//! paragraph continues when the next paragraph opens with a quotation mark (news
//! style for a quote that runs over paragraphs), else it ends with its paragraph.
//! An odd mark degrades one quotation and never the article.

use crate::scan::NextByte;

/// One quotation, as byte offsets: `start..end` is the quoted text without marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quote {
    /// The opening mark (or the paragraph start when the mark is missing).
    pub open: usize,
    pub start: usize,
    pub end: usize,
    /// Just past the closing mark (or `end` when the quote is left open).
    pub close: usize,
}

fn q(open: usize, start: usize, end: usize, close: usize) -> Quote {
    Quote {
        open,
        start,
        end,
        close,
    }
}

fn opens_straight(prev: Option<char>) -> bool {
    prev.is_none_or(|p| {
        p.is_whitespace() || matches!(p, '(' | '[' | '—' | '–' | '-' | ':' | ';' | ',')
    })
}

/// The first line break, straight quotation mark or lead byte of a curly one (and
/// of other three-byte characters) at or after `from`.
fn next_mark(bytes: &[u8], from: usize, line_break: &mut NextByte) -> Option<usize> {
    let end = bytes.len();
    let mark = memchr::memchr3(b'"', b'\'', 0xE2, &bytes[from..]).map_or(end, |k| from + k);
    let next = mark.min(line_break.from(bytes, from, end));
    (next < end).then_some(next)
}

/// All quotations of `text`, in order, never overlapping.
pub fn find_quotes(text: &str) -> Vec<Quote> {
    let mut out = Vec::new();
    // (opening mark offset, inner start, the mark's kind: '"' or '\'')
    let mut open: Option<(usize, usize, char)> = None;
    let mut prev: Option<char> = None;
    let mut line_start = 0;
    let bytes = text.as_bytes();
    let mut line_break = NextByte::new(b'\n');
    let mut i = 0;
    while i < text.len() {
        // Nothing but line breaks and marks matters: jump to the next one.
        let Some(k) = next_mark(bytes, i, &mut line_break) else {
            break;
        };
        if k > i {
            i = k;
            prev = text[..i].chars().next_back();
        }
        let mut c = text[i..].chars().next().expect("i is on a char boundary");
        let mut after = i + c.len_utf8();
        let mut next = text[after..].chars().next();
        if c == '\'' && next == Some('\'') {
            // Two apostrophes are one double quotation mark (the New York Times'
            // ''...'' style), paired like a straight '"'.
            (c, after) = ('"', i + 2);
            next = text[after..].chars().next();
        }
        match c {
            '\n' => {
                if let Some((o, s, k)) = open {
                    let rest = &text[after..];
                    let reopens = rest.starts_with(['“', '"'])
                        || (k == '\'' && rest.starts_with(['‘', '\'']));
                    if let Some(m) = rest.chars().next().filter(|_| reopens) {
                        // Skip the reopening mark: the quotation runs on.
                        prev = Some(' ');
                        line_start = after;
                        i = after + m.len_utf8();
                        continue;
                    }
                    let end = i - (text[..i].len() - text[..i].trim_end().len());
                    out.push(q(o, s, end.max(s), end.max(s)));
                    open = None;
                }
                line_start = after;
            }
            '“' if open.is_none() => open = Some((i, after, '"')),
            '‘' if open.is_none() => open = Some((i, after, '\'')),
            '”' => match open {
                Some((o, s, '"')) => {
                    out.push(q(o, s, i, after));
                    open = None;
                }
                None => out.push(q(line_start, line_start, i, after)),
                _ => {}
            },
            '’' if matches!(open, Some((_, _, '\'')))
                && !next.is_some_and(char::is_alphanumeric) =>
            {
                let (o, s, _) = open.take().unwrap_or_default();
                out.push(q(o, s, i, after));
            }
            '"' => match open {
                Some((o, s, '"')) => {
                    out.push(q(o, s, i, after));
                    open = None;
                }
                None if opens_straight(prev) => open = Some((i, after, '"')),
                None => out.push(q(line_start, line_start, i, after)),
                _ => {}
            },
            '\'' => match open {
                None if opens_straight(prev) && next.is_some_and(char::is_alphabetic) => {
                    open = Some((i, after, '\''));
                }
                Some((o, s, '\''))
                    if !prev.is_some_and(char::is_whitespace)
                        && !next.is_some_and(char::is_alphanumeric) =>
                {
                    out.push(q(o, s, i, after));
                    open = None;
                }
                _ => {}
            },
            _ => {}
        }
        prev = Some(c);
        i = after;
    }
    if let Some((o, s, _)) = open {
        let end = text.trim_end().len().max(s);
        out.push(Quote {
            open: o,
            start: s,
            end,
            close: end,
        });
    }
    out.sort_by_key(|q| q.open);
    // An orphan closing mark opens its region at the paragraph start, which may cover
    // an earlier quotation of the same paragraph: keep the earlier, drop the overlap.
    let mut kept: Vec<Quote> = Vec::with_capacity(out.len());
    for q in out {
        match kept.last() {
            Some(last) if q.open < last.close => {}
            _ => kept.push(q),
        }
    }
    kept
}

// The quotations are in order and never overlap, so each of their offsets rises
// with the index: the lookups below are binary searches.

/// The quotation whose offset `key` is `pos`.
fn with_offset(quotes: &[Quote], pos: usize, key: impl Fn(&Quote) -> usize) -> Option<&Quote> {
    let k = quotes.partition_point(|q| key(q) < pos);
    quotes.get(k).filter(|q| key(q) == pos)
}

/// The quotation whose opening mark is at byte `pos`.
pub fn opening_at(quotes: &[Quote], pos: usize) -> Option<&Quote> {
    with_offset(quotes, pos, |q| q.open)
}

/// The quotation whose closing mark ends at byte `pos`.
pub fn closing_at(quotes: &[Quote], pos: usize) -> Option<&Quote> {
    with_offset(quotes, pos, |q| q.close)
}

/// The quotation whose inner text starts at byte `pos`.
pub fn starting_at(quotes: &[Quote], pos: usize) -> Option<&Quote> {
    with_offset(quotes, pos, |q| q.start)
}

/// Does any quotation's inner text overlap bytes `a..b`?
pub fn overlaps(quotes: &[Quote], a: usize, b: usize) -> bool {
    let k = quotes.partition_point(|q| q.end <= a);
    quotes.get(k).is_some_and(|q| q.start < b)
}

/// The quotation whose inner text holds byte `pos`, if any.
pub fn quote_at(quotes: &[Quote], pos: usize) -> Option<&Quote> {
    let k = quotes.partition_point(|q| q.start <= pos);
    quotes[..k].last().filter(|q| pos < q.end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inner<'a>(text: &'a str, qs: &[Quote]) -> Vec<&'a str> {
        qs.iter().map(|q| &text[q.start..q.end]).collect()
    }

    #[test]
    fn straight_and_curly_quotes_pair_up() {
        let t = "\"We will win,\" he said. “Not yet,” she said.";
        assert_eq!(inner(t, &find_quotes(t)), ["We will win,", "Not yet,"]);
    }

    #[test]
    fn multi_paragraph_quote_reopened() {
        let t = "“First part.\n“Second part,” he said.";
        let q = find_quotes(t);
        assert_eq!(q.len(), 1);
        assert_eq!(&t[q[0].start..q[0].end], "First part.\n“Second part,");
    }

    #[test]
    fn unclosed_quote_ends_with_its_paragraph() {
        let t = "He said \"we are ready.\nNext paragraph.";
        assert_eq!(inner(t, &find_quotes(t)), ["we are ready."]);
    }

    #[test]
    fn doubled_apostrophes_are_a_double_quote() {
        let t = "''We will win,'' he said. ''It's 'late',''she said.";
        assert_eq!(inner(t, &find_quotes(t)), ["We will win,", "It's 'late',"]);
    }

    #[test]
    fn lookups_find_each_offset() {
        let t = "“A,” he said. “B” and “C.”";
        let qs = find_quotes(t);
        for q in &qs {
            assert_eq!(opening_at(&qs, q.open), Some(q));
            assert_eq!(closing_at(&qs, q.close), Some(q));
            assert_eq!(starting_at(&qs, q.start), Some(q));
            assert!(overlaps(&qs, q.start, q.start + 1));
        }
        assert_eq!(opening_at(&qs, 1), None);
        assert!(!overlaps(&qs, qs[0].close, qs[1].open));
    }

    #[test]
    fn apostrophes_are_not_quotes() {
        let t = "Ukraine’s position isn't 'final', he said.";
        assert_eq!(inner(t, &find_quotes(t)), ["final"]);
    }
}
