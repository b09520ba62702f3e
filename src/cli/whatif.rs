//! `mixcost whatif`: each policy before and after a set of overrides.

use std::process::ExitCode;

use serde::Serialize;

use super::args::{Cli, WhatifArgs};
use crate::engine::breakdown::Evaluation;
use crate::engine::evaluate::evaluate;
use crate::engine::whatif::{evaluate_with, WhatifError};
use crate::load::overrides::parse_assignment;
use crate::load::values::show_instant;
use crate::report::{format, json, Cell, Document, Format, Table};

pub fn run(cli: &Cli, args: &WhatifArgs) -> anyhow::Result<ExitCode> {
    let catalogue = super::load_catalogue(cli)?;
    let scenario = super::load_scenario(args.scenario.as_deref(), &catalogue)?;
    super::note_first_attempts(&scenario);
    let overrides = args
        .set
        .iter()
        .map(|text| parse_assignment(text).map_err(super::override_error))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let before = evaluate(&scenario, &catalogue)?;
    let after = evaluate_with(&scenario, &catalogue, &overrides).map_err(|error| match error {
        WhatifError::Override(error) => super::override_error(error),
        WhatifError::Engine(error) => anyhow::Error::new(error),
    })?;
    let text = render(&before, &after, &args.set, args.output.format);
    super::output::emit(&text, args.output.output.as_deref())?;
    Ok(ExitCode::SUCCESS)
}

pub fn render(before: &Evaluation, after: &Evaluation, texts: &[String], format: Format) -> String {
    if format == Format::Json {
        return json::to_string(&WhatifJson::new(before, after, texts));
    }
    let mut table = Table::new(&[
        "policy",
        "before",
        "after",
        "change",
        "change %",
        "vs baseline before",
        "vs baseline after",
    ]);
    for (old, new) in before.policies.iter().zip(&after.policies) {
        let delta = new.total - old.total;
        let versus = |evaluation: &Evaluation, cost| match evaluation.versus_baseline(cost) {
            Some(v) if cost.policy != evaluation.baseline => Cell::text(match v.percent {
                Some(percent) => format!(
                    "{} ({})",
                    format::money_delta(v.delta),
                    format::percent_delta(percent)
                ),
                None => format::money_delta(v.delta),
            }),
            _ => Cell::text("baseline"),
        };
        table.push(vec![
            Cell::text(&old.policy),
            Cell::Money(old.total),
            Cell::Money(new.total),
            Cell::MoneyDelta(delta),
            if old.total.is_zero() {
                Cell::Empty
            } else {
                Cell::PercentDelta(delta / old.total * rust_decimal::Decimal::ONE_HUNDRED)
            },
            versus(before, old),
            versus(after, new),
        ]);
    }
    Document {
        title: format!("{} — what if", before.scenario),
        subtitle: vec![
            format!(
                "{} · prices as of {} · baseline {}",
                before.file,
                show_instant(after.as_of),
                before.baseline
            ),
            format!("overrides: {}", texts.join(", ")),
        ],
        tables: vec![(None, table)],
        notes: vec![super::compare::assumption_notes(after)],
    }
    .render(format)
}

#[derive(Serialize, schemars::JsonSchema)]
struct WhatifJson<'a> {
    #[schemars(extend("const" = "1"))]
    schema_version: &'static str,
    scenario: &'a str,
    file: &'a str,
    as_of_before: String,
    as_of_after: String,
    baseline: &'a str,
    overrides: &'a [String],
    policies: Vec<WhatifPolicyJson<'a>>,
}

#[derive(Serialize, schemars::JsonSchema)]
struct WhatifPolicyJson<'a> {
    name: &'a str,
    before: String,
    after: String,
    change: String,
    change_pct: Option<String>,
    vs_baseline_before: Option<String>,
    vs_baseline_after: Option<String>,
    vs_baseline_pct_before: Option<String>,
    vs_baseline_pct_after: Option<String>,
}

impl<'a> WhatifJson<'a> {
    fn new(before: &'a Evaluation, after: &'a Evaluation, texts: &'a [String]) -> Self {
        WhatifJson {
            schema_version: json::SCHEMA_VERSION,
            scenario: &before.scenario,
            file: &before.file,
            as_of_before: show_instant(before.as_of),
            as_of_after: show_instant(after.as_of),
            baseline: &before.baseline,
            overrides: texts,
            policies: before
                .policies
                .iter()
                .zip(&after.policies)
                .map(|(old, new)| {
                    let delta = new.total - old.total;
                    let (vb, va) = (before.versus_baseline(old), after.versus_baseline(new));
                    WhatifPolicyJson {
                        name: &old.policy,
                        before: format::fixed(old.total, 2),
                        after: format::fixed(new.total, 2),
                        change: format::fixed(delta, 2),
                        change_pct: (!old.total.is_zero()).then(|| {
                            format::fixed(delta / old.total * rust_decimal::Decimal::ONE_HUNDRED, 1)
                        }),
                        vs_baseline_before: vb.map(|v| format::fixed(v.delta, 2)),
                        vs_baseline_after: va.map(|v| format::fixed(v.delta, 2)),
                        vs_baseline_pct_before: vb
                            .and_then(|v| v.percent)
                            .map(|p| format::fixed(p, 1)),
                        vs_baseline_pct_after: va
                            .and_then(|v| v.percent)
                            .map(|p| format::fixed(p, 1)),
                    }
                })
                .collect(),
        }
    }
}

pub fn json_schema() -> schemars::Schema {
    schemars::schema_for!(WhatifJson<'static>)
}
