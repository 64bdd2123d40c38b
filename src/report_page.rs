//! `whosaid report`'s page: one self-contained HTML file (inline CSS, SVG charts,
//! a few lines of inline script for the table's search; nothing fetched), sized to
//! the window at any width.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::report::{ClaimRow, Summary, Table};
use crate::rules::{SOURCINGS, STANCES};

/// A class's place in SCHEMA.md's order of its kind (sourcing or stance), so
/// that a class keeps its colour from chart to chart and from report to report.
fn schema_rank(class: &str) -> Option<usize> {
    SOURCINGS
        .iter()
        .position(|c| *c == class)
        .or_else(|| STANCES.iter().position(|c| *c == class))
}

fn colour_of(class: &str, classes: &[String]) -> &'static str {
    let k = schema_rank(class)
        .or_else(|| classes.iter().position(|c| c == class))
        .unwrap_or(0);
    PALETTE[k % PALETTE.len()]
}

const PALETTE: &[&str] = &[
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#bab0ac",
];

pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn cut(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        return s.to_string();
    }
    s.chars().take(n - 1).collect::<String>() + "…"
}

const WIDTH: f64 = 720.0;
const LABEL: f64 = 210.0;
const ROW: f64 = 22.0;

fn svg_open(width: f64, height: f64, title: &str) -> String {
    format!(
        "<svg viewBox=\"0 0 {width} {height}\" width=\"100%\" role=\"img\" aria-label=\"{}\" \
         xmlns=\"http://www.w3.org/2000/svg\">",
        escape(title)
    )
}

/// Horizontal bars, one per item, labelled with their value, in a chart `width`
/// units wide whose labels take `label` of them.
pub fn bars(
    title: &str,
    items: &[(String, f64, String)],
    colour: &str,
    (width, label): (f64, f64),
) -> String {
    let max = items.iter().map(|i| i.1).fold(0.0, f64::max).max(1e-9);
    let height = ROW * items.len() as f64 + 8.0;
    let mut s = svg_open(width, height, title);
    // About 7.5 units a character of 12-unit text, with room for the ellipsis.
    let chars = (label / 7.5) as usize;
    for (k, (name, v, shown)) in items.iter().enumerate() {
        let y = 4.0 + ROW * k as f64;
        // Room on the right for the value's label.
        let w = (width - label - 110.0) * v / max;
        let _ = write!(
            s,
            "<text x=\"{:.0}\" y=\"{:.1}\" text-anchor=\"end\" class=\"l\">{}</text>\
             <rect x=\"{label}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{:.1}\" fill=\"{colour}\"><title>{}: {}</title></rect>\
             <text x=\"{:.1}\" y=\"{:.1}\" class=\"v\">{}</text>",
            label - 6.0,
            y + 15.0,
            escape(&cut(name, chars)),
            ROW - 6.0,
            escape(name),
            escape(shown),
            label + w + 4.0,
            y + 15.0,
            escape(shown)
        );
    }
    s + "</svg>"
}

/// 100 % stacked bars: one bar per group, one segment per class, and a legend.
pub fn stacked(title: &str, groups: &[(String, Vec<(String, f64)>)], classes: &[String]) -> String {
    let legend_rows = classes.len().div_ceil(4) as f64;
    let height = ROW * groups.len() as f64 + 12.0 + legend_rows * 18.0;
    let mut s = svg_open(WIDTH, height, title);
    let colour = |c: &str| colour_of(c, classes);
    for (k, (label, parts)) in groups.iter().enumerate() {
        let y = 4.0 + ROW * k as f64;
        let total: f64 = parts.iter().map(|p| p.1).sum::<f64>().max(1e-9);
        let _ = write!(
            s,
            "<text x=\"{:.0}\" y=\"{:.1}\" text-anchor=\"end\" class=\"l\">{}</text>",
            LABEL - 6.0,
            y + 15.0,
            escape(&cut(label, 32))
        );
        let mut x = LABEL;
        for (class, v) in parts {
            let w = (WIDTH - LABEL - 10.0) * v / total;
            let _ = write!(
                s,
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{:.1}\" fill=\"{}\">\
                 <title>{}, {}: {} ({:.1} %)</title></rect>",
                ROW - 6.0,
                colour(class),
                escape(label),
                escape(class),
                v,
                100.0 * v / total
            );
            x += w;
        }
    }
    let top = ROW * groups.len() as f64 + 12.0;
    for (k, class) in classes.iter().enumerate() {
        let (col, row) = ((k % 4) as f64, (k / 4) as f64);
        let (x, y) = (10.0 + col * 178.0, top + row * 18.0);
        let _ = write!(
            s,
            "<rect x=\"{x:.0}\" y=\"{y:.0}\" width=\"12\" height=\"12\" fill=\"{}\"/>\
             <text x=\"{:.0}\" y=\"{:.0}\" class=\"v\">{}</text>",
            colour(class),
            x + 16.0,
            y + 10.0,
            escape(class)
        );
    }
    s + "</svg>"
}

