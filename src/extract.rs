//! Stage 3: find attributed claims in an article's sentences.
//!
//! One pass of the cue automaton over the article finds every cue candidate; only
//! sentences holding one are looked at further. Each candidate is read by the claim
//! patterns (ids in `rules/patterns.toml`): where its source stands (before the cue,
//! after it, a pronoun, a coordinated or participial verb, none for a hedge) and where
//! its content stands (after the cue, before it, a quotation around it).

use std::cell::{Cell, RefCell};

use crate::model::SentenceBounds;
use crate::quotes::{self, find_quotes, quote_at, Quote};
use crate::rules::{role, CueRule, Rules};
use crate::scan::ascii_alnum_run;
use crate::sourcing::{Resolver, Sourced};

/// A claim found in an article, with byte offsets; the pipeline turns it into a
/// [`crate::model::Claim`].
#[derive(Debug, Clone)]
pub struct Found<'a> {
    pub sentence_index: usize,
    pub source: Option<(usize, usize)>,
    pub sourced: Sourced<'a>,
    pub cue: (usize, usize),
    pub cue_index: usize,
    pub content: Option<(usize, usize)>,
    pub via: Option<(usize, usize, &'static str)>,
    pub quote: &'static str,
    pub negated: bool,
    pub rule: &'static str,
}

/// A token of a sentence: a word or one punctuation character, as byte offsets,
/// with the offsets of its lower-case form in [`Sent::lower`]'s buffer.
#[derive(Debug, Clone, Copy)]
struct Tok {
    s: usize,
    e: usize,
    word: bool,
    ls: u32,
    le: u32,
}

/// The sentence's tokens in lower case with straight apostrophes, one after the
/// other: the patterns test nearly every token in this form, and this way it is
/// made once, with no allocation per token.
fn push_lower(lower: &mut String, t: &str) -> (u32, u32) {
    let ls = lower.len();
    if t.is_ascii() {
        lower.push_str(t);
        lower[ls..].make_ascii_lowercase();
    } else {
        for c in t.chars() {
            if c == '’' {
                lower.push('\'');
            } else {
                lower.extend(c.to_lowercase());
            }
        }
    }
    (ls as u32, lower.len() as u32)
}

/// Buffers that every sentence of an article is tokenized into in turn.
#[derive(Default)]
struct Scratch {
    toks: Vec<Tok>,
    lower: String,
    roles: Vec<Cell<u32>>,
}

/// The character at byte `i` and its length. Bytes below 0x80 are their own
/// characters: ASCII text is not decoded. Inlined: the tokenizer asks at every
/// word's end.
#[inline(always)]
fn char_at(text: &str, i: usize) -> (char, usize) {
    let b = text.as_bytes()[i];
    if b < 0x80 {
        (b as char, 1)
    } else {
        let c = text[i..].chars().next().expect("i < to on a boundary");
        (c, c.len_utf8())
    }
}

/// Tokenize `text[from..to]` into `toks`, and the tokens' lower-case forms into
/// `lower` (both cleared first).
fn tokenize(text: &str, from: usize, to: usize, toks: &mut Vec<Tok>, lower: &mut String) {
    toks.clear();
    lower.clear();
    // ASCII text, nearly all of it, is lower-cased in one go; each token's form is
    // then where the token is.
    let ascii = text[from..to].is_ascii();
    if ascii {
        lower.push_str(&text[from..to]);
        lower.make_ascii_lowercase();
    }
    let mut push = |toks: &mut Vec<Tok>, s: usize, e: usize, word: bool| {
        let (ls, le) = if ascii {
            ((s - from) as u32, (e - from) as u32)
        } else {
            push_lower(lower, &text[s..e])
        };
        toks.push(Tok { s, e, word, ls, le });
    };
    let bytes = text.as_bytes();
    let char_at = |i: usize| char_at(text, i);
    let alnum_at = |i: usize| i < to && char_at(i).0.is_alphanumeric();
    // "100,000": a comma between digit groups is inside the number.
    let digit_group_at = |i: usize| {
        i + 3 <= to
            && bytes[i - 2].is_ascii_digit()
            && bytes[i..i + 3].iter().all(u8::is_ascii_digit)
            && (i + 3 == to || !bytes[i + 3].is_ascii_alphanumeric())
    };
    let mut i = from;
    while i < to {
        if bytes[i] == b' ' {
            i += 1;
            continue;
        }
        let (c, n) = char_at(i);
        if c.is_alphanumeric() {
            let mut e = i + n;
            let mut dotted = false;
            loop {
                // Letters and digits of ASCII text, the bulk, in one tight scan.
                e += ascii_alnum_run(&bytes[e..to]);
                if e >= to {
                    break;
                }
                let (d, m) = char_at(e);
                let joins = matches!(d, '\'' | '’' | '-' | '.' | '&') && alnum_at(e + m)
                    || d == ',' && digit_group_at(e + 1);
                if !(d.is_alphanumeric() || joins) {
                    break;
                }
                dotted |= joins && d == '.';
                e += m;
            }
            // "U.S." keeps its last period: a dotted abbreviation is one word.
            if e < to && bytes[e] == b'.' && dotted {
                e += 1;
            }
            push(toks, i, e, true);
            i = e;
        } else {
            // '' is one double quotation mark (see quotes.rs).
            let n = if bytes[i..to].starts_with(b"''") {
                2
            } else {
                n
            };
            if !c.is_whitespace() {
                push(toks, i, i + n, false);
            }
            i += n;
        }
    }
}

fn is_closing_quote(c: &str) -> bool {
    matches!(c, "\"" | "”" | "'" | "’" | "''")
}

fn is_opening_quote(c: &str) -> bool {
    matches!(c, "\"" | "“" | "'" | "‘" | "''")
}

/// One sentence being read: its tokens and the article around it.
struct Sent<'a, 'q> {
    text: &'a str,
    toks: Vec<Tok>,
    /// The tokens' lower-case forms (see [`push_lower`]).
    lower: String,
    bounds: SentenceBounds,
    /// Its index in the article.
    index: usize,
    /// The article's quotations.
    quotes: &'q [Quote],
    /// Each token's grammar roles, looked up when first asked for: the patterns
    /// ask about most tokens several times.
    roles: Vec<Cell<u32>>,
}

/// A token's roles not yet looked up (no word has every role).
const ROLES_UNKNOWN: u32 = u32::MAX;

impl<'a, 'q> Sent<'a, 'q> {
    /// The sentence `bounds`, tokenized up to `to` into the scratch buffers (give
    /// them back with [`Sent::recycle`]). Its index and the article's quotations
    /// are left unset: a sentence read for its subject needs neither.
    fn read(text: &'a str, bounds: SentenceBounds, to: usize, scratch: &mut Scratch) -> Self {
        let mut toks = std::mem::take(&mut scratch.toks);
        let mut lower = std::mem::take(&mut scratch.lower);
        tokenize(text, bounds.start, to, &mut toks, &mut lower);
        let mut roles = std::mem::take(&mut scratch.roles);
        roles.clear();
        roles.resize(toks.len(), Cell::new(ROLES_UNKNOWN));
        Sent {
            text,
            toks,
            lower,
            bounds,
            index: 0,
            quotes: &[],
            roles,
        }
    }

