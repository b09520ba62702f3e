//! `mixcost solve`: the value of one input at which a policy reaches a target.

use std::process::ExitCode;

use rust_decimal::Decimal;
use serde::Serialize;

use super::args::{Cli, SolveArgs};
use crate::engine::solve::{default_range, solve, Goal, Method, Solution, SolveError, Whole};
use crate::engine::whatif::Figure;
use crate::load::overrides::parse_path;
use crate::load::values;
use crate::report::{format, json, Cell, Document, Format, Table};

pub fn run(cli: &Cli, args: &SolveArgs) -> anyhow::Result<ExitCode> {
    let catalogue = super::load_catalogue(cli)?;
    let scenario = super::load_priced_scenario(args.scenario.as_deref(), &catalogue, &args.prices)?;
    // Before the work: an -o naming one of the inputs, or a missing folder, is refused now.
    super::output::check(args.output.output.as_deref())?;
    if args.list_paths {
        return super::paths::emit(&scenario, &catalogue, &args.output);
    }
    let (Some(vary), Some(policy), Some(target)) = (&args.vary, &args.policy, &args.target) else {
        anyhow::bail!("solve needs --vary, --policy and --target\n  = help: e.g. mixcost solve --vary models.deepseek-v4-pro.output=0:100 --policy mixed-pro --target cost=700");
    };
    let (path_text, vary_range) = split_vary(vary)?;
    let path = parse_path(path_text).map_err(super::override_error)?;
    let policy_names: Vec<&str> = scenario.policies.iter().map(|p| p.name.as_str()).collect();
    let known = |name: &str| -> anyhow::Result<String> {
        if policy_names.contains(&name) {
            Ok(name.to_string())
        } else {
            anyhow::bail!(
                "no policy '{name}' in '{}'\n  = help: its policies are: {}",
                scenario.file,
                policy_names.join(", ")
            )
        }
    };
    let policy = known(policy)?;
    let goal = parse_goal(target, policy, &known)?;
    let range = match (vary_range, args.between.as_deref()) {
        (Some(_), Some(_)) => anyhow::bail!(
            "--vary '{}' gives a range and --between gives another\n  = help: give the range once: --vary PATH=LOW:HIGH, or --vary PATH --between LOW:HIGH",
            vary.trim()
        ),
        (Some(text), None) => parse_between(text, "--vary")?,
        (None, Some(text)) => parse_between(text, "--between")?,
        (None, None) => default_range(&path),
    };
    let solution = solve(&scenario, &catalogue, path_text, &path, &goal, range).map_err(|error| match error {
        SolveError::Whatif(error) => super::whatif_error(error),
        SolveError::Unreachable {
            figure_low,
            figure_high,
            ..
        } => {
            let shown = |value| figure_text(&goal, value);
            anyhow::anyhow!(
                "{error}: {} at {}, {} at {}\n  = help: widen the search with --vary PATH=LOW:HIGH (or --between LOW:HIGH), or check that the input affects the policy",
                shown(figure_low),
                format::plain(range.0),
                shown(figure_high),
                format::plain(range.1)
            )
        }
        SolveError::Overflow { .. } => anyhow::anyhow!(
            "{error}\n  = help: narrow --between or use a smaller --target"
        ),
        other => anyhow::Error::new(other),
    })?;
    let marks = super::price_marks(&scenario, &catalogue);
    let answer = Answer {
        scenario: &scenario.name,
        args,
        path: &path,
        goal: &goal,
        solution: &solution,
        marks: &marks,
    };
    super::output::emit(
        &render(&answer, args.output.format),
        args.output.output.as_deref(),
    )?;
    super::output::emit_assumptions(cli, args.output.output.as_deref(), || {
        vec![document(&answer, Format::Csv)]
    })?;
    Ok(ExitCode::SUCCESS)
}

