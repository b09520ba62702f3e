//! Differences between two priced runs, and between the inputs that produced them.
//!
//! [`Costs`] is what a comparison needs from a priced scenario — each policy's total and its
//! cost per workload — whether it was just evaluated or read back from a `compare --format
//! json` result. [`cost_changes`] pairs two of them by policy and workload name; the `*_edits`
//! functions list what changed in the inputs (workloads, routes, prices, dates) as [`Edit`]s.

use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;
use rust_decimal::Decimal;

use super::breakdown::Evaluation;
use crate::model::catalogue::{Adjustment, Catalogue, PriceSet};
use crate::model::scenario::{Policy, Scenario, Target, Workload};

/// One workload's cost under one policy, and the models it went to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkloadCost {
    pub name: String,
    pub cost: Decimal,
    pub models: Vec<String>,
}

/// One policy's month.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyCosts {
    pub name: String,
    pub total: Decimal,
    pub workloads: Vec<WorkloadCost>,
}

/// A priced scenario reduced to what comparisons need.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Costs {
    pub scenario: String,
    pub as_of: String,
    /// Requests per month, when every workload gives `requests`.
    pub requests: Option<u64>,
    pub policies: Vec<PolicyCosts>,
}

impl Costs {
    /// The month's costs: the priced lines, or for a scenario whose workflow was priced, the
    /// expected cost with retries and human review of each policy and workload.
    pub fn of_month(
        evaluation: &Evaluation,
        workflow: Option<&crate::engine::quality::WorkflowEvaluation>,
        as_of: String,
    ) -> Costs {
        let mut costs = Costs::of(evaluation, as_of);
        let Some(workflow) = workflow else {
            return costs;
        };
        for policy in &mut costs.policies {
            let Some(flow) = workflow.policies.iter().find(|p| p.policy == policy.name) else {
                continue;
            };
            policy.total = flow.expected_cost;
            let steps_of: HashMap<&str, _> = flow
                .workloads
                .iter()
                .map(|w| (w.workload.as_str(), w))
                .collect();
            for workload in &mut policy.workloads {
                if let Some(steps) = steps_of.get(workload.name.as_str()) {
                    workload.cost = steps.expected_cost;
                    workload.models = steps.steps.iter().map(|step| step.name.clone()).collect();
                }
            }
        }
        costs
    }

    pub fn of(evaluation: &Evaluation, as_of: String) -> Costs {
        Costs {
            scenario: evaluation.scenario.clone(),
            as_of,
            requests: evaluation.requests,
            policies: evaluation
                .policies
                .iter()
                .map(|policy| {
                    let mut workloads: Vec<WorkloadCost> = Vec::new();
                    // Workload positions by name: a month of many workloads groups its lines
                    // in linear time.
                    let mut positions: HashMap<&str, usize> = HashMap::new();
                    for line in &policy.lines {
                        let index = *positions.entry(&line.workload).or_insert_with(|| {
                            workloads.push(WorkloadCost {
                                name: line.workload.clone(),
                                cost: Decimal::ZERO,
                                models: Vec::new(),
                            });
                            workloads.len() - 1
                        });
                        workloads[index].cost += line.cost;
                        if !workloads[index].models.contains(&line.model) {
                            workloads[index].models.push(line.model.clone());
                        }
                    }
                    PolicyCosts {
                        name: policy.policy.clone(),
                        total: policy.total,
                        workloads,
                    }
                })
                .collect(),
        }
    }

    pub fn policy(&self, name: &str) -> Option<&PolicyCosts> {
        self.policies.iter().find(|policy| policy.name == name)
    }
}

/// A cost before and after; `None` where the policy or workload exists on one side only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CostChange {
    pub name: String,
    pub before: Option<Decimal>,
    pub after: Option<Decimal>,
}

impl CostChange {
    pub fn delta(&self) -> Option<Decimal> {
        self.after?.checked_sub(self.before?)
    }