    fn at<'q2>(self, index: usize, quotes: &'q2 [Quote]) -> Sent<'a, 'q2> {
        Sent {
            text: self.text,
            toks: self.toks,
            lower: self.lower,
            bounds: self.bounds,
            index,
            quotes,
            roles: self.roles,
        }
    }

    fn recycle(self, scratch: &mut Scratch) {
        scratch.toks = self.toks;
        scratch.lower = self.lower;
        scratch.roles = self.roles;
    }

    /// The grammar roles of token `i` ([`Rules::roles`]).
    fn roles(&self, i: usize, rules: &Rules) -> u32 {
        let known = self.roles[i].get();
        if known != ROLES_UNKNOWN {
            return known;
        }
        let roles = rules.roles(self.lower(i));
        self.roles[i].set(roles);
        roles
    }

    /// Whether token `i` has one of `roles`.
    fn has(&self, i: usize, roles: u32, rules: &Rules) -> bool {
        self.roles(i, rules) & roles != 0
    }

    fn t(&self, i: usize) -> &'a str {
        &self.text[self.toks[i].s..self.toks[i].e]
    }

    /// The token in lower case with straight apostrophes.
    fn lower(&self, i: usize) -> &str {
        let t = &self.toks[i];
        &self.lower[t.ls as usize..t.le as usize]
    }

    fn is_word(&self, i: usize) -> bool {
        self.toks[i].word
    }

    fn find_tok_at(&self, byte: usize) -> Option<usize> {
        self.toks.binary_search_by_key(&byte, |t| t.s).ok()
    }

    fn find_tok_ending(&self, byte: usize) -> Option<usize> {
        self.toks.binary_search_by_key(&byte, |t| t.e).ok()
    }

    /// Byte range of tokens `a..b`, or None when empty.
    fn span(&self, a: usize, b: usize) -> Option<(usize, usize)> {
        (a < b).then(|| (self.toks[a].s, self.toks[b - 1].e))
    }

    /// Content end: the sentence end without its final terminator.
    fn content_end(&self) -> usize {
        let s = &self.text[self.bounds.start..self.bounds.end];
        let trimmed = s
            .trim_end_matches(['.', '!', '?', ';', ':', ','])
            .trim_end();
        self.bounds.start + trimmed.len()
    }
}

pub struct Extractor<'r> {
    rules: &'r Rules,
}

/// What the tokens before a cue say about its source.
#[derive(Clone, Copy)]
enum Before {
    /// A source noun phrase: token range, and whether a comma or closing quote stands
    /// just before it (content may precede it).
    Source(usize, usize, bool),
    /// "NP, who CUE" / "NP who CUE": the noun phrase the relative clause hangs on;
    /// the clause's content ends at the comma that closes it.
    Relative(usize, usize),
    /// "and"/"but" directly before the cue: the subject is shared with the verb before.
    Coordinated,
    /// ", arguing that": a participle after a comma.
    Participle,
    /// "went on to say", "was quick to deny", "by remembering", "in support of": a
    /// cue governed by "to" or a preposition; its subject is the clause's.
    Governed,
    /// Nothing usable (sentence start, or a comma with no subject after it).
    Nothing,
}

impl<'r> Extractor<'r> {
    pub fn new(rules: &'r Rules) -> Self {
        Extractor { rules }
    }

    fn on(&self, pattern: &str) -> bool {
        self.rules.enabled_patterns.contains(pattern)
    }

