//! Every sweep point equals `whatif` with the same overrides, exactly.
//!
//! Grids mix pricing dimensions (model prices, discounts) with volume dimensions (volume,
//! shares), so both the fixed-point hot loop and the plan cache are exercised; sampled points
//! are priced again through the ordinary override-and-evaluate path and must agree to the last
//! digit.

use mixcost::engine::overrides::{Change, Override};
use mixcost::engine::sweep::{Axis, Sweep};
use mixcost::engine::whatif::month_with;
use mixcost::load::overrides::parse_dimension;
use mixcost::load::pricing::load_catalogue;
use mixcost::load::scenario::load_scenario;
use mixcost::load::source::SourceFile;
use proptest::prelude::*;
use rust_decimal::Decimal;

fn axis(text: &str) -> Axis {
    let d = parse_dimension(text).unwrap_or_else(|e| panic!("{text}: {e}"));
    Axis {
        path_text: d.path_text,
        path: d.path,
        values: d.values,
    }
}

/// Grid specifications drawn from the paths a finance analyst varies, for one scenario.
fn grids() -> impl Strategy<Value = (String, Vec<String>)> {
    let seed = (0u32..=50, 1u32..=25, 1u32..=9, 0u32..=30, prop::bool::ANY).prop_map(
        |(start, step, count, discount, with_price)| {
            let end = start + step * count;
            let mut grid = vec![
                format!(
                    "workloads.*.cache_hit_rate={}:{}:{}",
                    Decimal::new(start.into(), 2),
                    Decimal::new(end.min(100).into(), 2),
                    Decimal::new(step.into(), 2)
                ),
                format!("discounts.openai=0%,{discount}%"),
                "workloads.repetitive.volume=x0.5,x1,x1.37".to_string(),
            ];
            if with_price {
                grid.push("models.deepseek-v4-pro.output=3.48,2.9,0.87".to_string());
            }
            ("scenarios/seed.yaml".to_string(), grid)
        },
    );
    let desk = (1u32..=20, 0u32..=100).prop_map(|(batch_step, write)| {
        (
            "scenarios/support-desk.yaml".to_string(),
            vec![
                format!(
                    "workloads.*.batch_share=0:1:{}",
                    Decimal::new(batch_step.into(), 2)
                ),
                format!("workloads.replies.requests=100k,{}k", 400 + write),
                "models.gpt-5.5.cached_input=0.5,0.25".to_string(),
            ],
        )
    });
    // Only shares vary (with pricing axes): the sweep's fastest, regrouped integer kernel.
    let shares = (1u32..=50, 1u32..=50, 0u32..=20).prop_map(|(hit_step, batch_step, write)| {
        (
            "scenarios/multi-vendor.yaml".to_string(),
            vec![
                format!(
                    "workloads.tagging.cache_hit_rate=0:0.8:{}",
                    Decimal::new(hit_step.into(), 2)
                ),
                format!(
                    "workloads.*.batch_share=0:1:{}",
                    Decimal::new(batch_step.into(), 2)
                ),
                format!(
                    "workloads.tagging.cache_write_rate=0,{}",
                    Decimal::new(write.into(), 2)
                ),
                "discounts.google=0%,7.5%".to_string(),
            ],
        )
    });
    prop_oneof![seed, desk, shares]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn sweep_points_equal_whatif((file, grid) in grids(), picks in prop::collection::vec(any::<u64>(), 8)) {
        let (catalogue, _) = load_catalogue(&[]).unwrap();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let source = SourceFile::read(&root.join(&file)).unwrap();
        let (scenario, _) = load_scenario(&source, &catalogue).unwrap();
        let axes: Vec<Axis> = grid.iter().map(|text| axis(text)).collect();
        let sweep = Sweep::new(&scenario, &catalogue, axes.clone(), &[], u64::MAX).unwrap();
        let mut results = Vec::new();
        sweep.run(1_000, |_, costs| { results.extend_from_slice(costs); true }).unwrap();
        let width = sweep.policies.len();
        prop_assert_eq!(results.len() as u64, sweep.points * width as u64);
        for pick in picks {
            let index = pick % sweep.points;
            let coordinates = sweep.coordinates(index);
            // The sweep applies pricing dimensions first, then volumes and shares, each group in
            // the order given; whatif gets the same list in that order.
            let mut overrides: Vec<(bool, Override)> = axes.iter().zip(&coordinates).map(|(axis, &i)| {
                (axis.path.changes_only_volumes(), Override {
                    path_text: axis.path_text.clone(),
                    path: axis.path.clone(),
                    change: axis.values.get(i),
                })
            }).collect();
            overrides.sort_by_key(|(volume_only, _)| *volume_only);
            let overrides: Vec<Override> = overrides.into_iter().map(|(_, o)| o).collect();
            let evaluation = month_with(&scenario, &catalogue, &overrides).unwrap().evaluation;
            for (slot, &policy) in sweep.policies.iter().enumerate() {
                let expected = evaluation.policies[policy].total;
                let got = results[index as usize * width + slot];
                prop_assert_eq!(got, expected, "point {} policy {}", index, evaluation.policies[policy].policy);
            }
        }
    }
}

