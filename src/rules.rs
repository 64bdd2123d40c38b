//! Rules as data: load the TOML files of a rules folder (or the embedded default),
//! check them, and compile every pattern once into automata and regex sets.

use std::collections::HashMap;

use rustc_hash::{FxHashMap, FxHashSet};
use std::path::Path;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use regex::{RegexSet, RegexSetBuilder};
use serde::Deserialize;
use toml::Spanned;

use crate::cue_scan::CueScan;
use crate::segment::{SegmentLists, Segmenter};

/// The claim patterns implemented in code. `patterns.toml` must describe each of
/// them (so every `rule` value of a row is documented) and may switch one off.
pub const PATTERN_IDS: &[&str] = &[
    "claim/preposed",
    "claim/postposed",
    "claim/postposed-inverted",
    "claim/quote-postposed",
    "claim/quote-preposed",
    "claim/according-to",
    "claim/hedge",
    "claim/coordinated",
    "claim/participle",
    "claim/adjective",
    "claim/noun",
    "claim/passive",
    "claim/clause-subject",
    "claim/label",
];

/// The sourcing classes of SCHEMA.md, in its order.
pub const SOURCINGS: &[&str] = &[
    "named_person",
    "named_organization",
    "unnamed_official",
    "anonymous",
    "media_report",
    "document",
    "pronoun",
    "unattributed",
];

/// The stance classes of SCHEMA.md, in its order.
pub const STANCES: &[&str] = &[
    "assert", "support", "oppose", "propose", "concern", "confirm",
];
const CUE_KINDS: &[&str] = &["verb", "adjective", "preposition", "hedge", "noun", "label"];
const LEXICON_CLASSES: &[&str] = &[
    "media_report",
    "anonymous",
    "unnamed_official",
    "document",
    "named_organization",
];
const ACTOR_KINDS: &[&str] = &["country", "organization", "person"];

/// The default rules, embedded at build time.
const DEFAULT_FILES: &[(&str, &str)] = &[
    ("rules.toml", include_str!("../rules/rules.toml")),
    ("patterns.toml", include_str!("../rules/patterns.toml")),
    ("cues.toml", include_str!("../rules/cues.toml")),
    ("sourcing.toml", include_str!("../rules/sourcing.toml")),
    ("actors.toml", include_str!("../rules/actors.toml")),
    ("issues.toml", include_str!("../rules/issues.toml")),
    ("grammar.toml", include_str!("../rules/grammar.toml")),
    ("segment.toml", include_str!("../rules/segment.toml")),
];

/// A rule-set problem, always naming the file and line.
#[derive(Debug, thiserror::Error)]
#[error("{file}:{line}: {reason}")]
pub struct RuleError {
    pub file: String,
    pub line: usize,
    pub reason: String,
}

