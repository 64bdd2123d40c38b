//! `whosaid eval CLAIMS GOLD`: the attribution scores of shared/tools/score_claims.py.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use whosaid::gold;
use whosaid::rules::Rules;
use whosaid::score::{load_claims, score, table, ScoreOptions};

#[derive(Args)]
#[command(
    about = "Score a claims.jsonl against gold: cue, attribution, source and content figures",
    long_about = "Score a claims.jsonl against gold annotations: cue, attribution (cue + source), \
        exact-source and full variants, source and content token scores, and precision by \
        sourcing. The figures are those of shared/tools/score_claims.py, to 4 decimals.\n\n\
        A prediction and a gold attribution match when their cue spans overlap (greedy, largest \
        overlap first, each used once). Gold annotates one attribution per token, so a claim \
        nested inside another claim's quotation either matches a gold attribution or counts \
        as a false positive, like any other claim.\n\n\
        Exit codes: 0 scored; 2 unreadable input, or a claim naming an article the gold lacks \
        or with offsets outside its text."
)]
pub struct EvalArgs {
    /// claims.jsonl written by `whosaid run`.
    claims: PathBuf,
    /// The gold: a gold JSONL (shared/tools/polnear_gold.py), a BRAT folder
    /// (text/*.txt + attributions/*.ann; first annotator's file where there are
    /// several), or native sample gold (a *.gold.jsonl file or a folder of them, see
    /// tests/samples/README.md).
    gold: PathBuf,
    /// Print one JSON object (score_claims.py --json keys, plus error examples).
    #[arg(long)]
    json: bool,
    /// Also list the N most frequent missed and spurious cues, each with an example
    /// sentence.
    #[arg(long, value_name = "N", default_value_t = 0)]
    errors: usize,
    /// Score only the gold articles that the claims file names.
    #[arg(long)]
    subset: bool,
    /// Where native gold finds the article texts (<article_id>.txt).
    #[arg(long, value_name = "DIR", default_value = "corpus")]
    texts: PathBuf,
}

pub fn run(args: EvalArgs) -> anyhow::Result<ExitCode> {
    let gold = gold::load(&args.gold, &args.texts)?;
    let (preds, _) = load_claims(&args.claims, &gold)?;
    let rules = Rules::embedded().map_err(|e| anyhow::anyhow!("embedded rules: {e}"))?;
    let report = score(
        &gold,
        &preds,
        &ScoreOptions {
            subset: args.subset,
            errors: args.errors,
            segmenter: Some(&rules.segmenter),
        },
    );
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!("{}", table(&report));
    }
    Ok(ExitCode::SUCCESS)
}
