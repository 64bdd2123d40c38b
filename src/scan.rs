//! Byte search shared by the segmenter, the quotation finder, the tokenizer and
//! the row encoders: one byte ahead ([`NextByte`]), and eight bytes at a time in a
//! `u64` (SWAR), where each byte's high bit answers for that byte.

/// Where one byte next occurs in a text, kept while it lies ahead: the search runs
/// again only once a scan has passed it. For bytes far apart in prose (line
/// breaks, the lead byte of "…" and curly quotes), which a scan asks about at
/// every stop.
pub struct NextByte {
    byte: u8,
    at: Option<usize>,
}

impl NextByte {
    pub fn new(byte: u8) -> Self {
        NextByte { byte, at: None }
    }

    /// The first `byte` in `bytes[from..end]`, or `end` when there is none. `end`
    /// must be the same at every call.
    pub fn from(&mut self, bytes: &[u8], from: usize, end: usize) -> usize {
        match self.at {
            Some(at) if at >= from => at,
            _ => {
                let at = memchr::memchr(self.byte, &bytes[from..end]).map_or(end, |k| from + k);
                self.at = Some(at);
                at
            }
        }
    }
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Eight bytes of `bytes` from `i`, the first in the lowest byte.
fn chunk(bytes: &[u8], i: usize) -> u64 {
    u64::from_le_bytes(bytes[i..i + 8].try_into().expect("eight bytes"))
}

/// The high bit of each byte of `v` that is `b`. Only the lowest is sure: a
/// borrow may flag a byte above a match, never one below.
pub fn has_byte(v: u64, b: u8) -> u64 {
    let x = v ^ (ONES * u64::from(b));
    x.wrapping_sub(ONES) & !x & HIGHS
}

/// The high bit of each byte of `v` below `n` (`n` ≤ 128), the lowest one sure
/// (as for [`has_byte`]).
pub fn has_below(v: u64, n: u8) -> u64 {
    v.wrapping_sub(ONES * u64::from(n)) & !v & HIGHS
}

/// The first byte at or after `from` for which `special` holds, or `bytes.len()`.
/// `mask` answers for eight bytes at a time with the high bit of each such byte;
/// its lowest set bit must be exact, as with [`has_byte`] and [`has_below`].
pub fn find_byte(
    bytes: &[u8],
    mut from: usize,
    mask: impl Fn(u64) -> u64,
    special: impl Fn(u8) -> bool,
) -> usize {
    while from + 8 <= bytes.len() {
        let m = mask(chunk(bytes, from));
        if m != 0 {
            return from + (m.trailing_zeros() / 8) as usize;
        }
        from += 8;
    }
    bytes[from..]
        .iter()
        .position(|&b| special(b))
        .map_or(bytes.len(), |p| from + p)
}

/// The characters of `text` that are not ASCII, with their byte offsets: only
/// they are decoded.
pub fn non_ascii_chars(text: &str) -> impl Iterator<Item = (usize, char)> + '_ {
    let mut from = 0;
    std::iter::from_fn(move || {
        let at = find_byte(text.as_bytes(), from, |v| v & HIGHS, |b| !b.is_ascii());
        if at == text.len() {
            return None;
        }
        let c = text[at..]
            .chars()
            .next()
            .expect("a non-ASCII byte found here leads a character");
        from = at + c.len_utf8();
        Some((at, c))
    })
}

/// The high bit of each byte of `v` that is at least `n`, for bytes below 0x80:
/// adding `0x80 - n` carries into the high bit exactly then, and never into the
/// next byte.
fn at_least(v: u64, n: u8) -> u64 {
    v + ONES * u64::from(0x80 - n)
}

/// The high bit of each byte of `v` that is an ASCII letter or digit.
fn ascii_alnum(v: u64) -> u64 {
    let seven = v & !HIGHS;
    // Setting bit 5 lower-cases the letters and maps no other byte into a..z.
    let folded = seven | (ONES * 0x20);
    let letter = at_least(folded, b'a') & !at_least(folded, b'z' + 1);
    let digit = at_least(seven, b'0') & !at_least(seven, b'9' + 1);
    (letter | digit) & !v & HIGHS
}

/// How many ASCII letters and digits `bytes` starts with. A word's letters are
/// counted eight at a time: the tokenizer runs this for every word it reads.
pub fn ascii_alnum_run(bytes: &[u8]) -> usize {
    find_byte(
        bytes,
        0,
        |v| !ascii_alnum(v) & HIGHS,
        |b| !b.is_ascii_alphanumeric(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_each_occurrence_in_turn() {
        let b = b"a\nbc\nd";
        let mut nl = NextByte::new(b'\n');
        assert_eq!(nl.from(b, 0, b.len()), 1);
        assert_eq!(nl.from(b, 1, b.len()), 1);
        assert_eq!(nl.from(b, 2, b.len()), 4);
        assert_eq!(nl.from(b, 5, b.len()), b.len());
    }

    fn scalar_alnum_run(bytes: &[u8]) -> usize {
        bytes
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count()
    }

    #[test]
    fn alnum_run_classes_every_byte_value() {
        for b in 0..=255u8 {
            for at in 0..9 {
                let mut bytes = vec![b'a'; 12];
                bytes[at] = b;
                let want = if b.is_ascii_alphanumeric() { 12 } else { at };
                assert_eq!(ascii_alnum_run(&bytes), want, "byte {b:#x} at {at}");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn non_ascii_chars_are_those_of_char_indices(s in "[a-z .’“”é—😀]{0,40}") {
            let want: Vec<(usize, char)> = s.char_indices().filter(|(_, c)| !c.is_ascii()).collect();
            let got: Vec<(usize, char)> = non_ascii_chars(&s).collect();
            proptest::prop_assert_eq!(got, want);
        }

        #[test]
        fn alnum_run_is_the_scalar_count(s in "[a-zA-Z0-9 .,'’@`\\[{/:é-]{0,40}") {
            proptest::prop_assert_eq!(ascii_alnum_run(s.as_bytes()), scalar_alnum_run(s.as_bytes()));
        }
    }
}
