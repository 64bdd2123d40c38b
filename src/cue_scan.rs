//! Where cue candidates are found: one pass over an article for the forms of the
//! cue lexicon.
//!
//! A form matches case-insensitively (ASCII) where it stands as words of its own:
//! a form that opens with a letter or digit needs no letter or digit before it, and
//! one that closes with a letter or digit none after it. At each place a form may
//! open, the longest form that stands alone there is taken, and the scan goes on
//! after it. So "Harris expected to" holds the cue "expected" (the form "is
//! expected to" would open inside "Harris"), and "is seen asking" the cue
//! "asking" ("is seen as" would close inside "asking").
//!
//! One automaton pass reports every occurrence of every form, overlapping ones
//! too; the candidates are chosen from those.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use rustc_hash::FxHashMap;

/// A cue candidate: byte offsets of the matched form and the form's index.
pub type Candidate = (usize, usize, usize);

/// The compiled cue forms.
pub struct CueScan {
    /// Reports every occurrence of every form, overlapping: the longest form that
    /// stands alone is chosen afterwards.
    automaton: AhoCorasick,
    /// Form (lower case) → its index.
    index: FxHashMap<String, usize>,
}

fn alnum(c: Option<char>) -> bool {
    c.is_some_and(char::is_alphanumeric)
}

impl CueScan {
    /// `forms` are normalised (lower case, single spaces) and distinct; a form's
    /// index is its place in `forms`.
    pub fn new(forms: &[String]) -> CueScan {
        let automaton = AhoCorasickBuilder::new()
            .kind(Some(AhoCorasickKind::DFA))
            .match_kind(MatchKind::Standard)
            .ascii_case_insensitive(true)
            .build(forms)
            .expect("an automaton builds from any list of literal strings");
        let index = forms
            .iter()
            .enumerate()
            .map(|(i, f)| (f.clone(), i))
            .collect();
        CueScan { automaton, index }
    }

    /// The cue candidates of `text`, in order, into `out` (cleared first).
    pub fn candidates(&self, text: &str, out: &mut Vec<Candidate>) {
        out.clear();
        for m in self.automaton.find_overlapping_iter(text) {
            let (s, e) = (m.start(), m.end());
            let form = &text[s..e];
            let opens_word = alnum(form.chars().next()) && alnum(text[..s].chars().next_back());
            let closes_word = alnum(form.chars().next_back()) && alnum(text[e..].chars().next());
            if !(opens_word || closes_word) {
                out.push((s, e, m.pattern().as_usize()));
            }
        }
        // Reported by where they end; taken from the left, the longest first.
        out.sort_unstable_by_key(|&(s, e, _)| (s, std::cmp::Reverse(e)));
        let mut end = 0;
        out.retain(|&(s, e, _)| {
            let take = s >= end;
            if take {
                end = e;
            }
            take
        });
    }

    /// The index of the form that is exactly `word` (any case).
    pub fn form(&self, word: &str) -> Option<usize> {
        if word.bytes().any(|b| b.is_ascii_uppercase()) {
            self.index.get(&word.to_ascii_lowercase()).copied()
        } else {
            self.index.get(word).copied()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FORMS: &[&str] = &[
        "said",
        "say",
        "says",
        "call",
        "call for",
        "is expected to",
        "expected",
        "is seen as",
        "asking",
        ":",
        "according to",
        "a",
        "ab",
        "it's",
    ];

    fn scan() -> CueScan {
        CueScan::new(&FORMS.iter().map(|f| f.to_string()).collect::<Vec<_>>())
    }

    fn found(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        scan().candidates(text, &mut out);
        out.iter().map(|&(s, e, _)| &text[s..e]).collect()
    }

    /// The definition, form by form at every character.
    fn reference(text: &str) -> Vec<Candidate> {
        let mut out = Vec::new();
        let mut pos = 0;
        for (s, _) in text.char_indices() {
            if s < pos {
                continue;
            }
            let before = alnum(text[..s].chars().next_back());
            let best = FORMS
                .iter()
                .enumerate()
                .filter(|(_, f)| {
                    let e = s + f.len();
                    text.len() >= e
                        && text.as_bytes()[s..e].eq_ignore_ascii_case(f.as_bytes())
                        && !(alnum(f.chars().next()) && before)
                        && !(alnum(f.chars().next_back()) && alnum(text[e..].chars().next()))
                })
                .max_by_key(|(_, f)| f.len());
            if let Some((i, f)) = best {
                out.push((s, s + f.len(), i));
                pos = s + f.len();
            }
        }
        out
    }

    #[test]
    fn a_form_stands_alone() {
        assert_eq!(
            found("Aides said: unsaid, saying SAYS"),
            ["said", ":", "SAYS"]
        );
        assert_eq!(found("They call for calm; recall for"), ["call for"]);
    }

    #[test]
    fn a_form_opening_inside_a_word_hides_no_cue() {
        assert_eq!(found("Harris expected to win."), ["expected"]);
        assert_eq!(found("Jones is expected to win."), ["is expected to"]);
    }

    #[test]
    fn the_longest_form_that_closes_a_word_is_taken() {
        assert_eq!(found("The minister is seen asking for aid."), ["asking"]);
        assert_eq!(found("She is seen as weak."), ["is seen as"]);
        assert_eq!(found("call forth"), ["call"]);
    }

    #[test]
    fn letters_beyond_ascii_join_words() {
        assert_eq!(found("ésaid said’ “said”"), ["said", "said"]);
    }

    #[test]
    fn form_is_the_exact_word() {
        let s = scan();
        assert_eq!(s.form("said"), Some(0));
        assert_eq!(s.form("SAYS"), Some(2));
        assert_eq!(s.form("sai"), None);
        assert_eq!(s.form("saidx"), None);
        assert_eq!(s.form("call for"), Some(4));
    }

    proptest::proptest! {
        #[test]
        fn scan_is_the_definition(text in "([aA]|[bB]|sa(y|ys|id)|call|for|is|expected|seen|as|asking|to|it|'|’|s|:|é|x|1| |,)*") {
            let mut got = Vec::new();
            scan().candidates(&text, &mut got);
            proptest::prop_assert_eq!(got, reference(&text));
        }
    }
}
