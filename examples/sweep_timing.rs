//! Times the exact sweep engine on the seed scenario: a 1,000,000-point grid over three
//! parameters × 3 policies, evaluated without output. Prints the median of five runs as JSON;
//! `bench/sweep_vs_numpy.py` compares it with the same grid in NumPy.

use std::time::Instant;

use mixcost::engine::sweep::{Axis, Sweep};
use mixcost::load::overrides::parse_dimension;
use mixcost::load::pricing::load_catalogue;
use mixcost::load::scenario::{load_scenario, seed_source};
use rust_decimal::Decimal;

/// The grid of the benchmark: 100 × 100 × 100 values.
pub const GRID: [&str; 3] = [
    "workloads.repetitive.cache_hit_rate=0:0.99:0.01",
    "workloads.*.batch_share=0:0.99:0.01",
    "discounts.openai=0:0.99:0.01",
];

fn main() {
    let (catalogue, _) = load_catalogue(&[]).expect("catalogue");
    let (scenario, _) = load_scenario(&seed_source(), &catalogue).expect("seed");
    let axes: Vec<Axis> = GRID
        .iter()
        .map(|text| parse_dimension(text).expect("dimension").axis())
        .collect();
    let mut times = Vec::new();
    let mut samples: Vec<String> = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let sweep = Sweep::new(&scenario, &catalogue, axes.clone(), &[], u64::MAX).expect("sweep");
        // Keep a few exact points (point index × 3 policies) for the NumPy cross-check.
        let wanted = [0u64, 123_456, 999_999];
        let mut kept: Vec<String> = Vec::new();
        sweep
            .run(65_536, |start, costs| {
                for point in wanted {
                    if (start..start + (costs.len() / 3) as u64).contains(&point) {
                        let at = (point - start) as usize * 3;
                        let exact: Vec<String> =
                            costs[at..at + 3].iter().map(Decimal::to_string).collect();
                        kept.push(format!("[{point}, \"{}\"]", exact.join(",")));
                    }
                }
                true
            })
            .expect("run");
        times.push(started.elapsed().as_secs_f64());
        samples = kept;
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    let evaluations = 1_000_000.0 * 3.0;
    println!(
        "{{\"points\": 1000000, \"policies\": 3, \"threads\": {}, \"median_seconds\": {median:.4}, \"evaluations_per_second\": {:.0}, \"samples\": [{}]}}",
        rayon::current_num_threads(),
        evaluations / median,
        samples.join(", ")
    );
}
