# %% [markdown]
# # From claims to answers
#
# A whosaid run folder holds one row per attributed claim (`claims.*`), one per
# sentence (`sentences.*`) and one per input record (`articles.csv`, with the
# `--meta` columns such as the outlet and the date). This notebook loads them with
# pandas and polars and answers four questions:
#
# 1. who is quoted on which issue,
# 2. how much rests on anonymous sources,
# 3. which outlet leans on "officials said",
# 4. who rejects what.
#
# It then draws three of the charts of `whosaid report` with matplotlib and checks
# that its numbers equal the report's (`report-*.csv`, written beside `report.html`),
# so the recipes below are known to count the same way the report does.
#
# Run it as a script, with the run folder and (optionally) where to put the figures:
#
#     whosaid run corpus/ -o output && whosaid report output
#     python examples/analyse.py output            # figures in output/figures
#
# or as a notebook (`examples/analyse.ipynb`, made from this file by
# `examples/make_notebook.py`), with the run folder in `WHOSAID_RUN_DIR`.
# The packages are in `examples/requirements.txt`.

# %%
import os
import sys
from pathlib import Path

import matplotlib

# In Jupyter, sys.argv holds the kernel's own arguments: the notebook takes its
# folders from the environment, the script from its command line.
IN_NOTEBOOK = "ipykernel" in sys.modules
if not IN_NOTEBOOK:
    matplotlib.use("Agg")  # files only, no window

import duckdb
import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator, PercentFormatter
import pandas as pd
import polars as pl

ARGS = [] if IN_NOTEBOOK else sys.argv[1:]
RUN = Path(ARGS[0] if ARGS else os.environ.get("WHOSAID_RUN_DIR", "output"))
FIGURES = Path(
    ARGS[1] if len(ARGS) > 1 else os.environ.get("WHOSAID_FIGURES_DIR") or RUN / "figures"
)
if not (RUN / "articles.csv").exists():
    raise SystemExit(f"{RUN}: not a whosaid run folder (no articles.csv); make one with `whosaid run INPUT -o {RUN}`")
FIGURES.mkdir(parents=True, exist_ok=True)

# The report's conventions: actors are ranked among named sources only, 10 of them
# (`whosaid report --top`), and "anonymous" counts unnamed officials too.
TOP = 10
NAMED = ["named_person", "named_organization"]
ANONYMOUS = ["anonymous", "unnamed_official"]
OUTLET_FIELDS = ["publisher", "outlet", "source", "site", "domain"]
DATE_FIELDS = ["date", "publication_date", "published", "pubdate"]
# The report's colours, so a class looks the same here and there.
PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
           "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"]

pd.set_option("display.width", 160)
pd.set_option("display.max_colwidth", 70)


def show(title, table, rows=12):
    """A table: rich in a notebook, text in a terminal."""
    print(f"\n## {title}")
    if IN_NOTEBOOK:
        from IPython.display import display

        display(table.head(rows))
    else:
        print(table.head(rows).to_string(index=False, max_colwidth=60) if len(table) else "(none)")


print(f"run folder: {RUN}   figures: {FIGURES}")

# %% [markdown]
# ## Load the run with pandas
#
# `claims.parquet` (from `whosaid run --format parquet`) is the quickest to read and
# keeps the spans as structs and `issues` as a list. Without it, `claims.jsonl` keeps
# them too; `claims.csv` has them flattened (`source_text`, `cue_lemma`, ...).
# `dtype=False` keeps the JSON types, so an id such as `007` stays a string.

# %%
SPANS = ["source", "cue", "content", "via"]


def read_claims_pandas(run):
    if (run / "claims.parquet").exists():
        claims = pd.read_parquet(run / "claims.parquet")
    elif (run / "claims.jsonl").stat().st_size:
        claims = pd.read_json(run / "claims.jsonl", lines=True, dtype=False, convert_dates=False)
    else:  # a run without claims: the columns of the CSV, no rows
        claims = pd.read_csv(run / "claims.csv", dtype=str).reindex(
            columns=["article_id", "claim_index", "sentence_index", "sourcing", "actor",
                     "quote", "stance", "negated", "issues", "rule"] + SPANS)
    # Spans are dicts (None when absent; a column that is null on every row loads as NaN),
    # issues a plain list.
    for col in SPANS:
        claims[col] = claims[col].map(lambda v: v if isinstance(v, dict) else None)
    claims["issues"] = claims["issues"].map(lambda v: [] if v is None else list(v))
    # The flat columns of claims.csv, for convenience.
    for col, key in [("source", "text"), ("cue", "text"), ("cue", "lemma"),
                     ("content", "text"), ("via", "sourcing")]:
        claims[f"{col}_{key}"] = claims[col].map(lambda v: None if v is None else v[key])
    return claims