    /// All claims of one article, in cue order.
    pub fn extract(&self, text: &'r str, sentences: &[SentenceBounds]) -> Vec<Found<'r>> {
        let mut cands = Vec::new();
        self.rules.cue_scan.candidates(text, &mut cands);
        if cands.is_empty() {
            return Vec::new();
        }
        let quotes = find_quotes(text);
        // Subjects are read with buffers of their own: a pronoun's search may read
        // one while the current sentence holds the others.
        let subject_scratch = RefCell::new(Scratch::default());
        let subject = |b| self.subject(text, &b, &mut subject_scratch.borrow_mut());
        let mut resolver = Resolver::new(&subject);
        let mut scratch = Scratch::default();
        let mut out: Vec<Found<'r>> = Vec::new();
        let mut c = 0;
        let mut last_read = 0;
        for (si, b) in sentences.iter().enumerate() {
            while c < cands.len() && cands[c].0 < b.start {
                c += 1;
            }
            let first = c;
            while c < cands.len() && cands[c].1 <= b.end {
                c += 1;
            }
            if first == c {
                continue;
            }
            for prev in &sentences[si.saturating_sub(2).max(last_read)..si] {
                resolver.remember_subject(*prev);
            }
            last_read = si + 1;
            // The subjects before are remembered all the same: which sentences a
            // pronoun may look back to must not depend on the quotations.
            if cands[first..c]
                .iter()
                .all(|&(cs, _, _)| quote_at(&quotes, cs).is_some())
            {
                continue; // every cue here is inside a quotation (see below)
            }
            let sent = Sent::read(text, *b, b.end, &mut scratch).at(si, &quotes);
            let start_of_sentence = out.len();
            for &(cs, ce, pattern) in &cands[first..c] {
                if quote_at(&quotes, cs).is_some() {
                    continue; // a cue inside a quotation belongs to the quoted speaker
                }
                let ci = self.reading(&sent, cs, pattern);
                if self.is_negating_verb(&sent, &cands[first..c], cs, ce) {
                    continue; // "refused to confirm": the cue is "confirm", negated
                }
                let via_of_earlier = out[start_of_sentence..].iter().any(|f| {
                    f.via
                        .is_some_and(|(vs, _, _)| vs > ce && text[ce..vs].trim().is_empty())
                });
                if via_of_earlier {
                    continue; // ", citing sources": the earlier claim's via, not a claim
                }
                if let Some(f) = self.read_cue(
                    &sent,
                    cs,
                    ce,
                    ci,
                    &mut out,
                    start_of_sentence,
                    &mut resolver,
                ) {
                    if let Some((a, b)) = f.content.filter(|_| f.cue.0 >= b_end_of(&f)) {
                        // A postposed frame takes in the claims of its content.
                        // Only this sentence's claims can lie in it: keep the rest
                        // untouched, or a long article would be rescanned per claim.
                        let mut tail = out.split_off(start_of_sentence);
                        tail.retain(|o| !(a <= o.cue.0 && o.cue.0 < b));
                        out.append(&mut tail);
                    }
                    resolver.remember(f.sourced);
                    out.push(f);
                }
            }
            sent.recycle(&mut scratch);
        }
        out
    }

    #[allow(clippy::too_many_arguments)]
    fn read_cue(
        &self,
        sent: &Sent<'r, '_>,
        cs: usize,
        ce: usize,
        ci: usize,
        out: &mut [Found<'r>],
        sentence_first_claim: usize,
        resolver: &mut Resolver<'r, '_>,
    ) -> Option<Found<'r>> {
        let rules = self.rules;
        let cue: &CueRule = &rules.cues[ci];
        let kind = cue.kind.get_ref().as_str();
        let ti = sent.find_tok_at(cs)?;
        let tj = sent.find_tok_ending(ce)? + 1;

        // A cue inside the content of an earlier claim of this sentence is nested and
        // left alone, unless it is a second verb of the same subject (", and fears").
        let earlier = &out[sentence_first_claim..];
        let inside = earlier
            .iter()
            .rposition(|f| f.content.is_some_and(|(a, b)| a <= cs && cs < b));

        if tj < sent.toks.len() && !cue.not_in.is_empty() {
            let (form, next) = (sent.lower(tj - 1), sent.lower(tj));
            let other_reading = cue.not_in.iter().any(|p| {
                p.split_once(' ').is_some_and(|(f, n)| {
                    f.eq_ignore_ascii_case(form) && n.eq_ignore_ascii_case(next)
                })
            });
            if other_reading {
                return None; // "pledged delegates", "Planned Parenthood"
            }
        }
        let (mut cue_start, negated, has_copula) = self.extend_cue(sent, ti, kind);
        // "the report", "a claim", "the reported plan": a noun reading. After a
        // quantifier only a plural is a noun: "some reports", but "Some said",
        // "many believe".
        let determined = |k: usize| {
            let roles = sent.roles(k, rules);
            let plural = || *sent.lower(ti) == format!("{}s", cue.lemma);
            roles & role::DETERMINER != 0 && (roles & role::QUANTIFIER == 0 || plural())
        };
        let participle_before = |k: usize| {
            k > 0
                && determined(k - 1)
                && sent.lower(k).ends_with("ed")
                && self.is_cue_form(sent.lower(k))
        };
        if kind == "verb"
            && ti > 0
            && cue_start == ti
            && (determined(ti - 1) || participle_before(ti - 1))
        {
            return None;
        }
        if kind == "adjective" && !has_copula {
            return None;
        }
        if kind == "verb" && inside.is_none() && self.on("claim/passive") {
            let cue = (cue_start, tj, ci, negated);
            if let Some(f) = self.passive(sent, cue, ti, has_copula, resolver) {
                return Some(f);
            }
        }
        if kind == "label" {
            if !self.on("claim/label") || inside.is_some() {
                return None;
            }
            return self.label(sent, (ti, tj), ci, resolver);
        }
        if kind == "hedge" {
            if !self.on("claim/hedge") || inside.is_some() {
                return None;
            }
            let content = Some((sent.bounds.start, sent.content_end()));
            return Some(self.found(
                sent,
                (None, unattributed()),
                (ti, tj, ci, negated),
                content,
                None,
                "claim/hedge",
            ));
        }
        if kind == "preposition" {
            // Even inside an earlier claim's content: "CONTENT, according to X" is a
            // frame around it (the frame then takes in the claims of its content).
            return self.according_to(sent, ti, tj, ci, resolver);
        }
        if kind == "noun" {
            if inside.is_some() {
                return None;
            }
            if let Some(f) = self.noun_cue(sent, ti, tj, ci, resolver) {
                return Some(f);
            }
            // "He claims that ...": the verb reading of the noun form's first word.
            let verb = self.cue_for_word(sent.lower(ti))?;
            return self.read_cue(
                sent,
                cs,
                sent.toks[ti].e,
                verb,
                out,
                sentence_first_claim,
                resolver,
            );
        }

        let before = self.before(sent, cue_start);
        // Inside an earlier claim's content, only a second verb of the same subject or
        // a postposed frame around that claim ("X revealed Y, CNN has reported") counts.
        // A subject of its own after a clause boundary ("..., but most voters said",
        // "; 46 percent said", ", which I said") or a closing quotation mark starts a
        // new claim rather than a nested one: PolNeAR gives each token one attribution.
        let boundary = |w: &str| rules.is(role::CLAUSE_BOUNDARY, w);
        // "stressed that although X persists, Y shows": that comma closes a clause
        // opening the earlier content, not the content itself.
        let opens_clause = |k: usize| {
            let Some((c0, _)) = earlier[k].content else {
                return false;
            };
            let mut t = sent.find_tok_at(c0).unwrap_or(0);
            if sent.lower(t) == "that" {
                t += 1;
            }
            t < sent.toks.len() && sent.has(t, role::CLAUSE_WORD, self.rules)
        };
        let own_subject = match (before, inside) {
            (Before::Source(a, _, _), Some(k)) if a > 0 => {
                let w = sent.lower(a - 1);
                (boundary(w) && !(w == "," && opens_clause(k))) || is_closing_quote(w)
            }
            _ => false,
        };
        let nested = inside.is_some()
            && !own_subject
            && !matches!(before, Before::Coordinated | Before::Participle);
        if let Some(k) = inside.filter(|_| !nested) {
            // End the earlier claim's content before ", and" / ", arguing" / ", but X".
            let mut cut = match before {
                Before::Source(a, _, _) if own_subject => a,
                _ => cue_start,
            };
            while cut > 0
                && (matches!(sent.lower(cut - 1), "and" | "but" | "or")
                    || boundary(sent.lower(cut - 1))
                    || !sent.is_word(cut - 1))
            {
                cut -= 1;
            }
            let f = &mut out[sentence_first_claim + k];
            if let Some((a, _)) = f.content {
                f.content = Some((a, sent.toks[cut.max(1) - 1].e.max(a)));
            }
        }

        let mut rule = if kind == "adjective" {
            "claim/adjective"
        } else {
            "claim/preposed"
        };
        let (source, sourced): (Option<(usize, usize)>, Sourced<'r>);
        let mut content_before = false;
        let mut relative = false;
        match before {
            Before::Source(a, b, _) | Before::Relative(a, b)
                if !(a..b).any(|k| sent.t(k).contains(char::is_alphabetic)) =>
            {
                return None; // "100,000 would be accepted": a number is nobody
            }
            Before::Source(a, b, after_comma) => {
                source = sent.span(a, b);
                let src_text = &sent.text[source?.0..source?.1];
                sourced = resolver.source(rules, src_text);
                content_before = after_comma && a > 0;
            }
            Before::Relative(a, b) => {
                // The source is the relative pronoun, as a pronoun is; what it stands
                // for gives the actor and sourcing.
                let (ns, ne) = sent.span(a, b)?;
                source = sent.span(cue_start - 1, cue_start);
                sourced = resolver.source(rules, &sent.text[ns..ne]);
                relative = true;
            }
            Before::Coordinated | Before::Participle | Before::Governed => {
                rule = match before {
                    Before::Coordinated => "claim/coordinated",
                    Before::Participle => "claim/participle",
                    _ => "claim/clause-subject",
                };
                if !self.on(rule) {
                    return None;
                }
                let prev = out[sentence_first_claim..].last();
                match prev.and_then(|p| p.source.map(|s| (s, p.sourced))) {
                    Some((s, sd)) => {
                        source = Some(s);
                        sourced = sd;
                    }
                    None => {
                        let (a, b) = self.initial_np(sent)?;
                        source = sent.span(a, b);
                        sourced = resolver.source(rules, &sent.text[source?.0..source?.1]);
                    }
                }
            }
            Before::Nothing => {
                // "CONTENT, said SOURCE" / '"QUOTE," said SOURCE'
                let (a, b) = self.np_after(sent, tj)?;
                let prev = cue_start.checked_sub(1).map(|p| sent.t(p));
                if !prev.is_some_and(|p| p == "," || is_closing_quote(p))
                    || !self.on("claim/postposed-inverted")
                {
                    return None;
                }
                // "Brianne Stone, 29, of Huntsville, says her concern is ...": words go
                // on after the noun phrase, so it is the content's subject, not the
                // source; the source is the sentence's subject before the commas.
                let goes_on = b < sent.toks.len()
                    && sent.is_word(b)
                    && sent.toks[b].s < sent.content_end()
                    && !is_closing_quote(prev.unwrap_or(""));
                let (content, rule) = if goes_on {
                    let (ia, ib) = self.initial_np(sent)?;
                    if ib >= cue_start || nested {
                        return None;
                    }
                    source = sent.span(ia, ib);
                    sourced = resolver.source(rules, &sent.text[source?.0..source?.1]);
                    (self.content_after(sent, tj)?, rule)
                } else {
                    source = sent.span(a, b);
                    sourced = resolver.source(rules, &sent.text[source?.0..source?.1]);
                    let (content, quote_rule) = self.content_before(sent, cue_start)?;
                    let rule = if quote_rule {
                        "claim/quote-postposed"
                    } else {
                        "claim/postposed-inverted"
                    };
                    (self.extend_multipart(sent, b, content), rule)
                };
                return Some(self.found(
                    sent,
                    (source, sourced),
                    (cue_start, tj, ci, negated),
                    Some(content),
                    None,
                    rule,
                ))
                .filter(|f| !nested || covers(f, out, sentence_first_claim));
            }
        }
        let src_tok = source.and_then(|(s, _)| sent.find_tok_at(s));
        let postposed_possible = content_before;
        if matches!(rule, "claim/preposed" | "claim/adjective") && !self.on(rule) {
            return None;
        }

        // What follows the cue: an addressee to skip, a via, the content.
        let mut after = tj;
        if cue.object {
            let mut k = after;
            while k < sent.toks.len() && k < after + 5 && sent.is_word(k) && sent.lower(k) != "that"
            {
                k += 1;
            }
            if k < sent.toks.len()
                && (sent.lower(k) == "that" || sent.t(k) == ":" || sent.t(k) == ",")
            {
                after = k;
            }
        }
        let mut via = None;
        if let Some((v, rest)) = self.via(sent, after) {
            via = Some(v);
            after = rest;
        }
        let after_is_adjunct = self.is_adjunct(sent, after);
        // "Asked whether X, Sanders declined to answer": the clause before the source
        // is a question put to it, not its content.
        let after_question = out[sentence_first_claim..]
            .iter()
            .any(|f| f.rule == "claim/passive" && f.source.is_none());
        if content_before && after_is_adjunct && !after_question && self.on("claim/postposed") {
            let a = src_tok.unwrap_or(cue_start);
            if let Some((content, quoted)) = self.content_before(sent, a) {
                rule = if quoted {
                    "claim/quote-postposed"
                } else {
                    "claim/postposed"
                };
                if rule == "claim/quote-postposed" && !self.on(rule) {
                    return None;
                }
                let content = self.extend_multipart(sent, tj, content);
                return Some(self.found(
                    sent,
                    (source, sourced),
                    (cue_start, tj, ci, negated),
                    Some(content),
                    via,
                    rule,
                ))
                .filter(|f| !nested || covers(f, out, sentence_first_claim));
            }
        }
        if nested || (postposed_possible && after_is_adjunct && !self.on("claim/postposed")) {
            return None;
        }
        if after_is_adjunct && via.is_none() {
            // Nothing said after the cue and nothing before: not an attribution
            // ("he said" alone in a caption).
            if after >= sent.toks.len() || sent.content_end() <= sent.toks[after].s {
                return None;
            }
        }
        let mut content = self.content_after(sent, after)?;
        if relative {
            // "Barkley, who said he votes Democratic, said ...".
            content.1 = clause_end(sent, after, content);
        }
        if quotes::starting_at(sent.quotes, content.0).is_some()
            && rule == "claim/preposed"
            && self.on("claim/quote-preposed")
        {
            rule = "claim/quote-preposed";
        }
        let content = Some(content);
        cue_start = cue_start.min(ti);
        Some(self.found(
            sent,
            (source, sourced),
            (cue_start, tj, ci, negated),
            content,
            via,
            rule,
        ))
    }

    /// A sentence's subject can be what a later pronoun points back to ("Keith
    /// Kellogg arrived in Kyiv. He said ..."): the source it names, when a lexicon
    /// or a proper name says what it is.
    fn subject(
        &self,
        text: &'r str,
        b: &SentenceBounds,
        scratch: &mut Scratch,
    ) -> Option<Sourced<'r>> {
        // The subject opens the sentence: a prefix's tokens do, unless the noun
        // phrase (or the first six tokens, where an opening phrase may end) runs to
        // the prefix's end, when the whole sentence is read.
        let mut cut = b.end.min(b.start + 160);
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        let mut sent = Sent::read(text, *b, cut, scratch);
        let mut np = self.initial_np(&sent);
        if cut < b.end && (sent.toks.len() < 7 || np.is_some_and(|(_, e)| e == sent.toks.len())) {
            sent.recycle(scratch);
            sent = Sent::read(text, *b, b.end, scratch);
            np = self.initial_np(&sent);
        }
        let subject = np
            .and_then(|(a, e)| sent.span(a, e))
            .map(|(a, e)| crate::sourcing::classify(self.rules, &text[a..e]))
            .filter(|s| !s.rule.starts_with("sourcing/builtin/unnamed"));
        sent.recycle(scratch);
        subject
    }

    /// "refused to" before another cue is part of that cue, not a cue of its own.
    fn is_negating_verb(
        &self,
        sent: &Sent,
        cands: &[(usize, usize, usize)],
        cs: usize,
        ce: usize,
    ) -> bool {
        let w = sent.text[cs..ce].to_lowercase();
        if !self.rules.is(role::NEGATING_VERB, &w) {
            return false;
        }
        let rest = sent.text[ce..sent.bounds.end].trim_start();
        let after_to = rest
            .get(..2)
            .filter(|w| w.eq_ignore_ascii_case("to"))
            .map(|_| &rest[2..]);
        let next = after_to
            .filter(|r| r.starts_with(char::is_whitespace))
            .map(|r| sent.bounds.end - r.trim_start().len());
        next.is_some_and(|n| cands.iter().any(|&(s, _, _)| s == n))
    }

    /// The cue entry for a matched form: the adjective reading of a form shared by a
    /// verb and an adjective ("worried") when a copula stands before it.
    fn reading(&self, sent: &Sent, cs: usize, pattern: usize) -> usize {
        let verb = self.rules.cue_of_form[pattern];
        match (
            self.rules.adjective_of_form.get(&pattern),
            sent.find_tok_at(cs),
        ) {
            (Some(&adj), Some(ti)) if self.extend_cue(sent, ti, "adjective").2 => adj,
            _ => verb,
        }
    }

    /// Take auxiliaries, negators, "-ly" adverbs and "refused to" into the cue span.
    /// Returns the new first token, whether the cue is negated, and whether a copula
    /// was passed (adjective cues need one).
    fn extend_cue(&self, sent: &Sent, ti: usize, kind: &str) -> (usize, bool, bool) {
        let rules = self.rules;
        let mut k = ti;
        let mut negated = false;
        let mut copula = false;
        if kind != "verb" && kind != "adjective" {
            return (k, false, false);
        }
        while k > 0 && sent.is_word(k - 1) {
            let w = sent.lower(k - 1);
            let roles = sent.roles(k - 1, rules);
            if roles & role::NEGATOR != 0 {
                negated = true;
            } else if roles & role::COPULA != 0 {
                copula = true;
            } else if roles & role::AUXILIARY != 0 {
            } else if w.len() > 4
                && w.ends_with("ly")
                && sent.t(k - 1).starts_with(char::is_lowercase)
                && roles & role::NOT_ADVERB == 0
                && !self.is_cue_form(w)
            {
                // "firmly", "privately": adverbs inside the verb group
            } else if w == "to" && k >= 2 && sent.has(k - 2, role::NEGATING_VERB, rules) {
                negated = true;
                k -= 1;
            } else {
                break;
            }
            k -= 1;
        }
        // A hedge word ("reportedly") between the copula and the adjective belongs to
        // its own claim; look past it for the copula.
        if kind == "adjective" && !copula && k > 0 && self.is_cue_form(sent.lower(k - 1)) {
            let mut j = k - 1;
            while j > 0 && sent.is_word(j - 1) {
                if sent.has(j - 1, role::COPULA, rules) {
                    copula = true;
                    break;
                }
                if !sent.has(j - 1, role::AUXILIARY | role::NEGATOR, rules) {
                    break;
                }
                j -= 1;
            }
        }
        (k, negated, copula)
    }

    fn is_cue_form(&self, w: &str) -> bool {
        self.cue_for_word(w).is_some()
    }

    /// The verb or adjective cue whose form is exactly `w`.
    fn cue_for_word(&self, w: &str) -> Option<usize> {
        let ci = self.rules.cue_of_form[self.rules.cue_scan.form(w)?];
        (self.rules.cues[ci].kind.get_ref() != "noun").then_some(ci)
    }

    /// Read the tokens before the cue group.
    fn before(&self, sent: &Sent, cue_start: usize) -> Before {
        let rules = self.rules;
        if cue_start == 0 {
            return Before::Nothing;
        }
        let prev = sent.lower(cue_start - 1);
        if matches!(prev, "and" | "but" | "or") {
            return Before::Coordinated;
        }
        if matches!(prev, "who" | "which") {
            let mut end = cue_start - 1;
            if end > 0 && sent.t(end - 1) == "," {
                end -= 1;
            }
            return match self.np_before(sent, end) {
                Some((a, b)) => Before::Relative(a, b),
                None => Before::Nothing,
            };
        }
        let mut end = cue_start;
        if prev == "," {
            // ", however," and similar asides between subject and verb
            // ", through a spokeswoman," / ", in a statement,": a short prepositional
            // phrase.
            if let Some(open) = (0..end - 1).rev().take(7).find(|&k| sent.t(k) == ",") {
                let words = open + 1..end - 1;
                let adverbs = words.clone().all(|k| {
                    sent.is_word(k) && sent.has(k, role::DISCOURSE_ADVERB | role::TIME_WORD, rules)
                });
                let phrase = end - 1 - open <= 6
                    && sent.has(open + 1, role::PREPOSITION, rules)
                    && words.clone().all(|k| sent.is_word(k));
                let aside = !words.is_empty() && (adverbs || phrase);
                if aside && open > 0 {
                    end = open;
                }
            }
            if end == cue_start {
                // "Warren, D-Mass., said": an apposition between commas
                if let Some(r) = self.apposition(sent, cue_start - 1) {
                    return r;
                }
                let tok_is_ing = sent.t(cue_start).to_lowercase().ends_with("ing");
                return if tok_is_ing {
                    Before::Participle
                } else {
                    Before::Nothing
                };
            }
        }
        if !sent.is_word(end - 1) && sent.t(end - 1) != ")" {
            return Before::Nothing;
        }
        match self.np_before(sent, end) {
            Some((_, b))
                if sent.lower(b - 1) == "to" || sent.has(b - 1, role::PREPOSITION, rules) =>
            {
                Before::Governed
            }
            Some((a, b)) => {
                let after_comma = a > 0
                    && (sent.t(a - 1) == ","
                        || is_closing_quote(sent.t(a - 1))
                        || sent.t(a - 1) == "—");
                Before::Source(a, b, after_comma)
            }
            None => Before::Nothing,
        }
    }

    /// "NAME, APPOSITIVE, CUE": `comma` is the comma before the cue. The appositive
    /// may hold commas of its own ("Purner, 67, a retired nurse in Allentown, Pa.,
    /// said"): the nearest comma that opens an appositive and has a name before it.
    fn apposition(&self, sent: &Sent, comma: usize) -> Option<Before> {
        let opens = (comma.saturating_sub(25)..comma)
            .rev()
            .filter(|&k| sent.t(k) == ",");
        for open in opens {
            let first = open + 1;
            let w = sent.t(first);
            let lw = sent.lower(first);
            let party = w.len() >= 3 && w.as_bytes()[1] == b'-' && w.starts_with(['D', 'R', 'I']);
            // "Sanders’ campaign manager": the bare apostrophe is a token of its own.
            let possessive = w.starts_with(char::is_uppercase)
                && (lw.ends_with("'s")
                    || lw.ends_with("’s")
                    || matches!(sent.t(first + 1), "'" | "’"));
            // "One delegate not on the slate, Kelly Schmidt, told": the name itself.
            let name = comma - first <= 4
                && (first..comma)
                    .all(|k| sent.is_word(k) && sent.t(k).starts_with(char::is_uppercase));
            let appositive = party
                || possessive
                || name
                || self.rules.is(role::DETERMINER | role::TITLE, lw)
                || matches!(lw, "who" | "which" | "whose")
                || w.chars().all(|c| c.is_ascii_digit());
            if !appositive {
                continue;
            }
            let Some((a, b)) = self.np_before(sent, open) else {
                continue;
            };
            if !(a..b).any(|k| sent.t(k).contains(char::is_alphabetic)) {
                continue; // "67, a retired nurse": the age, not the name
            }
            let after_comma = a > 0 && (sent.t(a - 1) == "," || is_closing_quote(sent.t(a - 1)));
            return Some(Before::Source(a, comma, after_comma));
        }
        None
    }

    /// The noun phrase ending just before token `end`: walk back to a clause boundary.
    fn np_before(&self, sent: &Sent, end: usize) -> Option<(usize, usize)> {
        let rules = self.rules;
        let mut a = end;
        while a > 0 {
            let k = a - 1;
            let t = sent.t(k);
            if !sent.is_word(k) {
                // "Sen." keeps its period; "(R)" and similar stay inside.
                let title_dot = t == "." && k > 0 && sent.has(k - 1, role::TITLE, rules);
                if title_dot || t == "&" || ((t == "(" || t == ")") && a != end) {
                    a -= 1;
                    continue;
                }
                // "Sen. X (D-Mass.) said": a short parenthesis right before the cue.
                if t == ")" {
                    if let Some(open) = (k.saturating_sub(8)..k).rev().find(|&j| sent.t(j) == "(") {
                        a = open;
                        continue;
                    }
                }
                break;
            }
            let w = sent.lower(k);
            if sent.has(
                k,
                role::CLAUSE_WORD | role::AUXILIARY | role::COPULA | role::NEGATOR,
                rules,
            ) {
                break;
            }
            if matches!(w, "and" | "or" | "&") {
                let next_upper = a < end && sent.t(a).starts_with(char::is_uppercase);
                if !next_upper {
                    break;
                }
            }
            if end - k > 14 {
                return None;
            }
            a -= 1;
        }
        // Drop a leading introductory phrase: "After the vote the senator" → "the senator".
        if a < end && sent.has(a, role::PREPOSITION, rules) {
            let det = (a + 1..end).rev().find(|&k| {
                sent.has(k, role::DETERMINER, rules) || sent.t(k).starts_with(char::is_uppercase)
            });
            a = det?;
        }
        // Leading conjunction or discourse adverb: "However the minister".
        while a < end
            && sent.is_word(a)
            && (sent.has(a, role::DISCOURSE_ADVERB, rules)
                || matches!(sent.lower(a), "and" | "but" | "so"))
        {
            a += 1;
        }
        (a < end).then_some((a, end))
    }

    /// The noun phrase starting at token `from` (inverted "said the minister").
    fn np_after(&self, sent: &Sent, from: usize) -> Option<(usize, usize)> {
        let mut b = from;
        while b < sent.toks.len() && b < from + 14 {
            let t = sent.t(b);
            if !sent.is_word(b) {
                let title_dot = t == "."
                    && b > from
                    && sent.has(b - 1, role::TITLE, self.rules)
                    && b + 1 < sent.toks.len();
                if title_dot {
                    b += 1;
                    continue;
                }
                break;
            }
            let w = sent.lower(b);
            if b > from
                && (sent.has(b, role::CLAUSE_WORD | role::TIME_WORD, self.rules)
                    || (sent.has(b, role::PREPOSITION, self.rules) && w != "of"))
            {
                break;
            }
            b += 1;
        }
        (b > from).then_some((from, b))
    }

    /// The first noun phrase of the sentence (its subject, roughly), for a verb that
    /// shares it: determiners, capitalised words and one common noun.
    fn initial_np(&self, sent: &Sent) -> Option<(usize, usize)> {
        let rules = self.rules;
        let mut a = 0;
        // skip an opening adverbial ending in a comma: "However, the US ..."
        if let Some(comma) = (0..sent.toks.len().min(6)).find(|&k| sent.t(k) == ",") {
            if (0..comma).all(|k| sent.is_word(k)) {
                a = comma + 1;
            }
        }
        let mut b = a;
        let mut nouns = 0;
        while b < sent.toks.len() && sent.is_word(b) {
            let w = sent.lower(b);
            let roles = sent.roles(b, rules);
            let np_word = roles & (role::DETERMINER | role::DEMONYM) != 0
                || sent.t(b).starts_with(char::is_uppercase);
            let first_noun = nouns == 0
                && b > a
                && roles & (role::AUXILIARY | role::COPULA) == 0
                && !self.is_cue_form(w);
            if !np_word {
                if !first_noun {
                    break;
                }
                nouns += 1;
            }
            b += 1;
        }
        (b > a).then_some((a, b))
    }

    /// A via after the cue: ", citing SOURCES," / "citing SOURCES that".
    fn via(&self, sent: &Sent, after: usize) -> Option<((usize, usize, &'static str), usize)> {
        let mut k = after;
        if k < sent.toks.len() && sent.t(k) == "," {
            k += 1;
        }
        if k >= sent.toks.len() || !sent.has(k, role::VIA_MARKER, self.rules) {
            return None;
        }
        let start = k + 1;
        let mut end = start;
        while end < sent.toks.len()
            && sent.t(end) != ","
            && sent.lower(end) != "that"
            && sent.toks[end].e <= sent.content_end()
        {
            end += 1;
        }
        let (s, e) = sent.span(start, end)?;
        let sourced = crate::sourcing::classify(self.rules, &sent.text[s..e]);
        let rest = if end < sent.toks.len() && sent.t(end) == "," {
            end + 1
        } else {
            end
        };
        Some(((s, e, sourced.sourcing), rest))
    }

    /// "TAPPER: And obviously ...", "John McCain: Populist Anger Appeals to ...": a
    /// speaker's name opening a line, then a colon and what they say. `cue` is the
    /// colon's token range.
    fn label(
        &self,
        sent: &Sent<'r, '_>,
        cue: (usize, usize),
        ci: usize,
        resolver: &Resolver<'r, '_>,
    ) -> Option<Found<'r>> {
        let rules = self.rules;
        let (ti, tj) = cue;
        let start = sent.bounds.start;
        let line_start = sent.text[..start].trim_end_matches([' ', '\t']);
        if !(line_start.is_empty() || line_start.ends_with('\n')) || ti == 0 || ti > 6 {
            return None;
        }
        let name = sent.is_word(0)
            && (0..ti).all(|k| {
                let t = sent.t(k);
                if sent.is_word(k) {
                    t.starts_with(char::is_uppercase) || sent.has(k, role::TITLE, rules)
                } else {
                    matches!(t, "." | "(" | ")" | "-" | "'" | "’")
                }
            });
        let (a, b) = sent.span(0, ti)?;
        let label = &sent.text[a..b];
        let not_speaker = |w: &str| rules.is(role::NOT_SPEAKER, &w.replace('’', "'"));
        if !name || not_speaker(label) || not_speaker(sent.lower(0)) {
            return None;
        }
        let words_after = (tj..sent.toks.len()).filter(|&k| sent.is_word(k)).count();
        if words_after < 2 {
            return None;
        }
        let content = self.content_after(sent, tj)?;
        Some(self.found(
            sent,
            (Some((a, b)), resolver.source(rules, label)),
            (ti, tj, ci, false),
            Some(content),
            None,
            "claim/label",
        ))
    }

    /// "was told by aides that ...": the agent after "by" is the source. "was asked",
    /// "is expected to", "Asked whether ...,", "when asked about": no agent is
    /// written, so the claim has no source. `cue` is laid out as for [`Self::found`];
    /// `verb` is the verb's token, `has_copula` whether a copula opens the cue.
    fn passive(
        &self,
        sent: &Sent<'r, '_>,
        cue: (usize, usize, usize, bool),
        verb: usize,
        has_copula: bool,
        resolver: &Resolver<'r, '_>,
    ) -> Option<Found<'r>> {
        let (cue_start, mut tj, ci, negated) = cue;
        let rules = self.rules;
        let form = sent.lower(verb);
        let word_at = |k: usize| (k < sent.toks.len() && sent.is_word(k)).then(|| sent.lower(k));
        let next = word_at(tj);
        if form.ends_with("ing")
            || (next == Some("as") && word_at(tj + 1).is_some_and(|w| w.ends_with("ing")))
        {
            return None; // "is saying", "was quoted as saying": the subject speaks
        }
        // A bare participle opening a clause: "Asked whether", "when asked", ",
        // asked about". Its next word is not a name or determiner ("Added the
        // minister" is an inverted source); after a comma it opens the question
        // ("Christie, the governor, repeated" is an apposition).
        let next_word = next.unwrap_or_default();
        let bare = form.ends_with("ed")
            && next.is_some()
            && sent.t(tj).starts_with(char::is_lowercase)
            && !rules.is(role::DETERMINER, next_word)
            && match cue_start.checked_sub(1) {
                None => true,
                Some(p) if !sent.is_word(p) => {
                    sent.t(p) == ","
                        && (rules.is(role::CLAUSE_WORD, next_word) || next_word == "about")
                }
                Some(p) => sent.has(p, role::QUESTION_FRAME, rules),
            };
        if !has_copula && !bare {
            return None;
        }
        let (source, sourced, after) = if next == Some("by") {
            let (a, b) = self.np_after(sent, tj + 1)?;
            let (s, e) = sent.span(a, b)?;
            (Some((s, e)), resolver.source(rules, &sent.text[s..e]), b)
        } else {
            if next == Some("about") {
                tj += 1; // "asked about": the particle is part of the cue
            }
            (None, unattributed(), tj)
        };
        let mut content = self.content_after(sent, after)?;
        if bare {
            // "Asked whether X, she said".
            content.1 = clause_end(sent, after, content);
        }
        Some(self.found(
            sent,
            (source, sourced),
            (cue_start, tj, ci, negated),
            Some(content),
            None,
            "claim/passive",
        ))
    }

