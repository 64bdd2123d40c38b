//! Where sourcing is decided: how a claim's source span is classed (named person,
//! organisation, unnamed official, anonymous, media report, document, pronoun),
//! which actor it names, and which earlier source a pronoun points back to.

use std::cell::RefCell;

use crate::model::SentenceBounds;
use crate::rules::{role, Rules};

/// The sourcing of one source span.
/// Its strings borrow from the rules and the article, so that it copies freely.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sourced<'a> {
    pub sourcing: &'static str,
    /// The lexicon entry or built-in step that decided it.
    pub rule: &'a str,
    pub actor: &'a str,
}

/// What a pronoun can stand for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PronounKind {
    Person,
    Group,
    Thing,
}

fn class_name(class: &str) -> &'static str {
    match class {
        "media_report" => "media_report",
        "anonymous" => "anonymous",
        "unnamed_official" => "unnamed_official",
        "document" => "document",
        _ => "named_organization",
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '\'' || c == '’'
}

/// A match must start and end on word boundaries.
fn on_word_boundaries(text: &str, s: usize, e: usize) -> bool {
    let before = text[..s].chars().next_back();
    let after = text[e..].chars().next();
    !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
}

/// Word tokens of a source span: (start, end) byte offsets.
fn words(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut chars = text.char_indices();
    std::iter::from_fn(move || {
        let mut start = None;
        for (i, c) in chars.by_ref() {
            let inner = matches!(c, '.' | '-' | '&')
                && start.is_some()
                && text[i + c.len_utf8()..].starts_with(char::is_alphanumeric);
            if is_word_char(c) || inner {
                start.get_or_insert(i);
            } else if let Some(s) = start {
                return Some((s, i));
            }
        }
        start.map(|s| (s, text.len()))
    })
}

fn is_possessive(w: &str) -> bool {
    w.ends_with("'s") || w.ends_with("’s") || w.ends_with("s'") || w.ends_with("s’")
}

/// Classify a source span's text (not a pronoun).
pub fn classify<'a>(rules: &'a Rules, text: &'a str) -> Sourced<'a> {
    let lower_head_end = head_end(rules, text);
    // Lexicon terms anywhere in the span, by class.
    let mut best: Option<(usize, &'static str, &'a str)> = None; // (priority, class, rule)
    let mut covered: Vec<(usize, usize)> = Vec::new();
    for m in rules.sourcing_automaton.find_iter(text) {
        if !on_word_boundaries(text, m.start(), m.end()) {
            continue;
        }
        covered.push((m.start(), m.end()));
        let rule = &rules.sourcing[rules.sourcing_of_term[m.pattern().as_usize()]];
        let class = class_name(rule.class.get_ref());
        let priority = match class {
            "media_report" => 0,
            "anonymous" => 1,
            "unnamed_official" => 3,
            "document" => 4,
            _ => 5,
        };
        if best.as_ref().is_none_or(|(p, _, _)| priority < *p) {
            best = Some((priority, class, rule.id.get_ref()));
        }
    }
    // Actor aliases (case-sensitive), the first one in the head decides the actor.
    let mut actor: Option<&'a str> = None;
    let mut alias_is_person = false;
    for m in rules.actor_automaton.find_iter(text) {
        if !on_word_boundaries(text, m.start(), m.end()) {
            continue;
        }
        covered.push((m.start(), m.end()));
        let a = &rules.actors[rules.actor_of_alias[m.pattern().as_usize()]];
        if m.start() < lower_head_end && actor.is_none() {
            actor = Some(a.name.as_str());
            alias_is_person = a.kind.get_ref() == "person";
            if best.as_ref().is_none_or(|(p, _, _)| *p > 5) && !alias_is_person {
                best = Some((5, "named_organization", a.id.get_ref()));
            }
        }
    }
    // Runs of capitalised words that no lexicon knows: proper names.
    let mut name: Option<(usize, usize)> = None;
    let mut run: Option<(usize, usize)> = None;
    let not_a_name = role::TITLE | role::DEMONYM | role::DETERMINER;
    for (i, (s, e)) in words(text).enumerate() {
        let w = &text[s..e];
        let capital = w.starts_with(char::is_uppercase);
        let roles = if capital { rules.roles(w) } else { 0 };
        let known = covered.iter().any(|&(cs, ce)| s < ce && cs < e)
            || roles & not_a_name != 0
            || is_possessive(w)
            || (i == 0 && roles & role::PREPOSITION != 0);
        if capital && !known && s < lower_head_end {
            run = Some(run.map_or((s, e), |(rs, _)| (rs, e)));
        } else if let Some(r) = run.take() {
            name.get_or_insert(r);
        }
    }
    if let Some(r) = run {
        name.get_or_insert(r);
    }

    let actor_or = |span: &'a str| actor.unwrap_or(span);
    if let Some((p, class, rule)) = best {
        if p <= 1 {
            return Sourced {
                sourcing: class,
                rule,
                actor: actor_or(text),
            };
        }
    }
    if alias_is_person {
        return Sourced {
            sourcing: "named_person",
            rule: "sourcing/builtin/person-alias",
            actor: actor_or(text),
        };
    }
    if let Some((s, e)) = name {
        return Sourced {
            sourcing: "named_person",
            rule: "sourcing/builtin/proper-name",
            actor: actor_or(&text[s..e]),
        };
    }
    match best {
        Some((_, class, rule)) => Sourced {
            sourcing: class,
            rule,
            actor: actor_or(text),
        },
        None => Sourced {
            sourcing: "anonymous",
            rule: "sourcing/builtin/unnamed-group",
            actor: actor_or(text),
        },
    }
}