    /// Δ as a percentage of the cost before; `None` when it was nothing (or below), unknown,
    /// or too large to express.
    pub fn percent(&self) -> Option<Decimal> {
        super::exact::percent(self.delta()?, self.before?)
    }

    pub fn is_unchanged(&self) -> bool {
        self.before.is_some() && self.before == self.after
    }
}

/// A policy's change, with its workloads' changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyChange {
    pub total: CostChange,
    pub workloads: Vec<WorkloadChange>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkloadChange {
    pub cost: CostChange,
    pub models_before: Vec<String>,
    pub models_after: Vec<String>,
}

/// Pairs policies and workloads by name: the new run's order first, then what was removed.
pub fn cost_changes(old: &Costs, new: &Costs) -> Vec<PolicyChange> {
    let mut names: Vec<&str> = new.policies.iter().map(|p| p.name.as_str()).collect();
    for policy in &old.policies {
        if !names.contains(&policy.name.as_str()) {
            names.push(&policy.name);
        }
    }
    names
        .into_iter()
        .map(|name| {
            let before = old.policy(name);
            let after = new.policy(name);
            let mut workloads: Vec<&str> = Vec::new();
            for policy in [after, before].into_iter().flatten() {
                for workload in &policy.workloads {
                    if !workloads.contains(&workload.name.as_str()) {
                        workloads.push(&workload.name);
                    }
                }
            }
            let find = |policy: Option<&'_ PolicyCosts>, workload: &str| {
                policy.and_then(|p| p.workloads.iter().find(|w| w.name == workload).cloned())
            };
            PolicyChange {
                total: CostChange {
                    name: name.to_string(),
                    before: before.map(|p| p.total),
                    after: after.map(|p| p.total),
                },
                workloads: workloads
                    .into_iter()
                    .map(|workload| {
                        let (b, a) = (find(before, workload), find(after, workload));
                        WorkloadChange {
                            cost: CostChange {
                                name: workload.to_string(),
                                before: b.as_ref().map(|w| w.cost),
                                after: a.as_ref().map(|w| w.cost),
                            },
                            models_before: b.map(|w| w.models).unwrap_or_default(),
                            models_after: a.map(|w| w.models).unwrap_or_default(),
                        }
                    })
                    .collect(),
            }
        })
        .collect()
}

/// Whether two runs share at least one policy or workload name.
pub fn have_common_ground(old: &Costs, new: &Costs) -> bool {
    old.policies.iter().any(|p| new.policy(&p.name).is_some())
        || old.policies.iter().any(|p| {
            p.workloads.iter().any(|w| {
                new.policies
                    .iter()
                    .any(|q| q.workloads.iter().any(|v| v.name == w.name))
            })
        })
}

/// One changed input: `workload 'hard'` · `output_tokens` · `10M` → `12M`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub subject: String,
    pub field: String,
    /// `None`: added.
    pub before: Option<String>,
    /// `None`: removed.
    pub after: Option<String>,
}

fn edit(subject: &str, field: &str, before: Option<String>, after: Option<String>) -> Edit {
    Edit {
        subject: subject.to_string(),
        field: field.to_string(),
        before,
        after,
    }
}

/// Compares two values and records an edit when they differ.
fn compare(edits: &mut Vec<Edit>, subject: &str, field: &str, before: String, after: String) {
    if before != after {
        edits.push(edit(subject, field, Some(before), Some(after)));
    }
}

