//! `mixcost simulate`: the Monte Carlo mean converges to the exact closed form, the same seed
//! gives the same bytes on any thread count, and every output format is snapshotted.

mod common;
use mixcost::engine::quality::evaluate_workflow;
use mixcost::engine::simulate::{simulate, Plan, Settings, Simulation};
use mixcost::load::{pricing, scenario, source::SourceFile};
use mixcost::model::catalogue::Catalogue;
use mixcost::model::scenario::Scenario;
use rust_decimal::Decimal;

fn catalogue() -> Catalogue {
    pricing::load_catalogue(&[])
        .expect("the shipped catalogue loads")
        .0
}

fn load(path: &str, catalogue: &Catalogue) -> Scenario {
    let full = format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&full).expect("scenario exists");
    scenario::load_scenario(&SourceFile::new(path, text), catalogue)
        .expect("the scenario loads")
        .0
}

fn run(path: &str, trials: u64, seed: u64) -> Simulation {
    let catalogue = catalogue();
    let scenario = load(path, &catalogue);
    let workflow = evaluate_workflow(&scenario, &catalogue).unwrap();
    let plan = Plan::with_quality(&scenario, &catalogue, &workflow).unwrap();
    let settings = Settings {
        trials,
        seed,
        budget: None,
    };
    simulate(&plan, settings, &|_| {}).unwrap()
}

/// The simulated mean lies within 4 standard errors of the exact expectation (a 1-in-15,000
/// chance of failing by bad luck for a correct simulation; the seed is fixed, so it is stable).
#[test]
fn the_mean_converges_to_the_closed_form_expectation() {
    for path in [
        "tests/fixtures/quality/two-step.yaml",
        "scenarios/cascade-wins.yaml",
        "scenarios/cascade-loses.yaml",
        "tests/fixtures/quality/conditional.yaml",
    ] {
        let simulation = run(path, 40_000, 2026);
        for policy in &simulation.policies {
            let gap = (policy.cost.mean - policy.expected).abs();
            let bound = policy.standard_error * Decimal::from(4);
            assert!(
                policy.standard_error > Decimal::ZERO,
                "{path} {}: the month must vary",
                policy.policy
            );
            assert!(
                gap <= bound,
                "{path} {}: mean {} is {gap} from the exact {} (4 SE = {bound})",
                policy.policy,
                policy.cost.mean,
                policy.expected
            );
        }
    }
}

#[test]
fn conditional_rates_are_drawn_per_pattern_not_as_if_independent() {
    // conditional.yaml's cascade costs $269,583 exactly; read as independent (GPT-5.5 at
    // 90/100 whatever Flash did) it would cost $91,083. The simulation lands on the first.
    let simulation = run("tests/fixtures/quality/conditional.yaml", 40_000, 2026);
    let cascade = &simulation.policies[1];
    assert_eq!(cascade.expected, Decimal::from(269_583));
    let independent = Decimal::from(91_083);
    assert!((cascade.cost.mean - independent).abs() > cascade.standard_error * Decimal::from(100));
    // Success 0.9708 exactly (0.9778 under independence): 40,000 trials of ~1M requests.
    let success = cascade.success_rate.unwrap();
    assert!(
        (success - Decimal::new(9708, 4)).abs() < Decimal::new(5, 4),
        "{success}"
    );
}

#[test]
fn a_wrong_expectation_is_caught_by_the_bound() {
    // The bound is tight enough to matter: 1% off the exact expectation is far outside it.
    let simulation = run("tests/fixtures/quality/two-step.yaml", 40_000, 2026);
    let direct = &simulation.policies[0];
    let wrong = direct.expected * Decimal::new(101, 2);
    assert!((direct.cost.mean - wrong).abs() > direct.standard_error * Decimal::from(4));
}

#[test]
fn same_seed_same_result_whatever_the_thread_count() {
    let on = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| run("scenarios/cascade-wins.yaml", 5_500, 9))
    };
    let one = on(1);
    assert_eq!(one, on(2));
    assert_eq!(one, on(3));
    assert_ne!(
        one,
        run("scenarios/cascade-wins.yaml", 5_500, 10),
        "the seed matters"
    );
}

