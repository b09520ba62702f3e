//! `replay --emit-scenario`: the log's segments written back as a scenario file.
//!
//! Workloads are the log's groups (its `workload` field, else task × data class, or
//! `--group-by`): requests, tokens per request, cache-hit and cache-write rates, the off-peak
//! and batch shares, and the lognormal spread of input tokens per request for `simulate`. The
//! scenario's policies, discounts and quality section are written back as they were loaded;
//! with shadow outcomes in the log, pass rates are measured from them. Where a figure cannot
//! be written exactly (tokens per request that do not divide, a rate with no finite decimal),
//! a comment under the workload says so.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use rust_decimal::Decimal;

use crate::engine::replay::{workload_label, Field, Plan, SegmentKey, Sums};
use crate::load::values::show_instant;
use crate::model::quality::{Chain, PassScope};
use crate::model::request::LoggedTier;
use crate::model::scenario::{DataClass, Match, Target};

/// One emitted workload: the sums of its segments.
#[derive(Clone, Debug, Default)]
pub struct Group {
    pub tasks: BTreeMap<String, u64>,
    pub data_classes: BTreeMap<DataClass, u64>,
    pub sums: Sums,
    pub off_peak_requests: u64,
    pub batch_requests: u64,
    pub tiers: BTreeMap<LoggedTier, u64>,
}

/// Groups segments into workloads, by label.
pub fn groups(segments: &BTreeMap<SegmentKey, Sums>, fields: &[Field]) -> BTreeMap<String, Group> {
    let mut groups: BTreeMap<String, Group> = BTreeMap::new();
    for (key, sums) in segments {
        let group = groups.entry(workload_label(key, fields)).or_default();
        if let Some(task) = &key.task {
            *group.tasks.entry(task.clone()).or_default() += sums.requests;
        }
        *group.data_classes.entry(key.data_class).or_default() += sums.requests;
        group.sums.merge(sums);
        if key.off_peak & 1 != 0 {
            group.off_peak_requests += sums.requests;
        }
        if key.tier == LoggedTier::Batch {
            group.batch_requests += sums.requests;
        } else {
            *group.tiers.entry(key.tier).or_default() += sums.requests;
        }
    }
    groups
}

/// `part / whole` as a decimal, and whether it is exact.
/// `part / whole` as a scenario input, and whether it is exact. A quotient with no finite
/// decimal (1/3) is rounded to [`RATE_PLACES`] places: a 28-digit rate would leave no digits
/// for the token counts and prices it multiplies, and `compare` would refuse it.
fn ratio(part: u64, whole: u64) -> (Decimal, bool) {
    if whole == 0 {
        return (Decimal::ZERO, true);
    }
    let value = Decimal::from(part) / Decimal::from(whole);
    let exact = value * Decimal::from(whole) == Decimal::from(part);
    if exact {
        (value.normalize(), true)
    } else {
        (value.round_dp(RATE_PLACES).normalize(), false)
    }
}

/// Decimal places of a rate that has no finite decimal.
const RATE_PLACES: u32 = 12;