/// `cost=930`, `savings=500`, `savings-pct=40` or `equal=POLICY`.
fn parse_goal(
    text: &str,
    policy: String,
    known: &dyn Fn(&str) -> anyhow::Result<String>,
) -> anyhow::Result<Goal> {
    let help = "write --target cost=AMOUNT, savings=AMOUNT, savings-pct=PERCENT or equal=POLICY";
    let (kind, value) = text
        .split_once('=')
        .ok_or_else(|| anyhow::anyhow!("invalid --target '{text}'\n  = help: {help}"))?;
    let number = |value: &str| {
        values::decimal(
            value
                .trim()
                .trim_start_matches('$')
                .trim_end_matches('%')
                .replace(',', "")
                .as_str(),
        )
        .map_err(|problem| {
            anyhow::anyhow!(
                "invalid --target '{text}': {}\n  = help: {help}",
                problem.message
            )
        })
    };
    Ok(match kind.trim() {
        "cost" => Goal::Reach {
            policy,
            figure: Figure::Cost,
            value: number(value)?,
        },
        "savings" => Goal::Reach {
            policy,
            figure: Figure::Savings,
            value: number(value)?,
        },
        "savings-pct" => Goal::Reach {
            policy,
            figure: Figure::SavingsPct,
            value: number(value)?,
        },
        "equal" => {
            let other = known(value.trim())?;
            if other == policy {
                anyhow::bail!(
                    "invalid --target '{text}': policy '{policy}' always costs the same as itself\n  = help: name another policy, e.g. the baseline: --target equal=BASELINE"
                );
            }
            Goal::Equal { policy, other }
        }
        other => anyhow::bail!("invalid --target: unknown goal '{other}'\n  = help: {help}"),
    })
}

/// `--vary PATH` or `--vary PATH=LOW:HIGH`, the range written as in `sweep`: the path and
/// the range text, if any.
fn split_vary(text: &str) -> anyhow::Result<(&str, Option<&str>)> {
    let Some((path, range)) = text.trim().split_once('=') else {
        return Ok((text.trim(), None));
    };
    if range.split(':').count() != 2 || range.contains(',') {
        anyhow::bail!(
            "invalid --vary '{}': solve searches one range, LOW:HIGH, not a list or a step\n  = help: write --vary {}=LOW:HIGH, e.g. --vary {}=0:100",
            text.trim(),
            path.trim(),
            path.trim()
        );
    }
    Ok((path.trim(), Some(range.trim())))
}

/// The search range LOW:HIGH, given by `flag`.
fn parse_between(text: &str, flag: &str) -> anyhow::Result<(Decimal, Decimal)> {
    let help = "write the range LOW:HIGH with LOW below HIGH, e.g. 0:100";
    let (low, high) = text
        .split_once(':')
        .ok_or_else(|| anyhow::anyhow!("invalid {flag} range '{text}'\n  = help: {help}"))?;
    let parse = |part: &str| {
        values::decimal(part.trim()).map_err(|problem| {
            anyhow::anyhow!(
                "invalid {flag} range '{text}': {}\n  = help: {help}",
                problem.message
            )
        })
    };
    let (low, high) = (parse(low)?, parse(high)?);
    if low >= high {
        anyhow::bail!(
            "invalid {flag} range '{text}': the range is empty or inverted\n  = help: {help}"
        );
    }
    Ok((low, high))
}

fn goal_text(goal: &Goal) -> String {
    match goal {
        Goal::Reach {
            policy,
            figure,
            value,
        } => match figure {
            Figure::Cost => format!("{policy} costs {}", format::money(*value)),
            Figure::Savings => format!(
                "{policy} saves {} against the baseline",
                format::money(*value)
            ),
            Figure::SavingsPct => format!(
                "{policy} saves {}% against the baseline",
                format::plain(*value)
            ),
        },
        Goal::Equal { policy, other } => format!("{policy} costs the same as {other}"),
    }
}

/// The goal's figure at some value, as a user reads it.
fn figure_text(goal: &Goal, value: Decimal) -> String {
    match goal {
        Goal::Reach { policy, figure, .. } => match figure {
            Figure::Cost => format!("{policy} costs {}", format::money(value)),
            Figure::Savings => format!("{policy} saves {}", format::money(value)),
            Figure::SavingsPct => format!(
                "{policy} saves {}",
                format::percent_delta(value).trim_start_matches('+')
            ),
        },
        Goal::Equal { policy, other } => format!(
            "{policy} costs {} against {other}",
            format::money_delta(value)
        ),
    }
}

