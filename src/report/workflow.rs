//! The workflow tables: cost per successful task, rework, escalation, latency.
//!
//! Shown only for scenarios with a `quality:` section, as two extra tables (per policy, then
//! per policy × workload) and a note block, by `compare` in every text format and by the HTML
//! report, so scenarios without one print exactly what they always did.

use rust_decimal::Decimal;

use crate::engine::quality::{PolicyWorkflow, WorkflowEvaluation, WorkloadWorkflow};
use crate::report::{format, Cell, Document, Notes, Table};

fn percent(share: Decimal) -> Cell {
    Cell::Share(share * Decimal::ONE_HUNDRED)
}

fn optional(value: Option<Decimal>, cell: fn(Decimal) -> Cell) -> Cell {
    value.map(cell).unwrap_or(Cell::Empty)
}

/// The workflow's tables and notes, for any format.
pub struct WorkflowTables {
    /// Per policy: the expected month with retries and human review, and its metrics.
    pub totals: Table,
    /// Per policy × workload.
    pub by_workload: Table,
    pub notes: Notes,
}

/// Appends the workflow tables and notes to a `compare` document.
pub fn extend_document(document: &mut Document, workflow: &WorkflowEvaluation) {
    if let Some((heading @ None, _)) = document.tables.first_mut() {
        *heading =
            Some("first attempts only: model calls before retries and human review".to_string());
    }
    let WorkflowTables {
        totals,
        by_workload,
        notes,
    } = tables(workflow);
    // The expected month is the headline: it is what the bill will show, and what every
    // other command prices. The first-attempt table follows it.
    if document.csv_table > 0 {
        document.csv_table += 1;
    }
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
    document.notes.push(notes);
}

/// The workflow's tables and notes.
pub fn tables(workflow: &WorkflowEvaluation) -> WorkflowTables {
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
            Cell::Marker("baseline")
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
    // A narrow terminal keeps cost, success and cost per success; the detail goes first.
    let totals = totals.optional_columns(&[
        "cost per call",
        "latency",
        "escalation",
        "rework",
        "human cost",
        "P95 latency",
        "vs baseline",
    ]);
    let by_workload = by_workload.optional_columns(&[
        "target",
        "failed",
        "wrong accepted",
        "escalation",
        "rework",
        "human cost",
        "P95 latency",
        "cost per success",
        "within target",
    ]);
    WorkflowTables {
        totals,
        by_workload,
        notes: Notes {
            heading: "workflow".to_string(),
            items,
            when_empty: None,
        },
    }
}

/// Expected cost ÷ expected successful tasks of one workload; `None` when nothing succeeds.
pub fn cost_per_success(flow: &WorkloadWorkflow) -> Option<Decimal> {
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
