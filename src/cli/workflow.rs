//! The workflow part of `compare`: cost per successful task, rework, escalation, latency.
//!
//! Shown only for scenarios with a `quality:` section, as two extra tables (per policy, then
//! per policy × workload) and a JSON `workflow` object, so scenarios without one print exactly
//! what they always did.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::engine::quality::{Latency, PolicyWorkflow, WorkflowEvaluation, WorkloadWorkflow};
use crate::report::{format, Cell, Document, Notes, Table};

fn percent(share: Decimal) -> Cell {
    Cell::Share(share * Decimal::ONE_HUNDRED)
}

fn optional(value: Option<Decimal>, cell: fn(Decimal) -> Cell) -> Cell {
    value.map(cell).unwrap_or(Cell::Empty)
}

/// Appends the workflow tables and notes to a `compare` document.
pub fn extend_document(document: &mut Document, workflow: &WorkflowEvaluation) {
    if let Some((heading @ None, _)) = document.tables.first_mut() {
        *heading =
            Some("first attempts only: model calls before retries and human review".to_string());
    }
    let baseline = workflow.baseline().map(|b| b.expected_cost);
    let mut totals = Table::new(&[
        "policy",
        "expected cost",
        "vs baseline",
        "success",
        "cost per success",
        "rework",
        "escalation",
        "human cost",
        "cost per call",
        "latency",
        "P95 latency",
    ]);
    for policy in &workflow.policies {
        let versus = if policy.policy == workflow.baseline {
            Cell::text("baseline")
        } else {
            optional(
                baseline.map(|baseline| policy.expected_cost - baseline),
                Cell::MoneyDelta,
            )
        };
        totals.push(vec![
            Cell::text(&policy.policy),
            Cell::Money(policy.expected_cost),
            versus,
            percent(policy.success_rate()),
            optional(policy.cost_per_success(), Cell::UnitMoney),
            percent(policy.rework_rate()),
            percent(policy.escalation_rate()),
            Cell::Money(policy.human_cost),
            optional(policy.cost_per_call(), Cell::UnitMoney),
            optional(policy.latency.map(|l| l.expected_seconds), Cell::Seconds),
            optional(policy.latency.map(|l| l.p95_seconds), Cell::Seconds),
        ]);
    }
    let mut by_workload = Table::new(&[
        "policy",
        "workload",
        "chain",
        "expected cost",
        "success",
        "wrong accepted",
        "failed",
        "cost per success",
        "rework",
        "escalation",
        "human cost",
        "P95 latency",
        "target",
        "within target",
    ]);
    let mut broken = Vec::new();
    for policy in &workflow.policies {
        for flow in &policy.workloads {
            let within = match (flow.latency, flow.latency_target) {
                (Some(_), Some(_)) if flow.breaks_target() => {
                    broken.push(broken_note(policy, flow));
                    Cell::text("no")
                }
                (Some(_), Some(_)) => Cell::text("yes"),
                _ => Cell::Empty,
            };
            by_workload.push(vec![
                Cell::text(&policy.policy),
                Cell::text(&flow.workload),
                Cell::text(flow.chain_label()),
                Cell::Money(flow.expected_cost),
                percent(flow.success_rate),
                percent(flow.accepted_bad_rate),
                percent(flow.failed_rate),
                optional(cost_per_success(flow), Cell::UnitMoney),
                percent(flow.rework_rate),
                percent(flow.escalation_rate),
                Cell::Money(flow.human_cost),
                optional(flow.latency.map(|l| l.p95_seconds), Cell::Seconds),
                optional(flow.latency_target, Cell::Seconds),
                within,
            ]);
        }
    }
    // The expected month is the headline: it is what the bill will show, and what every
    // other command prices. The first-attempt table follows it.
    document.tables.insert(
        0,
        (
            Some("expected month with retries and human review".to_string()),
            totals,
        ),
    );
    document
        .tables
        .push((Some("workflow by workload".to_string()), by_workload));
    let mut items = vec![
        "expected cost = Σ over the chain of (share reaching a step × that step's monthly cost) + reviews; exact, from the pass rates".to_string(),
        "success counts answers that pass validation and are accepted, plus what a reviewer fixes; 'wrong accepted' are bad answers the validator let through".to_string(),
        "cost per call is the first attempt's cost per request, what a per-call price list suggests; batch traffic counts as 24 h of latency".to_string(),
    ];
    items.extend(broken);
    items.extend(
        workflow
            .missing_latency
            .iter()
            .map(|text| format!("{text}; latency not shown")),
    );
    document.notes.push(Notes {
        heading: "workflow".to_string(),
        items,
        when_empty: None,
    });
}

fn cost_per_success(flow: &WorkloadWorkflow) -> Option<Decimal> {
    let successes = flow.successes();
    (!successes.is_zero()).then(|| flow.expected_cost / successes)
}

