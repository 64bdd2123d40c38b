//! `whosaid rules check [DIR]`: validate a rules folder and run its examples.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

use whosaid::examples::check_examples;
use whosaid::rules::{Rules, RulesSource};
use whosaid::suggest::{render, suggest, SuggestOptions};

#[derive(Args)]
#[command(about = "Validate rules and run their examples; suggest rules from annotated samples")]
pub struct RulesArgs {
    #[command(subcommand)]
    action: Action,
}

#[derive(Subcommand)]
enum Action {
    /// Check a rules folder (default: the embedded rules): every file parses, ids are
    /// unique, values are known, regexes compile; then run every rule's examples.
    /// Exit 0 when all pass, 1 when an example fails, 2 when the rules are invalid.
    Check {
        /// A folder laid out like rules/ (rules.toml, cues.toml, ...).
        dir: Option<PathBuf>,
    },
    /// Suggest cue entries from an annotated sample: run the rules over it, collect
    /// the cue forms of missed gold attributions, try each as a new entry and print
    /// those that were precise enough as TOML to paste into cues.toml (each with its
    /// counts, precision on the sample and an example sentence from it), then the
    /// missed sentence shapes whose cue the lexicon already has.
    Suggest {
        /// The annotated sample, in any layout `whosaid eval` reads (gold JSONL, BRAT
        /// folder, native *.gold.jsonl).
        gold: PathBuf,
        /// The rules to extend (default: the embedded ones).
        #[arg(long, value_name = "DIR")]
        rules: Option<PathBuf>,
        /// Where native gold finds the article texts (<article_id>.txt).
        #[arg(long, value_name = "DIR", default_value = "corpus")]
        texts: PathBuf,
        /// Try a cue form only if the rules miss it at least N times.
        #[arg(long, value_name = "N", default_value_t = 3)]
        min_count: usize,
        /// Suggest an entry only if at least this share of its claims on the sample
        /// is right (cue and source agree with the gold).
        #[arg(long, value_name = "P", default_value_t = 0.5)]
        min_precision: f64,
        /// How many missed sentence shapes to list.
        #[arg(long, value_name = "N", default_value_t = 30)]
        patterns: usize,
    },
}

pub fn run(args: RulesArgs) -> anyhow::Result<ExitCode> {
    match args.action {
        Action::Suggest {
            gold,
            rules,
            texts,
            min_count,
            min_precision,
            patterns,
        } => {
            let gold = whosaid::gold::load(&gold, &texts)?;
            let source = match &rules {
                Some(d) => RulesSource::Dir(d),
                None => RulesSource::Embedded,
            };
            let invalid = |e| anyhow::anyhow!("invalid rules: {e}");
            let (origin, files) = Rules::read_files(source).map_err(invalid)?;
            let opts = SuggestOptions {
                min_count,
                min_precision,
                pattern_gaps: patterns,
            };
            let found = suggest(&origin, &files, &gold, &opts).map_err(invalid)?;
            print!("{}", render(&found, &opts));
            Ok(ExitCode::SUCCESS)
        }
        Action::Check { dir } => {
            let rules = super::load_rules(dir.as_deref())?;
            let (failures, n) = check_examples(&rules);
            for f in &failures {
                print!("{f}");
            }
            println!(
                "rules {} ({}): {} rules, {} examples, {} passed, {} failed",
                rules.version,
                rules.origin,
                rules.rule_count(),
                n,
                n - failures.len(),
                failures.len()
            );
            Ok(if failures.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
    }
}