/// An example attached to a rule; see rules/README.md.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    pub text: String,
    pub claims: Option<usize>,
    pub cue: Option<String>,
    pub source: Option<String>,
    pub content: Option<String>,
    pub actor: Option<String>,
    pub sourcing: Option<String>,
    pub stance: Option<String>,
    pub quote: Option<String>,
    pub via: Option<String>,
    pub negated: Option<bool>,
    pub issues: Option<Vec<String>>,
    pub sentences: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Meta {
    version: String,
    #[serde(default)]
    description: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatternRule {
    pub id: Spanned<String>,
    pub description: String,
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(default)]
    pub example: Vec<Example>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CueRule {
    pub id: Spanned<String>,
    pub lemma: String,
    pub kind: Spanned<String>,
    pub stance: Spanned<String>,
    pub forms: Vec<Spanned<String>>,
    /// The cue takes an addressee before its content ("told reporters that").
    #[serde(default)]
    pub object: bool,
    /// Two-token phrases, a form of this cue and the token after it, that show
    /// another reading of the form: "pledged delegates", "Planned Parenthood",
    /// "plan would". A cue read as one of them makes no claim.
    #[serde(default)]
    pub not_in: Vec<String>,
    #[serde(default)]
    pub example: Vec<Example>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourcingRule {
    pub id: Spanned<String>,
    pub class: Spanned<String>,
    pub terms: Vec<Spanned<String>>,
    #[serde(default)]
    pub example: Vec<Example>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActorRule {
    pub id: Spanned<String>,
    pub name: String,
    pub kind: Spanned<String>,
    pub aliases: Vec<Spanned<String>>,
    #[serde(default)]
    pub example: Vec<Example>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssueRule {
    pub id: Spanned<String>,
    pub label: String,
    pub keywords: Vec<Spanned<String>>,
    #[serde(default)]
    pub example: Vec<Example>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrammarList {
    pub id: Spanned<String>,
    /// The role the patterns give these words (see grammar.toml).
    pub role: Spanned<String>,
    pub words: Vec<String>,
    #[serde(default)]
    pub example: Vec<Example>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SegmentFile {
    id: Spanned<String>,
    #[serde(flatten)]
    lists: SegmentLists,
    #[serde(default)]
    example: Vec<Example>,
}

macro_rules! list_file {
    ($name:ident, $field:ident, $ty:ty) => {
        #[derive(Debug, Deserialize)]
        #[serde(deny_unknown_fields)]
        struct $name {
            #[serde(default)]
            $field: Vec<$ty>,
        }
    };
}
list_file!(PatternFile, pattern, PatternRule);
list_file!(CueFile, cue, CueRule);
list_file!(SourcingFile, sourcing, SourcingRule);
list_file!(ActorFile, actor, ActorRule);
list_file!(IssueFile, issue, IssueRule);
list_file!(GrammarFile, list, GrammarList);

/// The roles grammar.toml must fill, with what the patterns do with them.
pub const GRAMMAR_ROLES: &[&str] = &[
    "auxiliary",
    "negator",
    "negating_verb",
    "determiner",
    "copula",
    "clause_word",
    "discourse_adverb",
    "preposition",
    "pronoun_person",
    "pronoun_group",
    "pronoun_thing",
    "title",
    "demonym",
    "time_word",
    "via_marker",
    "not_adverb",
    "question_frame",
    "clause_boundary",
    "quantifier",
    "not_speaker",
];

/// The bit of a grammar role in [`Rules::grammar`]; an unknown role has none, so
/// no word has it.
pub const fn role_bit(role: &str) -> u32 {
    let mut i = 0;
    while i < GRAMMAR_ROLES.len() {
        if same(GRAMMAR_ROLES[i].as_bytes(), role.as_bytes()) {
            return 1 << i;
        }
        i += 1;
    }
    0
}

const fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The grammar roles as bits, for [`Rules::is`] and [`Rules::roles`]: known when
/// compiling, so a test of a word's role is one lookup and no string comparison.
pub mod role {
    const fn known(role: &str) -> u32 {
        let bit = super::role_bit(role);
        assert!(bit != 0, "not a role in GRAMMAR_ROLES");
        bit
    }
    pub const AUXILIARY: u32 = known("auxiliary");
    pub const NEGATOR: u32 = known("negator");
    pub const NEGATING_VERB: u32 = known("negating_verb");
    pub const DETERMINER: u32 = known("determiner");
    pub const COPULA: u32 = known("copula");
    pub const CLAUSE_WORD: u32 = known("clause_word");
    pub const DISCOURSE_ADVERB: u32 = known("discourse_adverb");
    pub const PREPOSITION: u32 = known("preposition");
    pub const PRONOUN_PERSON: u32 = known("pronoun_person");
    pub const PRONOUN_GROUP: u32 = known("pronoun_group");
    pub const PRONOUN_THING: u32 = known("pronoun_thing");
    pub const TITLE: u32 = known("title");
    pub const DEMONYM: u32 = known("demonym");
    pub const TIME_WORD: u32 = known("time_word");
    pub const VIA_MARKER: u32 = known("via_marker");
    pub const NOT_ADVERB: u32 = known("not_adverb");
    pub const QUESTION_FRAME: u32 = known("question_frame");
    pub const CLAUSE_BOUNDARY: u32 = known("clause_boundary");
    pub const QUANTIFIER: u32 = known("quantifier");
    pub const NOT_SPEAKER: u32 = known("not_speaker");
}

/// A rule and where it was written, for examples and error messages.
#[derive(Debug, Clone)]
pub struct RuleRef {
    pub id: String,
    pub file: String,
    pub line: usize,
}

/// What a rule's example is checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleKind {
    Pattern,
    Cue,
    Sourcing,
    Actor,
    Issue,
    Grammar,
    Segment,
}

/// A loaded, checked and compiled rule set.
pub struct Rules {
    pub version: String,
    pub description: String,
    /// Where the rules came from: "embedded" or a folder path.
    pub origin: String,
    pub patterns: Vec<PatternRule>,
    pub enabled_patterns: FxHashSet<String>,
    pub cues: Vec<CueRule>,
    pub sourcing: Vec<SourcingRule>,
    pub actors: Vec<ActorRule>,
    pub issues: Vec<IssueRule>,
    /// Grammar word (lower case) → the roles it has, bit i for `GRAMMAR_ROLES[i]`.
    pub grammar: FxHashMap<String, u32>,
    pub grammar_lists: Vec<GrammarList>,
    pub segmenter: Segmenter,
    segment_id: String,
    segment_examples: Vec<Example>,
    /// All cue forms, compiled for the candidate scan; form index → cue index.
    pub cue_scan: CueScan,
    pub cue_of_form: Vec<usize>,
    /// Pattern index → the adjective cue sharing that verb form ("worried").
    pub adjective_of_form: FxHashMap<usize, usize>,
    /// All sourcing terms; pattern index → sourcing rule index.
    pub sourcing_automaton: AhoCorasick,
    pub sourcing_of_term: Vec<usize>,
    /// All actor aliases (case-sensitive); pattern index → actor index.
    pub actor_automaton: AhoCorasick,
    pub actor_of_alias: Vec<usize>,
    /// One regex per issue label, all in one set.
    pub issue_set: RegexSet,
    pub refs: HashMap<String, (RuleRef, RuleKind)>,
}

/// Line number (1-based) of a byte offset.
fn line_of(src: &str, offset: usize) -> usize {
    src[..offset.min(src.len())]
        .bytes()
        .filter(|&b| b == b'\n')
        .count()
        + 1
}

struct Loader {
    origin: String,
    refs: HashMap<String, (RuleRef, RuleKind)>,
}

impl Loader {
    fn err(&self, file: &str, src: &str, offset: usize, reason: String) -> RuleError {
        RuleError {
            file: self.path(file),
            line: line_of(src, offset),
            reason,
        }
    }

    fn path(&self, file: &str) -> String {
        if self.origin == "embedded" {
            format!("rules/{file} (embedded)")
        } else {
            Path::new(&self.origin).join(file).display().to_string()
        }
    }

    fn parse<T: serde::de::DeserializeOwned>(&self, file: &str, src: &str) -> Result<T, RuleError> {
        toml::from_str(src).map_err(|e| {
            let offset = e.span().map_or(0, |s| s.start);
            self.err(file, src, offset, e.message().to_string())
        })
    }

    fn register(
        &mut self,
        file: &str,
        src: &str,
        id: &Spanned<String>,
        kind: RuleKind,
        examples: &[Example],
    ) -> Result<(), RuleError> {
        let line = line_of(src, id.span().start);
        let name = id.get_ref();
        if name.is_empty() || name.contains(char::is_whitespace) {
            return Err(self.err(
                file,
                src,
                id.span().start,
                format!("bad rule id {name:?}: ids are non-empty and have no spaces"),
            ));
        }
        if let Some((first, _)) = self.refs.get(name) {
            return Err(self.err(
                file,
                src,
                id.span().start,
                format!(
                    "duplicate rule id {name:?} (first defined at {}:{})",
                    first.file, first.line
                ),
            ));
        }
        if examples.is_empty() {
            return Err(self.err(
                file,
                src,
                id.span().start,
                format!("rule {name:?} has no example"),
            ));
        }
        let r = RuleRef {
            id: name.clone(),
            file: self.path(file),
            line,
        };
        self.refs.insert(name.clone(), (r, kind));
        Ok(())
    }

    fn check_value(
        &self,
        file: &str,
        src: &str,
        v: &Spanned<String>,
        allowed: &[&str],
        what: &str,
    ) -> Result<(), RuleError> {
        if allowed.contains(&v.get_ref().as_str()) {
            Ok(())
        } else {
            Err(self.err(
                file,
                src,
                v.span().start,
                format!(
                    "unknown {what} {:?} (expected one of: {})",
                    v.get_ref(),
                    allowed.join(", ")
                ),
            ))
        }
    }
}

/// Where to read rule files from.
pub enum RulesSource<'a> {
    Embedded,
    Dir(&'a Path),
}

/// Size limit of one compiled regex: a rule that needs more is refused rather than
/// allowed to slow every run down.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

impl Rules {
    /// The embedded default rules. They are tested in the build, so failure here is a
    /// bug, reported as such.
    pub fn embedded() -> Result<Rules, RuleError> {
        Rules::load(RulesSource::Embedded)
    }

    /// The version of the embedded rules, without compiling them.
    pub fn embedded_version() -> Result<String, RuleError> {
        let l = Loader {
            origin: "embedded".into(),
            refs: HashMap::new(),
        };
        let meta: Meta = l.parse("rules.toml", DEFAULT_FILES[0].1)?;
        Ok(meta.version)
    }

    pub fn load(source: RulesSource) -> Result<Rules, RuleError> {
        let (origin, files) = Rules::read_files(source)?;
        Rules::from_files(origin, &files)
    }

    /// The rule files of `source` as (file name, contents), and where they came from.
    pub fn read_files(source: RulesSource) -> Result<(String, Vec<(String, String)>), RuleError> {
        Ok(match source {
            RulesSource::Embedded => (
                "embedded".into(),
                DEFAULT_FILES
                    .iter()
                    .map(|(n, s)| (n.to_string(), s.to_string()))
                    .collect(),
            ),
            RulesSource::Dir(dir) => {
                if !dir.is_dir() {
                    return Err(RuleError {
                        file: dir.display().to_string(),
                        line: 0,
                        reason: "not a rules folder".into(),
                    });
                }
                let mut files = Vec::new();
                for (name, _) in DEFAULT_FILES {
                    let path = dir.join(name);
                    let src = std::fs::read_to_string(&path).map_err(|e| RuleError {
                        file: path.display().to_string(),
                        line: 0,
                        reason: format!("cannot read: {e}"),
                    })?;
                    files.push((name.to_string(), src));
                }
                (dir.display().to_string(), files)
            }
        })
    }

    /// Compile rule files already read (see [`Rules::read_files`]).
    pub fn from_files(origin: String, files: &[(String, String)]) -> Result<Rules, RuleError> {
        let src = |name: &str| -> &str {
            files
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, s)| s.as_str())
                .unwrap_or("")
        };
        let mut l = Loader {
            origin: origin.clone(),
            refs: HashMap::new(),
        };

        let meta: Meta = l.parse("rules.toml", src("rules.toml"))?;

        let f = "patterns.toml";
        let s = src(f);
        let patterns = l.parse::<PatternFile>(f, s)?.pattern;
        for p in &patterns {
            l.register(f, s, &p.id, RuleKind::Pattern, &p.example)?;
            l.check_value(f, s, &p.id, PATTERN_IDS, "pattern id")?;
        }
        for known in PATTERN_IDS {
            if !patterns.iter().any(|p| p.id.get_ref() == known) {
                return Err(l.err(
                    f,
                    s,
                    0,
                    format!("pattern {known:?} is not described (every pattern needs an entry)"),
                ));
            }
        }
        let enabled_patterns = patterns
            .iter()
            .filter(|p| p.enabled)
            .map(|p| p.id.get_ref().clone())
            .collect();

        let f = "cues.toml";
        let s = src(f);
        let cues = l.parse::<CueFile>(f, s)?.cue;
        let mut forms: Vec<String> = Vec::new();
        let mut cue_of_form: Vec<usize> = Vec::new();
        let mut form_owner: HashMap<String, usize> = HashMap::new();
        let mut adjective_of_form: FxHashMap<usize, usize> = FxHashMap::default();
        for (i, c) in cues.iter().enumerate() {
            l.register(f, s, &c.id, RuleKind::Cue, &c.example)?;
            l.check_value(f, s, &c.kind, CUE_KINDS, "cue kind")?;
            l.check_value(f, s, &c.stance, STANCES, "stance class")?;
            if c.forms.is_empty() {
                return Err(l.err(
                    f,
                    s,
                    c.id.span().start,
                    format!("cue {:?} has no forms", c.id.get_ref()),
                ));
            }
            for form in &c.forms {
                let key = normalise_form(form.get_ref());
                if key.is_empty() {
                    return Err(l.err(f, s, form.span().start, "empty cue form".into()));
                }
                if let Some(&pattern) = form_owner.get(&key) {
                    // One form may be both a verb and an adjective ("worried"): the
                    // adjective reading is taken when a copula stands before it.
                    let owner: &CueRule = &cues[cue_of_form[pattern]];
                    let kinds = [owner.kind.get_ref().as_str(), c.kind.get_ref().as_str()];
                    let pair = kinds == ["verb", "adjective"] || kinds == ["adjective", "verb"];
                    if !pair || adjective_of_form.contains_key(&pattern) {
                        return Err(l.err(
                            f,
                            s,
                            form.span().start,
                            format!(
                                "cue form {:?} is already a form of {:?}",
                                form.get_ref(),
                                owner.id.get_ref()
                            ),
                        ));
                    }
                    if c.kind.get_ref() == "adjective" {
                        adjective_of_form.insert(pattern, i);
                    } else {
                        adjective_of_form.insert(pattern, cue_of_form[pattern]);
                        cue_of_form[pattern] = i;
                    }
                    continue;
                }
                form_owner.insert(key.clone(), forms.len());
                forms.push(key);
                cue_of_form.push(i);
            }
        }
        let cue_scan = CueScan::new(&forms);

        let f = "sourcing.toml";
        let s = src(f);
        let sourcing = l.parse::<SourcingFile>(f, s)?.sourcing;
        let mut terms = Vec::new();
        let mut sourcing_of_term = Vec::new();
        for (i, r) in sourcing.iter().enumerate() {
            l.register(f, s, &r.id, RuleKind::Sourcing, &r.example)?;
            l.check_value(f, s, &r.class, LEXICON_CLASSES, "sourcing class")?;
            for t in &r.terms {
                terms.push(normalise_form(t.get_ref()));
                sourcing_of_term.push(i);
            }
        }
        let sourcing_automaton = build_ac(&terms, true);

        let f = "actors.toml";
        let s = src(f);
        let actors = l.parse::<ActorFile>(f, s)?.actor;
        let mut aliases = Vec::new();
        let mut actor_of_alias = Vec::new();
        for (i, a) in actors.iter().enumerate() {
            l.register(f, s, &a.id, RuleKind::Actor, &a.example)?;
            l.check_value(f, s, &a.kind, ACTOR_KINDS, "actor kind")?;
            for al in &a.aliases {
                aliases.push(al.get_ref().trim().to_string());
                actor_of_alias.push(i);
            }
        }
        let actor_automaton = build_ac(&aliases, false);

        let f = "issues.toml";
        let s = src(f);
        let issues = l.parse::<IssueFile>(f, s)?.issue;
        let mut issue_patterns = Vec::new();
        for r in &issues {
            l.register(f, s, &r.id, RuleKind::Issue, &r.example)?;
            let mut alts = Vec::new();
            for k in &r.keywords {
                // Each keyword alone first, so the error names the line of the bad one.
                let one = format!(r"(?i)\b(?:{})\b", k.get_ref());
                regex::RegexBuilder::new(&one)
                    .size_limit(REGEX_SIZE_LIMIT)
                    .build()
                    .map_err(|e| {
                        l.err(
                            f,
                            s,
                            k.span().start,
                            format!(
                                "invalid regex {:?}: {}",
                                k.get_ref(),
                                first_line(&e.to_string())
                            ),
                        )
                    })?;
                alts.push(format!("(?:{})", k.get_ref()));
            }
            // ASCII word boundaries: a Unicode \b makes the regex engine fall back
            // from its DFA to the much slower PikeVM on any non-ASCII text (curly
            // quotes are everywhere in news); a keyword next to a non-ASCII letter
            // is the only difference and does not occur in English keywords.
            let pattern = format!(r"(?i)(?-u:\b)(?:{})(?-u:\b)", alts.join("|"));
            // The issue's keywords together, so a too-large issue is named by its id.
            regex::RegexBuilder::new(&pattern)
                .size_limit(REGEX_SIZE_LIMIT * 4)
                .build()
                .map_err(|e| {
                    l.err(
                        f,
                        s,
                        r.id.span().start,
                        format!(
                            "the keywords of {:?} are too large to compile together: {}",
                            r.id.get_ref(),
                            first_line(&e.to_string())
                        ),
                    )
                })?;
            issue_patterns.push(pattern);
        }
        let issue_set = RegexSetBuilder::new(&issue_patterns)
            .size_limit(REGEX_SIZE_LIMIT * 8)
            .build()
            .map_err(|e| {
                l.err(
                    f,
                    s,
                    0,
                    format!(
                        "issue keywords too large to compile together: {}",
                        first_line(&e.to_string())
                    ),
                )
            })?;

        let f = "grammar.toml";
        let s = src(f);
        let grammar_lists = l.parse::<GrammarFile>(f, s)?.list;
        let mut grammar: FxHashMap<String, u32> = FxHashMap::default();
        for g in &grammar_lists {
            l.register(f, s, &g.id, RuleKind::Grammar, &g.example)?;
            l.check_value(f, s, &g.role, GRAMMAR_ROLES, "grammar role")?;
            let bit = role_bit(g.role.get_ref());
            for w in &g.words {
                *grammar.entry(w.to_lowercase()).or_default() |= bit;
            }
        }

        let f = "segment.toml";
        let s = src(f);
        let seg: SegmentFile = l.parse(f, s)?;
        l.register(f, s, &seg.id, RuleKind::Segment, &seg.example)?;
        let segmenter = Segmenter::new(&seg.lists);

        Ok(Rules {
            version: meta.version,
            description: meta.description,
            origin,
            patterns,
            enabled_patterns,
            cues,
            sourcing,
            actors,
            issues,
            grammar,
            grammar_lists,
            segmenter,
            segment_id: seg.id.into_inner(),
            segment_examples: seg.example,
            cue_scan,
            cue_of_form,
            adjective_of_form,
            sourcing_automaton,
            sourcing_of_term,
            actor_automaton,
            actor_of_alias,
            issue_set,
            refs: l.refs,
        })
    }

    /// Is `word` (any case) in the grammar list of `role` (a [`role`] bit)?
    pub fn is(&self, role: u32, word: &str) -> bool {
        self.roles(word) & role != 0
    }

    /// The grammar roles of `word` (any case) as [`role`] bits, for a caller that
    /// tests several roles of one word.
    pub fn roles(&self, word: &str) -> u32 {
        let roles = if !word.bytes().any(|b| b.is_ascii_uppercase()) {
            self.grammar.get(word)
        } else if word.is_ascii() && word.len() <= 32 {
            // Lower-cased on the stack: this runs for every token the patterns test.
            let mut buf = [0u8; 32];
            let lower = &mut buf[..word.len()];
            lower.copy_from_slice(word.as_bytes());
            lower.make_ascii_lowercase();
            self.grammar
                .get(std::str::from_utf8(lower).expect("ASCII stays UTF-8"))
        } else {
            self.grammar.get(&word.to_lowercase())
        };
        roles.copied().unwrap_or(0)
    }

    /// Every rule with its examples, in file order, for `rules check` and the tests.
    pub fn examples(&self) -> Vec<(RuleRef, RuleKind, &Example)> {
        let groups = self
            .patterns
            .iter()
            .map(|p| (p.id.get_ref(), &p.example))
            .chain(self.cues.iter().map(|c| (c.id.get_ref(), &c.example)))
            .chain(self.sourcing.iter().map(|r| (r.id.get_ref(), &r.example)))
            .chain(self.actors.iter().map(|a| (a.id.get_ref(), &a.example)))
            .chain(self.issues.iter().map(|i| (i.id.get_ref(), &i.example)))
            .chain(
                self.grammar_lists
                    .iter()
                    .map(|g| (g.id.get_ref(), &g.example)),
            )
            .chain(std::iter::once((&self.segment_id, &self.segment_examples)));
        let mut out = Vec::new();
        for (id, examples) in groups {
            let (r, k) = &self.refs[id];
            out.extend(examples.iter().map(|e| (r.clone(), *k, e)));
        }
        out
    }

    /// Issue labels whose keywords occur in `text`, in taxonomy order.
    pub fn issues_in(&self, text: &str) -> Vec<String> {
        // Most contents touch no issue: a plain search says so without the
        // overlapping one, which must run to the end of the text.
        if !self.issue_set.is_match(text) {
            return Vec::new();
        }
        self.issue_set
            .matches(text)
            .into_iter()
            .map(|i| self.issues[i].label.clone())
            .collect()
    }

    pub fn rule_count(&self) -> usize {
        self.refs.len()
    }
}

fn first_line(s: &str) -> String {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Forms and terms match on lower case with single spaces and straight apostrophes.
pub fn normalise_form(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('’', "'")
        .to_lowercase()
}

fn build_ac(patterns: &[String], case_insensitive: bool) -> AhoCorasick {
    // A DFA: built once, it scans every article's text, twice as fast as the NFA.
    AhoCorasickBuilder::new()
        .kind(Some(AhoCorasickKind::DFA))
        .match_kind(MatchKind::LeftmostLongest)
        .ascii_case_insensitive(case_insensitive)
        .build(patterns)
        .expect("aho-corasick builds from any list of literal strings")
}