fn broken_note(policy: &PolicyWorkflow, flow: &WorkloadWorkflow) -> String {
    format!(
        "policy '{}' breaks the latency target of workload '{}': P95 {} > {}",
        policy.policy,
        flow.workload,
        format::duration(flow.latency.map(|l| l.p95_seconds).unwrap_or_default()),
        format::duration(flow.latency_target.unwrap_or_default()),
    )
}

/// The `workflow` object of a scenario in `compare --format json`.
#[derive(Serialize, schemars::JsonSchema)]
pub struct WorkflowJson<'a> {
    policies: Vec<PolicyWorkflowJson<'a>>,
}

#[derive(Serialize, schemars::JsonSchema)]
struct PolicyWorkflowJson<'a> {
    name: &'a str,
    expected_cost: String,
    expected_cost_exact: String,
    delta_vs_baseline: Option<String>,
    success_rate: String,
    cost_per_success: Option<String>,
    rework_rate: String,
    escalation_rate: String,
    human_cost: String,
    cost_per_call: Option<String>,
    latency: Option<LatencyJson>,
    workloads: Vec<WorkloadWorkflowJson<'a>>,
}

#[derive(Serialize, schemars::JsonSchema)]
struct LatencyJson {
    expected_seconds: String,
    p95_seconds: String,
}

#[derive(Serialize, schemars::JsonSchema)]
struct StepJson<'a> {
    name: &'a str,
    kind: &'static str,
    reach: String,
    monthly_cost_if_all: String,
}

#[derive(Serialize, schemars::JsonSchema)]
struct WorkloadWorkflowJson<'a> {
    workload: &'a str,
    requests: u64,
    sign_off: bool,
    steps: Vec<StepJson<'a>>,
    expected_cost: String,
    expected_cost_exact: String,
    success_rate: String,
    wrong_accepted_rate: String,
    failed_rate: String,
    cost_per_success: Option<String>,
    rework_rate: String,
    escalation_rate: String,
    human_cost: String,
    latency: Option<LatencyJson>,
    latency_target_seconds: Option<String>,
    within_latency_target: Option<bool>,
}

/// Shares as exact decimal strings, money rounded to cents (and exact where named so).
fn share(value: Decimal) -> String {
    format::plain(value)
}

fn latency_json(latency: Option<Latency>) -> Option<LatencyJson> {
    latency.map(|l| LatencyJson {
        expected_seconds: format::fixed(l.expected_seconds, 3),
        p95_seconds: format::fixed(l.p95_seconds, 3),
    })
}

impl<'a> WorkflowJson<'a> {
    pub fn new(workflow: &'a WorkflowEvaluation) -> Self {
        let baseline = workflow.baseline().map(|b| b.expected_cost);
        WorkflowJson {
            policies: workflow
                .policies
                .iter()
                .map(|policy| PolicyWorkflowJson {
                    name: &policy.policy,
                    expected_cost: format::fixed(policy.expected_cost, 2),
                    expected_cost_exact: format::plain(policy.expected_cost),
                    delta_vs_baseline: baseline
                        .map(|baseline| format::fixed(policy.expected_cost - baseline, 2)),
                    success_rate: share(policy.success_rate()),
                    cost_per_success: policy.cost_per_success().map(|c| format::fixed(c, 6)),
                    rework_rate: share(policy.rework_rate()),
                    escalation_rate: share(policy.escalation_rate()),
                    human_cost: format::fixed(policy.human_cost, 2),
                    cost_per_call: policy.cost_per_call().map(|c| format::fixed(c, 6)),
                    latency: latency_json(policy.latency),
                    workloads: policy.workloads.iter().map(workload_json).collect(),
                })
                .collect(),
        }
    }
}

fn workload_json(flow: &WorkloadWorkflow) -> WorkloadWorkflowJson<'_> {
    WorkloadWorkflowJson {
        workload: &flow.workload,
        requests: flow.requests,
        sign_off: flow.sign_off,
        steps: flow
            .steps
            .iter()
            .map(|step| StepJson {
                name: &step.name,
                kind: if step.human { "human" } else { "model" },
                reach: share(step.reach),
                monthly_cost_if_all: format::fixed(step.full_cost, 2),
            })
            .collect(),
        expected_cost: format::fixed(flow.expected_cost, 2),
        expected_cost_exact: format::plain(flow.expected_cost),
        success_rate: share(flow.success_rate),
        wrong_accepted_rate: share(flow.accepted_bad_rate),
        failed_rate: share(flow.failed_rate),
        cost_per_success: cost_per_success(flow).map(|c| format::fixed(c, 6)),
        rework_rate: share(flow.rework_rate),
        escalation_rate: share(flow.escalation_rate),
        human_cost: format::fixed(flow.human_cost, 2),
        latency: latency_json(flow.latency),
        latency_target_seconds: flow.latency_target.map(format::plain),
        within_latency_target: flow
            .latency
            .and(flow.latency_target)
            .map(|_| !flow.breaks_target()),
    }
}
