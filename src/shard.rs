//! Runs split across machines: which inputs a shard reads, and `whosaid merge`,
//! which checks a sharded run's parts and joins them into the usual files.
//!
//! Shard `I/N` reads the I-th of N contiguous chunks of the sorted list of input
//! files, so parts 0..N-1 concatenated hold the records in the order a
//! one-machine run over the same sorted files gives them, byte for byte.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::pipeline::Counts;
use crate::read::Source;
use crate::write::{Outputs, Part, Rows, Sink, WriteOptions, ARTICLE_COLUMNS, DATA_FILES};

/// `I/N`, with I counted from 0.
pub fn parse_part(s: &str) -> Result<Part, String> {
    let bad = || format!("{s:?}: expected I/N with 0 <= I < N, e.g. 0/4");
    let (i, n) = s.split_once('/').ok_or_else(bad)?;
    let (index, of): (usize, usize) = (
        i.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if index >= of {
        return Err(bad());
    }
    Ok(Part { index, of })
}

/// `S:E`, byte offsets with S <= E.
pub fn parse_range(s: &str) -> Result<(u64, u64), String> {
    let bad = || format!("{s:?}: expected START:END byte offsets, e.g. 0:1000000");
    let (a, b) = s.split_once(':').ok_or_else(bad)?;
    let (a, b): (u64, u64) = (
        a.trim().parse().map_err(|_| bad())?,
        b.trim().parse().map_err(|_| bad())?,
    );
    if a > b {
        return Err(bad());
    }
    Ok((a, b))
}

/// The sources of shard `part`: the sorted list cut into `part.of` contiguous
/// chunks whose sizes differ by at most one.
pub fn select(mut sources: Vec<Source>, part: Part) -> Vec<Source> {
    sources.sort_by_key(Source::display);
    let n = sources.len();
    let (a, b) = (n * part.index / part.of, n * (part.index + 1) / part.of);
    sources.drain(a..b).collect()
}

/// What went wrong in a merge, naming the part or file.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("{0}")]
    Parts(String),
    #[error("{path}: {why}")]
    File { path: String, why: String },
    #[error(transparent)]
    Io(#[from] io::Error),
}

fn file_err(path: &Path, why: impl std::fmt::Display) -> MergeError {
    MergeError::File {
        path: path.display().to_string(),
        why: why.to_string(),
    }
}

struct Manifest {
    path: PathBuf,
    part: Part,
    json: serde_json::Value,
}

/// Every `part-I-of-N.manifest.json` in `dirs`.
fn manifests(dirs: &[PathBuf]) -> Result<Vec<Manifest>, MergeError> {
    let mut found = Vec::new();
    for dir in dirs {
        let entries = std::fs::read_dir(dir).map_err(|e| file_err(dir, e))?;
        for entry in entries {
            let path = entry.map_err(|e| file_err(dir, e))?.path();
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            let Some(part) = name
                .strip_prefix("part-")
                .and_then(|n| n.strip_suffix(".manifest.json"))
                .and_then(|n| n.split_once("-of-"))
                .and_then(|(i, n)| parse_part(&format!("{i}/{n}")).ok())
            else {
                continue;
            };
            let text = std::fs::read_to_string(&path).map_err(|e| file_err(&path, e))?;
            let json = serde_json::from_str(&text).map_err(|e| file_err(&path, e))?;
            found.push(Manifest { path, part, json });
        }
    }
    Ok(found)
}

/// The parts in order, checked: one N, every index once, one rules version.
fn complete(mut found: Vec<Manifest>, dirs: &[PathBuf]) -> Result<Vec<Manifest>, MergeError> {
    let shown: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
    let Some(n) = found.first().map(|m| m.part.of) else {
        return Err(MergeError::Parts(format!(
            "{}: no part-I-of-N.manifest.json found",
            shown.join(", ")
        )));
    };
    if let Some(m) = found.iter().find(|m| m.part.of != n) {
        return Err(file_err(
            &m.path,
            format!("a part of {} shards, the others are of {n}", m.part.of),
        ));
    }
    found.sort_by_key(|m| m.part.index);
    for pair in found.windows(2) {
        if pair[0].part.index == pair[1].part.index {
            return Err(MergeError::Parts(format!(
                "part {} of {n} found twice: {} and {}",
                pair[0].part.index,
                pair[0].path.display(),
                pair[1].path.display()
            )));
        }
    }
    let missing: Vec<String> = (0..n)
        .filter(|i| !found.iter().any(|m| m.part.index == *i))
        .map(|i| i.to_string())
        .collect();
    if !missing.is_empty() {
        return Err(MergeError::Parts(format!(
            "parts {} of {n} missing in {} (a shard that failed or has not finished)",
            missing.join(", "),
            shown.join(", ")
        )));
    }
    let rules = |m: &Manifest| m.json["rules_version"].clone();
    if let Some(m) = found.iter().find(|m| rules(m) != rules(&found[0])) {
        return Err(file_err(
            &m.path,
            format!(
                "rules {} differ from part 0's {}",
                rules(m),
                rules(&found[0])
            ),
        ));
    }
    Ok(found)
}

/// Copies one part's data file into the merged output, checking its size and
/// SHA-256 against the manifest; a CSV's header is checked and dropped, since
/// the output has its own. Returns the rows copied.
fn copy_part(
    m: &Manifest,
    name: &str,
    file: usize,
    header: &mut Option<Vec<u8>>,
    out: &mut Outputs,
) -> Result<usize, MergeError> {
    let path = m.path.with_file_name(m.part.file_name(name));
    let want = &m.json["files"][name];
    let mut r =
        BufReader::with_capacity(1 << 20, File::open(&path).map_err(|e| file_err(&path, e))?);
    let (mut hash, mut bytes, mut lines) = (Sha256::new(), 0u64, 0usize);
    if name.ends_with(".csv") {
        let mut line = Vec::new();
        r.read_until(b'\n', &mut line)
            .map_err(|e| file_err(&path, e))?;
        hash.update(&line);
        bytes += line.len() as u64;
        match header {
            Some(h) if *h != line => {
                return Err(file_err(&path, "its header differs from part 0's"));
            }
            Some(_) => {}
            None => *header = Some(line),
        }
    }
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = r.read(&mut buf).map_err(|e| file_err(&path, e))?;
        if n == 0 {
            break;
        }
        hash.update(&buf[..n]);
        bytes += n as u64;
        lines += memchr::memchr_iter(b'\n', &buf[..n]).count();
        let mut rows = Rows::default();
        rows.files[file] = buf[..n].to_vec();
        out.write(rows)?;
    }
    let hex: String = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
    if want["bytes"] != bytes || want["sha256"] != hex.as_str() {
        return Err(file_err(
            &path,
            format!(
                "does not match {} ({bytes} bytes, sha256 {hex}; the manifest says {})",
                m.path.display(),
                want
            ),
        ));
    }
    Ok(lines)
}