    /// Is what follows token `from` no more than an adjunct ("on Monday", "in a
    /// statement") so that the claim's content must lie before the cue?
    fn is_adjunct(&self, sent: &Sent, from: usize) -> bool {
        let end = sent.content_end();
        // An adjunct is at most 12 tokens: look no further.
        let rest: Vec<usize> = (from..sent.toks.len())
            .filter(|&k| sent.toks[k].s < end)
            .take(13)
            .collect();
        let Some(&first) = rest.first() else {
            return true;
        };
        let w = sent.lower(first);
        let question = sent.has(first, role::QUESTION_FRAME, self.rules)
            && rest[1..].iter().take(2).any(|&k| {
                let v = sent.lower(k);
                v.ends_with("ed") && self.is_cue_form(v)
            });
        if question {
            return true; // '"...," Christie said when asked whether ...'
        }
        if !self.rules.is(role::PREPOSITION | role::TIME_WORD, w) || w == "that" {
            return false;
        }
        rest.iter()
            .all(|&k| sent.lower(k) != "that" && !is_opening_quote(sent.t(k)) && sent.t(k) != ":")
            && rest.len() <= 12
    }

    /// Content before token `until`: the clause from the sentence start to the comma
    /// or closing quote before the source. Returns (span, is a quotation).
    fn content_before(&self, sent: &Sent, until: usize) -> Option<((usize, usize), bool)> {
        let mut k = until;
        while k > 0 && !sent.is_word(k - 1) && !is_closing_quote(sent.t(k - 1)) {
            k -= 1;
        }
        if k == 0 {
            return None;
        }
        // A quotation ending here: its text, however many sentences it runs over.
        if is_closing_quote(sent.t(k - 1)) {
            if let Some(q) = quotes::closing_at(sent.quotes, sent.toks[k - 1].e) {
                let end = trim_end_punct(sent.text, q.start, q.end);
                return Some(((q.start, end), true));
            }
        }
        let start = self.content_start(sent);
        let end = sent.toks[k - 1].e;
        (start < end).then_some(((start, end), false))
    }