fn method_text(solution: &Solution) -> &'static str {
    match (solution.whole, solution.method, solution.residual.is_zero()) {
        (Some(Whole::Smallest), Method::ClosedForm, _) => {
            "closed form; the smallest whole value at which the target is reached"
        }
        (Some(Whole::Smallest), Method::Bisection, _) => {
            "bisection; the smallest whole value at which the target is reached"
        }
        (Some(Whole::Largest), _, _) => {
            "the largest whole value in the range; the target is reached just above it"
        }
        (None, Method::ClosedForm, true) => "closed form, exact",
        (None, Method::ClosedForm, false) => "closed form; exact up to the rounding of the answer",
        (None, Method::Bisection, _) => "bisection",
    }
}

/// The path part of `--vary`, without a range.
fn vary_path(args: &SolveArgs) -> &str {
    let vary = args.vary.as_deref().unwrap_or_default();
    split_vary(vary).map_or(vary.trim(), |(path, _)| path)
}

/// What `solve` found, with what it was asked: everything a renderer shows.
struct Answer<'a> {
    scenario: &'a str,
    args: &'a SolveArgs,
    path: &'a crate::engine::overrides::OverridePath,
    goal: &'a Goal,
    solution: &'a Solution,
    marks: &'a super::PriceMarks,
}

fn render(answer: &Answer, format: Format) -> String {
    let Answer {
        scenario,
        args,
        goal,
        solution,
        marks,
        ..
    } = answer;
    if format == Format::Json {
        return json::to_string(&SolveJson {
            promotions: marks.promotions.clone(),
            schema_version: json::SCHEMA_VERSION,
            scenario: scenario.to_string(),
            path: vary_path(args).to_string(),
            target: goal_text(goal),
            value: format::plain(solution.value),
            method: method_text(solution),
            residual: format::plain(solution.residual),
            costs: solution
                .costs
                .iter()
                .map(|(name, cost)| PolicyCostJson {
                    policy: name.clone(),
                    cost: format::fixed(*cost, 2),
                    cost_exact: format::plain(*cost),
                })
                .collect(),
        });
    }
    document(answer, format).render(format)
}

/// The answer as a document. CSV repeats the input and its value on every row, so the one
/// table holds the answer too.
fn document(answer: &Answer, format: Format) -> Document {
    let Answer {
        scenario,
        args,
        path,
        goal,
        solution,
        marks,
    } = answer;
    let mut table = Table::new(&["policy", "monthly cost at the answer"])
        .with_keys(&["policy", "monthly_cost"]);
    for (name, cost) in &solution.costs {
        table.push(vec![Cell::text(name), Cell::Money(*cost)]);
    }
    if format == Format::Csv {
        table.insert_column(0, "input", Cell::text(vary_path(args)));
        table.insert_column(1, "answer", Cell::text(format::plain(solution.value)));
    }
    Document {
        title: format!("{scenario} — solve"),
        subtitle: vec![
            format!("target: {}", goal_text(goal)),
            format!(
                "answer: {} = {} ({})",
                vary_path(args),
                crate::report::labels::override_value(path, solution.value),
                method_text(solution)
            ),
        ]
        .into_iter()
        .chain(marks.header.clone())
        .collect(),
        tables: vec![(None, table)],
        notes: marks.notes.iter().cloned().collect(),
        csv_table: 0,
    }
}

#[derive(Serialize, schemars::JsonSchema)]
struct SolveJson {
    #[schemars(extend("const" = "1"))]
    schema_version: &'static str,
    scenario: String,
    path: String,
    target: String,
    value: String,
    method: &'static str,
    residual: String,
    costs: Vec<PolicyCostJson>,
    /// The promotions in the scenario's prices on its date, with their end.
    promotions: Vec<crate::engine::breakdown::PromotionUse>,
}

#[derive(Serialize, schemars::JsonSchema)]
struct PolicyCostJson {
    policy: String,
    cost: String,
    cost_exact: String,
}

pub fn json_schema() -> schemars::Schema {
    schemars::schema_for!(SolveJson)
}
