//! `whosaid run`: the main job.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{anyhow, bail, Context};
use clap::Args;

use whosaid::envelope::{EnvelopeEncoder, StreamSink};
use whosaid::pipeline::{self, Counts};
use whosaid::read::{plan_inputs, read_records, ReadOptions, Source};
use whosaid::rules::Rules;
use whosaid::shard;
use whosaid::write::{Formats, Outputs, WriteOptions};

#[derive(Args)]
#[command(
    about = "Extract claims from a corpus into claims, sentences and manifest files",
    long_about = "Extract claims from a corpus.\n\n\
        INPUT is a .txt file (one article; its id is the file name without extension), a folder \
        (walked recursively for .txt, .jsonl, .jsonl.gz and .csv; a .txt's id is its path relative \
        to the folder, without extension), a .jsonl or .jsonl.gz file (one article a line, with `id` \
        and `text` fields), a .csv with `id` and `text` columns, or - for JSONL on stdin.\n\n\
        Writes to the output folder: claims.jsonl, claims.csv, sentences.jsonl, sentences.csv, \
        articles.csv (one row for every input record, with status ok or error) and run.json; \
        --format jsonl,csv,parquet adds claims.parquet, sentences.parquet and articles.parquet, and \
        --format parquet writes those instead. Files are written under a temporary name and moved into place when the run completes, run.json last.\n\n\
        Streaming mode (--envelope, for Spark and other drivers): reads JSONL on stdin (give - as \
        the input) and writes to stdout, for every input line, exactly one line in input order: \
        {\"id\", \"status\": \"ok\"|\"error\", \"error\", \"claims\": [...]}, each claim as in \
        claims.jsonl (a blank line gets an error line). One thread unless -j or RAYON_NUM_THREADS \
        says otherwise.\n\n\
        Shard mode (--shard I/N): reads the I-th of N contiguous chunks of the sorted input files \
        (or, with --byte-range S:E, the lines of one uncompressed .jsonl that start in bytes [S, E)) \
        and writes part-I-of-N.* files and part-I-of-N.manifest.json (inputs, counts, each file's \
        size and SHA-256) to the output folder. `whosaid merge` joins the parts.\n\n\
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
    /// Which data files to write: any of jsonl, csv, parquet, comma-separated.
    /// Parquet files have typed columns (spans as structs, issues as a list) and
    /// the same rows as the JSONL.
    #[arg(long, default_value = "jsonl,csv", value_name = "LIST", value_parser = Formats::parse)]
    format: Formats,
    /// Streaming mode: JSONL on stdin (input -), one envelope line per input line
    /// on stdout; no files are written.
    #[arg(long)]
    envelope: bool,
    /// Process only shard I of N (I from 0) of the sorted input files, writing
    /// part-I-of-N.* files and a manifest.
    #[arg(long, value_name = "I/N")]
    shard: Option<String>,
    /// With --shard: read the lines of one uncompressed .jsonl that start in bytes
    /// [S, E) instead of whole files.
    #[arg(long, value_name = "S:E", requires = "shard")]
    byte_range: Option<String>,
}

pub fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let part = args
        .shard
        .as_deref()
        .map(shard::parse_part)
        .transpose()
        .map_err(|e| anyhow!("--shard {e}"))?;
    let range = args
        .byte_range
        .as_deref()
        .map(shard::parse_range)
        .transpose()
        .map_err(|e| anyhow!("--byte-range {e}"))?;
    if args.envelope && (args.inputs.len() != 1 || args.inputs[0].as_os_str() != "-") {
        bail!("--envelope reads JSONL on stdin: give - as the only input");
    }
    if args.envelope && part.is_some() {
        bail!("--envelope and --shard do not go together: a driver shards the stream itself");
    }
    let formats = args.format;
    if part.is_some() && !(formats.jsonl && formats.csv) {
        bail!("--shard writes JSONL and CSV parts (merge joins those): keep jsonl,csv in --format");
    }
    let rules = super::load_rules(args.rules.as_deref())?;
    let mut plan = plan_inputs(&args.inputs)?;
    if let Some((start, end)) = range {
        plan.sources = match plan.sources.as_slice() {
            [Source::Jsonl { path, gzip: false }] => vec![Source::JsonlRange {
                path: path.clone(),
                start,
                end,
            }],
            _ => bail!("--byte-range reads one uncompressed .jsonl file"),
        };
    } else if let Some(p) = part {
        plan.sources = shard::select(plan.sources, p);
    }
    let opts = ReadOptions {
        id_field: args.id_field.clone(),
        text_field: args.text_field.clone(),
        meta: args.meta.clone(),
        blank_lines_are_records: args.envelope,
    };
    // One Spark task is one core: the streaming mode takes one thread unless told.
    let threads = match args.threads {
        None if args.envelope && std::env::var_os("RAYON_NUM_THREADS").is_none() => 1,
        t => t.unwrap_or(0),
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .context("cannot start worker threads")?;
    let threads = pool.current_num_threads();
    if args.envelope {
        return run_envelope(&args, &rules, plan.sources, &opts, &pool, started);
    }
    let mut outputs = Outputs::create(
        &args.output,
        WriteOptions {
            csv_safe: args.csv_safe,
            meta: args.meta.clone(),
            formats,
        },
        part,
    )?;

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
    let mut run_json = serde_json::json!({
        "whosaid_version": env!("CARGO_PKG_VERSION"),
        "rules_version": rules.version,
        "rules": rules.origin,
        "inputs": inputs,
        "skipped_files": plan.skipped,
        "output_files": formats.files().into_iter().chain(["run.json"]).collect::<Vec<_>>(),
        "threads": threads,
        "counts": counts,
        "seconds": (seconds * 1000.0).round() / 1000.0,
    });
    if let Some(p) = part {
        run_json["part"] = serde_json::json!({"index": p.index, "of": p.of});
        run_json["byte_range"] = serde_json::json!(range.map(|(s, e)| [s, e]));
    }
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

/// The streaming mode: envelopes on stdout, a summary on stderr.
fn run_envelope(
    args: &RunArgs,
    rules: &Rules,
    sources: Vec<Source>,
    opts: &ReadOptions,
    pool: &rayon::ThreadPool,
    started: Instant,
) -> anyhow::Result<ExitCode> {
    let encoder = EnvelopeEncoder {
        crash_on_id: std::env::var("WHOSAID_TEST_CRASH_ON_ID").ok(),
    };
    let mut sink = StreamSink {
        out: std::io::BufWriter::new(std::io::stdout()),
    };
    let records = read_records(sources, opts);
    let counts = pool
        .install(|| pipeline::run(rules, records, &encoder, &mut sink, |_| Ok(())))
        .context("cannot write to stdout")?;
    if !args.quiet {
        eprintln!(
            "whosaid: {} records ({} ok, {} errors), {} claims in {:.2} s → stdout",
            counts.records,
            counts.ok,
            counts.errors,
            counts.claims,
            started.elapsed().as_secs_f64()
        );
    }
    Ok(if counts.errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