/// End of the span's head: the words before the first preposition or comma ("a
/// source | close to the Ukrainian government"). Aliases count only in the head.
fn head_end(rules: &Rules, text: &str) -> usize {
    let comma = text.find(',').unwrap_or(text.len());
    for (i, (s, e)) in words(text).enumerate() {
        if comma < s || i > 0 && rules.is(role::PREPOSITION, &text[s..e]) {
            return s;
        }
    }
    text.len()
}

/// What a pronoun may point back to: a source seen, or a sentence whose subject is
/// classified only when a pronoun's search reaches it. Most never are: the nearest
/// source usually fits, and most claims have no pronoun for a source.
enum Memory<'a> {
    Source(Sourced<'a>),
    Subject(SentenceBounds),
    /// A subject read that names no source to remember.
    Nothing,
}

/// Can a pronoun point back to this source? Not to another pronoun left
/// unresolved, nor to a hedge with no source.
fn points_back(s: &Sourced) -> bool {
    s.sourcing != "pronoun" && s.sourcing != "unattributed"
}

/// Remembers the sources of an article so pronouns can be resolved.
pub struct Resolver<'a, 'f> {
    seen: RefCell<Vec<Memory<'a>>>,
    /// The source that a sentence's subject names, if it may be remembered.
    subject: &'f dyn Fn(SentenceBounds) -> Option<Sourced<'a>>,
}

impl<'a, 'f> Resolver<'a, 'f> {
    pub fn new(subject: &'f dyn Fn(SentenceBounds) -> Option<Sourced<'a>>) -> Self {
        Resolver {
            seen: RefCell::default(),
            subject,
        }
    }

    pub fn remember(&mut self, s: Sourced<'a>) {
        if points_back(&s) {
            self.seen.get_mut().push(Memory::Source(s));
        }
    }

    /// Remember the subject of sentence `b`: it is read when first needed, and
    /// takes the place it would have had if read now.
    pub fn remember_subject(&mut self, b: SentenceBounds) {
        self.seen.get_mut().push(Memory::Subject(b));
    }

    /// The latest source remembered that `fits`, reading subjects on the way.
    fn latest(&self, fits: impl Fn(&Sourced) -> bool) -> Option<Sourced<'a>> {
        let mut seen = self.seen.borrow_mut();
        for m in seen.iter_mut().rev() {
            if let Memory::Subject(b) = *m {
                *m = match (self.subject)(b) {
                    Some(s) if points_back(&s) => Memory::Source(s),
                    _ => Memory::Nothing,
                };
            }
            if let Memory::Source(s) = m {
                if fits(s) {
                    return Some(*s);
                }
            }
        }
        None
    }

    /// The sourcing of `text` as a source: a pronoun takes its antecedent's sourcing
    /// and actor, anything else is classified.
    pub fn source(&self, rules: &'a Rules, text: &'a str) -> Sourced<'a> {
        let kind = if rules.is(role::PRONOUN_PERSON, text) {
            Some(PronounKind::Person)
        } else if rules.is(role::PRONOUN_GROUP, text) {
            Some(PronounKind::Group)
        } else if rules.is(role::PRONOUN_THING, text) {
            Some(PronounKind::Thing)
        } else {
            None
        };
        let Some(kind) = kind else {
            return classify(rules, text);
        };
        let fits = |s: &Sourced| match kind {
            PronounKind::Person => s.sourcing == "named_person",
            PronounKind::Group => matches!(
                s.sourcing,
                "unnamed_official" | "anonymous" | "named_organization" | "media_report"
            ),
            PronounKind::Thing => matches!(
                s.sourcing,
                "named_organization" | "document" | "media_report"
            ),
        };
        match self.latest(fits) {
            Some(a) => Sourced {
                sourcing: a.sourcing,
                rule: "sourcing/builtin/pronoun-resolved",
                actor: a.actor,
            },
            None => Sourced {
                sourcing: "pronoun",
                rule: "sourcing/builtin/pronoun-unresolved",
                actor: text,
            },
        }
    }
}