def read_articles_pandas(run):
    if (run / "articles.parquet").exists():
        articles = pd.read_parquet(run / "articles.parquet")
    else:
        # Every column as text (ids and meta fields are text), then the counts as numbers.
        articles = pd.read_csv(run / "articles.csv", dtype=str, keep_default_na=False)
        articles["error"] = articles["error"].replace("", None)
    for col in ["chars", "sentences", "claims"]:
        articles[col] = pd.to_numeric(articles[col]).astype("int64")
    meta = [c for c in articles.columns if c not in
            ["article_id", "input", "status", "error", "chars", "sentences", "claims"]]
    articles[meta] = articles[meta].fillna("").astype(str)
    return articles


claims = read_claims_pandas(RUN)
articles = read_articles_pandas(RUN)

# The outlet and date columns the report uses: the first of these names articles.csv has.
OUTLET = next((c for c in OUTLET_FIELDS if c in articles.columns), None)
DATE = next((c for c in DATE_FIELDS if c in articles.columns), None)
meta = articles[["article_id"]].copy()
meta["outlet"] = articles[OUTLET].str.strip() if OUTLET else ""
# A month is the first seven characters of an ISO date: "2016-09".
dates = articles[DATE].str.strip() if DATE else pd.Series("", index=articles.index)
meta["month"] = dates.where((dates.str.len() >= 7) & (dates.str[4] == "-"), "").str[:7]
claims = claims.merge(meta, on="article_id", how="left")
claims[["outlet", "month"]] = claims[["outlet", "month"]].fillna("")
is_named = claims.sourcing.isin(NAMED)
is_anonymous = claims.sourcing.isin(ANONYMOUS)

print(f"{len(claims)} claims in {len(articles)} articles; "
      f"outlet column: {OUTLET or 'none'}; date column: {DATE or 'none'}")
show("claims (flattened view)", claims[["article_id", "actor", "sourcing", "cue_text", "stance", "issues", "content_text"]], 5)

# %% [markdown]
# ## The same with polars
#
# `pl.read_ndjson` guesses types from the first rows, so a span that is null there
# (often `via`) needs its struct type given. Every `articles.csv` column is read as
# text (`infer_schema=False`) and the counts cast to integers.

# %%
SPAN = {"text": pl.String, "start": pl.Int64, "end": pl.Int64}
CLAIM_TYPES = {
    "actor": pl.String,
    "source": pl.Struct(SPAN),
    "cue": pl.Struct({**SPAN, "lemma": pl.String}),
    "content": pl.Struct(SPAN),
    "via": pl.Struct({**SPAN, "sourcing": pl.String}),
    "issues": pl.List(pl.String),
}

if (RUN / "claims.parquet").exists():
    pclaims = pl.read_parquet(RUN / "claims.parquet")
    particles = pl.read_parquet(RUN / "articles.parquet")
else:
    pclaims = (pl.read_ndjson(RUN / "claims.jsonl", schema_overrides=CLAIM_TYPES)
               if len(claims) else pl.DataFrame(schema={"sourcing": pl.String, "stance": pl.String,
                                                        **CLAIM_TYPES}))
    particles = pl.read_csv(RUN / "articles.csv", infer_schema=False).with_columns(
        pl.col("chars", "sentences", "claims").cast(pl.Int64))

# The sourcing mix in polars, largest first, then by name (the report's order).
psourcing = (pclaims.group_by("sourcing").agg(pl.len().alias("claims"))
             .sort(["claims", "sourcing"], descending=[True, False])
             .with_columns(share=pl.col("claims") / max(pclaims.height, 1)))
assert pclaims.height == len(claims) and particles.height == len(articles)
psourcing

# %% [markdown]
# ## 1. Who is quoted on which issue
#
# Only named sources (a person or an organisation) are ranked: "officials" or an
# unresolved "he" is nobody a reader can look up. A claim can touch several issues;
# `explode` gives it one row per issue. Issues come in order of all their claims,
# actors by their named claims on that issue (ties by name), as in the report.