/// The counts of a manifest.
fn counts(m: &Manifest) -> Result<Counts, MergeError> {
    serde_json::from_value(m.json["counts"].clone())
        .map_err(|e| file_err(&m.path, format!("unreadable counts: {e}")))
}

/// What a merge did, for run.json and the summary.
pub struct Merged {
    pub parts: usize,
    pub counts: Counts,
}

/// Check the parts in `dirs` and write the merged files to `out`, run.json last.
pub fn merge(dirs: &[PathBuf], out: &Path) -> Result<Merged, MergeError> {
    let parts = complete(manifests(dirs)?, dirs)?;
    // The articles.csv header of part 0 names the --meta columns.
    let first = parts[0]
        .path
        .with_file_name(parts[0].part.file_name("articles.csv"));
    // Read as CSV: a --meta name may hold a comma, and is then quoted.
    let meta: Vec<String> = csv::Reader::from_path(&first)
        .and_then(|mut r| r.headers().cloned())
        .map_err(|e| file_err(&first, e))?
        .iter()
        .skip(ARTICLE_COLUMNS.len())
        .map(str::to_string)
        .collect();
    let mut outputs = Outputs::create(
        out,
        WriteOptions {
            csv_safe: false,
            meta,
            formats: Default::default(),
        },
        None,
    )?;
    let mut total = Counts::default();
    let mut headers: BTreeMap<&str, Option<Vec<u8>>> = BTreeMap::new();
    let mut inputs = Vec::new();
    for m in &parts {
        let c = counts(m)?;
        for (file, name) in DATA_FILES.iter().enumerate() {
            let lines = copy_part(
                m,
                name,
                file,
                headers.entry(name).or_default(),
                &mut outputs,
            )?;
            let want = match *name {
                "claims.jsonl" => Some(c.claims),
                "sentences.jsonl" => Some(c.sentences),
                _ => None,
            };
            if want.is_some_and(|w| w != lines) {
                return Err(file_err(
                    &m.path,
                    format!("counts do not add up: {name} has {lines} lines"),
                ));
            }
        }
        total.add(&c);
        if let Some(i) = m.json["inputs"].as_array() {
            inputs.extend(i.iter().cloned());
        }
    }
    let run_json = serde_json::json!({
        "whosaid_version": env!("CARGO_PKG_VERSION"),
        "rules_version": parts[0].json["rules_version"],
        "rules": parts[0].json["rules"],
        "inputs": inputs,
        "merged_from": parts.iter().map(|m| m.path.display().to_string()).collect::<Vec<_>>(),
        "output_files": ["claims.jsonl", "claims.csv", "sentences.jsonl", "sentences.csv", "articles.csv", "run.json"],
        "counts": total,
    });
    outputs.commit(&run_json)?;
    Ok(Merged {
        parts: parts.len(),
        counts: total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_and_ranges_parse_or_say_why() {
        assert_eq!(parse_part("1/4"), Ok(Part { index: 1, of: 4 }));
        assert!(parse_part("4/4").unwrap_err().contains("0 <= I < N"));
        assert!(parse_part("x").is_err());
        assert_eq!(parse_range("10:20"), Ok((10, 20)));
        assert!(parse_range("20:10").is_err());
    }

    #[test]
    fn shards_cover_the_sorted_inputs_once() {
        let src = |n: &str| Source::Csv {
            path: PathBuf::from(n),
        };
        let all: Vec<Source> = ["c", "a", "e", "b", "d"].map(src).to_vec();
        let joined: Vec<String> = (0..3)
            .flat_map(|i| select(all.clone(), Part { index: i, of: 3 }))
            .map(|s| s.display())
            .collect();
        assert_eq!(joined, ["a", "b", "c", "d", "e"]);
        assert!(select(all, Part { index: 0, of: 9 }).is_empty());
    }
}