/// A line of shares (0..1) over ordered labels, months say.
pub fn line(title: &str, points: &[(String, f64)]) -> String {
    let (height, left, bottom, top) = (260.0, 50.0, 40.0, 10.0);
    let plot_h = height - bottom - top;
    let max = points.iter().map(|p| p.1).fold(0.0, f64::max).max(0.05);
    let step = if points.len() > 1 {
        (WIDTH - left - 40.0) / (points.len() - 1) as f64
    } else {
        0.0
    };
    let at = |k: usize, v: f64| (left + step * k as f64, top + plot_h * (1.0 - v / max));
    let mut s = svg_open(WIDTH, height, title);
    for t in 0..=4 {
        let v = max * t as f64 / 4.0;
        let (_, y) = at(0, v);
        let _ = write!(
            s,
            "<line x1=\"{left}\" x2=\"{:.0}\" y1=\"{y:.1}\" y2=\"{y:.1}\" class=\"g\"/>\
             <text x=\"{:.0}\" y=\"{:.1}\" text-anchor=\"end\" class=\"v\">{:.0} %</text>",
            WIDTH - 10.0,
            left - 4.0,
            y + 4.0,
            100.0 * v
        );
    }
    let path: Vec<String> = points
        .iter()
        .enumerate()
        .map(|(k, p)| {
            let (x, y) = at(k, p.1);
            format!("{x:.1},{y:.1}")
        })
        .collect();
    let _ = write!(
        s,
        "<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"/>",
        path.join(" "),
        PALETTE[2]
    );
    let every = points.len().div_ceil(12).max(1);
    for (k, (label, v)) in points.iter().enumerate() {
        let (x, y) = at(k, *v);
        let _ = write!(
            s,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3.5\" fill=\"{}\"><title>{}: {:.1} %</title></circle>",
            PALETTE[2],
            escape(label),
            100.0 * v
        );
        if k % every == 0 {
            let _ = write!(
                s,
                "<text x=\"{x:.1}\" y=\"{:.0}\" text-anchor=\"middle\" class=\"v\">{}</text>",
                height - bottom + 18.0,
                escape(label)
            );
        }
    }
    s + "</svg>"
}

fn num(s: &str) -> f64 {
    s.parse().unwrap_or(0.0)
}

/// Rows of a table grouped by its first column, in first-seen order, each as
/// (`name` column, `value` column).
fn grouped(t: &Table, name: usize, value: usize) -> Vec<(String, Vec<(String, f64)>)> {
    let mut order: Vec<String> = Vec::new();
    let mut groups: BTreeMap<String, Vec<(String, f64)>> = BTreeMap::new();
    for row in &t.rows {
        if !groups.contains_key(&row[0]) {
            order.push(row[0].clone());
        }
        groups
            .entry(row[0].clone())
            .or_default()
            .push((row[name].clone(), num(&row[value])));
    }
    order
        .into_iter()
        .map(|g| {
            let parts = groups.remove(&g).unwrap_or_default();
            (g, parts)
        })
        .collect()
}

fn classes_of(groups: &[(String, Vec<(String, f64)>)]) -> Vec<String> {
    let mut totals: BTreeMap<String, f64> = BTreeMap::new();
    for (_, parts) in groups {
        for (c, v) in parts {
            *totals.entry(c.clone()).or_default() += v;
        }
    }
    let rank = |c: &str| schema_rank(c).unwrap_or(usize::MAX);
    let mut v: Vec<(String, f64)> = totals.into_iter().collect();
    v.sort_by(|a, b| {
        rank(&a.0)
            .cmp(&rank(&b.0))
            .then_with(|| b.1.total_cmp(&a.1))
    });
    v.into_iter().map(|(c, _)| c).collect()
}

