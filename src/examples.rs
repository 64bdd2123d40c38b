//! Every rule carries examples; this runs them through the whole pipeline and says
//! which fail and why (`whosaid rules check`, and the test suite).

use crate::model::{Article, Claim};
use crate::pipeline::process;
use crate::rules::{Example, RuleKind, RuleRef, Rules};

/// One example that did not give what it expects.
#[derive(Debug)]
pub struct Failure {
    pub rule: RuleRef,
    pub text: String,
    pub problems: Vec<String>,
    /// The claims the text gave, one line each, to help the rule's author.
    pub got: Vec<String>,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "{}:{}: {}: example {:?}",
            self.rule.file, self.rule.line, self.rule.id, self.text
        )?;
        for p in &self.problems {
            writeln!(f, "    {p}")?;
        }
        for g in &self.got {
            writeln!(f, "    got: {g}")?;
        }
        Ok(())
    }
}

fn describe(c: &Claim) -> String {
    format!(
        "cue {:?} source {:?} sourcing {} actor {:?} stance {} rule {} cue_rule {} sourcing_rule {} content {:?} issues {:?}",
        c.cue.text,
        c.source.as_ref().map(|s| s.text.as_str()),
        c.sourcing,
        c.actor,
        c.stance,
        c.rule,
        c.cue_rule,
        c.sourcing_rule,
        c.content.as_ref().map(|s| s.text.as_str()),
        c.issues
    )
}

/// Does claim `c` show that rule `id` took part in it?
fn took_part(rules: &Rules, kind: RuleKind, id: &str, c: &Claim) -> bool {
    match kind {
        RuleKind::Pattern => c.rule == id,
        RuleKind::Cue => c.cue_rule == id,
        RuleKind::Sourcing => {
            c.sourcing_rule == id || c.sourcing_rule.ends_with(&format!("({id})"))
        }
        RuleKind::Actor => rules
            .actors
            .iter()
            .any(|a| a.id.get_ref() == id && c.actor.as_deref() == Some(a.name.as_str())),
        RuleKind::Issue => rules
            .issues
            .iter()
            .any(|i| i.id.get_ref() == id && c.issues.contains(&i.label)),
        RuleKind::Grammar | RuleKind::Segment => true,
    }
}

fn check_one(rules: &Rules, rule: &RuleRef, kind: RuleKind, ex: &Example) -> Vec<String> {
    let mut problems = Vec::new();
    if let Some(expected) = &ex.sentences {
        let got: Vec<&str> = rules
            .segmenter
            .split(&ex.text)
            .iter()
            .map(|b| &ex.text[b.start..b.end])
            .collect();
        if got != *expected {
            problems.push(format!("sentences: expected {expected:?}, got {got:?}"));
        }
        return problems;
    }
    let result = process(
        rules,
        Article {
            id: "example".into(),
            text: ex.text.clone(),
            input: rule.file.clone(),
            meta: Vec::new(),
        },
    );
    let claims = &result.claims;
    if let Some(n) = ex.claims {
        if claims.len() != n {
            problems.push(format!("expected {n} claim(s), got {}", claims.len()));
        }
        if n == 0 {
            return problems;
        }
    }
    let pick = match &ex.cue {
        Some(cue) => claims.iter().find(|c| &c.cue.text == cue),
        None => claims.iter().find(|c| took_part(rules, kind, &rule.id, c)),
    };
    let Some(c) = pick else {
        problems.push(match &ex.cue {
            Some(cue) => format!("no claim with cue {cue:?}"),
            None => "no claim made with this rule".to_string(),
        });
        return problems;
    };
    if !took_part(rules, kind, &rule.id, c) {
        problems.push(format!(
            "the claim with cue {:?} was not made with this rule",
            c.cue.text
        ));
    }
    let mut expect = |field: &str, want: &Option<String>, got: Option<&str>| {
        if let Some(w) = want {
            let w_opt = (!w.is_empty()).then_some(w.as_str());
            let ok = if field == "source" {
                got == w_opt
            } else {
                got == Some(w.as_str())
            };
            if !ok {
                problems.push(format!("{field}: expected {w:?}, got {got:?}"));
            }
        }
    };
    expect(
        "source",
        &ex.source,
        c.source.as_ref().map(|s| s.text.as_str()),
    );
    expect(
        "content",
        &ex.content,
        c.content.as_ref().map(|s| s.text.as_str()),
    );
    expect("actor", &ex.actor, c.actor.as_deref());
    expect("sourcing", &ex.sourcing, Some(c.sourcing.as_str()));
    expect("stance", &ex.stance, Some(c.stance.as_str()));
    expect("quote", &ex.quote, Some(c.quote.as_str()));
    expect("via", &ex.via, c.via.as_ref().map(|v| v.text.as_str()));
    if let Some(n) = ex.negated {
        if c.negated != n {
            problems.push(format!("negated: expected {n}, got {}", c.negated));
        }
    }
    if let Some(labels) = &ex.issues {
        for l in labels {
            if !c.issues.contains(l) {
                problems.push(format!("issues: expected {l:?} among {:?}", c.issues));
            }
        }
    }
    problems
}

/// Run every example of every rule; returns the failures (empty: all pass) and the
/// number of examples run.
pub fn check_examples(rules: &Rules) -> (Vec<Failure>, usize) {
    let all = rules.examples();
    let n = all.len();
    let failures = all
        .into_iter()
        .filter_map(|(rule, kind, ex)| {
            let problems = check_one(rules, &rule, kind, ex);
            if problems.is_empty() {
                return None;
            }
            let got = if ex.sentences.is_some() {
                Vec::new()
            } else {
                let r = process(
                    rules,
                    Article {
                        id: "example".into(),
                        text: ex.text.clone(),
                        input: String::new(),
                        meta: Vec::new(),
                    },
                );
                r.claims.iter().map(describe).collect()
            };
            Some(Failure {
                rule,
                text: ex.text.clone(),
                problems,
                got,
            })
        })
        .collect();
    (failures, n)
}
