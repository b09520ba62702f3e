//! `--list-paths`: every override path of a scenario (`whatif --set`, `sweep --vary`,
//! `solve --vary`) with its current value and unit, so the paths are found from the command
//! line rather than from the documentation.

use rust_decimal::Decimal;

use crate::engine::overrides::{PriceField, WorkloadField};
use crate::load::values::show_instant;
use crate::model::catalogue::Catalogue;
use crate::model::scenario::Scenario;
use crate::report::{format, Cell, Document, Format, Notes, Table};

/// The override paths of `scenario` as a document: workload fields, the prices of every model
/// a policy routes to (list prices on the scenario's date), the negotiated discounts of their
/// providers, and `as_of`.
pub fn document(scenario: &Scenario, catalogue: &Catalogue) -> Document {
    let mut table = Table::new(&["path", "value", "unit"]);
    let mut push = |path: String, value: String, unit: &str| {
        table.push(vec![Cell::text(path), Cell::text(value), Cell::text(unit)]);
    };
    let share = |value: Decimal| format::plain(value.normalize());
    for workload in &scenario.workloads {
        for (name, field) in WorkloadField::ALL {
            let path = format!("workloads.{}.{name}", workload.name);
            let shape = workload.shape.as_ref();
            let (value, unit) = match field {
                WorkloadField::InputTokens => {
                    (workload.input_tokens.to_string(), "tokens per month")
                }
                WorkloadField::OutputTokens => {
                    (workload.output_tokens.to_string(), "tokens per month")
                }
                WorkloadField::Requests => match shape {
                    Some(shape) => (shape.requests.to_string(), "requests per month"),
                    None => continue,
                },
                WorkloadField::InputTokensPerRequest => match shape {
                    Some(shape) => (
                        shape.input_tokens_per_request.to_string(),
                        "tokens per request",
                    ),
                    None => continue,
                },
                WorkloadField::OutputTokensPerRequest => match shape {
                    Some(shape) => (
                        shape.output_tokens_per_request.to_string(),
                        "tokens per request",
                    ),
                    None => continue,
                },
                WorkloadField::CacheHitRate => (share(workload.cache_hit_rate), "share 0–1"),
                WorkloadField::CacheWriteRate => (share(workload.cache_write_rate), "share 0–1"),
                WorkloadField::BatchShare => (share(workload.batch_share), "share 0–1"),
                WorkloadField::OffPeakShare => (
                    workload
                        .off_peak_share
                        .map_or_else(|| "(not given)".to_string(), share),
                    "share 0–1",
                ),
                WorkloadField::Volume => ("x1".to_string(), "factor on tokens and requests"),
            };
            push(path, value, unit);
        }
    }
    let mut models: Vec<&str> = Vec::new();
    for policy in &scenario.policies {
        let targets = policy
            .routes
            .iter()
            .map(|route| &route.target)
            .chain(policy.default.as_ref());
        for target in targets {
            if !models.contains(&target.model.as_str()) {
                models.push(&target.model);
            }
        }
    }
    models.sort_unstable();
    let mut providers: Vec<&str> = Vec::new();
    for id in models {
        let Some(model) = catalogue.model(id) else {
            continue;
        };
        if !providers.contains(&model.provider.as_str()) {
            providers.push(&model.provider);
        }
        let rates = model.price_set_at(scenario.as_of).map(|set| &set.rates);
        for (name, field) in PriceField::ALL {
            let value = rates.and_then(|rates| match field {
                PriceField::Input => Some(rates.input),
                PriceField::CachedInput => rates.cached_input,
                PriceField::CacheWrite => rates.cache_write,
                PriceField::Output => Some(rates.output),
            });
            push(
                format!("models.{id}.{name}"),
                value.map_or_else(|| "(not published)".to_string(), format::plain),
                "USD per 1M tokens, list price",
            );
        }
    }
    providers.sort_unstable();
    for provider in providers {
        let discount = scenario
            .discounts
            .get(provider)
            .copied()
            .unwrap_or_default();
        push(
            format!("discounts.{provider}"),
            share(discount),
            "share 0–1 off every price",
        );
    }
    push(
        "as_of".to_string(),
        show_instant(scenario.as_of),
        "date or UTC time",
    );
    Document {
        title: format!("{} — override paths", scenario.name),
        subtitle: vec![format!(
            "{} · prices as of {}",
            scenario.file,
            show_instant(scenario.as_of)
        )],
        tables: vec![(None, table)],
        notes: vec![Notes {
            heading: "how to write a change".to_string(),
            items: vec![
                "--set PATH=VALUE (100M, 35%, 2026-06-01), PATH=x1.5, PATH=+10% or PATH=-5%"
                    .to_string(),
                "workloads.*.FIELD changes every workload; --vary PATH=START:END:STEP or PATH=V1,V2"
                    .to_string(),
            ],
            when_empty: None,
        }],
        csv_table: 0,
    }
}

/// Prints the override paths of `scenario` in `format` (JSON as the CSV's rows).
pub fn emit(
    scenario: &Scenario,
    catalogue: &Catalogue,
    output: &super::args::OutputArgs,
) -> anyhow::Result<std::process::ExitCode> {
    let document = document(scenario, catalogue);
    let text = match output.format {
        Format::Json => {
            let rows: Vec<serde_json::Value> = document.tables[0]
                .1
                .rows
                .iter()
                .map(|row| {
                    let text = |cell: &Cell| cell.human();
                    serde_json::json!({
                        "path": text(&row[0]),
                        "value": text(&row[1]),
                        "unit": text(&row[2]),
                    })
                })
                .collect();
            crate::report::json::to_string(&serde_json::json!({ "paths": rows }))
        }
        format => document.render(format),
    };
    super::output::emit(&text, output.output.as_deref())?;
    Ok(std::process::ExitCode::SUCCESS)
}