/// The chart of one table, or `None` when it has no rows (the page then says
/// so in words: an empty chart explains nothing).
pub fn chart(t: &Table) -> Option<String> {
    if t.rows.is_empty() {
        return None;
    }
    Some(match t.name {
        "sourcing" => {
            let items: Vec<(String, f64, String)> = t
                .rows
                .iter()
                .map(|r| {
                    let shown = format!("{} ({:.1} %)", r[1], 100.0 * num(&r[2]));
                    (r[0].clone(), num(&r[1]), shown)
                })
                .collect();
            bars(&t.title, &items, PALETTE[0], (WIDTH, LABEL))
        }
        "sourcing_by_outlet" | "stance_by_actor" => {
            // Both tables hold the class in column 1 and its claims in column 2.
            let mut groups = grouped(t, 1, 2);
            let classes = classes_of(&groups);
            for (_, parts) in &mut groups {
                parts.sort_by_key(|(c, _)| classes.iter().position(|k| k == c));
            }
            stacked(&t.title, &groups, &classes)
        }
        "top_actors_by_issue" => {
            let mut out = String::from("<div class=\"multiples\">");
            for (issue, actors) in grouped(t, 2, 3).into_iter().take(8) {
                let items: Vec<(String, f64, String)> = actors
                    .into_iter()
                    .take(5)
                    .map(|(a, n)| (a, n, format!("{n}")))
                    .collect();
                let _ = write!(
                    out,
                    "<figure><figcaption>{}</figcaption>{}</figure>",
                    escape(&issue),
                    bars(&issue, &items, PALETTE[4], (330.0, 135.0))
                );
            }
            out + "</div>"
        }
        "anonymous_over_time" => {
            let points: Vec<(String, f64)> =
                t.rows.iter().map(|r| (r[0].clone(), num(&r[3]))).collect();
            line(&t.title, &points)
        }
        _ => return None,
    })
}

const STYLE: &str = "\
*{box-sizing:border-box}\
body{font:15px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#222;background:#fafafa}\
main{max-width:1000px;margin:0 auto;padding:16px}\
h1{font-size:1.6em;margin:.2em 0}h2{font-size:1.2em;margin:1.6em 0 .4em}\
.cards{display:flex;flex-wrap:wrap;gap:10px}\
.card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:8px 12px;min-width:130px;flex:1}\
.card b{display:block;font-size:1.4em}\
section{background:#fff;border:1px solid #ddd;border-radius:6px;padding:10px 14px;margin-top:14px}\
svg{display:block;max-width:100%;height:auto}\
.chart{overflow-x:auto}.chart>svg{min-width:560px}\
.multiples svg{min-width:0}\
.scroll{overflow-x:auto}.scroll table{min-width:760px}\
svg text{font:12px system-ui,sans-serif;fill:#333}\
svg .g{stroke:#e5e5e5}\
.multiples{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:8px}\
figure{margin:0}figcaption{font-weight:600}\
.note{color:#666}\
table{width:100%;border-collapse:collapse;table-layout:fixed;font-size:13px}\
th,td{border-bottom:1px solid #eee;padding:4px;text-align:left;vertical-align:top;overflow-wrap:anywhere}\
th{background:#f3f3f3;position:sticky;top:0}\
input[type=search]{width:100%;padding:6px;font-size:15px;margin:6px 0}\
a{color:#2a5db0}";

const SCRIPT: &str = "\
const q=document.getElementById('q'),rows=[...document.querySelectorAll('#claims tbody tr')],\
n=document.getElementById('shown');\
q.addEventListener('input',()=>{const t=q.value.toLowerCase();let k=0;\
for(const r of rows){const m=!t||r.textContent.toLowerCase().includes(t);r.hidden=!m;if(m)k++;}\
n.textContent=k;});";

