//! Byte offsets (what Rust string search gives) to character offsets (what the
//! output contract and Python's `text[start:end]` use).

use crate::scan::non_ascii_chars;

/// Maps byte offsets of one text to character offsets in O(log n) per lookup.
///
/// Only the positions of multi-byte characters are stored, so an ASCII article costs
/// nothing and memory stays proportional to its non-ASCII characters.
pub struct CharIndex {
    /// (byte offset just past a multi-byte character, extra bytes seen up to there)
    marks: Vec<(usize, usize)>,
}

impl CharIndex {
    pub fn new(text: &str) -> Self {
        let mut marks = Vec::new();
        let mut extra = 0;
        for (i, c) in non_ascii_chars(text) {
            let n = c.len_utf8();
            extra += n - 1;
            marks.push((i + n, extra));
        }
        CharIndex { marks }
    }

    /// The character offset of `byte`, which must lie on a character boundary.
    pub fn char_at(&self, byte: usize) -> usize {
        let k = self.marks.partition_point(|&(b, _)| b <= byte);
        if k == 0 {
            byte
        } else {
            byte - self.marks[k - 1].1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn char_offsets_match_python_indexing() {
        let text = "Kyiv’s “plan” — café\r\nok";
        let idx = CharIndex::new(text);
        for (ci, (bi, _)) in text.char_indices().enumerate() {
            assert_eq!(idx.char_at(bi), ci, "byte {bi}");
        }
        assert_eq!(idx.char_at(text.len()), text.chars().count());
    }

    #[test]
    fn ascii_text_is_identity() {
        let idx = CharIndex::new("plain text");
        assert_eq!(idx.char_at(5), 5);
        assert!(idx.marks.is_empty());
    }
}
