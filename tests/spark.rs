//! The Spark recipes' test suite (scale/spark/tests, pytest on `local[2]`): the
//! envelope and shard recipes give the one-machine claims, every input id gets
//! one envelope, a crashing binary fails the job. Needs the virtualenv
//! (scale/spark/requirements.txt) and Java 17; see tests/python/mod.rs.

mod python;

#[test]
fn spark_recipes_give_the_one_machine_claims() {
    // The debug binary that cargo test built: the suite checks bytes, not speed,
    // so its throughput test runs on a small corpus here.
    python::run_suite(
        "scale/spark/run_tests.sh",
        "pyspark, pytest, pyarrow, pandas",
        &["java"],
        &[("WHOSAID_SPARK_BENCH_MB", "2")],
    );
}
