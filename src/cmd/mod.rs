//! One module per subcommand: its arguments, its help text and its `run`.

pub mod eval;
pub mod merge;
pub mod report;
pub mod rules;
pub mod run;

use std::path::Path;

use whosaid::rules::{Rules, RulesSource};

/// "0.1.0 (rules 2026.11.4)", for `--version`.
pub fn version_line() -> String {
    match Rules::embedded_version() {
        Ok(v) => format!("{} (rules {v})", env!("CARGO_PKG_VERSION")),
        Err(e) => format!("{} (embedded rules broken: {e})", env!("CARGO_PKG_VERSION")),
    }
}

/// The rules of `--rules DIR`, or the embedded ones.
pub fn load_rules(dir: Option<&Path>) -> anyhow::Result<Rules> {
    let source = match dir {
        Some(d) => RulesSource::Dir(d),
        None => RulesSource::Embedded,
    };
    Rules::load(source).map_err(|e| anyhow::anyhow!("invalid rules: {e}"))
}