# %%
by_issue = claims.explode("issues").dropna(subset=["issues"])
issue_total = by_issue.groupby("issues").size()
named_on = by_issue[by_issue.sourcing.isin(NAMED) & by_issue.actor.fillna("").ne("")]
top_actors_by_issue = (
    named_on.groupby(["issues", "actor"]).size().rename("claims").reset_index()
    .assign(issue_total=lambda d: d.issues.map(issue_total))
    .sort_values(["issue_total", "issues", "claims", "actor"], ascending=[False, True, False, True])
    .assign(rank=lambda d: d.groupby("issues").cumcount() + 1)
    .query("rank <= @TOP")
    .rename(columns={"issues": "issue"})[["issue", "rank", "actor", "claims"]]
    .reset_index(drop=True)
)
show("who is quoted on which issue (named sources)", top_actors_by_issue, 20)

# %% [markdown]
# ## 2. How much rests on anonymous sources
#
# The sourcing mix: how many claims each kind of source carries. "Anonymous" in the
# report's sense is `anonymous` plus `unnamed_official` ("a senior official said").
# A claim may also rest on anonymous sources at one remove: "CNN reported, citing
# people familiar with the talks" is a `media_report` whose `via` is `anonymous`.

# %%
sourcing = (claims.sourcing.value_counts().rename_axis("sourcing").rename("claims").reset_index()
            .sort_values(["claims", "sourcing"], ascending=[False, True], ignore_index=True))
sourcing["share"] = sourcing.claims / max(len(claims), 1)
show("how claims are sourced", sourcing)

ok = int((articles.status == "ok").sum())
counts = pd.DataFrame({
    "measure": ["articles", "articles with errors", "sentences", "claims", "claims per article",
                "share with a named source", "share anonymous or unnamed official"],
    "value": [len(articles), len(articles) - ok, int(articles.sentences.sum()), len(claims),
              len(claims) / max(ok, 1), is_named.sum() / max(len(claims), 1),
              is_anonymous.sum() / max(len(claims), 1)],
}, dtype=object)
show("counts", counts)

at_one_remove = int((~is_anonymous & claims.via_sourcing.isin(ANONYMOUS)).sum())
print(f"{is_anonymous.sum()} of {len(claims)} claims ({is_anonymous.mean():.1%}) rest on anonymous "
      f"sources or unnamed officials; {at_one_remove} more cite them at one remove (via).")
per_article = (claims.assign(anonymous=is_anonymous).groupby("article_id")
               .agg(claims=("anonymous", "size"), anonymous_share=("anonymous", "mean"))
               .sort_values(["anonymous_share", "claims"], ascending=False).reset_index())
show("the articles that lean most on anonymous sources", per_article, 8)

# %% [markdown]
# ## 3. Which outlet leans on "officials said"
#
# The sourcing mix per outlet, as shares of each outlet's claims, and the outlets
# ranked by their share of unnamed officials ("officials said", "a senior
# diplomat said"). This needs an outlet column: `whosaid run --meta publisher`.

# %%
if OUTLET:
    with_outlet = claims[claims.outlet != ""]
    sourcing_by_outlet = (
        with_outlet.groupby(["outlet", "sourcing"]).size().rename("claims").reset_index()
        .sort_values(["outlet", "claims", "sourcing"], ascending=[True, False, True], ignore_index=True))
    sourcing_by_outlet["share"] = (sourcing_by_outlet.claims
                                   / sourcing_by_outlet.groupby("outlet").claims.transform("sum"))
    mix = pd.crosstab(with_outlet.outlet, with_outlet.sourcing, normalize="index")
    officials = (mix.reindex(columns=ANONYMOUS, fill_value=0.0)
                 .assign(claims=with_outlet.outlet.value_counts())
                 .sort_values(["unnamed_official", "anonymous"], ascending=False))
    show("outlets by their share of unnamed officials", officials.reset_index())
else:
    sourcing_by_outlet = None
    print("no outlet column in articles.csv: run whosaid with --meta publisher (or outlet, site, ...)")

# %% [markdown]
# ## 4. Who rejects what
#
# `stance` is what the cue carries: `oppose` for "rejected", "denied", "dismissed",
# "condemned". `negated` marks "did not deny". Below with pandas, then the count per
# actor with polars and DuckDB (SQL straight on the file).

