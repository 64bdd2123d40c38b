//! Stage 2: split an article into sentences.
//!
//! A single forward scan finds candidate terminators (`.` `!` `?` `…`), bullets and
//! line breaks; each candidate is judged by the news rules below, using word lists
//! from `rules/segment.toml`. Lines that hold a terminator of another script
//! (`。`, `؟`, `।` ...) are handed to Unicode's sentence rules (UAX #29, via
//! unicode-segmentation), which know those scripts better than any English list.
//!
//! Policy (Universal Dependencies and news style): a line break always ends a
//! sentence; a quotation closed by its speech verb ('"...," he said.', '"...?" he
//! asked.') stays one sentence, because the verb starts in lower case; a
//! multi-sentence quotation is split into its sentences; a dateline stays in the
//! first sentence, because dashes never end one.

use rustc_hash::FxHashSet;

use unicode_segmentation::UnicodeSegmentation;

use crate::model::SentenceBounds;
use crate::scan::{non_ascii_chars, NextByte};

/// The word lists the segmenter consults, as written in `rules/segment.toml`.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SegmentLists {
    /// Abbreviations that never end a sentence: they always precede a name or number.
    pub titles: Vec<String>,
    /// Abbreviations that end a sentence only when a common sentence starter follows.
    pub abbreviations: Vec<String>,
    /// Abbreviations that never end a sentence when a number follows ("No. 10").
    pub before_number: Vec<String>,
    /// Words that, after "a.m."/"p.m.", continue the sentence (weekdays, time zones).
    pub time_followers: Vec<String>,
    /// Words that commonly open a sentence; after an ambiguous abbreviation they
    /// decide for a boundary.
    pub starters: Vec<String>,
    /// Prepositions that open an introductory time phrase ("At 5 a.m. Mr. Smith ...").
    pub intro_prepositions: Vec<String>,
}

/// Compiled form of [`SegmentLists`]: lower-cased sets for O(1) lookups.
#[derive(Debug, Clone)]
pub struct Segmenter {
    titles: FxHashSet<String>,
    abbreviations: FxHashSet<String>,
    before_number: FxHashSet<String>,
    time_followers: FxHashSet<String>,
    starters: FxHashSet<String>,
    intro_prepositions: FxHashSet<String>,
}

fn set(words: &[String]) -> FxHashSet<String> {
    words
        .iter()
        .map(|w| w.trim_end_matches('.').to_lowercase())
        .collect()
}

/// Characters that may close a sentence after its terminator.
fn is_closer(c: char) -> bool {
    matches!(c, '"' | '\'' | '”' | '’' | '»' | ')' | ']' | '}')
}

/// Characters that may open a sentence before its first word.
fn is_opener(c: char) -> bool {
    matches!(c, '"' | '\'' | '“' | '‘' | '«' | '(' | '[' | '{')
}

fn is_bullet(c: char) -> bool {
    matches!(c, '•' | '⁃' | '◦' | '▪' | '‣' | '●')
}

/// Sentence terminators of other scripts; a line holding one goes to UAX #29.
fn is_foreign_terminator(c: char) -> bool {
    matches!(
        c,
        '。' | '！'
            | '？'
            | '｡'
            | '։'
            | '؟'
            | '۔'
            | '।'
            | '॥'
            | '።'
            | '܀'
            | '᙮'
            | '‼'
            | '⁇'
            | '⁈'
            | '⁉'
    )
}

/// Whether `line` holds a foreign terminator. Only its non-ASCII characters are
/// decoded: English news lines are nearly all ASCII, and this runs on every line.
fn has_foreign_terminator(line: &str) -> bool {
    non_ascii_chars(line).any(|(_, c)| is_foreign_terminator(c))
}

/// A list marker at the start of a sentence: "1.", "1.)", "1)", "a.", "10." ...
/// Returns the label and the separator.
fn list_marker(s: &str) -> Option<(&str, &str)> {
    let label_len = if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.bytes().take_while(u8::is_ascii_digit).count()
    } else if s.starts_with(|c: char| c.is_ascii_lowercase()) {
        1
    } else {
        return None;
    };
    if label_len > 3 {
        return None;
    }
    let rest = &s[label_len..];
    let sep = [".)", ".", ")"].into_iter().find(|p| rest.starts_with(p))?;
    // A marker is followed by a space and a capitalised item ("1. The first item");
    // "3. sanctions relief" inside a running sentence is not a list line.
    let after = &rest[sep.len()..];
    let mut chars = after.chars();
    if chars.next() != Some(' ') || !chars.next().is_some_and(char::is_uppercase) {
        return None;
    }
    Some((&s[..label_len], sep))
}