fn mixcost(args: &[&str], threads: &str) -> String {
    let run = common::run_with(&[("RAYON_NUM_THREADS", threads)], args);
    assert_eq!(run.code, Some(0), "mixcost {args:?} failed: {}", run.stderr);
    assert_eq!(
        run.stderr, "",
        "no progress bar when stderr is not a terminal"
    );
    run.stdout
}

#[test]
fn the_binary_prints_the_same_bytes_on_one_and_two_threads() {
    let args = [
        "simulate",
        "scenarios/cascade-loses.yaml",
        "--trials",
        "3000",
        "--seed",
        "5",
        "--format",
        "json",
    ];
    assert_eq!(mixcost(&args, "1"), mixcost(&args, "2"));
}

#[test]
fn simulate_in_every_format() {
    for format in ["table", "csv", "markdown", "json"] {
        let output = mixcost(
            &[
                "simulate",
                "scenarios/cascade-wins.yaml",
                "--trials",
                "2000",
                "--seed",
                "42",
                "--budget",
                "$100,000",
                "--format",
                format,
            ],
            "2",
        );
        insta::assert_snapshot!(format!("simulate_cascade_wins_{format}"), output);
    }
}

#[test]
fn a_scenario_without_quality_simulates_volume_only() {
    let output = mixcost(&["simulate", "--trials", "100", "--seed", "1"], "2");
    assert!(output.contains("volume: repetitive fixed, hard fixed"));
    assert!(
        output.contains("$469.60     $469.60     $469.60"),
        "{output}"
    );
    assert!(!output.contains("cost per successful task"));
}

/// Per-request cost of the long-context fixture by brute force: 400,000 request sizes drawn
/// one by one, each priced whole at standard ($5 / $30) or long-context ($10 / $45) prices.
fn brute_force_cost_per_request() -> f64 {
    use rand::SeedableRng;
    use rand_distr::{Distribution, LogNormal};
    let (mean, spread) = (200_000.0f64, 0.6f64);
    let sigma2 = (1.0 + spread * spread).ln();
    let sizes = LogNormal::new(mean.ln() - sigma2 / 2.0, sigma2.sqrt()).unwrap();
    let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(11);
    let draws = 400_000;
    let total: f64 = (0..draws)
        .map(|_| {
            let input: f64 = sizes.sample(&mut rng);
            if input > 272_000.0 {
                (input * 10.0 + 1_000.0 * 45.0) / 1e6
            } else {
                (input * 5.0 + 1_000.0 * 30.0) / 1e6
            }
        })
        .sum();
    total / draws as f64
}

#[test]
fn token_distributions_put_the_right_share_of_requests_on_long_context_prices() {
    let expected = brute_force_cost_per_request() * 100_000.0;
    let catalogue = catalogue();
    for path in [
        "tests/fixtures/quality/long-context.yaml",
        "tests/fixtures/quality/long-context-no-quality.yaml",
    ] {
        let scenario = load(path, &catalogue);
        let plan = match scenario.quality {
            Some(_) => {
                let workflow = evaluate_workflow(&scenario, &catalogue).unwrap();
                Plan::with_quality(&scenario, &catalogue, &workflow).unwrap()
            }
            None => {
                let evaluation =
                    mixcost::engine::evaluate::evaluate(&scenario, &catalogue).unwrap();
                Plan::without_quality(&scenario, &catalogue, &evaluation).unwrap()
            }
        };
        let settings = Settings {
            trials: 2_000,
            seed: 4,
            budget: None,
        };
        let simulation = simulate(&plan, settings, &|_| {}).unwrap();
        let policy = &simulation.policies[0];
        // At the mean size (200k < 272k) every request would be standard:
        // 100k × (200k × $5 + 1k × $30) / 1M = $100,000 + $3,000.
        assert_eq!(policy.expected, Decimal::from(103_000));
        let mean: f64 = policy.cost.mean.to_string().parse().unwrap();
        assert!(
            (mean - expected).abs() / expected < 0.01,
            "{path}: simulated {mean}, brute force {expected}"
        );
        assert!(mean > 110_000.0, "{path}: long-context requests cost more");
    }
}
