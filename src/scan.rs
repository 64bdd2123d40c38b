//! Byte search shared by the segmenter and the quotation finder.

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
}