    /// Where a sentence's own text starts, after a wire dateline ("KYIV (AP) —").
    fn content_start(&self, sent: &Sent) -> usize {
        let dash = sent
            .toks
            .iter()
            .take(8)
            .position(|t| matches!(&sent.text[t.s..t.e], "—" | "–"));
        match dash {
            Some(d)
                if d + 1 < sent.toks.len()
                    && (0..d).all(|k| {
                        !sent.is_word(k)
                            || !sent.t(k).chars().any(char::is_lowercase)
                            || sent.t(k) == "AP"
                    }) =>
            {
                sent.toks[d + 1].s
            }
            _ => sent.bounds.start,
        }
    }

    /// Content after token `from`: a quotation that opens there, else the rest of the
    /// sentence.
    fn content_after(&self, sent: &Sent, from: usize) -> Option<(usize, usize)> {
        let mut k = from;
        while k < sent.toks.len() && matches!(sent.t(k), ":" | "," | "—" | "–") {
            k += 1;
        }
        if k >= sent.toks.len() {
            return None;
        }
        let s = sent.toks[k].s;
        if is_opening_quote(sent.t(k)) {
            if let Some(q) = quotes::opening_at(sent.quotes, s) {
                // The whole quotation only when it is all the content left.
                let rest = sent.text[q.close.min(sent.bounds.end)..sent.bounds.end].trim();
                if q.close >= sent.bounds.end || rest.chars().all(|c| !c.is_alphanumeric()) {
                    return Some((q.start, trim_end_punct(sent.text, q.start, q.end)));
                }
            }
        }
        let e = sent.content_end();
        (s < e).then_some((s, e))
    }

