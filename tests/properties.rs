//! Invariants for arbitrary Unicode input: sentences cover the text in order without
//! overlap, every span round-trips, and nothing panics. The default suite runs a few
//! thousand cases; the long run is
//! `PROPTEST_CASES=100000 cargo test --release --test properties`.

use proptest::prelude::*;
use whosaid::model::Article;
use whosaid::pipeline::process;
use whosaid::rules::Rules;
use whosaid::segment::MAX_SENTENCE_BYTES;

fn rules() -> &'static Rules {
    static RULES: std::sync::OnceLock<Rules> = std::sync::OnceLock::new();
    RULES.get_or_init(|| Rules::embedded().expect("embedded rules load"))
}

/// News-like text: words, cue verbs, abbreviations, quotes, terminators and line
/// breaks, mixed with arbitrary characters.
fn newsy() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("said".to_string()),
        Just("according to".to_string()),
        Just("U.S.".to_string()),
        Just("Sen.".to_string()),
        Just("reportedly".to_string()),
        Just("officials".to_string()),
        Just("\"".to_string()),
        Just("“".to_string()),
        Just("”".to_string()),
        Just("’s".to_string()),
        Just(". ".to_string()),
        Just("? ".to_string()),
        Just("...".to_string()),
        Just(", ".to_string()),
        Just("\n".to_string()),
        Just("\r\n".to_string()),
        Just("1. ".to_string()),
        Just("•".to_string()),
        "[A-Z][a-z]{0,8}",
        "[a-z]{1,8}",
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..60).prop_map(|v| v.join(" "))
}

/// Runs longer than a sentence may be, with no terminator: words (some of them
/// multi-byte), cue words, and now and then a word too long to cut at a space.
fn long_run() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        8 => "[a-zé]{1,10}",
        1 => Just("said".to_string()),
        1 => (300usize..900).prop_map(|n| "é".repeat(n / 2)),
    ];
    prop::collection::vec(piece, 100..700).prop_map(|v| v.join(" "))
}

fn check_sentences(text: &str) {
    let bounds = rules().segmenter.split(text);
    let mut last = 0;
    for b in &bounds {
        assert!(
            b.start >= last && b.start < b.end && b.end <= text.len(),
            "{bounds:?}"
        );
        assert!(text.is_char_boundary(b.start) && text.is_char_boundary(b.end));
        assert!(b.end - b.start <= MAX_SENTENCE_BYTES, "{b:?} is too long");
        let s = &text[b.start..b.end];
        assert_eq!(s, s.trim(), "sentences are trimmed");
        last = b.end;
    }
    // Everything outside the sentences is white space: nothing is lost.
    let mut covered = 0;
    for b in &bounds {
        assert!(
            text[covered..b.start].trim().is_empty(),
            "text lost between sentences"
        );
        covered = b.end;
    }
    assert!(text[covered..].trim().is_empty(), "text lost at the end");
}

fn check_pipeline(text: &str) {
    let r = process(
        rules(),
        Article {
            id: "p".into(),
            text: text.to_string(),
            input: "p".into(),
            meta: Vec::new(),
        },
    );
    let chars: Vec<char> = text.chars().collect();
    let slice = |s: usize, e: usize| chars[s..e].iter().collect::<String>();
    for s in &r.sentences {
        assert_eq!(slice(s.start, s.end), s.text);
    }
    for c in &r.claims {
        assert_eq!(slice(c.cue.start, c.cue.end), c.cue.text);
        if let Some(s) = &c.source {
            assert_eq!(slice(s.start, s.end), s.text);
        }
        if let Some(s) = &c.content {
            assert_eq!(slice(s.start, s.end), s.text);
        }
        if let Some(v) = &c.via {
            assert_eq!(slice(v.start, v.end), v.text);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(2000)
    ))]

    #[test]
    fn sentences_cover_arbitrary_unicode(text in "\\PC*") {
        check_sentences(&text);
    }

    #[test]
    fn sentences_cover_news_like_text(text in newsy()) {
        check_sentences(&text);
    }

    #[test]
    fn claim_spans_round_trip_on_news_like_text(text in newsy()) {
        check_pipeline(&text);
    }

    #[test]
    fn claim_spans_round_trip_on_arbitrary_unicode(text in "\\PC*") {
        check_pipeline(&text);
    }
}

proptest! {
    // Each case is some 5,000 to 60,000 bytes: a tenth of the count does as much.
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse::<u32>().ok()).unwrap_or(2000) / 10
    ))]

    #[test]
    fn sentences_cover_long_runs(text in long_run()) {
        check_sentences(&text);
    }
}