fn next_label(label: &str) -> Option<String> {
    if let Ok(n) = label.parse::<u32>() {
        return Some((n + 1).to_string());
    }
    let c = label.chars().next()?;
    (c.is_ascii_lowercase() && c != 'z')
        .then(|| ((c as u8) + 1) as char)
        .map(String::from)
}

impl Segmenter {
    pub fn new(lists: &SegmentLists) -> Self {
        Segmenter {
            titles: set(&lists.titles),
            abbreviations: set(&lists.abbreviations),
            before_number: set(&lists.before_number),
            time_followers: set(&lists.time_followers),
            starters: set(&lists.starters),
            intro_prepositions: set(&lists.intro_prepositions),
        }
    }

    /// Sentences of `text` as byte ranges, trimmed of surrounding white space, in
    /// order, never overlapping; white space between sentences belongs to none.
    pub fn split(&self, text: &str) -> Vec<SentenceBounds> {
        let mut out = Vec::new();
        let mut line_start = 0;
        for line in text.split_inclusive('\n') {
            self.split_line(text, line_start, line_start + line.len(), &mut out);
            line_start += line.len();
        }
        out
    }

    fn split_line(&self, text: &str, start: usize, end: usize, out: &mut Vec<SentenceBounds>) {
        let line = &text[start..end];
        let mut cuts: Vec<usize> = Vec::new();
        if has_foreign_terminator(line) {
            cuts.extend(
                line.split_sentence_bound_indices()
                    .map(|(i, _)| start + i)
                    .filter(|&i| i > start),
            );
        } else {
            self.find_cuts(text, start, end, &mut cuts);
        }
        cuts.sort_unstable();
        cuts.dedup();
        let mut from = start;
        for cut in cuts.into_iter().chain(std::iter::once(end)) {
            push_trimmed(text, from, cut, out);
            from = cut;
        }
    }

    /// Byte offsets inside `text[start..end]` (one line) where a new sentence begins.
    fn find_cuts(&self, text: &str, start: usize, end: usize, cuts: &mut Vec<usize>) {
        let bytes = text.as_bytes();
        let mut sentence_start = skip_space(text, start, end);
        let mut list = Vec::new();
        self.list_cuts(text, sentence_start, end, &mut list);
        let mut list = list.into_iter().peekable();
        let mut i = start;
        // The lead byte of a three-byte character ("…", bullets, curly quotes).
        let mut wide = NextByte::new(0xE2);
        while i < end {
            // Jump to the next byte that may end a sentence, or to the next list cut.
            let stop = list.peek().map_or(end, |&at| at.clamp(i, end));
            let terminator =
                memchr::memchr3(b'.', b'!', b'?', &bytes[i..stop]).map_or(stop, |k| i + k);
            let next = terminator.min(wide.from(bytes, i, end));
            match next {
                k if k < stop => i = k,
                _ if stop < end => i = stop,
                _ => break,
            }
            while let Some(at) = list.next_if(|&at| at <= i) {
                cuts.push(at);
                sentence_start = at;
            }
            let b = bytes[i];
            let (cut, resume) = match b {
                b'.' | b'!' | b'?' => self.judge_terminator(text, sentence_start, i, end),
                0xE2 => {
                    let c = text[i..].chars().next().unwrap_or(' ');
                    if c == '…' {
                        self.judge_terminator(text, sentence_start, i, end)
                    } else if is_bullet(c) && i > sentence_start {
                        let before = text[..i].chars().next_back().unwrap_or(' ');
                        (before.is_whitespace().then_some(i), i + c.len_utf8())
                    } else {
                        (None, i + 1)
                    }
                }
                _ => (None, i + 1),
            };
            if let Some(at) = cut.filter(|&at| at > sentence_start && at < end) {
                cuts.push(at);
                sentence_start = at;
            }
            i = resume.max(i + 1);
        }
        cuts.extend(list);
    }

    /// Cuts before the items of a list that opens the line ("1. A ... 2. B ...").
    fn list_cuts(&self, text: &str, start: usize, end: usize, cuts: &mut Vec<usize>) {
        let line = &text[start..end];
        let body = line.trim_start_matches(|c: char| is_bullet(c) || c == ' ');
        let Some((mut label, sep)) = list_marker(body) else {
            return;
        };
        let mut from = start + (line.len() - body.len());
        let mut owned;
        while let Some(next) = next_label(label) {
            let needle = format!(" {next}{sep} ");
            let Some(pos) = text[from..end].find(&needle) else {
                break;
            };
            let at = from + pos + 1;
            if text[at + needle.len() - 1..end].starts_with(char::is_uppercase) {
                // "• 10. The second item": the bullet opens the item.
                let before = text[..at].trim_end();
                match before.chars().next_back() {
                    Some(b) if is_bullet(b) => cuts.push(before.len() - b.len_utf8()),
                    _ => cuts.push(at),
                }
            }
            from = at;
            owned = next;
            label = &owned;
        }
    }