    /// '"A," he said, "B."': a second quotation right after the source and cue joins
    /// the first.
    fn extend_multipart(
        &self,
        sent: &Sent,
        after: usize,
        content: (usize, usize),
    ) -> (usize, usize) {
        let mut k = after;
        while k < sent.toks.len() && sent.is_word(k) && k < after + 8 {
            k += 1;
        }
        if k + 1 < sent.toks.len() && sent.t(k) == "," && is_opening_quote(sent.t(k + 1)) {
            if let Some(q) = quotes::opening_at(sent.quotes, sent.toks[k + 1].s) {
                return (content.0, trim_end_punct(sent.text, q.start, q.end));
            }
        }
        content
    }

    #[allow(clippy::too_many_arguments)]
    fn according_to(
        &self,
        sent: &Sent<'r, '_>,
        ti: usize,
        tj: usize,
        ci: usize,
        resolver: &mut Resolver<'r, '_>,
    ) -> Option<Found<'r>> {
        if !self.on("claim/according-to") {
            return None;
        }
        let mut b = tj;
        while b < sent.toks.len() && sent.t(b) != "," && sent.toks[b].e <= sent.content_end() {
            b += 1;
        }
        let source = sent.span(tj, b)?;
        let sourced = resolver.source(self.rules, &sent.text[source.0..source.1]);
        let content = if ti == 0 || (ti <= 2 && !sent.is_word(ti - 1)) {
            self.content_after(sent, b)
        } else {
            self.content_before(sent, ti).map(|(c, _)| c)
        };
        Some(self.found(
            sent,
            (Some(source), sourced),
            (ti, tj, ci, false),
            content,
            None,
            "claim/according-to",
        ))
    }

    /// "Trump's claim that ...": a noun cue owned by a possessive.
    #[allow(clippy::too_many_arguments)]
    fn noun_cue(
        &self,
        sent: &Sent<'r, '_>,
        ti: usize,
        tj: usize,
        ci: usize,
        resolver: &mut Resolver<'r, '_>,
    ) -> Option<Found<'r>> {
        if !self.on("claim/noun") || ti == 0 {
            return None;
        }
        let that = if sent.lower(tj - 1) == "that" {
            tj - 1
        } else {
            tj
        };
        if that >= sent.toks.len() || sent.lower(that) != "that" {
            return None;
        }
        let owner = sent.t(ti - 1);
        let suffix = ["'s", "’s"].into_iter().find(|s| owner.ends_with(s))?;
        let (a, _) = self.np_before(sent, ti)?;
        let end = sent.toks[ti - 1].e - suffix.len();
        let source = (sent.toks[a].s, end);
        let sourced = resolver.source(self.rules, &sent.text[source.0..source.1]);
        let content = self.content_after(sent, that);
        Some(self.found(
            sent,
            (Some(source), sourced),
            (ti, tj, ci, false),
            content,
            None,
            "claim/noun",
        ))
    }

    #[allow(clippy::too_many_arguments)]
    /// A claim of `sent`: `who` is the source span and its sourcing, `cue` the cue's
    /// tokens (first, end), its rule and whether it is negated.
    fn found(
        &self,
        sent: &Sent<'r, '_>,
        who: (Option<(usize, usize)>, Sourced<'r>),
        cue: (usize, usize, usize, bool),
        content: Option<(usize, usize)>,
        via: Option<(usize, usize, &'static str)>,
        rule: &'static str,
    ) -> Found<'r> {
        let (source, sourced) = who;
        let (first, end, ci, negated) = cue;
        let cue = (sent.toks[first].s, sent.toks[end - 1].e);
        let quote = match content {
            Some((a, b)) if quotes::starting_at(sent.quotes, a).is_some_and(|q| q.end >= b) => {
                "direct"
            }
            Some((a, b)) if quotes::overlaps(sent.quotes, a, b) => "mixed",
            _ => "indirect",
        };
        Found {
            sentence_index: sent.index,
            source,
            sourced,
            cue,
            cue_index: ci,
            content,
            via,
            quote,
            negated,
            rule,
        }
    }
}