fn claims_table(rows: &[ClaimRow], total: usize) -> String {
    let mut s = format!(
        "<input type=\"search\" id=\"q\" placeholder=\"Search actor, cue, issue, text…\" \
         aria-label=\"Search the claims\"><p class=\"note\"><span id=\"shown\">{}</span> of {} \
         claims listed{}.</p><div class=\"scroll\"><table id=\"claims\"><colgroup><col style=\"width:12%\">\
         <col style=\"width:11%\"><col style=\"width:10%\"><col style=\"width:8%\">\
         <col style=\"width:8%\"><col style=\"width:10%\"><col style=\"width:41%\"></colgroup>\
         <thead><tr><th>article</th><th>actor</th><th>sourcing</th><th>cue</th><th>stance</th>\
         <th>issues</th><th>claim, and its sentence</th></tr></thead><tbody>",
        rows.len(),
        total,
        if rows.len() < total {
            format!(" (the first {}; all are in claims.csv)", rows.len())
        } else {
            String::new()
        }
    );
    for r in rows {
        let article = [r.article_id.as_str(), r.outlet.as_str(), r.date.as_str()]
            .iter()
            .filter(|x| !x.is_empty())
            .map(|x| escape(x))
            .collect::<Vec<_>>()
            .join("<br>");
        let _ = write!(
            s,
            "<tr><td>{article}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td><b>{}</b><br><span class=\"note\">{}</span></td></tr>",
            escape(&r.actor),
            escape(&r.sourcing),
            escape(&r.cue),
            escape(&r.stance),
            escape(&r.issues),
            escape(&r.content),
            escape(&r.sentence),
        );
    }
    s + "</tbody></table></div>"
}

/// The whole page. `csv_of` names the CSV file that holds a table's numbers.
pub fn page(title: &str, s: &Summary, csv_of: &dyn Fn(&Table) -> String) -> String {
    let mut out = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{}</title><style>{STYLE}</style></head><body><main><h1>{}</h1>",
        escape(title),
        escape(title)
    );
    if let Some(t) = s.table("counts") {
        out += "<div class=\"cards\">";
        for r in &t.rows {
            let v = if r[0].starts_with("share") {
                format!("{:.1} %", 100.0 * num(&r[1]))
            } else {
                escape(&r[1])
            };
            let _ = write!(out, "<div class=\"card\"><b>{v}</b>{}</div>", escape(&r[0]));
        }
        let _ = write!(
            out,
            "</div><p class=\"note\">Numbers: <a href=\"{}\">{}</a></p>",
            escape(&csv_of(t)),
            escape(&csv_of(t))
        );
    }
    for t in s.tables.iter().filter(|t| t.name != "counts") {
        let _ = write!(
            out,
            "<section id=\"{}\"><h2>{}</h2>",
            t.name,
            escape(&t.title)
        );
        match chart(t) {
            Some(svg) => {
                let _ = write!(out, "<div class=\"chart\">{svg}</div>");
            }
            None => out += "<p class=\"note\">No claims to show here.</p>",
        }
        let _ = write!(
            out,
            "<p class=\"note\">Numbers: <a href=\"{0}\">{0}</a></p></section>",
            escape(&csv_of(t))
        );
    }
    let missing: Vec<&str> = [
        (
            s.outlet_field.is_none(),
            "an outlet column (--meta publisher)",
        ),
        (s.date_field.is_none(), "a date column (--meta date)"),
    ]
    .iter()
    .filter(|(m, _)| *m)
    .map(|(_, w)| *w)
    .collect();
    if !missing.is_empty() {
        let _ = write!(
            out,
            "<p class=\"note\">Charts by outlet and over time need {} in articles.csv.</p>",
            missing.join(" and ")
        );
    }
    out += "<section id=\"claims-table\"><h2>The claims</h2>";
    out += &claims_table(&s.claims, s.claim_count);
    let _ = writeln!(
        out,
        "</section></main><script>{SCRIPT}</script></body></html>"
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_charts_have_marks() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        let svg = bars(
            "t",
            &[("a<b".into(), 2.0, "2".into())],
            "#000",
            (WIDTH, LABEL),
        );
        assert!(svg.contains("<rect") && svg.contains("a&lt;b"));
        let t = Table {
            name: "sourcing",
            title: "x".into(),
            columns: vec![],
            rows: vec![],
        };
        assert_eq!(chart(&t), None, "no rows, no chart");
    }
}
