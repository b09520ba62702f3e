//! Sweep throughput on the seed scenario: a 1,000,000-point grid over three parameters
//! (repetitive cache-hit rate × batch share × OpenAI discount, 100 values each) × 3 policies,
//! every point exact. `bench/sweep_vs_numpy.py` runs the same grid in NumPy for comparison.

use criterion::{criterion_group, criterion_main, Criterion};
use mixcost::engine::sweep::{Axis, Sweep};
use mixcost::load::overrides::parse_dimension;
use mixcost::load::pricing::load_catalogue;
use mixcost::load::scenario::{load_scenario, seed_source};
use rust_decimal::Decimal;

const GRID: [&str; 3] = [
    "workloads.repetitive.cache_hit_rate=0:0.99:0.01",
    "workloads.*.batch_share=0:0.99:0.01",
    "discounts.openai=0:0.99:0.01",
];

fn sweep_seed_grid(c: &mut Criterion) {
    let (catalogue, _) = load_catalogue(&[]).expect("catalogue");
    let (scenario, _) = load_scenario(&seed_source(), &catalogue).expect("seed");
    let axes: Vec<Axis> = GRID
        .iter()
        .map(|text| parse_dimension(text).expect("dimension").axis())
        .collect();
    let mut group = c.benchmark_group("sweep");
    group.sample_size(10);
    group.bench_function("seed 1M points x 3 policies", |b| {
        b.iter(|| {
            let sweep =
                Sweep::new(&scenario, &catalogue, axes.clone(), &[], u64::MAX).expect("sweep");
            let mut total = Decimal::ZERO;
            sweep
                .run(65_536, |_, costs| {
                    total += costs[0];
                    true
                })
                .expect("run");
            total
        })
    });
    group.finish();
}

criterion_group!(benches, sweep_seed_grid);
criterion_main!(benches);