/// Where a clause's `content` (starting at token `from`) ends: at its closing comma
/// outside any quotation, else where it ends now.
fn clause_end(sent: &Sent, from: usize, content: (usize, usize)) -> usize {
    (from..sent.toks.len())
        .find(|&k| {
            sent.t(k) == ","
                && sent.toks[k].s > content.0
                && quote_at(sent.quotes, sent.toks[k].s).is_none()
        })
        .map_or(content.1, |k| content.1.min(sent.toks[k].s))
}

/// The end of a claim's content, to tell a postposed claim (content before the cue).
fn b_end_of(f: &Found) -> usize {
    f.content.map_or(usize::MAX, |(_, b)| b)
}

/// Does claim `f` hold in its content the cue of an earlier claim of its sentence?
fn covers(f: &Found, out: &[Found], first: usize) -> bool {
    f.content
        .is_some_and(|(a, b)| out[first..].iter().any(|o| a <= o.cue.0 && o.cue.0 < b))
}

fn unattributed() -> Sourced<'static> {
    Sourced {
        sourcing: "unattributed",
        rule: "sourcing/builtin/no-source",
        actor: "",
    }
}

/// Drop a trailing comma (and spaces) from a quotation's text: '"We will win," he said'.
fn trim_end_punct(text: &str, start: usize, end: usize) -> usize {
    let t = text[start..end].trim_end().trim_end_matches(',').trim_end();
    start + t.len()
}

