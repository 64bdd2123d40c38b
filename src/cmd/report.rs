//! `whosaid report DIR` and `whosaid stats DIR`: a run's aggregates as a page and
//! as text.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use whosaid::report::{csv_table, summarise, text_table, Options};
use whosaid::report_page::page;

#[derive(Args)]
pub struct Aggregates {
    /// Output folder of a run (claims.jsonl, sentences.jsonl, articles.csv).
    #[arg(value_name = "DIR")]
    dir: PathBuf,
    /// Column of articles.csv naming the outlet (default: the first of
    /// publisher, outlet, source, site, domain that it has; see run --meta).
    #[arg(long, value_name = "NAME")]
    outlet_field: Option<String>,
    /// Column of articles.csv holding an ISO date (default: the first of date,
    /// publication_date, published, pubdate that it has).
    #[arg(long, value_name = "NAME")]
    date_field: Option<String>,
    /// Actors shown per issue and in the stance chart.
    #[arg(long, default_value_t = 10, value_name = "N")]
    top: usize,
}

impl Aggregates {
    fn options(&self, table_limit: usize) -> Options {
        Options {
            outlet_field: self.outlet_field.clone(),
            date_field: self.date_field.clone(),
            top: self.top,
            table_limit,
        }
    }
}

#[derive(Args)]
#[command(
    about = "Write a run's aggregates as one self-contained HTML page with SVG charts",
    long_about = "Write a run's aggregates as one self-contained HTML page (no network, no external \
        scripts): counts at a glance, the sourcing mix overall and by outlet, top actors per issue, \
        stance by actor, the share of anonymous and unnamed-official sourcing by month, and a \
        searchable table of the claims with their sentences. Each chart's numbers are written \
        beside the page as report-NAME.csv.\n\n\
        Outlet and date come from articles.csv columns, which `whosaid run --meta` copies from \
        the input (e.g. --meta publisher,date).\n\n\
        Exit codes: 0 written; 2 unreadable or inconsistent run folder."
)]
pub struct ReportArgs {
    #[command(flatten)]
    agg: Aggregates,
    /// The page to write; the CSVs go beside it.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Claims listed in the page's table.
    #[arg(long, default_value_t = 500, value_name = "N")]
    table_limit: usize,
}

pub fn report(args: ReportArgs) -> anyhow::Result<ExitCode> {
    let summary = summarise(&args.agg.dir, &args.agg.options(args.table_limit))?;
    let out = args
        .output
        .unwrap_or_else(|| args.agg.dir.join("report.html"));
    let stem = out
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("report")
        .to_string();
    let folder = out
        .parent()
        .map(PathBuf::from)
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| PathBuf::from("."));
    std::fs::create_dir_all(&folder)
        .with_context(|| format!("{}: cannot create folder", folder.display()))?;
    let csv_name = |name: &str| format!("{stem}-{name}.csv");
    for t in &summary.tables {
        let path = folder.join(csv_name(t.name));
        std::fs::write(&path, csv_table(t))
            .with_context(|| format!("{}: cannot write", path.display()))?;
    }
    let title = format!("whosaid: {}", args.agg.dir.display());
    let html = page(&title, &summary, &|t| csv_name(t.name));
    std::fs::write(&out, &html).with_context(|| format!("{}: cannot write", out.display()))?;
    eprintln!(
        "whosaid: report of {} claims → {} ({} KB) and {} CSVs beside it",
        summary.claim_count,
        out.display(),
        html.len().div_ceil(1024),
        summary.tables.len()
    );
    Ok(ExitCode::SUCCESS)
}

#[derive(Args)]
#[command(
    about = "Print a run's aggregates as text tables (the numbers of `whosaid report`)",
    long_about = "Print a run's aggregates as text tables: the same numbers as `whosaid report`'s \
        charts (counts, sourcing mix overall and by outlet, top actors per issue, stance by actor, \
        anonymous sourcing by month).\n\nExit codes: 0 printed; 2 unreadable or inconsistent run folder."
)]
pub struct StatsArgs {
    #[command(flatten)]
    agg: Aggregates,
}

pub fn stats(args: StatsArgs) -> anyhow::Result<ExitCode> {
    let summary = summarise(&args.agg.dir, &args.agg.options(0))?;
    let text: Vec<String> = summary.tables.iter().map(text_table).collect();
    println!("{}", text.join("\n"));
    Ok(ExitCode::SUCCESS)
}
