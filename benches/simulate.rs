//! Benchmark of `simulate`: 100,000 trials of bench/bench-10x4.yaml (10 workloads, 4 policies,
//! chains of 3 models then a reviewer). bench/compare-numpy.sh runs it next to the same
//! simulation vectorized in NumPy.
//!
//! `cargo bench --bench simulate` (set RAYON_NUM_THREADS to compare thread counts).

use mixcost::engine::quality::evaluate_workflow;
use mixcost::engine::simulate::{simulate, Plan, Settings};
use mixcost::load::{pricing, scenario, source::SourceFile};

fn main() {
    divan::main();
}

fn plan() -> Plan {
    let catalogue = pricing::load_catalogue(&[])
        .expect("the shipped catalogue loads")
        .0;
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/bench/bench-10x4.yaml");
    let text = std::fs::read_to_string(path).expect("bench/bench-10x4.yaml exists");
    let scenario = scenario::load_scenario(&SourceFile::new(path, text), &catalogue)
        .expect("the benchmark scenario loads")
        .0;
    let workflow = evaluate_workflow(&scenario, &catalogue).expect("the workflow prices");
    Plan::with_quality(&scenario, &catalogue, &workflow).expect("the plan builds")
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn trials_100k_10_workloads_4_policies(bencher: divan::Bencher) {
    let plan = plan();
    let settings = Settings {
        trials: 100_000,
        seed: 1,
        budget: None,
    };
    bencher.bench(|| simulate(divan::black_box(&plan), settings, &|_| {}).expect("runs"));
}
