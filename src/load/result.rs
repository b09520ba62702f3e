//! Reading back a `mixcost compare --format json` result, as the base of `check` and `diff`.
//!
//! Only what a comparison needs is read: each scenario's policies, their exact totals and their
//! lines' workloads, models and exact costs — or, for a scenario with a quality section, the
//! expected month with retries and human review from its `workflow` object. Fields added later are ignored (they keep the
//! schema version); a different `schema_version` is refused, naming both versions.

use serde::Deserialize;

use super::diagnostic::{Diagnostic, Position};
use super::source::SourceFile;
use super::values;
use crate::engine::diff::{Costs, PolicyCosts, WorkloadCost};
use crate::report::json::SCHEMA_VERSION;

#[derive(Deserialize)]
struct ResultFile {
    scenarios: Vec<ResultScenario>,
}

#[derive(Deserialize)]
struct ResultScenario {
    name: String,
    as_of: String,
    /// Requests per month (results written before it was added have none).
    #[serde(default)]
    requests: Option<String>,
    policies: Vec<ResultPolicy>,
    /// Present for scenarios with a quality section: the expected month with retries and
    /// human review, which is what comparisons use.
    workflow: Option<ResultWorkflow>,
}

#[derive(Deserialize)]
struct ResultWorkflow {
    policies: Vec<ResultWorkflowPolicy>,
}

#[derive(Deserialize)]
struct ResultWorkflowPolicy {
    name: String,
    expected_cost_exact: String,
    workloads: Vec<ResultWorkflowWorkload>,
}

#[derive(Deserialize)]
struct ResultWorkflowWorkload {
    workload: String,
    expected_cost_exact: String,
    steps: Vec<ResultStep>,
}

#[derive(Deserialize)]
struct ResultStep {
    name: String,
}

#[derive(Deserialize)]
struct ResultPolicy {
    name: String,
    monthly_cost_exact: String,
    lines: Vec<ResultLine>,
}

#[derive(Deserialize)]
struct ResultLine {
    workload: String,
    model: String,
    cost_exact: String,
}

const HELP: &str = "give the output of `mixcost compare --format json`, or a scenario file";

/// The scenarios priced in a compare result, in file order; a result without any is refused.
pub fn read(source: &SourceFile) -> Result<Vec<Costs>, Diagnostic> {
    let scenarios = read_possibly_empty(source)?;
    if scenarios.is_empty() {
        let name = &source.name;
        return Err(
            Diagnostic::error(name, format!("'{name}' holds no scenarios")).with_help(HELP),
        );
    }
    Ok(scenarios)
}

/// As [`read`], but `"scenarios": []` is a base with nothing in it: `check`'s base when the
/// base branch has none of the scenarios checked yet (each is then new).
pub fn read_possibly_empty(source: &SourceFile) -> Result<Vec<Costs>, Diagnostic> {
    let name = &source.name;
    let syntax = |error: serde_json::Error| {
        let position = Position {
            line: error.line() as u32,
            column: error.column() as u32,
        };
        let message = error.to_string();
        let message = message
            .split(" at line ")
            .next()
            .unwrap_or(&message)
            .to_string();
        Diagnostic::error(
            name,
            format!("'{name}' is not a mixcost JSON result: {message}"),
        )
        .at(&source.text, position, 1)
        .with_help(HELP)
    };
    let value: serde_json::Value = serde_json::from_str(&source.text).map_err(syntax)?;
    match value.get("schema_version") {
        None => {
            return Err(Diagnostic::error(
                name,
                format!("'{name}' has no `schema_version`, so it is not a mixcost JSON result"),
            )
            .with_help(HELP))
        }
        Some(serde_json::Value::String(version)) if version == SCHEMA_VERSION => {}
        Some(version) => {
            let shown = version
                .as_str()
                .map_or_else(|| version.to_string(), str::to_string);
            return Err(Diagnostic::error(
                name,
                format!(
                    "'{name}' has schema_version '{shown}'; this mixcost reads schema_version '{SCHEMA_VERSION}'"
                ),
            )
            .with_help("re-create the base with this version of mixcost (`mixcost compare --format json`), or compare against the scenario file itself"));
        }
    }
    let file: ResultFile = serde_json::from_str(&source.text).map_err(|error| {
        let message = error.to_string();
        let message = message.split(" at line ").next().unwrap_or(&message);
        Diagnostic::error(
            name,
            format!("'{name}' is not a `mixcost compare` result: {message}"),
        )
        .with_help(HELP)
    })?;
    let money = |text: &str, what: &str| {
        let value = values::decimal(text).map_err(|problem| {
            Diagnostic::error(
                name,
                format!("'{name}': {what} is not exact money: {}", problem.message),
            )
            .with_help(HELP)
        })?;
        // mixcost never prices a month below $0; a negative base would turn every rise into a
        // negative percentage and let it pass.
        if value.is_sign_negative() && !value.is_zero() {
            return Err(Diagnostic::error(
                name,
                format!("'{name}': {what} is negative ({text})"),
            )
            .with_help("a month costs $0 or more; re-create the base with `mixcost compare --format json`"));
        }
        Ok(value)
    };
    let too_large = |what: &str| {
        Diagnostic::error(
            name,
            format!("'{name}': the lines of {what} add up beyond exact arithmetic"),
        )
        .with_help(HELP)
    };
    let mut scenarios = Vec::new();
    for scenario in file.scenarios {
        let mut policies = Vec::new();
        for policy in scenario.policies {
            let total = money(
                &policy.monthly_cost_exact,
                &format!("the cost of policy '{}'", policy.name),
            )?;
            let mut workloads: Vec<WorkloadCost> = Vec::new();
            for line in policy.lines {
                let cost = money(
                    &line.cost_exact,
                    &format!("a line of policy '{}'", policy.name),
                )?;
                match workloads.iter_mut().find(|w| w.name == line.workload) {
                    Some(workload) => {
                        workload.cost = workload
                            .cost
                            .checked_add(cost)
                            .ok_or_else(|| too_large(&format!("policy '{}'", policy.name)))?;
                        if !workload.models.contains(&line.model) {
                            workload.models.push(line.model);
                        }
                    }
                    None => workloads.push(WorkloadCost {
                        name: line.workload,
                        cost,
                        models: vec![line.model],
                    }),
                }
            }
            policies.push(PolicyCosts {
                name: policy.name,
                total,
                workloads,
            });
        }
        if let Some(workflow) = scenario.workflow {
            for flow in workflow.policies {
                let Some(policy) = policies.iter_mut().find(|p| p.name == flow.name) else {
                    continue;
                };
                policy.total = money(
                    &flow.expected_cost_exact,
                    &format!("the expected cost of policy '{}'", flow.name),
                )?;
                for steps in flow.workloads {
                    if let Some(workload) = policy
                        .workloads
                        .iter_mut()
                        .find(|w| w.name == steps.workload)
                    {
                        workload.cost = money(
                            &steps.expected_cost_exact,
                            &format!("the expected cost of workload '{}'", steps.workload),
                        )?;
                        workload.models = steps.steps.into_iter().map(|step| step.name).collect();
                    }
                }
            }
        }
        let requests = match &scenario.requests {
            None => None,
            Some(text) => Some(text.parse::<u64>().map_err(|_| {
                Diagnostic::error(
                    name,
                    format!(
                        "the requests of scenario '{}' are '{text}', not a whole number",
                        scenario.name
                    ),
                )
                .with_help(HELP)
            })?),
        };
        scenarios.push(Costs {
            scenario: scenario.name,
            as_of: scenario.as_of,
            requests,
            policies,
        });
    }
    Ok(scenarios)
}