fn names(list: &[String]) -> String {
    if list.len() == 1 {
        yaml_string(&list[0])
    } else {
        format!(
            "[{}]",
            list.iter()
                .map(|n| yaml_string(n))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

/// A YAML scalar, quoted when it could read as something else.
pub fn yaml_string(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
        && !text
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit() || c == '-' || c == '.')
        && !matches!(
            text.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "null" | "on" | "off" | "y" | "n"
        );
    if plain {
        text.to_string()
    } else {
        serde_json::to_string(text).unwrap_or_default()
    }
}

fn matcher(matcher: &Match) -> String {
    let mut parts = Vec::new();
    if !matcher.workloads.is_empty() {
        parts.push(format!("workload: {}", names(&matcher.workloads)));
    }
    if !matcher.tasks.is_empty() {
        parts.push(format!("task: {}", names(&matcher.tasks)));
    }
    if !matcher.data_classes.is_empty() {
        parts.push(format!(
            "data_class: [{}]",
            matcher
                .data_classes
                .iter()
                .map(|d| d.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    format!("{{{}}}", parts.join(", "))
}

fn target_lines(out: &mut String, indent: &str, target: &Target, chain: Option<&Chain>) {
    let _ = writeln!(out, "{indent}model: {}", yaml_string(&target.model));
    if let Some(tier) = target.tier {
        let tier = match tier {
            crate::model::scenario::ServiceTier::Standard => "standard",
            crate::model::scenario::ServiceTier::Flex => "flex",
            crate::model::scenario::ServiceTier::Priority => "priority",
        };
        let _ = writeln!(out, "{indent}tier: {tier}");
    }
    if target.prices == crate::model::scenario::PriceMode::List {
        let _ = writeln!(out, "{indent}prices: list");
    }
    if let Some(chain) = chain {
        let mut steps: Vec<String> = chain.fallback.iter().map(|s| yaml_string(s)).collect();
        if let Some(human) = &chain.human {
            steps.push(yaml_string(human));
        }
        if !steps.is_empty() {
            let _ = writeln!(out, "{indent}fallback: [{}]", steps.join(", "));
        }
        let validator = chain.validator;
        if !validator.false_accept.is_zero() || !validator.false_reject.is_zero() {
            let _ = writeln!(
                out,
                "{indent}validator: {{false_accept: {}, false_reject: {}}}",
                percent(validator.false_accept),
                percent(validator.false_reject)
            );
        }
    }
}

fn percent(value: Decimal) -> String {
    format!("{}%", (value * Decimal::ONE_HUNDRED).normalize())
}

/// One measured pass rate: `passes` of `total` requests of workload `label` on which `model`'s
/// outcome is known (and, for a conditional rate, the earlier chain models' outcomes are as in
/// `given`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Measured {
    pub label: String,
    pub model: String,
    pub given: BTreeMap<String, bool>,
    pub passes: u64,
    pub total: u64,
}

/// (workload label, model, given): what a measured pass rate is for.
type Conditional = (String, String, BTreeMap<String, bool>);

/// Pass rates measured from the log's outcomes: per workload and model, unconditional, and for
/// every fallback step conditional on the true outcomes of the models before it in each
/// policy's chain, so that the closed form walks the same patterns the replay does.
pub fn measured_pass_rates(
    plan: &Plan,
    segments: &BTreeMap<SegmentKey, Sums>,
    fields: &[Field],
) -> Vec<Measured> {
    let outcome_of = |key: &SegmentKey, model: &str| {
        plan.outcome_models
            .iter()
            .position(|m| m == model)
            .and_then(|index| key.outcome(index))
    };
    let mut counts: BTreeMap<Conditional, (u64, u64)> = BTreeMap::new();
    let quality = plan.scenario.quality.as_ref();
    for (key, sums) in segments {
        let label = workload_label(key, fields);
        for model in &plan.outcome_models {
            if let Some(pass) = outcome_of(key, model) {
                let entry = counts
                    .entry((label.clone(), model.clone(), BTreeMap::new()))
                    .or_default();
                entry.1 += sums.requests;
                if pass {
                    entry.0 += sums.requests;
                }
            }
        }
        let mut conditionals: std::collections::BTreeSet<(String, BTreeMap<String, bool>, bool)> =
            std::collections::BTreeSet::new();
        for policy in &plan.scenario.policies {
            let Some((route, target)) =
                policy.route_fields(key.workload.as_deref(), key.task.as_deref(), key.data_class)
            else {
                continue;
            };
            let chain =
                quality
                    .and_then(|q| q.chains.get(&policy.name))
                    .and_then(|c| match route {
                        Some(index) => c.routes.get(&index),
                        None => c.default.as_ref(),
                    });
            let Some(chain) = chain else { continue };
            let models: Vec<&String> = std::iter::once(&target.model)
                .chain(chain.fallback.iter())
                .collect();
            for step in 1..models.len() {
                let Some(pass) = outcome_of(key, models[step]) else {
                    continue;
                };
                let mut given = BTreeMap::new();
                let mut known = true;
                for earlier in &models[..step] {
                    match outcome_of(key, earlier) {
                        Some(outcome) if *earlier != models[step] => {
                            given.insert((*earlier).clone(), outcome);
                        }
                        Some(_) => {}
                        None => known = false,
                    }
                }
                if !known || given.is_empty() {
                    continue;
                }
                conditionals.insert((models[step].clone(), given, pass));
            }
        }
        // Policies sharing a chain name the same conditional: each counts a segment once.
        for (model, given, pass) in conditionals {
            let entry = counts.entry((label.clone(), model, given)).or_default();
            entry.1 += sums.requests;
            if pass {
                entry.0 += sums.requests;
            }
        }
    }
    counts
        .into_iter()
        .filter(|(_, (_, total))| *total > 0)
        .map(|((label, model, given), (passes, total))| Measured {
            label,
            model,
            given,
            passes,
            total,
        })
        .collect()
}

/// The scenario text.
pub fn scenario_yaml(
    plan: &Plan,
    segments: &BTreeMap<SegmentKey, Sums>,
    fields: &[Field],
    logs: &[PathBuf],
) -> String {
    let scenario = plan.scenario;
    let groups = groups(segments, fields);
    let mut out = String::new();
    let first = segments.values().filter_map(|s| s.first).min();
    let last = segments.values().filter_map(|s| s.last).max();
    let _ = writeln!(
        out,
        "# Emitted by `mixcost replay --emit-scenario` from {} ({} → {}).",
        logs.iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
        first.map(show_instant).unwrap_or_default(),
        last.map(show_instant).unwrap_or_default(),
    );
    let _ = writeln!(
        out,
        "# Workloads are measured; policies, discounts and quality come from {}.",
        scenario.file
    );
    let _ = writeln!(
        out,
        "name: {}",
        yaml_string(&format!("{} (from the log)", scenario.name))
    );
    // Prices as of the last request: a log within one price period replays exactly.
    let as_of = last.unwrap_or(scenario.as_of);
    let _ = writeln!(out, "as_of: {}", show_instant(as_of));
    let _ = writeln!(out, "workloads:");
    let mut spreads = Vec::new();
    for (name, group) in &groups {
        let sums = &group.sums;
        let _ = writeln!(out, "  - name: {}", yaml_string(name));
        let mut notes = Vec::new();
        match group.tasks.len() {
            0 => {}
            1 => {
                let task = group.tasks.keys().next().cloned().unwrap_or_default();
                let _ = writeln!(out, "    task: {}", yaml_string(&task));
            }
            _ => {
                let (task, _) = group
                    .tasks
                    .iter()
                    .max_by_key(|(task, count)| (**count, std::cmp::Reverse((*task).clone())))
                    .map(|(t, c)| (t.clone(), *c))
                    .unwrap_or_default();
                let _ = writeln!(out, "    task: {}", yaml_string(&task));
                notes.push(format!(
                    "requests of {} tasks; the most frequent is written",
                    group.tasks.len()
                ));
            }
        }
        let data_class = group
            .data_classes
            .iter()
            .max_by_key(|(_, count)| **count)
            .map(|(d, _)| *d)
            .unwrap_or_default();
        if group.data_classes.len() > 1 {
            notes.push("requests of several data classes; the most frequent is written".into());
        }
        let _ = writeln!(out, "    data_class: {}", data_class.as_str());
        let _ = writeln!(out, "    requests: {}", sums.requests);
        let input = sums.input_tokens / sums.requests.max(1);
        let output = sums.output_tokens / sums.requests.max(1);
        if input * sums.requests != sums.input_tokens
            || output * sums.requests != sums.output_tokens
        {
            notes.push(format!(
                "tokens per request rounded down from {} input and {} output tokens in all",
                sums.input_tokens, sums.output_tokens
            ));
        }
        let _ = writeln!(out, "    input_tokens_per_request: {input}");
        let _ = writeln!(out, "    output_tokens_per_request: {output}");
        let (hit, hit_exact) = ratio(sums.cached_tokens, sums.input_tokens);
        let (write, write_exact) = ratio(sums.cache_write_tokens, sums.input_tokens);
        if !hit.is_zero() {
            let _ = writeln!(out, "    cache_hit_rate: {hit}");
        }
        if !write.is_zero() {
            let _ = writeln!(out, "    cache_write_rate: {write}");
        }
        if !hit_exact || !write_exact {
            notes.push(format!(
                "cache rates have no finite decimal; rounded to {RATE_PLACES} places ({} cached, {} cache-write of {} input tokens)",
                sums.cached_tokens, sums.cache_write_tokens, sums.input_tokens
            ));
        }
        let (off_peak, off_peak_exact) = ratio(group.off_peak_requests, sums.requests);
        if plan_has_off_peak(plan) {
            let _ = writeln!(out, "    off_peak_share: {off_peak}");
            if !off_peak_exact {
                notes.push(format!(
                    "off-peak share rounded to {RATE_PLACES} places ({} of {} requests)",
                    group.off_peak_requests, sums.requests
                ));
            }
        }
        let (batch, batch_exact) = ratio(group.batch_requests, sums.requests);
        if !batch.is_zero() {
            let _ = writeln!(out, "    batch_share: {batch}");
            if !batch_exact {
                notes.push(format!(
                    "batch share rounded to {RATE_PLACES} places ({} of {} requests)",
                    group.batch_requests, sums.requests
                ));
            }
        }
        if let Some((tier, _)) = group.tiers.iter().max_by_key(|(_, c)| **c) {
            if *tier != LoggedTier::Standard {
                let _ = writeln!(out, "    tier: {}", tier.as_str());
            }
        }
        for note in notes {
            let _ = writeln!(out, "    # {note}");
        }
        if sums.requests > 1 && sums.log_input_squared > 0 {
            let n = sums.requests as f64;
            let mean = sums.log_input as f64 / 65_536.0 / n;
            let mean_square = sums.log_input_squared as f64 / (65_536.0 * 65_536.0) / n;
            let variance = (mean_square - mean * mean).max(0.0);
            let cv = (variance.exp() - 1.0).sqrt();
            if cv > 0.0005 {
                spreads.push((name.clone(), (cv * 1000.0).round() / 10.0));
            }
        }
    }

    let _ = writeln!(out, "policies:");
    let quality = scenario.quality.as_ref();
    for policy in &scenario.policies {
        let chains = quality.and_then(|q| q.chains.get(&policy.name));
        let _ = writeln!(out, "  - name: {}", yaml_string(&policy.name));
        if let Some(description) = &policy.description {
            let _ = writeln!(out, "    description: {}", yaml_string(description));
        }
        if !policy.routes.is_empty() {
            let _ = writeln!(out, "    routes:");
            for (index, route) in policy.routes.iter().enumerate() {
                let _ = writeln!(out, "      - match: {}", matcher(&route.matcher));
                target_lines(
                    &mut out,
                    "        ",
                    &route.target,
                    chains.and_then(|c| c.routes.get(&index)),
                );
            }
        }
        if let Some(default) = &policy.default {
            let _ = writeln!(out, "    default:");
            target_lines(
                &mut out,
                "      ",
                default,
                chains.and_then(|c| c.default.as_ref()),
            );
        }
        if let Some(review) = &policy.human_review {
            let _ = writeln!(out, "    human_review: {}", matcher(review));
        }
        if policy.compliance_exempt {
            let _ = writeln!(out, "    compliance: exempt");
        }
    }
    let _ = writeln!(out, "baseline: {}", yaml_string(&scenario.baseline));
    if !scenario.discounts.is_empty() {
        let _ = writeln!(out, "discounts:");
        for (provider, discount) in &scenario.discounts {
            let _ = writeln!(out, "  {}: {}", yaml_string(provider), percent(*discount));
        }
    }
    if let Some(quality) = quality {
        let _ = writeln!(out, "quality:");
        let chain = quality
            .chains
            .values()
            .flat_map(|c| c.routes.values().chain(c.default.iter()))
            .next();
        // Validators are written on each route; the retry context is one for the scenario.
        if let Some(chain) = chain {
            let _ = writeln!(out, "  retry_context: {}", percent(chain.retry_context));
        }
        if !quality.sign_off.is_empty() {
            let entries: Vec<String> = quality
                .sign_off
                .iter()
                .map(|(class, reviewer)| format!("{}: {}", class.as_str(), yaml_string(reviewer)))
                .collect();
            let _ = writeln!(out, "  sign_off: {{{}}}", entries.join(", "));
        }
        let _ = writeln!(out, "  pass_rates:");
        let measured = measured_pass_rates(plan, segments, fields);
        let measured_models: Vec<&String> = measured.iter().map(|m| &m.model).collect();
        for rate in &measured {
            let given = if rate.given.is_empty() {
                String::new()
            } else {
                let entries: Vec<String> = rate
                    .given
                    .iter()
                    .map(|(model, pass)| {
                        format!(
                            "{}: {}",
                            yaml_string(model),
                            if *pass { "pass" } else { "fail" }
                        )
                    })
                    .collect();
                format!(", given: {{{}}}", entries.join(", "))
            };
            let _ = writeln!(
                out,
                "    - {{model: {}, workload: {}{given}, evals: {}/{}}}",
                yaml_string(&rate.model),
                yaml_string(&rate.label),
                rate.passes,
                rate.total
            );
        }
        for rate in &quality.pass_rates {
            if measured_models.contains(&&rate.model) {
                continue;
            }
            let scope = match &rate.scope {
                PassScope::Workload(name) => format!("workload: {}", yaml_string(name)),
                PassScope::Task(task) => format!("task: {}", yaml_string(task)),
            };
            if let PassScope::Workload(name) = &rate.scope {
                if !groups.contains_key(name) {
                    continue;
                }
            }
            let value = match rate.evals {
                Some(evals) => format!("evals: {}/{}", evals.passes, evals.total),
                None => format!("rate: {}", rate.rate.normalize()),
            };
            let _ = writeln!(
                out,
                "    - {{model: {}, {scope}, {value}}}",
                yaml_string(&rate.model)
            );
        }
    }
    if !spreads.is_empty() {
        let _ = writeln!(out, "uncertainty:");
        let _ = writeln!(out, "  input_tokens_per_request:");
        for (name, spread) in spreads {
            let _ = writeln!(
                out,
                "    {}: {{distribution: lognormal, spread: {spread}%}}",
                yaml_string(&name)
            );
        }
    }
    out
}

fn plan_has_off_peak(plan: &Plan) -> bool {
    plan.catalogue
        .models
        .values()
        .any(|model| model.prices.iter().any(|set| set.off_peak.is_some()))
}
