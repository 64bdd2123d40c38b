//! `whosaid run`: the main job.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use clap::Args;

use whosaid::pipeline::{self, Counts};
use whosaid::read::{plan_inputs, read_records, ReadOptions};
use whosaid::write::{Outputs, WriteOptions};

#[derive(Args)]
#[command(
    about = "Extract claims from a corpus into claims, sentences and manifest files",
    long_about = "Extract claims from a corpus.\n\n\
        INPUT is a .txt file (one article; its id is the file name without extension), a folder \
        (walked recursively for .txt, .jsonl, .jsonl.gz and .csv; a .txt's id is its path relative \
        to the folder, without extension), a .jsonl or .jsonl.gz file (one article a line, with `id` \
        and `text` fields), a .csv with `id` and `text` columns, or - for JSONL on stdin.\n\n\
        Writes to the output folder: claims.jsonl, claims.csv, sentences.jsonl, sentences.csv, \
        articles.csv (one row for every input record, with status ok or error) and run.json. Files \
        are written under a temporary name and moved into place when the run completes, run.json last.\n\n\
        Exit codes: 0 every record ok; 1 finished, some records failed (articles.csv names them); \
        2 usage or fatal error (no output written); 130 interrupted by Ctrl-C (the output folder \
        is left as it was)."
)]
pub struct RunArgs {
    /// Files, folders, or - for JSONL on stdin.
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,
    /// Output folder (created if missing).
    #[arg(short, long, default_value = "output", value_name = "DIR")]
    output: PathBuf,
    /// Worker threads (default: all cores). The output is the same for any number.
    #[arg(short = 'j', long = "threads", value_name = "N")]
    threads: Option<usize>,
    /// Name of the id field (JSONL) or column (CSV).
    #[arg(long, default_value = "id", value_name = "NAME")]
    id_field: String,
    /// Name of the text field (JSONL) or column (CSV).
    #[arg(long, default_value = "text", value_name = "NAME")]
    text_field: String,
    /// Fields copied into articles.csv as extra columns, e.g. publisher,date,url.
    #[arg(long, value_delimiter = ',', value_name = "FIELDS")]
    meta: Vec<String>,
    /// A rules folder to use instead of the embedded rules (see rules/README.md).
    #[arg(long, value_name = "DIR")]
    rules: Option<PathBuf>,
    /// Prefix CSV cells that start with = + - @, a tab or a carriage return with '
    /// so spreadsheets do not run them as formulas (off by default: notebooks want
    /// the raw text).
    #[arg(long)]
    csv_safe: bool,
    /// No progress bar and no summary on stderr.
    #[arg(short, long)]
    quiet: bool,
}

pub fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let rules = super::load_rules(args.rules.as_deref())?;
    let plan = plan_inputs(&args.inputs)?;
    let opts = ReadOptions {
        id_field: args.id_field.clone(),
        text_field: args.text_field.clone(),
        meta: args.meta.clone(),
    };
    let mut outputs = Outputs::create(
        &args.output,
        WriteOptions {
            csv_safe: args.csv_safe,
            meta: args.meta.clone(),
        },
    )?;
    let threads = args.threads.unwrap_or(0);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .context("cannot start worker threads")?;
    let threads = pool.current_num_threads();

    let bar = (!args.quiet && std::io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {elapsed} {msg}")
                .expect("static progress template"),
        );
        bar.enable_steady_tick(std::time::Duration::from_millis(200));
        bar
    });
    let inputs: Vec<String> = plan.sources.iter().map(|s| s.display()).collect();
    let records = read_records(plan.sources, &opts);
    // Ctrl-C stops the run after the batch in hand: the temporary folder is then
    // removed and the previous output, if any, is left as it was.
    let interrupted = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&interrupted);
    // Without a handler (one already set, in a library user's process) Ctrl-C still
    // kills the run, which never leaves a partial file under a final name.
    let _ = ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst));
    let encoder = outputs.encoder();
    let result = pool.install(|| {
        pipeline::run(&rules, records, &encoder, &mut outputs, |c| {
            if interrupted.load(Ordering::SeqCst) {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::Interrupted,
                    "interrupted",
                ));
            }
            if let Some(bar) = &bar {
                let secs = started.elapsed().as_secs_f64().max(1e-9);
                bar.set_message(format!(
                    "{} records ({} errors), {} claims, {:.1} MB at {:.1} MB/s",
                    c.records,
                    c.errors,
                    c.claims,
                    c.bytes as f64 / 1e6,
                    c.bytes as f64 / 1e6 / secs
                ));
            }
            Ok(())
        })
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let counts: Counts = match result {
        Ok(counts) => counts,
        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {
            drop(outputs);
            eprintln!(
                "whosaid: interrupted: {} was left as it was",
                args.output.display()
            );
            return Ok(ExitCode::from(130));
        }
        Err(e) => {
            return Err(e)
                .with_context(|| format!("{}: cannot write output", args.output.display()))
        }
    };
    let seconds = started.elapsed().as_secs_f64();
    let run_json = serde_json::json!({
        "whosaid_version": env!("CARGO_PKG_VERSION"),
        "rules_version": rules.version,
        "rules": rules.origin,
        "inputs": inputs,
        "skipped_files": plan.skipped,
        "output_files": ["claims.jsonl", "claims.csv", "sentences.jsonl", "sentences.csv", "articles.csv", "run.json"],
        "threads": threads,
        "counts": counts,
        "seconds": (seconds * 1000.0).round() / 1000.0,
    });
    outputs
        .commit(&run_json)
        .with_context(|| format!("{}: cannot complete the output", args.output.display()))?;
    if !args.quiet {
        for f in &plan.skipped {
            eprintln!("whosaid: skipped {f}: not a .txt, .jsonl, .jsonl.gz or .csv file");
        }
        eprintln!(
            "whosaid: {} records ({} ok, {} errors), {} sentences, {} claims in {:.2} s → {}",
            counts.records,
            counts.ok,
            counts.errors,
            counts.sentences,
            counts.claims,
            seconds,
            args.output.display()
        );
    }
    Ok(if counts.errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
