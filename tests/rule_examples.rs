//! Every rule in rules/ carries examples; every example must hold (rules/README.md).

use whosaid::examples::check_examples;
use whosaid::rules::Rules;

#[test]
fn every_rule_example_holds() {
    let rules = Rules::embedded().expect("embedded rules load");
    let (failures, n) = check_examples(&rules);
    assert!(
        n >= rules.rule_count(),
        "every rule has at least one example"
    );
    let report: String = failures.iter().map(ToString::to_string).collect();
    assert!(
        failures.is_empty(),
        "{} of {n} rule examples fail:\n{report}",
        failures.len()
    );
}