/// What changed between two scenarios: name, date, baseline, discounts, workloads, policies.
pub fn scenario_edits(old: &Scenario, new: &Scenario, show: fn(Timestamp) -> String) -> Vec<Edit> {
    let mut edits = Vec::new();
    compare(
        &mut edits,
        "scenario",
        "name",
        old.name.clone(),
        new.name.clone(),
    );
    compare(
        &mut edits,
        "scenario",
        "as_of",
        show(old.as_of),
        show(new.as_of),
    );
    compare(
        &mut edits,
        "scenario",
        "baseline",
        old.baseline.clone(),
        new.baseline.clone(),
    );
    let providers: std::collections::BTreeSet<&String> =
        old.discounts.keys().chain(new.discounts.keys()).collect();
    for provider in providers {
        let shown =
            |d: Option<&Decimal>| d.map(|d| format!("{}%", (d * Decimal::ONE_HUNDRED).normalize()));
        let (b, a) = (
            shown(old.discounts.get(provider)),
            shown(new.discounts.get(provider)),
        );
        if b != a {
            edits.push(edit("discounts", provider, b, a));
        }
    }
    for workload in &new.workloads {
        let subject = format!("workload '{}'", workload.name);
        match old.workload(&workload.name) {
            None => edits.push(edit(&subject, "", None, Some(workload_summary(workload)))),
            Some(before) => {
                for ((field, b), (_, a)) in workload_fields(before)
                    .into_iter()
                    .zip(workload_fields(workload))
                {
                    compare(&mut edits, &subject, field, b, a);
                }
            }
        }
    }
    for workload in &old.workloads {
        if new.workload(&workload.name).is_none() {
            let subject = format!("workload '{}'", workload.name);
            edits.push(edit(&subject, "", Some(workload_summary(workload)), None));
        }
    }
    for policy in &new.policies {
        let subject = format!("policy '{}'", policy.name);
        match old.policy(&policy.name) {
            None => edits.push(edit(&subject, "", None, Some(policy_summary(policy)))),
            Some(before) => {
                let (b, a) = (routes(before), routes(policy));
                for index in 0..b.len().max(a.len()) {
                    let (rb, ra) = (b.get(index).cloned(), a.get(index).cloned());
                    if rb != ra {
                        edits.push(edit(&subject, &format!("route {}", index + 1), rb, ra));
                    }
                }
                let shown = |p: &Policy| p.default.as_ref().map(target);
                if shown(before) != shown(policy) {
                    edits.push(edit(&subject, "default", shown(before), shown(policy)));
                }
            }
        }
    }
    for policy in &old.policies {
        if new.policy(&policy.name).is_none() {
            let subject = format!("policy '{}'", policy.name);
            edits.push(edit(&subject, "", Some(policy_summary(policy)), None));
        }
    }
    edits
}

fn workload_fields(workload: &Workload) -> Vec<(&'static str, String)> {
    let share = |d: Decimal| d.normalize().to_string();
    vec![
        ("task", workload.task.clone().unwrap_or_default()),
        ("input_tokens", tokens(workload.input_tokens)),
        ("output_tokens", tokens(workload.output_tokens)),
        ("cache_hit_rate", share(workload.cache_hit_rate)),
        ("cache_write_rate", share(workload.cache_write_rate)),
        ("batch_share", share(workload.batch_share)),
        (
            "off_peak_share",
            workload.off_peak_share.map(share).unwrap_or_default(),
        ),
        ("tier", format!("{:?}", workload.tier).to_lowercase()),
        ("data_class", workload.data_class.as_str().to_string()),
    ]
}

fn workload_summary(workload: &Workload) -> String {
    format!(
        "{} input, {} output tokens",
        tokens(workload.input_tokens),
        tokens(workload.output_tokens)
    )
}

/// `100,000,000`: token counts as people read them.
fn tokens(count: u64) -> String {
    crate::report::format::tokens(Decimal::from(count))
}

fn target(target: &Target) -> String {
    let mut text = target.model.clone();
    if let Some(tier) = target.tier {
        text.push_str(&format!(" ({:?} tier)", tier).to_lowercase());
    }
    if target.prices == crate::model::scenario::PriceMode::List {
        text.push_str(" at list prices");
    }
    text
}