    /// Judge the terminator run starting at byte `i`. Returns where the next sentence
    /// starts (`None` when the run ends none) and where scanning resumes: past the
    /// whole run, so the dots of an ellipsis are judged once, together.
    fn judge_terminator(
        &self,
        text: &str,
        sentence_start: usize,
        i: usize,
        end: usize,
    ) -> (Option<usize>, usize) {
        let bytes = text.as_bytes();
        let attached = i > 0 && !text[..i].ends_with(char::is_whitespace);
        // The terminator run: "?!", "....", ". . . .", "…".
        let mut j = i;
        let mut dots = 0;
        let mut spaced = false;
        let mut first_dot_end = i + 1;
        loop {
            let c = text[j..end].chars().next();
            match c {
                Some('.') => {
                    dots += 1;
                    j += 1;
                    if dots == 1 {
                        first_dot_end = j;
                    }
                }
                Some('!') | Some('?') => j += 1,
                Some('…') => {
                    dots += 3;
                    j += '…'.len_utf8();
                }
                Some(' ') if text[j + 1..end].starts_with('.') && dots > 0 => {
                    spaced = true;
                    j += 1;
                }
                _ => break,
            }
        }
        let run_end = j;
        // "[...]" marks an omission inside a quotation, never an end.
        if i > 0 && matches!(bytes[i - 1], b'[' | b'(') {
            return (None, run_end);
        }
        let cut = self.judge_cut(
            text,
            sentence_start,
            i,
            run_end,
            first_dot_end,
            dots,
            attached,
            spaced,
            end,
        );
        (cut, run_end)
    }

    #[allow(clippy::too_many_arguments)]
    fn judge_cut(
        &self,
        text: &str,
        sentence_start: usize,
        i: usize,
        run_end: usize,
        first_dot_end: usize,
        dots: usize,
        attached: bool,
        spaced: bool,
        end: usize,
    ) -> Option<usize> {
        let mut j = run_end;
        while let Some(c) = text[j..end].chars().next().filter(|&c| is_closer(c)) {
            j += c.len_utf8();
        }
        let next = text[j..end].chars().next();
        if next.is_some_and(|c| !c.is_whitespace()) {
            return None;
        }
        let word_at = skip_space(text, j, end);
        if word_at >= end {
            return None; // the line ends here anyway
        }
        let next_word = first_word(&text[word_at..end]);
        let next_char = next_word.chars().next().unwrap_or(' ');
        let starts_upper = next_char.is_uppercase();

        let run = &text[i..run_end];
        if run.contains('!') || run.contains('?') {
            return (!next_char.is_lowercase()).then_some(word_at);
        }
        if dots >= 3 {
            // An ellipsis. A period glued to a word and then a spaced ". . ." ends the
            // sentence at that period; the ellipsis opens the next ("compounds. . . .
            // The practice"). A bare three-dot ellipsis is an omission unless a
            // capitalised word other than "I" follows.
            if attached && spaced && dots >= 4 && starts_upper {
                return Some(skip_space(text, first_dot_end, end));
            }
            let ends = starts_upper && (dots >= 4 || next_word != "I");
            return ends.then_some(word_at);
        }
        // A single period: judge the word it closes.
        let word = last_word(&text[sentence_start..i]);
        let key = word.to_lowercase();
        if next_char.is_lowercase() {
            return None;
        }
        if word_at >= end || !(starts_upper || next_char.is_ascii_digit() || is_opener(next_char)) {
            return Some(word_at);
        }
        let body = text[sentence_start..end].trim_start_matches(is_bullet_or_space);
        let body_start = end - body.len();
        if list_marker(body).is_some_and(|(label, _)| i == body_start + label.len()) {
            return None;
        }
        if next_char.is_ascii_digit() {
            return (!self.before_number.contains(&key)).then_some(word_at);
        }
        if self.titles.contains(&key) {
            return None;
        }
        if key == "a.m" || key == "p.m" {
            let follower = next_word
                .trim_end_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase();
            if self.time_followers.contains(&follower)
                || self.is_intro_phrase(&text[sentence_start..i])
            {
                return None;
            }
            return Some(word_at);
        }
        let next_key = next_word
            .trim_start_matches(is_opener)
            .trim_end_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase();
        let dotted = word.len() >= 3
            && word.contains('.')
            && word.split('.').all(|p| p.chars().count() == 1);
        if dotted || self.abbreviations.contains(&key) {
            return self.starters.contains(&next_key).then_some(word_at);
        }
        let mut letters = word.chars();
        if let (Some(c), None) = (letters.next(), letters.next()) {
            if c.is_uppercase() && c != 'I' {
                return None; // an initial: "Jonas E. Smith", "by E. Smith"
            }
            if c.is_uppercase() {
                // "Albert I. Jones" (a name's initial) or "you and I. Did"
                let before = last_word(
                    text[sentence_start..i]
                        .trim_end_matches(|c: char| c != ' ')
                        .trim_end(),
                );
                if before.starts_with(char::is_uppercase) {
                    return None;
                }
            } else if c.is_lowercase() {
                return self.starters.contains(&next_key).then_some(word_at);
            }
        }
        Some(word_at)
    }

