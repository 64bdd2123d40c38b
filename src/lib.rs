//! whosaid: attributed claims from news text, by explainable pattern rules.
//!
//! The stages are plain types and functions, each in a module named for what it
//! does:
//!
//! | stage | module | in → out |
//! | --- | --- | --- |
//! | read | [`read`] | input paths → [`model::Record`]s |
//! | segment | [`segment`] | article text → sentence bounds |
//! | extract | [`extract`] (with [`cue_scan`], [`quotes`], [`sourcing`]) | sentences → claims |
//! | write | [`write`] (with [`write_text`]), [`write_parquet`] | [`model::ArticleResult`]s → JSONL, CSV and Parquet files |
//! | write (streaming) | [`envelope`] | one JSON line per input line, on stdout |
//!
//! [`pipeline`] joins them; [`shard`] picks a shard's inputs and merges the parts;
//! [`report`] aggregates a run's files and [`report_page`] draws them; [`rules`] loads and compiles the rule files that all
//! stages consult; [`examples`] runs every rule's examples. [`gold`] reads annotated
//! samples, [`score`] measures claims against them (`whosaid eval`) and [`suggest`]
//! proposes rules from them (`whosaid rules suggest`).

pub mod cue_scan;
pub mod envelope;
pub mod examples;
pub mod extract;
pub mod gold;
pub mod model;
pub mod offsets;
pub mod pipeline;
pub mod quotes;
pub mod read;
pub mod report;
pub mod report_page;
pub mod rules;
mod scan;
pub mod score;
pub mod segment;
pub mod shard;
pub mod sourcing;
pub mod suggest;
pub mod write;
pub mod write_parquet;
pub mod write_text;
