//! The `whosaid` command: parse arguments, dispatch, map errors to exit codes.
//! Exit codes: 0 all records ok, 1 the run finished but some records failed (or a
//! rule example failed), 2 usage or fatal error.

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

mod cmd;

// Articles make many small, short-lived allocations; mimalloc serves them faster
// than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "whosaid",
    about = "Who said what: attributed claims, cues, stance, issues and sourcing from news corpora",
    long_about = "Who said what: attributed claims, cues, stance, issues and sourcing from news corpora.\n\n\
        whosaid reads articles (.txt files, folders, JSONL, gzipped JSONL, CSV or JSONL on stdin), \
        splits them into sentences and applies pattern rules (rules/*.toml, embedded by default) to \
        write claims.jsonl, claims.csv, sentences.jsonl, sentences.csv, articles.csv and run.json.\n\n\
        Exit codes: 0 every record ok; 1 finished, but some records failed (see articles.csv) or a \
        rule example failed; 2 usage or fatal error (nothing written)."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Run(cmd::run::RunArgs),
    Rules(cmd::rules::RulesArgs),
    Eval(cmd::eval::EvalArgs),
    Merge(cmd::merge::MergeArgs),
    Report(cmd::report::ReportArgs),
    Stats(cmd::report::StatsArgs),
}

fn main() -> ExitCode {
    let version = cmd::version_line();
    let matches = Cli::command().version(version).get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    let result = match cli.command {
        Command::Run(args) => cmd::run::run(args),
        Command::Rules(args) => cmd::rules::run(args),
        Command::Eval(args) => cmd::eval::run(args),
        Command::Merge(args) => cmd::merge::run(args),
        Command::Report(args) => cmd::report::report(args),
        Command::Stats(args) => cmd::report::stats(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("whosaid: error: {e:#}");
            ExitCode::from(2)
        }
    }
}