    /// "At 5 a.m." (a preposition, a number and the time) is an opening phrase, not a
    /// sentence.
    fn is_intro_phrase(&self, before: &str) -> bool {
        let words: Vec<&str> = before.split_whitespace().collect();
        words.len() <= 3
            && words
                .first()
                .is_some_and(|w| self.intro_prepositions.contains(&w.to_lowercase()))
    }
}

fn is_bullet_or_space(c: char) -> bool {
    is_bullet(c) || c.is_whitespace()
}

fn skip_space(text: &str, mut i: usize, end: usize) -> usize {
    while let Some(c) = text[i..end].chars().next().filter(|c| c.is_whitespace()) {
        i += c.len_utf8();
    }
    i
}

/// The word before a terminator, without leading opening punctuation.
fn last_word(s: &str) -> &str {
    let from = s
        .rfind(char::is_whitespace)
        .map_or(0, |p| p + s[p..].chars().next().map_or(1, char::len_utf8));
    s[from..].trim_start_matches(|c: char| is_opener(c) || is_bullet(c))
}

fn first_word(s: &str) -> &str {
    s.split(char::is_whitespace).next().unwrap_or("")
}

/// No sentence is longer than this: a longer run (a table, a list, a text with no
/// terminator) is cut at its last space before the limit, so the extractor's work
/// per sentence stays bounded whatever the input.
pub const MAX_SENTENCE_BYTES: usize = 4096;

fn push_trimmed(text: &str, from: usize, to: usize, out: &mut Vec<SentenceBounds>) {
    let piece = &text[from..to];
    let mut start = from + (piece.len() - piece.trim_start().len());
    let end = from + piece.trim_end().len();
    while start < end {
        if end - start <= MAX_SENTENCE_BYTES {
            out.push(SentenceBounds { start, end });
            return;
        }
        let mut limit = start + MAX_SENTENCE_BYTES;
        while !text.is_char_boundary(limit) {
            limit -= 1;
        }
        let cut = text[start..limit]
            .rfind(char::is_whitespace)
            .map(|i| start + i)
            .filter(|&c| c > start)
            .unwrap_or(limit);
        let head = text[start..cut].trim_end();
        out.push(SentenceBounds {
            start,
            end: start + head.len(),
        });
        start = cut + (text[cut..end].len() - text[cut..end].trim_start().len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn foreign_terminators_are_found_among_other_non_ascii_characters() {
        assert!(has_foreign_terminator("“Oui,” dit-il。Next"));
        assert!(has_foreign_terminator("Done‼"));
        assert!(!has_foreign_terminator("“Quoted,” he said — and left…"));
        assert!(!has_foreign_terminator("plain ASCII. Two sentences!"));
        assert!(!has_foreign_terminator(""));
    }

    #[test]
    fn overlong_runs_are_cut_at_a_space() {
        let seg = Segmenter::new(&SegmentLists::default());
        let text = "word ".repeat(3 * MAX_SENTENCE_BYTES / 5);
        let got = seg.split(&text);
        assert!(got.len() > 1);
        assert!(got.iter().all(|b| b.end - b.start <= MAX_SENTENCE_BYTES));
        assert!(got.iter().all(|b| text[b.start..b.end].ends_with("word")));
        let one_token = "é".repeat(MAX_SENTENCE_BYTES);
        let got = seg.split(&one_token);
        assert_eq!(got.len(), 2);
        assert_eq!(got[1].start, got[0].end);
    }
}