# %%
rejects = claims.loc[claims.stance == "oppose",
                     ["actor", "sourcing", "cue_text", "negated", "content_text", "article_id"]]
show("who rejects what", rejects, 15)

prejects = (pclaims.filter(pl.col("stance") == "oppose")
            .group_by("actor").agg(pl.len().alias("claims"))
            .sort(["claims", "actor"], descending=[True, False], nulls_last=True))
def sql_path(path):
    return "'" + str(path).replace("'", "''") + "'"


if (RUN / "claims.parquet").exists():
    source = sql_path(RUN / "claims.parquet")
else:
    source = f"read_json({sql_path(RUN / 'claims.jsonl')}, format='newline_delimited')"
drejects = duckdb.sql(f"""
    SELECT actor, count(*) AS claims FROM {source} WHERE stance = 'oppose'
    GROUP BY actor ORDER BY claims DESC, actor NULLS LAST""").pl() if len(claims) else prejects
assert prejects.equals(drejects.cast(prejects.schema)), "polars and DuckDB disagree"
assert len(rejects) == prejects["claims"].sum()
prejects.head(10)

# %% [markdown]
# ## Stance by actor, and the share of anonymous sourcing over time
#
# The report's stance chart shows the 10 most quoted named actors and the stances of
# their claims. The time line follows the share of anonymous and unnamed-official
# sourcing per month of the articles' date (`whosaid run --meta date`).

# %%
named = claims[is_named & claims.actor.fillna("").ne("")]
top_actors = (named.actor.value_counts().rename("n").reset_index()
              .sort_values(["n", "actor"], ascending=[False, True]).actor.head(TOP).tolist())
stance_by_actor = (
    named[named.actor.isin(top_actors)].groupby(["actor", "stance"]).size().rename("claims").reset_index()
    .assign(order=lambda d: d.actor.map({a: k for k, a in enumerate(top_actors)}))
    .sort_values(["order", "claims", "stance"], ascending=[True, False, True])
    .drop(columns="order").reset_index(drop=True)
)
show("stance by actor", stance_by_actor, 15)

if DATE:
    dated = claims[claims.month != ""]
    anonymous_over_time = (dated.assign(anonymous_or_unnamed_official=dated.sourcing.isin(ANONYMOUS))
                           .groupby("month")
                           .agg(claims=("sourcing", "size"),
                                anonymous_or_unnamed_official=("anonymous_or_unnamed_official", "sum"))
                           .reset_index())
    anonymous_over_time["share"] = (anonymous_over_time.anonymous_or_unnamed_official
                                    / anonymous_over_time.claims)
    show("anonymous sourcing by month", anonymous_over_time)
else:
    anonymous_over_time = None
    print("no date column in articles.csv: run whosaid with --meta date (or publication_date)")

# %% [markdown]
# ## Three of the report's charts with matplotlib
#
# The sourcing mix; stance by actor as 100 % bars; and the anonymous share by month
# when the run has dates, else the top actors of each issue. Each is saved as a PNG.

# %%
saved = []


def save(fig, name):
    path = FIGURES / f"{name}.png"
    fig.savefig(path, dpi=110, bbox_inches="tight")
    saved.append(path)
    if not IN_NOTEBOOK:  # a notebook shows the figure, then closes it
        plt.close(fig)


# 1. The sourcing mix, largest on top.
fig, ax = plt.subplots(figsize=(8, 0.4 * len(sourcing) + 1))
ax.barh(sourcing.sourcing, sourcing.claims, color=PALETTE[0])
ax.invert_yaxis()
for y, (n, s) in enumerate(zip(sourcing.claims, sourcing.share)):
    ax.annotate(f"{n} ({s:.1%})", (n, y), xytext=(4, 0), textcoords="offset points", va="center")
ax.set_xlabel("claims")
ax.set_title("How claims are sourced")
ax.margins(x=0.2)
save(fig, "sourcing")

# 2. Stance by actor: each actor's claims as 100 %, stances in the report's colours.
stances = (stance_by_actor.groupby("stance").claims.sum().reset_index()
           .sort_values(["claims", "stance"], ascending=[False, True]).stance.tolist())
share = (stance_by_actor.pivot(index="actor", columns="stance", values="claims")
         .reindex(index=top_actors, columns=stances).fillna(0))