#[cfg(test)]
mod tests {
    use crate::model::Article;
    use crate::pipeline::process;
    use crate::rules::Rules;

    fn claims(text: &str) -> Vec<crate::model::Claim> {
        let rules = Rules::embedded().expect("embedded rules");
        process(
            &rules,
            Article {
                id: "t".into(),
                text: text.into(),
                input: "t".into(),
                meta: Vec::new(),
            },
        )
        .claims
    }

    #[test]
    fn pronoun_takes_the_latest_subject_that_fits() {
        // Subjects are read only when a pronoun's search reaches them: "He" passes
        // over the Pentagon to the senator, "It" over the senator to the Pentagon.
        let c = claims(
            "Senator John Smith arrived late on Monday. The Pentagon has a new budget. \
             He said the vote would pass. It said nothing.",
        );
        let actors: Vec<_> = c
            .iter()
            .map(|c| (c.source.as_ref().unwrap().text.as_str(), c.actor.as_deref()))
            .collect();
        assert_eq!(
            actors,
            [("He", Some("John Smith")), ("It", Some("United States"))]
        );
        assert!(c
            .iter()
            .all(|c| c.sourcing_rule == "sourcing/builtin/pronoun-resolved"));
    }

    #[test]
    fn negating_verb_before_non_breaking_space_does_not_panic() {
        let c = claims("The senator refused\u{a0}to recant earlier remarks, aides said.");
        assert!(!c.is_empty());
    }

    #[test]
    fn negating_verb_in_capitals_still_joins_its_cue() {
        let c = claims("The ministry REFUSED TO CONFIRM that talks took place.");
        assert_eq!(c.len(), 1);
        assert!(c[0].negated);
        assert_eq!(c[0].cue.text, "REFUSED TO CONFIRM");
    }

    #[test]
    fn curly_possessive_noun_cue_owner() {
        let c = claims("Trump’s claim that the vote was rigged drew scrutiny.");
        assert_eq!(c[0].source.as_ref().map(|s| s.text.as_str()), Some("Trump"));
    }

    #[test]
    fn postposed_frame_takes_in_the_claim_of_its_content() {
        let c = claims("Discussions have revealed major differences, CNN has reported.");
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].cue.text, "has reported");
    }
}
