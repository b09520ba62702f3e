//! The quality-aware parts of scenario and price files: their YAML shape and validation.
//!
//! Scenarios gain a `quality:` section (pass rates per model × task or workload, optionally
//! conditional on earlier chain models' true outcomes with `given:`, validator error
//! rates, the share of a failed answer sent back as context, reviewer sign-off per data class,
//! latency targets), an `uncertainty:` section (volume spread for `simulate`), and a `fallback:`
//! list on routes. Price files gain `humans:` (reviewers: cost per item or hourly rate × minutes,
//! review latency) and an optional `latency:` per model. Every problem is reported with its
//! place: rates outside 0–1, chains that loop or name unknown models, reviewers with no cost,
//! negative spreads.

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;
use serde::Deserialize;

use super::checker::Checker;
use super::diagnostic::Position;
use super::suggest::nearest;
use super::values::{self, Problem};
use super::yaml::Located;
use crate::model::catalogue::{Catalogue, Origin};
use crate::model::quality::{
    route_index, show_given, AmbiguousRates, Chain, Distribution, Evals, History, Human,
    ModelLatency, PassRate, PassScope, PolicyChains, Quality, Spread, Uncertainty, Validator,
    MAX_CONDITIONS,
};
use crate::model::scenario::{DataClass, Policy, Workload};

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawQuality {
    #[serde(default)]
    pass_rates: Vec<Located<RawPassRate>>,
    retry_context: Option<Located<String>>,
    validator: Option<RawValidator>,
    #[serde(default)]
    sign_off: BTreeMap<DataClass, Located<String>>,
    #[serde(default)]
    latency_targets: BTreeMap<String, Located<String>>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawPassRate {
    model: Located<String>,
    workload: Option<Located<String>>,
    task: Option<Located<String>>,
    rate: Option<Located<String>>,
    evals: Option<Located<String>>,
    /// Earlier chain models' true outcomes this rate is conditional on: `{model: pass|fail}`.
    #[serde(default)]
    #[schemars(schema_with = "given_schema")]
    given: Option<Located<BTreeMap<Located<String>, Located<String>>>>,
}

fn given_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "description": "the pass rate given earlier chain models' true outcomes, e.g. {deepseek-v4-flash: fail}",
        "type": "object",
        "minProperties": 1,
        "additionalProperties": {"type": "string", "enum": ["pass", "fail"]}
    })
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawValidator {
    false_accept: Option<Located<String>>,
    false_reject: Option<Located<String>>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawUncertainty {
    volume: Option<RawSpread>,
    #[serde(default)]
    workloads: BTreeMap<Located<String>, RawSpread>,
    #[serde(default)]
    input_tokens_per_request: BTreeMap<Located<String>, RawSpread>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawSpread {
    distribution: RawDistribution,
    spread: Located<String>,
}

#[derive(Clone, Copy, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
enum RawDistribution {
    Normal,
    Lognormal,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawHuman {
    /// Optional, and then it must say `human`: the key documents what the entry is.
    kind: Option<Located<String>>,
    cost_per_item: Option<Located<String>>,
    hourly_rate: Option<Located<String>>,
    minutes_per_item: Option<Located<String>>,
    review_latency: Located<String>,
    source: Option<String>,
    #[serde(rename = "note")]
    _note: Option<String>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawLatency {
    time_to_first_token: Located<String>,
    output_tokens_per_second: Located<String>,
}

/// The quality keys of one route or default, and where the route was written.
pub struct RouteQuality<'a> {
    pub fallback: Option<&'a Located<Vec<Located<String>>>>,
    pub validator: Option<&'a RawValidator>,
    pub position: Position,
}

/// The quality keys of one policy's routes (in order) and default.
pub struct PolicyQuality<'a> {
    pub routes: Vec<RouteQuality<'a>>,
    pub default: Option<RouteQuality<'a>>,
}

/// An amount of money in USD: `60`, `$1,500.00`; never negative.
pub fn money(text: &str) -> Result<Decimal, Problem> {
    let cleaned = text.trim().trim_start_matches('$').replace(',', "");
    let value = values::decimal(&cleaned).map_err(|_| {
        Problem::new(
            format!("'{text}' is not an amount of money"),
            "write an amount in USD such as 1500 or $1,500.00",
        )
    })?;
    if value.is_sign_negative() && !value.is_zero() {
        return Err(Problem::new(
            format!("amount '{text}' is negative"),
            "write an amount in USD of 0 or more",
        ));
    }
    Ok(value.normalize())
}

/// A duration with its unit: `800ms`, `2s`, `5min`, `4h`, `1d`; in seconds.
pub fn duration(text: &str) -> Result<Decimal, Problem> {
    let trimmed = text.trim();
    let help = "write a duration with its unit: 800ms, 2s, 5min, 4h or 1d";
    let split = trimmed
        .find(|c: char| c.is_ascii_alphabetic())
        .ok_or_else(|| Problem::new(format!("'{text}' has no unit"), help))?;
    let (number, unit) = trimmed.split_at(split);
    let seconds_per_unit = match unit.trim() {
        "ms" => Decimal::new(1, 3),
        "s" => Decimal::ONE,
        "min" | "m" => Decimal::from(60),
        "h" => Decimal::from(3_600),
        "d" => Decimal::from(86_400),
        _ => return Err(Problem::new(format!("'{text}' has an unknown unit"), help)),
    };
    let value = values::decimal(number.trim())
        .map_err(|_| Problem::new(format!("'{text}' is not a duration"), help))?;
    if value.is_sign_negative() && !value.is_zero() {
        return Err(Problem::new(format!("duration '{text}' is negative"), help));
    }
    Ok((value * seconds_per_unit).normalize())
}

/// A relative spread: `0.15` or `15%`, at least 0 and at most 10 (1000%).
pub fn spread(text: &str) -> Result<Decimal, Problem> {
    let trimmed = text.trim();
    let (number, scale) = match trimmed.strip_suffix('%') {
        Some(number) => (number, Decimal::ONE_HUNDRED),
        None => (trimmed, Decimal::ONE),
    };
    let value = values::decimal(number)? / scale;
    if value.is_sign_negative() && !value.is_zero() {
        return Err(Problem::new(
            format!("spread '{text}' is negative"),
            "a spread is a standard deviation relative to the mean: 0 or more, e.g. 15%",
        ));
    }
    if value > Decimal::TEN {
        return Err(Problem::new(
            format!("spread '{text}' is above 1000%"),
            "a spread is a standard deviation relative to the mean, e.g. 15% or 0.15",
        ));
    }
    Ok(value.normalize())
}

/// Eval counts `passes/total`, e.g. `188/200`.
fn evals(text: &str) -> Result<Evals, Problem> {
    let help = "write eval counts as passes/total, e.g. 188/200";
    let (passes, total) = text
        .split_once('/')
        .ok_or_else(|| Problem::new(format!("'{text}' is not passes/total"), help))?;
    let count = |part: &str| part.trim().replace('_', "").parse::<u64>().ok();
    let (Some(passes), Some(total)) = (count(passes), count(total)) else {
        return Err(Problem::new(format!("'{text}' is not passes/total"), help));
    };
    if total == 0 {
        return Err(Problem::new(format!("'{text}' counts no evals"), help));
    }
    if passes > total {
        return Err(Problem::new(
            format!("'{text}' has more passes than evals, a pass rate outside 0–1"),
            help,
        ));
    }
    Ok(Evals { passes, total })
}

fn positive(text: &str) -> Result<Decimal, Problem> {
    let value = values::decimal(text)?;
    if value <= Decimal::ZERO {
        return Err(Problem::new(
            format!("'{text}' is not above 0"),
            "write a number above 0",
        ));
    }
    Ok(value.normalize())
}

/// A `humans:` entry of a price file.
pub fn check_human(
    checker: &mut Checker,
    id: &Located<String>,
    raw: &Located<RawHuman>,
) -> Option<Human> {
    let entry = &raw.value;
    if let Some(kind) = &entry.kind {
        if kind.value != "human" {
            checker.error_at(
                kind.position,
                kind.value.chars().count(),
                format!("reviewer '{}' has kind '{}'", id.value, kind.value),
                "entries under `humans:` are of kind `human`; models go under `models:`",
            );
        }
    }
    let latency = checker.parse("review_latency", &entry.review_latency, duration);
    let cost = match (
        &entry.cost_per_item,
        &entry.hourly_rate,
        &entry.minutes_per_item,
    ) {
        (Some(cost), None, None) => checker.parse("cost_per_item", cost, money),
        (None, Some(rate), Some(minutes)) => {
            let rate = checker.parse("hourly_rate", rate, money);
            let minutes = checker.parse("minutes_per_item", minutes, |text| {
                values::decimal(text).and_then(|value| {
                    if value.is_sign_negative() && !value.is_zero() {
                        Err(Problem::new(
                            format!("'{text}' is negative"),
                            "minutes per item are 0 or more",
                        ))
                    } else {
                        Ok(value)
                    }
                })
            });
            Some(rate? * minutes? / Decimal::from(60))
        }
        _ => {
            checker.error_at(
                id.position,
                id.value.chars().count(),
                format!("human reviewer '{}' has no cost", id.value),
                "give `cost_per_item: 2.50`, or `hourly_rate: 60` with `minutes_per_item: 3` (not both)",
            );
            None
        }
    };
    Some(Human {
        id: id.value.clone(),
        cost_per_item: cost?.normalize(),
        review_latency_seconds: latency?,
        source: entry.source.clone(),
        origin: Origin {
            file: checker.source.name.clone(),
            position: id.position,
        },
    })
}

/// A model's optional `latency:` in a price file.
pub fn check_latency(checker: &mut Checker, raw: &Located<RawLatency>) -> Option<ModelLatency> {
    let ttft = checker.parse(
        "time_to_first_token",
        &raw.value.time_to_first_token,
        duration,
    );
    let speed = checker.parse(
        "output_tokens_per_second",
        &raw.value.output_tokens_per_second,
        positive,
    );
    Some(ModelLatency {
        time_to_first_token_seconds: ttft?,
        output_tokens_per_second: speed?,
    })
}

fn check_spread(checker: &mut Checker, raw: &RawSpread) -> Option<Spread> {
    let spread = checker.parse("spread", &raw.spread, spread)?;
    Some(Spread {
        distribution: match raw.distribution {
            RawDistribution::Normal => Distribution::Normal,
            RawDistribution::Lognormal => Distribution::LogNormal,
        },
        spread,
    })
}

/// The scenario's `uncertainty:` section.
pub fn check_uncertainty(
    checker: &mut Checker,
    raw: Option<&RawUncertainty>,
    workloads: &[Workload],
) -> Option<Uncertainty> {
    let Some(raw) = raw else {
        return Some(Uncertainty::default());
    };
    let volume = match &raw.volume {
        Some(spread) => Some(check_spread(checker, spread)),
        None => Some(None),
    };
    let mut by_workload = BTreeMap::new();
    let mut ok = true;
    for (name, spread) in &raw.workloads {
        check_workload_name(checker, name, workloads, "uncertainty.workloads");
        match check_spread(checker, spread) {
            Some(spread) => {
                by_workload.insert(name.value.clone(), spread);
            }
            None => ok = false,
        }
    }
    let mut input_tokens = BTreeMap::new();
    for (name, raw_spread) in &raw.input_tokens_per_request {
        let key = "uncertainty.input_tokens_per_request";
        check_workload_name(checker, name, workloads, key);
        let workload = workloads.iter().find(|w| w.name == name.value);
        if workload.is_some_and(|w| w.shape.is_none()) {
            checker.error_at(
                name.position,
                name.value.chars().count(),
                format!(
                    "`{key}` spreads workload '{}', which gives monthly totals, not requests",
                    name.value
                ),
                "give the workload `requests` with `input_tokens_per_request` and `output_tokens_per_request`",
            );
            ok = false;
        }
        match check_spread(checker, raw_spread) {
            Some(spread) if spread.distribution == Distribution::LogNormal => {
                input_tokens.insert(name.value.clone(), spread);
            }
            Some(_) => {
                checker.error_at(
                    raw_spread.spread.position,
                    raw_spread.spread.value.chars().count(),
                    format!("tokens per request of '{}' cannot be normal", name.value),
                    "token counts are positive and skewed: write `distribution: lognormal`",
                );
                ok = false;
            }
            None => ok = false,
        }
    }
    ok.then_some(())?;
    Some(Uncertainty {
        volume: volume?,
        workloads: by_workload,
        input_tokens,
    })
}

fn check_workload_name(
    checker: &mut Checker,
    name: &Located<String>,
    workloads: &[Workload],
    key: &str,
) {
    if workloads.is_empty() || workloads.iter().any(|w| w.name == name.value) {
        return;
    }
    let help = match nearest(&name.value, workloads.iter().map(|w| w.name.as_str())) {
        Some(close) => format!("did you mean '{close}'?"),
        None => "name a workload of this scenario".to_string(),
    };
    checker.error_at(
        name.position,
        name.value.chars().count(),
        format!(
            "`{key}` names workload '{}', which the scenario does not define",
            name.value
        ),
        help,
    );
}

fn check_validator(checker: &mut Checker, raw: Option<&RawValidator>) -> Option<Validator> {
    let Some(raw) = raw else {
        return Some(Validator::default());
    };
    let false_accept = checker.parse_optional("false_accept", &raw.false_accept, values::share);
    let false_reject = checker.parse_optional("false_reject", &raw.false_reject, values::share);
    Some(Validator {
        false_accept: false_accept?.unwrap_or_default(),
        false_reject: false_reject?.unwrap_or_default(),
    })
}

/// The scenario's `quality:` section and the `fallback:` lists of its routes. Returns
/// `Some(None)` for a scenario without quality data, `None` after reporting errors.
pub fn check_quality(
    checker: &mut Checker,
    raw: Option<&Located<RawQuality>>,
    raw_policies: &[PolicyQuality],
    policies: &[Policy],
    workloads: &[Workload],
    catalogue: &Catalogue,
    as_of: Option<jiff::Timestamp>,
) -> Option<Option<Quality>> {
    let Some(raw) = raw else {
        for policy in raw_policies {
            for route in policy.routes.iter().chain(&policy.default) {
                if let Some(fallback) = route.fallback {
                    checker.error_at(
                        fallback.position,
                        1,
                        "a fallback chain needs pass rates, and the scenario has no `quality:` section",
                        "add `quality: {pass_rates: [...]}` giving each routed model's pass rate (see scenarios/cascade-wins.yaml)",
                    );
                }
                if route.validator.is_some() {
                    checker.error_at(
                        route.position,
                        1,
                        "a validator needs pass rates, and the scenario has no `quality:` section",
                        "add `quality: {pass_rates: [...]}` (see scenarios/cascade-wins.yaml)",
                    );
                }
            }
        }
        return Some(None);
    };
    let raw = &raw.value;
    let mut ok = true;
    for workload in workloads {
        if workload.shape.is_none() {
            checker.error_at(
                workload.origin.position,
                1,
                format!(
                    "workload '{}' gives monthly token totals, but quality metrics count tasks",
                    workload.name
                ),
                "give `requests` with `input_tokens_per_request` and `output_tokens_per_request`",
            );
            ok = false;
        }
    }

    let mut pass_rates = Vec::new();
    let mut rates_ok = true;
    let mut seen: BTreeMap<(String, PassScope, BTreeMap<String, bool>), Position> = BTreeMap::new();
    let mut rate_positions = Vec::new();
    for entry in &raw.pass_rates {
        match check_pass_rate(checker, entry, workloads, catalogue) {
            Some(rate) => {
                let key = (rate.model.clone(), rate.scope.clone(), rate.given.clone());
                if let Some(first) = seen.get(&key) {
                    let given = if rate.given.is_empty() {
                        String::new()
                    } else {
                        format!(" with the same `{}`", show_given(&rate.given))
                    };
                    checker.error_at(
                        entry.position,
                        1,
                        format!(
                            "a second pass rate for model '{}' on the same {}{given} (the first is on line {})",
                            rate.model,
                            match &rate.scope {
                                PassScope::Workload(_) => "workload",
                                PassScope::Task(_) => "task",
                            },
                            first.line
                        ),
                        "keep one pass rate per model, workload or task, and `given:` conditions",
                    );
                    ok = false;
                } else {
                    seen.insert(key, entry.position);
                }
                pass_rates.push(rate);
                rate_positions.push(entry.position);
            }
            None => rates_ok = false,
        }
    }
    if rates_ok {
        ok &= check_conditional_bases(checker, &pass_rates, &rate_positions);
    }
    ok &= rates_ok;

    let retry_context = checker
        .parse_optional("retry_context", &raw.retry_context, values::share)
        .map(Option::unwrap_or_default);
    let validator = check_validator(checker, raw.validator.as_ref());

    let mut sign_off = BTreeMap::new();
    for (class, human) in &raw.sign_off {
        if check_step_name(checker, human, catalogue, as_of) == Some(StepKind::Human) {
            sign_off.insert(*class, human.value.clone());
        } else {
            if catalogue.model(&human.value).is_some() {
                checker.error_at(
                    human.position,
                    human.value.chars().count(),
                    format!("'{}' is a model, not a human reviewer", human.value),
                    "`sign_off` names a reviewer from the catalogue's `humans:`",
                );
            }
            ok = false;
        }
    }

    let mut latency_targets = BTreeMap::new();
    for (workload, target) in &raw.latency_targets {
        let name = Located::new(workload.clone(), target.position);
        check_workload_name(checker, &name, workloads, "latency_targets");
        match checker.parse("latency_targets", target, duration) {
            Some(seconds) => {
                latency_targets.insert(workload.clone(), seconds);
            }
            None => ok = false,
        }
    }

    let (Some(retry_context), Some(validator)) = (retry_context, validator) else {
        return None;
    };
    let mut quality = Quality {
        pass_rates,
        sign_off,
        latency_targets,
        chains: BTreeMap::new(),
    };

    for (raw_policy, policy) in raw_policies.iter().zip(policies) {
        let mut chains = PolicyChains::default();
        let routes = raw_policy.routes.iter().zip(&policy.routes).enumerate();
        for (index, (raw_route, route)) in routes {
            let served: Vec<&Workload> = workloads
                .iter()
                .filter(|w| route_index(policy, w) == Some(Some(index)))
                .collect();
            let chain = check_chain(
                checker,
                raw_route,
                &route.target.model,
                (retry_context, validator),
                (&served, rates_ok),
                &quality,
                catalogue,
                as_of,
            );
            match chain {
                Some(chain) => {
                    chains.routes.insert(index, chain);
                }
                None => ok = false,
            }
        }
        if let (Some(raw_default), Some(target)) = (&raw_policy.default, &policy.default) {
            let served: Vec<&Workload> = workloads
                .iter()
                .filter(|w| route_index(policy, w) == Some(None))
                .collect();
            let chain = check_chain(
                checker,
                raw_default,
                &target.model,
                (retry_context, validator),
                (&served, rates_ok),
                &quality,
                catalogue,
                as_of,
            );
            match chain {
                Some(chain) => chains.default = Some(chain),
                None => ok = false,
            }
        }
        quality.chains.insert(policy.name.clone(), chains);
    }
    if ok && quality.has_conditions() {
        ok &= check_conditions(
            checker,
            &quality,
            raw_policies,
            policies,
            workloads,
            &rate_positions,
        );
    }
    ok.then_some(Some(quality))
}

/// Every conditional rate refines an unconditional one of the same model and workload or task
/// (the rate a pattern falls back to); without it the conditional rate would never be used.
fn check_conditional_bases(
    checker: &mut Checker,
    rates: &[PassRate],
    positions: &[Position],
) -> bool {
    let mut ok = true;
    for (rate, position) in rates.iter().zip(positions) {
        if rate.given.is_empty() {
            continue;
        }
        let has_base = rates.iter().any(|base| {
            base.given.is_empty() && base.model == rate.model && base.scope == rate.scope
        });
        if !has_base {
            let (key, name) = match &rate.scope {
                PassScope::Workload(name) => ("workload", name),
                PassScope::Task(name) => ("task", name),
            };
            checker.error_at(
                *position,
                1,
                format!(
                    "a conditional pass rate for model '{}' on {key} '{name}' has no unconditional rate beside it",
                    rate.model
                ),
                format!(
                    "add `- {{model: {}, {key}: {name}, rate: 0.9}}`: it applies when the conditions do not hold",
                    rate.model
                ),
            );
            ok = false;
        }
    }
    ok
}

/// For every chain and workload it serves: at most [`MAX_CONDITIONS`] earlier outcomes are
/// tracked, and no pattern of earlier outcomes is matched by two conditional rates with the
/// same number of conditions (which one applies would be a guess).
fn check_conditions(
    checker: &mut Checker,
    quality: &Quality,
    raw_policies: &[PolicyQuality],
    policies: &[Policy],
    workloads: &[Workload],
    positions: &[Position],
) -> bool {
    let mut ok = true;
    let mut reported = BTreeSet::new();
    for (raw_policy, policy) in raw_policies.iter().zip(policies) {
        let Some(chains) = quality.chains.get(&policy.name) else {
            continue;
        };
        let routes = policy.routes.iter().enumerate().map(|(index, route)| {
            (
                Some(index),
                &route.target,
                chains.routes.get(&index),
                raw_policy.routes.get(index).map(|r| r.position),
            )
        });
        let default = policy.default.iter().map(|target| {
            (
                None,
                target,
                chains.default.as_ref(),
                raw_policy.default.as_ref().map(|r| r.position),
            )
        });
        for (index, target, chain, position) in routes.chain(default) {
            let Some(chain) = chain else { continue };
            let models: Vec<&str> = std::iter::once(target.model.as_str())
                .chain(chain.fallback.iter().map(String::as_str))
                .collect();
            for workload in workloads
                .iter()
                .filter(|w| route_index(policy, w) == Some(index))
            {
                let tracked = quality.tracked_steps(&models, workload);
                if tracked.count_ones() as usize > MAX_CONDITIONS {
                    checker.error_at(
                        position.unwrap_or(Position::UNKNOWN),
                        1,
                        format!(
                            "pass rates for the chain serving workload '{}' in policy '{}' depend on {} earlier outcomes",
                            workload.name,
                            policy.name,
                            tracked.count_ones()
                        ),
                        format!("condition on at most {MAX_CONDITIONS} models of one chain"),
                    );
                    ok = false;
                    continue;
                }
                for step in 1..models.len() {
                    let Some(rates) = quality.step_rates(&models, step, workload) else {
                        continue;
                    };
                    if rates.conditional.len() < 2 {
                        continue;
                    }
                    for history in histories(rates.depends_on()) {
                        if let Err(AmbiguousRates(first, second)) = rates.pick(history) {
                            ok = false;
                            if !reported.insert((first.min(second), first.max(second))) {
                                continue;
                            }
                            let (a, b) = (&quality.pass_rates[first], &quality.pass_rates[second]);
                            let mut both = a.given.clone();
                            both.extend(b.given.clone());
                            let (later, earlier_line) = if positions[first] < positions[second] {
                                (positions[second], positions[first].line)
                            } else {
                                (positions[first], positions[second].line)
                            };
                            checker.error_at(
                                later,
                                1,
                                format!(
                                    "two pass rates for model '{}' match the same earlier outcomes in the chain {} of policy '{}' (this one and line {earlier_line}), with as many conditions each",
                                    a.model,
                                    models.join(" → "),
                                    policy.name
                                ),
                                format!(
                                    "add the rate for requests where both hold: `- {{model: {}, …, {}, evals: …}}`",
                                    a.model,
                                    show_given(&both)
                                ),
                            );
                        }
                    }
                }
            }
        }
    }
    ok
}

/// Every pattern of true outcomes of the steps in `mask`.
fn histories(mask: u64) -> Vec<History> {
    let bits: Vec<usize> = (0..64).filter(|bit| mask & (1u64 << bit) != 0).collect();
    (0..1u64 << bits.len())
        .map(|pattern| {
            bits.iter()
                .enumerate()
                .fold(History::default(), |history, (i, &bit)| {
                    history.with(bit, pattern & (1 << i) != 0)
                })
        })
        .collect()
}

fn check_pass_rate(
    checker: &mut Checker,
    located: &Located<RawPassRate>,
    workloads: &[Workload],
    catalogue: &Catalogue,
) -> Option<PassRate> {
    let raw = &located.value;
    let mut ok = true;
    if catalogue.model(&raw.model.value).is_none() {
        let help = match catalogue.nearest_model(&raw.model.value) {
            Some(name) => format!("did you mean '{name}'? `mixcost models` lists the catalogue"),
            None => "`mixcost models` lists the catalogue".to_string(),
        };
        checker.error_at(
            raw.model.position,
            raw.model.value.chars().count(),
            format!("pass rate for unknown model '{}'", raw.model.value),
            help,
        );
        ok = false;
    }
    let scope = match (&raw.workload, &raw.task) {
        (Some(workload), None) => {
            check_workload_name(checker, workload, workloads, "pass_rates");
            Some(PassScope::Workload(workload.value.clone()))
        }
        (None, Some(task)) => Some(PassScope::Task(task.value.clone())),
        _ => {
            checker.error_at(
                located.position,
                1,
                format!(
                    "a pass rate for '{}' needs exactly one of `workload` and `task`",
                    raw.model.value
                ),
                "write e.g. `{model: gpt-5.5, task: extraction, rate: 0.97}`",
            );
            None
        }
    };
    let parsed = match (&raw.rate, &raw.evals) {
        (Some(rate), None) => checker
            .parse("rate", rate, values::share)
            .map(|rate| (rate, None)),
        (None, Some(text)) => checker.parse("evals", text, evals).map(|counts| {
            (
                (Decimal::from(counts.passes) / Decimal::from(counts.total)).normalize(),
                Some(counts),
            )
        }),
        _ => {
            checker.error_at(
                located.position,
                1,
                format!(
                    "a pass rate for '{}' needs exactly one of `rate` and `evals`",
                    raw.model.value
                ),
                "write `rate: 0.9` (or 90%), or eval counts `evals: 180/200` for a rate with its uncertainty",
            );
            None
        }
    };
    let given = match &raw.given {
        Some(given) => check_given(checker, given, &raw.model.value, catalogue),
        None => Some(BTreeMap::new()),
    };
    let (rate, evals) = parsed?;
    ok.then_some(())?;
    Some(PassRate {
        model: raw.model.value.clone(),
        scope: scope?,
        rate,
        evals,
        given: given?,
    })
}

/// A pass rate's `given: {model: pass|fail}`: other catalogue models, each once.
fn check_given(
    checker: &mut Checker,
    given: &Located<BTreeMap<Located<String>, Located<String>>>,
    model: &str,
    catalogue: &Catalogue,
) -> Option<BTreeMap<String, bool>> {
    if given.value.is_empty() {
        checker.error_at(
            given.position,
            1,
            format!("`given` of a pass rate for '{model}' lists no condition"),
            "remove `given: {}` for the unconditional rate, or write e.g. `given: {deepseek-v4-flash: fail}`",
        );
        return None;
    }
    let mut ok = true;
    let mut conditions = BTreeMap::new();
    for (name, outcome) in &given.value {
        let width = name.value.chars().count();
        if name.value == model {
            checker.error_at(
                name.position,
                width,
                format!("the pass rate of '{model}' is conditional on its own outcome"),
                "`given` names earlier models of the chain, whose answers this model retries",
            );
            ok = false;
        } else if catalogue.humans.contains_key(&name.value) {
            checker.error_at(
                name.position,
                width,
                format!("`given` names human reviewer '{}'", name.value),
                "a reviewer ends the chain; `given` names earlier models of the chain",
            );
            ok = false;
        } else if catalogue.model(&name.value).is_none() {
            let help = match catalogue.nearest_model(&name.value) {
                Some(close) => {
                    format!("did you mean '{close}'? `mixcost models` lists the catalogue")
                }
                None => "`mixcost models` lists the catalogue".to_string(),
            };
            checker.error_at(
                name.position,
                width,
                format!("`given` names unknown model '{}'", name.value),
                help,
            );
            ok = false;
        }
        let passed = match outcome.value.trim() {
            "pass" => Some(true),
            "fail" => Some(false),
            other => {
                checker.error_at(
                    outcome.position,
                    other.chars().count().max(1),
                    format!(
                        "'{other}' is not an outcome of model '{}' in `given`",
                        name.value
                    ),
                    "write `pass` (the model answered correctly) or `fail`",
                );
                None
            }
        };
        match passed {
            Some(passed) => {
                conditions.insert(name.value.clone(), passed);
            }
            None => ok = false,
        }
    }
    ok.then_some(conditions)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum StepKind {
    Model,
    Human,
}

/// Checks that `name` is a model priced on `as_of` or a human reviewer.
fn check_step_name(
    checker: &mut Checker,
    name: &Located<String>,
    catalogue: &Catalogue,
    as_of: Option<jiff::Timestamp>,
) -> Option<StepKind> {
    let width = name.value.chars().count();
    if catalogue.humans.contains_key(&name.value) {
        return Some(StepKind::Human);
    }
    let Some(model) = catalogue.model(&name.value) else {
        let known = catalogue
            .models
            .keys()
            .chain(catalogue.humans.keys())
            .map(String::as_str);
        let help = match nearest(&name.value, known) {
            Some(close) => format!("did you mean '{close}'? `mixcost models` lists the catalogue"),
            None => "name a model or a human reviewer from the catalogue".to_string(),
        };
        checker.error_at(
            name.position,
            width,
            format!("unknown model or reviewer '{}'", name.value),
            help,
        );
        return None;
    };
    if let Some(as_of) = as_of {
        if model.price_set_at(as_of).is_none() {
            checker.error_at(
                name.position,
                width,
                format!(
                    "model '{}' has no price on {}",
                    name.value,
                    values::show_instant(as_of)
                ),
                "move `as_of` to a date the model was priced, or fall back to another model",
            );
            return None;
        }
    }
    Some(StepKind::Model)
}

#[allow(clippy::too_many_arguments)]
fn check_chain(
    checker: &mut Checker,
    raw: &RouteQuality,
    first_model: &str,
    (retry_context, default_validator): (Decimal, Validator),
    (served, rates_ok): (&[&Workload], bool),
    quality: &Quality,
    catalogue: &Catalogue,
    as_of: Option<jiff::Timestamp>,
) -> Option<Chain> {
    let mut ok = true;
    let mut tried: BTreeSet<&str> = BTreeSet::from([first_model]);
    let mut fallback = Vec::new();
    let mut human = None;
    let names = raw
        .fallback
        .map(|list| list.value.as_slice())
        .unwrap_or(&[]);
    for (index, name) in names.iter().enumerate() {
        let width = name.value.chars().count();
        if human.is_some() {
            checker.error_at(
                name.position,
                width,
                format!(
                    "the chain goes on after human reviewer '{}'",
                    human.as_deref().unwrap_or_default()
                ),
                "a reviewer ends the chain: move it last, or remove what follows it",
            );
            ok = false;
            continue;
        }
        if !tried.insert(name.value.as_str()) {
            checker.error_at(
                name.position,
                width,
                format!("the fallback chain loops: '{}' is tried twice", name.value),
                "name each model once; a chain runs from the route's model to stronger ones",
            );
            ok = false;
            continue;
        }
        match check_step_name(checker, name, catalogue, as_of) {
            Some(StepKind::Model) => fallback.push(name.value.clone()),
            Some(StepKind::Human) => human = Some(name.value.clone()),
            None => ok = false,
        }
        let _ = index;
    }
    let validator = match raw.validator {
        Some(validator) => check_validator(checker, Some(validator)),
        None => Some(default_validator),
    };
    // A pass rate that failed to load was reported already; do not report it missing too.
    if ok && rates_ok {
        for workload in served {
            for model in std::iter::once(first_model).chain(fallback.iter().map(String::as_str)) {
                if quality.pass_rate(model, workload).is_none() {
                    let task = workload
                        .task
                        .as_deref()
                        .map(|task| format!(" (task {task})"))
                        .unwrap_or_default();
                    checker.error_at(
                        raw.position,
                        1,
                        format!(
                            "no pass rate for model '{model}' on workload '{}'{task}",
                            workload.name
                        ),
                        format!(
                            "add `- {{model: {model}, {}, rate: 0.9}}` under `quality.pass_rates`",
                            match &workload.task {
                                Some(task) => format!("task: {task}"),
                                None => format!("workload: {}", workload.name),
                            }
                        ),
                    );
                    ok = false;
                }
            }
        }
    }
    let validator = validator?;
    ok.then_some(Chain {
        fallback,
        human,
        retry_context,
        validator,
    })
}