share = share.div(share.sum(axis=1), axis=0)
fig, ax = plt.subplots(figsize=(8, 0.4 * len(top_actors) + 1.5))
left = pd.Series(0.0, index=share.index)
for k, stance in enumerate(stances):
    ax.barh(share.index, share[stance], left=left, color=PALETTE[k % len(PALETTE)], label=stance)
    left += share[stance]
ax.invert_yaxis()
ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
ax.set_title("Stance by actor (the most quoted named sources)")
if stances:
    ax.legend(ncol=min(len(stances), 6), loc="upper center", bbox_to_anchor=(0.5, -0.08), frameon=False)
save(fig, "stance_by_actor")

# 3. Anonymous share by month, or (no dates) the top actors of the first issues.
if anonymous_over_time is not None and len(anonymous_over_time):
    fig, ax = plt.subplots(figsize=(8, 3.5))
    ax.plot(anonymous_over_time.month, anonymous_over_time.share, marker="o", color=PALETTE[2])
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_ylim(0, max(0.05, anonymous_over_time.share.max()) * 1.1)
    ax.set_title("Share of anonymous and unnamed-official sourcing by month")
    ax.grid(axis="y", color="#e5e5e5")
    save(fig, "anonymous_over_time")
else:
    issues = top_actors_by_issue.issue.drop_duplicates().head(8).tolist()
    cols = 2
    rows = max(1, -(-len(issues) // cols))
    fig, axes = plt.subplots(rows, cols, figsize=(9, 1.6 * rows + 0.6), squeeze=False)
    for ax in axes.flat[len(issues):]:
        ax.axis("off")
    for ax, issue in zip(axes.flat, issues):
        top5 = top_actors_by_issue[top_actors_by_issue.issue == issue].head(5)
        ax.barh(top5.actor, top5.claims, color=PALETTE[4])
        ax.invert_yaxis()
        ax.set_title(issue, loc="left", fontsize=10, fontweight="bold")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    fig.suptitle("Who is quoted on which issue (named sources)")
    fig.tight_layout()
    save(fig, "top_actors_by_issue")

print("figures:", ", ".join(str(p) for p in saved))

# %% [markdown]
# ## The same numbers as the report
#
# `whosaid report` writes each chart's numbers beside the page as `report-NAME.csv`.
# Every table above is compared with its CSV, cell by cell: counts exactly, shares
# to the report's 4 decimals. (Run `whosaid report RUN` first; without the CSVs
# this step only says so.)

# %%
def same_as_report(name, ours):
    path = RUN / f"report-{name}.csv"
    if not path.exists():
        print(f"{path.name}: not found (make it with `whosaid report {RUN}`)")
        return False
    theirs = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert list(theirs.columns) == list(ours.columns), f"{path.name}: columns {list(theirs.columns)}, here {list(ours.columns)}"
    assert len(theirs) == len(ours), f"{path.name}: {len(theirs)} rows, here {len(ours)}"
    for i, (mine, reported) in enumerate(zip(ours.itertuples(index=False), theirs.itertuples(index=False))):
        for col, x, y in zip(ours.columns, mine, reported):
            if isinstance(x, float):  # the report rounds: equal to its last decimal
                decimals = len(y.partition(".")[2])
                equal = abs(x - float(y)) <= 0.5 * 10 ** -decimals + 1e-9
            else:
                equal = str(x) == y
            assert equal, f"{path.name}, line {i + 2}, {col}: the report says {y!r}, this notebook {x!r}"
    print(f"{path.name}: the same {len(ours)} rows")
    return True


# polars and pandas agree first.
assert psourcing["sourcing"].to_list() == sourcing.sourcing.tolist()
assert psourcing["claims"].to_list() == sourcing.claims.tolist()

ours = {
    "counts": counts,
    "sourcing": sourcing,
    "sourcing_by_outlet": sourcing_by_outlet,
    "top_actors_by_issue": top_actors_by_issue,
    "stance_by_actor": stance_by_actor,
    "anonymous_over_time": anonymous_over_time,
}
checked = [name for name, table in ours.items() if table is not None and same_as_report(name, table)]
for name, table in ours.items():
    if table is None:
        assert not (RUN / f"report-{name}.csv").exists(), f"the report has {name}, this notebook does not"
print(f"equal to the report: {', '.join(checked) or 'nothing to compare (no report-*.csv)'}")