fn routes(policy: &Policy) -> Vec<String> {
    policy
        .routes
        .iter()
        .map(|route| {
            let m = &route.matcher;
            let mut criteria = Vec::new();
            if !m.workloads.is_empty() {
                criteria.push(format!("workload {}", m.workloads.join("|")));
            }
            if !m.tasks.is_empty() {
                criteria.push(format!("task {}", m.tasks.join("|")));
            }
            if !m.data_classes.is_empty() {
                let classes: Vec<&str> = m.data_classes.iter().map(|c| c.as_str()).collect();
                criteria.push(format!("data_class {}", classes.join("|")));
            }
            format!("{} → {}", criteria.join(", "), target(&route.target))
        })
        .collect()
}

fn policy_summary(policy: &Policy) -> String {
    let mut parts = routes(policy);
    if let Some(default) = &policy.default {
        parts.push(format!("default → {}", target(default)));
    }
    parts.join("; ")
}

/// What changed in the prices in effect at `as_of` between two catalogues.
pub fn catalogue_edits(
    old: &Catalogue,
    new: &Catalogue,
    as_of: Timestamp,
    show: fn(Timestamp) -> String,
) -> Vec<Edit> {
    let mut edits = Vec::new();
    let ids: std::collections::BTreeSet<&str> = old
        .model_ids()
        .into_iter()
        .chain(new.model_ids())
        .filter(|id| !old.same_definition(new, id))
        .collect();
    for id in ids {
        let subject = format!("model '{id}'");
        let set = |catalogue: &Catalogue| {
            catalogue
                .model(id)
                .and_then(|m| m.price_set_at(as_of))
                .cloned()
        };
        match (old.model(id), new.model(id)) {
            (None, Some(_)) => edits.push(edit(&subject, "", None, Some("added".to_string()))),
            (Some(_), None) => edits.push(edit(&subject, "", Some("defined".to_string()), None)),
            _ => {
                let (b, a) = (set(old), set(new));
                let (b, a) = (
                    price_fields(b.as_ref(), show),
                    price_fields(a.as_ref(), show),
                );
                for (field, before) in &b {
                    let after = a.get(field).cloned().unwrap_or_default();
                    if *before != after {
                        edits.push(edit(&subject, field, Some(before.clone()), Some(after)));
                    }
                }
                for (field, after) in &a {
                    if !b.contains_key(field) && !after.is_empty() {
                        edits.push(edit(&subject, field, None, Some(after.clone())));
                    }
                }
            }
        }
    }
    edits
}

fn price_fields(set: Option<&PriceSet>, show: fn(Timestamp) -> String) -> BTreeMap<String, String> {
    let mut fields = BTreeMap::new();
    let Some(set) = set else {
        fields.insert("price set".to_string(), "none".to_string());
        return fields;
    };
    let price = |d: Decimal| {
        let mut d = d.normalize();
        if d.scale() < 2 {
            d.rescale(2);
        }
        format!("${d}")
    };
    let optional = |d: Option<Decimal>| d.map(price).unwrap_or_else(|| "—".to_string());
    let adjustment = |a: &Option<Adjustment>| match a {
        None => "—".to_string(),
        Some(adjustment @ Adjustment::Discount { .. }) => adjustment.to_string(),
        Some(Adjustment::Rates(r)) => format!("{} in / {} out", price(r.input), price(r.output)),
    };
    fields.insert("from".to_string(), show(set.from));
    fields.insert("input".to_string(), price(set.rates.input));
    fields.insert("cached_input".to_string(), optional(set.rates.cached_input));
    fields.insert("cache_write".to_string(), optional(set.rates.cache_write));
    fields.insert("output".to_string(), price(set.rates.output));
    fields.insert("batch".to_string(), adjustment(&set.tiers.batch));
    fields.insert("flex".to_string(), adjustment(&set.tiers.flex));
    fields.insert("priority".to_string(), adjustment(&set.tiers.priority));
    let promotions: Vec<String> = set
        .promotions
        .iter()
        .map(|p| format!("{} until {}", p.name, show(p.until)))
        .collect();
    fields.insert("promotions".to_string(), promotions.join("; "));
    fields
}