/// Whether a file looks like JSON rather than YAML.
pub fn is_json(source: &SourceFile) -> bool {
    source.name.ends_with(".json") || source.text.trim_start().starts_with('{')
}

/// What a compare result records of one scenario's inputs: the baseline's tokens per workload
/// and component (its volume), and the unit price and discount of every model, component and
/// billing it used. Two results whose costs differ but whose recorded inputs agree changed in
/// something the result does not carry (routing, a field not priced by the baseline).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecordedInputs {
    pub scenario: String,
    /// (workload, component) → tokens a month, under the baseline policy.
    pub tokens: std::collections::BTreeMap<(String, String), rust_decimal::Decimal>,
    /// (model, component, billing) → (unit price per 1M tokens, discount fraction).
    pub prices: std::collections::BTreeMap<
        (String, String, String),
        (rust_decimal::Decimal, rust_decimal::Decimal),
    >,
}

/// The inputs each scenario of a compare result records, read leniently: a line without the
/// fields (a result from an older mixcost) adds nothing. Call after [`read`] accepted the file.
pub fn recorded_inputs(source: &SourceFile) -> Vec<RecordedInputs> {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(&source.text) else {
        return Vec::new();
    };
    let text = |value: &serde_json::Value, key: &str| {
        value
            .get(key)
            .and_then(serde_json::Value::as_str)
            .map(str::to_string)
    };
    let number = |value: &serde_json::Value, key: &str| {
        text(value, key).and_then(|text| values::decimal(&text).ok())
    };
    let empty = Vec::new();
    let scenarios = value
        .get("scenarios")
        .and_then(serde_json::Value::as_array)
        .unwrap_or(&empty);
    scenarios
        .iter()
        .map(|scenario| {
            let mut recorded = RecordedInputs {
                scenario: text(scenario, "name").unwrap_or_default(),
                ..RecordedInputs::default()
            };
            let baseline = text(scenario, "baseline");
            let policies = scenario
                .get("policies")
                .and_then(serde_json::Value::as_array)
                .unwrap_or(&empty);
            for policy in policies {
                let is_baseline = baseline.is_some() && text(policy, "name") == baseline;
                let lines = policy
                    .get("lines")
                    .and_then(serde_json::Value::as_array)
                    .unwrap_or(&empty);
                for line in lines {
                    let (Some(workload), Some(model), Some(component), Some(billing)) = (
                        text(line, "workload"),
                        text(line, "model"),
                        text(line, "component"),
                        text(line, "billing"),
                    ) else {
                        continue;
                    };
                    if let (true, Some(tokens)) = (is_baseline, number(line, "tokens")) {
                        let total = recorded
                            .tokens
                            .entry((workload, component.clone()))
                            .or_default();
                        *total = total.saturating_add(tokens);
                    }
                    if let (Some(price), Some(discount)) =
                        (number(line, "unit_price"), number(line, "discount"))
                    {
                        recorded
                            .prices
                            .entry((model, component, billing))
                            .or_insert((price, discount));
                    }
                }
            }
            recorded
        })
        .collect()
}
