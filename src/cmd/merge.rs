//! `whosaid merge DIR...`: join the parts of a sharded run.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use whosaid::shard::merge;

#[derive(Args)]
#[command(
    about = "Check the parts of a sharded run (run --shard I/N) and join them into the usual files",
    long_about = "Check the parts of a sharded run and join them into the usual files.\n\n\
        Reads every part-I-of-N.manifest.json in the folders given, checks that all N parts are \
        there once, that each part file has the size and SHA-256 its manifest records, that the \
        claims and sentences counts add up and that all parts used the same rules, then \
        concatenates the parts in order into claims.jsonl, claims.csv, sentences.jsonl, \
        sentences.csv and articles.csv (one header each) and writes run.json with the summed \
        counts. The files are the ones a one-machine run over the same sorted inputs writes.\n\n\
        Exit codes: 0 merged; 2 a part missing, doubled or damaged (nothing written)."
)]
pub struct MergeArgs {
    /// Folders holding the parts.
    #[arg(required = true, value_name = "DIR")]
    dirs: Vec<PathBuf>,
    /// Output folder (created if missing).
    #[arg(short, long, default_value = "output", value_name = "DIR")]
    output: PathBuf,
    /// No summary on stderr.
    #[arg(short, long)]
    quiet: bool,
}

pub fn run(args: MergeArgs) -> anyhow::Result<ExitCode> {
    let merged = merge(&args.dirs, &args.output)?;
    if !args.quiet {
        let c = merged.counts;
        eprintln!(
            "whosaid: merged {} parts: {} records ({} ok, {} errors), {} sentences, {} claims → {}",
            merged.parts,
            c.records,
            c.ok,
            c.errors,
            c.sentences,
            c.claims,
            args.output.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
