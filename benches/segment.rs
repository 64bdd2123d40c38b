//! Segmentation and extraction throughput, in bytes of article text per second.
//! Texts: PolNeAR train (../shared/data/polnear/train/text) when present, else the
//! sample corpus. Run with `cargo bench --bench segment`.

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use whosaid::model::Article;
use whosaid::rules::Rules;

fn texts() -> (String, Vec<String>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let polnear = root.join("../shared/data/polnear/train/text");
    let dir = if polnear.is_dir() {
        polnear
    } else {
        root.join("corpus")
    };
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("text folder")
        .map(|e| e.expect("entry").path())
        .collect();
    paths.sort();
    let texts = paths
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .map(|p| std::fs::read_to_string(p).expect("UTF-8 text"))
        .collect();
    (dir.display().to_string(), texts)
}

fn bench(c: &mut Criterion) {
    let rules = Rules::embedded().expect("embedded rules");
    let (dir, texts) = texts();
    let bytes: usize = texts.iter().map(String::len).sum();
    eprintln!(
        "{} texts, {:.1} MB, from {dir}",
        texts.len(),
        bytes as f64 / 1e6
    );
    let mut g = c.benchmark_group("per-MB");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.sample_size(20);
    g.bench_function("segment", |b| {
        b.iter(|| {
            texts
                .iter()
                .map(|t| rules.segmenter.split(t).len())
                .sum::<usize>()
        })
    });
    g.bench_function("segment+extract", |b| {
        b.iter(|| {
            texts
                .iter()
                .map(|t| {
                    let a = Article {
                        id: String::new(),
                        text: t.clone(),
                        input: String::new(),
                        meta: Vec::new(),
                    };
                    whosaid::pipeline::process(&rules, a).claims.len()
                })
                .sum::<usize>()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
