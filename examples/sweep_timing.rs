//! Times the exact sweep engine on the seed scenario: a 1,000,000-point grid over three
//! parameters × 3 policies, evaluated without output. Prints the median of five runs as JSON;
//! `bench/sweep_vs_numpy.py` compares it with the same grid in NumPy.

use std::time::Instant;

use mixcost::engine::sweep::{variants, Axis, Sweep};
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
        .map(|text| {
            let d = parse_dimension(text).expect("dimension");
            Axis {
                path_text: d.path_text,
                path: d.path,
                values: d.values,
            }
        })
        .collect();
    let mut times = Vec::new();
    let mut checksum = Decimal::ZERO;
    for _ in 0..5 {
        let started = Instant::now();
        let variants = variants(&scenario, &catalogue, &axes).expect("variants");
        let sweep = Sweep::new(&scenario, &variants, axes.clone(), &[], u64::MAX).expect("sweep");
        let mut total = Decimal::ZERO;
        sweep
            .run(65_536, |_, costs| {
                total += costs[costs.len() - 1];
                true
            })
            .expect("run");
        times.push(started.elapsed().as_secs_f64());
        checksum = total;
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    let evaluations = 1_000_000.0 * 3.0;
    println!(
        "{{\"points\": 1000000, \"policies\": 3, \"threads\": {}, \"median_seconds\": {median:.4}, \"evaluations_per_second\": {:.0}, \"checksum\": \"{checksum}\"}}",
        rayon::current_num_threads(),
        evaluations / median
    );
}
