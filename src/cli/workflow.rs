//! The workflow part of `compare --format json`: the `workflow` object of scenarios with a
//! `quality:` section. The tables the text formats show live in [`crate::report::workflow`].

use rust_decimal::Decimal;
use serde::Serialize;

use crate::engine::quality::{Latency, WorkflowEvaluation, WorkloadWorkflow};
use crate::report::format;
use crate::report::workflow::cost_per_success;

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
    /// Share of tasks that end accepted and right, 0 to 1, at most 12 significant digits.
    success_rate: String,
    cost_per_success: Option<String>,
    /// Expected retries per task, 0 to 1, at most 12 significant digits.
    rework_rate: String,
    /// Share of tasks escalated to a person, 0 to 1, at most 12 significant digits.
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
    /// Share of the workload's tasks that reach this step, 0 to 1, at most 12 significant digits.
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
    /// Share of tasks that end accepted and right, 0 to 1, at most 12 significant digits.
    success_rate: String,
    /// Share of tasks accepted although wrong, 0 to 1, at most 12 significant digits.
    wrong_accepted_rate: String,
    /// Share of tasks that fail every step, 0 to 1, at most 12 significant digits.
    failed_rate: String,
    cost_per_success: Option<String>,
    /// Expected retries per task, 0 to 1, at most 12 significant digits.
    rework_rate: String,
    /// Share of tasks escalated to a person, 0 to 1, at most 12 significant digits.
    escalation_rate: String,
    human_cost: String,
    latency: Option<LatencyJson>,
    latency_target_seconds: Option<String>,
    within_latency_target: Option<bool>,
}

/// Shares as decimal strings of at most 12 significant digits; money rounded to cents (and
/// exact where named so).
fn share(value: Decimal) -> String {
    crate::report::json::rate(value)
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