#[test]
fn scaled_values_that_leave_the_fixed_point_scale_still_price_exactly() {
    // x1.37 volumes and 0.0028 prices at share scale 2 stay fixed point; a cache-hit rate with
    // seven decimals forces the Decimal path for those points. Both must agree with whatif.
    let (catalogue, _) = load_catalogue(&[]).unwrap();
    let (scenario, _) = load_scenario(&mixcost::load::scenario::seed_source(), &catalogue).unwrap();
    let axes = vec![axis(
        "workloads.repetitive.cache_hit_rate=0.1,0.1234567,0.5",
    )];
    let sweep = Sweep::new(&scenario, &catalogue, axes.clone(), &[], u64::MAX).unwrap();
    let mut results = Vec::new();
    sweep
        .run(2, |_, costs| {
            results.extend_from_slice(costs);
            true
        })
        .unwrap();
    for (index, change) in axes[0].values.iter().enumerate() {
        let overrides = [Override {
            path_text: axes[0].path_text.clone(),
            path: axes[0].path.clone(),
            change,
        }];
        let evaluation = month_with(&scenario, &catalogue, &overrides)
            .unwrap()
            .evaluation;
        for (slot, policy) in evaluation.policies.iter().enumerate() {
            assert_eq!(results[index * 3 + slot], policy.total);
        }
    }
    assert!(matches!(axes[0].values.get(1), Change::Set(_)));
}

#[test]
fn a_quality_scenario_swept_over_a_price_and_a_volume_equals_whatif_at_every_point() {
    // The expected month with retries and review is priced per point from a variant built for
    // each run of points sharing a price; blocks of 2 points make every run cross a boundary.
    let (catalogue, _) = load_catalogue(&[]).unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let source = SourceFile::read(&root.join("scenarios/cascade-wins.yaml")).unwrap();
    let (scenario, _) = load_scenario(&source, &catalogue).unwrap();
    let axes = vec![
        axis("workloads.*.volume=x0.5,x1,x3"),
        axis("models.gpt-5.5.output=10,30,31.5"),
    ];
    let sweep = Sweep::new(&scenario, &catalogue, axes.clone(), &[], u64::MAX).unwrap();
    let mut results = Vec::new();
    sweep
        .run(2, |_, costs| {
            results.extend_from_slice(costs);
            true
        })
        .unwrap();
    let width = sweep.policies.len();
    assert_eq!(results.len(), 9 * width);
    for index in 0..sweep.points {
        let coordinates = sweep.coordinates(index);
        let overrides: Vec<Override> = [1, 0]
            .iter()
            .map(|&a| Override {
                path_text: axes[a].path_text.clone(),
                path: axes[a].path.clone(),
                change: axes[a].values.get(coordinates[a]),
            })
            .collect();
        let month = month_with(&scenario, &catalogue, &overrides).unwrap();
        assert!(month.is_expected());
        for (slot, &policy) in sweep.policies.iter().enumerate() {
            assert_eq!(
                results[index as usize * width + slot],
                month.costs.policies[policy].total,
                "point {index}"
            );
        }
    }
}
