//! `whosaid rules check [DIR]`: validate a rules folder and run its examples.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

use whosaid::examples::check_examples;

#[derive(Args)]
#[command(about = "Validate rules and run their examples")]
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
}

pub fn run(args: RulesArgs) -> anyhow::Result<ExitCode> {
    match args.action {
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
