//! The budget report as a live workbook (XLSX), written with `rust_xlsxwriter`.
//!
//! An **Inputs** sheet holds every number the costs depend on as a named cell — the prices of
//! each model's lists (standard, long context, tiers or off-peak with their own prices), the
//! tier, off-peak and promotion discounts, the negotiated provider discounts, and each
//! workload's volumes and shares — with units and sources. One sheet per policy lists every
//! cost line of [`WorkbookModel`] (zero lines included, so a share moved in Inputs moves cost
//! between lines) as formulas over those names: tokens × unit price ÷ 1M × (1 − discount). A
//! **Summary** sheet sums them. Every formula carries the engine's exact result as its cached
//! value, so viewers show the figures without recalculating, and an analyst who changes an
//! input sees every total follow. A price the formulas cannot reproduce exactly is written as
//! the engine's exact value with a note; the expected month of scenarios with `quality:`
//! (retries and review) is written as exact values with a note. User text (names,
//! descriptions, sources) is only ever written as a string cell, never inside a formula:
//! formulas name cells by generated names.

use std::collections::HashSet;

use rust_decimal::Decimal;
use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatAlign, Formula, Workbook, Worksheet, XlsxError,
};

use super::budget::{BudgetReport, FactorKind, RateValue, ScenarioReport, SheetLine};
use super::format;
use crate::engine::breakdown::{Billing, Component, Window};
use crate::load::values::show_instant;

#[derive(Debug, thiserror::Error)]
#[error("cannot build the workbook: {0}")]
pub struct XlsxReportError(#[from] XlsxError);

/// Column letters of the policy sheets' numeric columns.
const TOKENS: &str = "G";
const PRICE: &str = "H";
const DISCOUNT: &str = "I";
const COST: &str = "J";
/// First row (0-based) of a policy sheet's lines.
const FIRST_LINE: u32 = 4;

struct Formats {
    bold: Format,
    title: Format,
    money: Format,
    price: Format,
    tokens: Format,
    share: Format,
    input_price: Format,
    input_tokens: Format,
    input_share: Format,
    wrap: Format,
    note: Format,
}

impl Formats {
    fn new() -> Formats {
        let input = |format: Format| {
            format
                .set_font_color("0000CC")
                .set_background_color("FFF8DC")
        };
        Formats {
            bold: Format::new().set_bold(),
            title: Format::new().set_bold().set_font_size(14),
            money: Format::new().set_num_format("$#,##0.00"),
            price: Format::new().set_num_format("$#,##0.00########"),
            tokens: Format::new().set_num_format("#,##0.##"),
            share: Format::new().set_num_format("0.00%"),
            input_price: input(Format::new().set_num_format("$#,##0.00########")),
            input_tokens: input(Format::new().set_num_format("#,##0")),
            input_share: input(Format::new().set_num_format("0.00%")),
            wrap: Format::new().set_text_wrap().set_align(FormatAlign::Top),
            note: Format::new().set_italic().set_font_color("555555"),
        }
    }
}

/// Defined names that are valid in Excel, unique (case-insensitively) and never look like a
/// cell reference; built from user names but sanitized, so a formula never carries user text.
#[derive(Default)]
struct Namer {
    used: HashSet<String>,
}

impl Namer {
    fn name(&mut self, prefix: &str, parts: &[&str]) -> String {
        let mut base = prefix.to_string();
        for part in parts {
            base.push('_');
            let cleaned: String = part
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .take(48)
                .collect();
            base.push_str(&cleaned);
        }
        let mut name = base.clone();
        let mut counter = 2;
        while !self.used.insert(name.to_ascii_lowercase()) {
            name = format!("{base}_{counter}");
            counter += 1;
        }
        name
    }
}

/// Sheet names: at most 31 characters, none of `[]:*?/\`, not starting or ending with `'`,
/// unique case-insensitively.
#[derive(Default)]
struct SheetNamer {
    used: HashSet<String>,
}

impl SheetNamer {
    fn name(&mut self, wanted: &str) -> String {
        let cleaned: String = wanted
            .chars()
            .map(|c| {
                if "[]:*?/\\".contains(c) || c.is_control() {
                    '_'
                } else {
                    c
                }
            })
            .collect();
        let cleaned = cleaned.trim_matches('\'').trim();
        let cleaned = if cleaned.is_empty() || cleaned.eq_ignore_ascii_case("history") {
            "policy".to_string()
        } else {
            cleaned.to_string()
        };
        let cut = |text: &str, max: usize| text.chars().take(max).collect::<String>();
        let mut name = cut(&cleaned, 31);
        let mut counter = 2;
        while !self.used.insert(name.to_lowercase()) {
            let suffix = format!(" ({counter})");
            name = format!("{}{suffix}", cut(&cleaned, 31 - suffix.chars().count()));
            counter += 1;
        }
        name
    }
}

/// Renders the workbook to bytes.
pub fn render(report: &BudgetReport) -> Result<Vec<u8>, XlsxReportError> {
    let mut workbook = Workbook::new();
    let formats = Formats::new();
    let mut names = Namer::default();
    let mut sheets = SheetNamer::default();
    let first = report.scenarios.first();
    // A fixed creation date (the pricing date) keeps the bytes the same from run to run.
    let created = first
        .map(|s| show_instant(s.scenario.as_of))
        .and_then(|day| {
            let mut parts = day.get(..10)?.split('-');
            let year = parts.next()?.parse().ok()?;
            let month = parts.next()?.parse().ok()?;
            let day = parts.next()?.parse().ok()?;
            ExcelDateTime::from_ymd(year, month, day).ok()
        })
        .unwrap_or(ExcelDateTime::from_ymd(2026, 1, 1)?);
    let mut properties = DocProperties::new()
        .set_title(report.title())
        .set_creation_datetime(&created);
    if let Some(author) = &report.meta.author {
        properties = properties.set_author(author);
    }
    if let Some(client) = &report.meta.client {
        properties = properties.set_company(client);
    }
    workbook.set_properties(&properties);

    let several = report.scenarios.len() > 1;
    let mut summary = Worksheet::new();
    summary.set_name(sheets.name("Summary"))?;
    write_cover(&mut summary, report, &formats)?;
    let mut summary_row = 6;
    let mut others = Vec::new();
    for (index, part) in report.scenarios.iter().enumerate() {
        let prefix = if several {
            format!("S{} ", index + 1)
        } else {
            String::new()
        };
        let name_prefix = if several {
            format!("s{}", index + 1)
        } else {
            String::new()
        };
        let mut context = Writer {
            part,
            formats: &formats,
            names: &mut names,
            name_prefix,
            workbook: &mut workbook,
        };
        let (inputs, policy_sheets, totals) = context.scenario_sheets(&prefix, &mut sheets)?;
        summary_row = context.summary_block(&mut summary, summary_row, &totals)?;
        others.push(inputs);
        others.extend(policy_sheets);
    }
    workbook.push_worksheet(summary);
    for sheet in others {
        workbook.push_worksheet(sheet);
    }
    Ok(workbook.save_to_buffer()?)
}

fn write_cover(
    sheet: &mut Worksheet,
    report: &BudgetReport,
    formats: &Formats,
) -> Result<(), XlsxError> {
    sheet.set_column_width(0, 34)?;
    for column in 1..=7 {
        sheet.set_column_width(column, 18)?;
    }
    sheet.write_string_with_format(0, 0, report.title(), &formats.title)?;
    let mut row = 1;
    if let Some(client) = &report.meta.client {
        sheet.write_string(row, 0, "Prepared for")?;
        sheet.write_string(row, 1, client)?;
        row += 1;
    }
    if let Some(author) = &report.meta.author {
        sheet.write_string(row, 0, "By")?;
        sheet.write_string(row, 1, author)?;
        row += 1;
    }
    sheet.write_string_with_format(
        row.max(3),
        0,
        "Every cost is a formula over the Inputs sheet: change a blue input cell and the totals follow. Money in USD per month unless said otherwise.",
        &formats.note,
    )?;
    Ok(())
}

struct Writer<'a> {
    part: &'a ScenarioReport,
    formats: &'a Formats,
    names: &'a mut Namer,
    name_prefix: String,
    workbook: &'a mut Workbook,
}

/// The generated names of one workload's inputs.
struct WorkloadNames {
    input: String,
    output: String,
    hit: String,
    write: String,
    batch: String,
    off_peak: String,
}

/// Where each policy's total lives, for the Summary.
struct PolicyTotal {
    name: String,
    total_name: String,
    total: Decimal,
}

impl Writer<'_> {
    fn name(&mut self, prefix: &str, parts: &[&str]) -> String {
        let prefix = format!("{}{prefix}", self.name_prefix);
        self.names.name(&prefix, parts)
    }

    /// Names `cell` (row, column, 0-based) of `sheet` in the workbook.
    fn define(&mut self, name: &str, sheet: &str, row: u32, column: u16) -> Result<(), XlsxError> {
        let reference = format!(
            "='{}'!${}${}",
            sheet.replace('\'', "''"),
            column_letter(column),
            row + 1
        );
        self.workbook.define_name(name, &reference)?;
        Ok(())
    }

    fn scenario_sheets(
        &mut self,
        prefix: &str,
        sheets: &mut SheetNamer,
    ) -> Result<(Worksheet, Vec<Worksheet>, Vec<PolicyTotal>), XlsxError> {
        let part = self.part;
        let model = &part.workbook;
        let f = self.formats;
        let mut inputs = Worksheet::new();
        let inputs_name = sheets.name(&format!("{prefix}Inputs"));
        inputs.set_name(&inputs_name)?;
        inputs.set_column_width(0, 30)?;
        inputs.set_column_width(1, 24)?;
        for column in 2..=8 {
            inputs.set_column_width(column, 16)?;
        }
        inputs.set_column_width(9, 60)?;
        inputs.write_string_with_format(0, 0, "Inputs", &f.title)?;
        inputs.write_string(1, 0, &part.scenario.name)?;
        inputs.write_string(
            2,
            0,
            format!(
                "{} · prices as of {} · USD",
                part.scenario.file,
                show_instant(part.scenario.as_of)
            ),
        )?;
        inputs.write_string_with_format(
            3,
            0,
            "Blue cells are inputs, each a named cell used by the policy sheets' formulas.",
            &f.note,
        )?;

        // Prices.
        let mut row = 5;
        inputs.write_string_with_format(row, 0, "Prices (USD per 1M tokens)", &f.bold)?;
        row += 1;
        for (column, title) in [
            "model",
            "price list",
            "uncached input",
            "cached input",
            "cache write",
            "output",
            "in force from",
            "unit",
            "",
            "source",
        ]
        .iter()
        .enumerate()
        {
            inputs.write_string_with_format(row, column as u16, *title, &f.bold)?;
        }
        row += 1;
        let mut rate_names: Vec<[String; 4]> = Vec::new();
        for rate in &model.rows {
            inputs.write_string(row, 0, &rate.model)?;
            inputs.write_string(row, 1, &rate.list)?;
            let mut cells: [String; 4] = Default::default();
            for (column, component) in Component::ALL.into_iter().enumerate() {
                let short = match component {
                    Component::UncachedInput => "input",
                    Component::CachedInput => "cached_input",
                    Component::CacheWrite => "cache_write",
                    Component::Output => "output",
                };
                let name = self.name("p", &[&rate.model, &rate.list, short]);
                let col = 2 + column as u16;
                match rate.values[column] {
                    RateValue::Given(value) => {
                        inputs.write_number_with_format(row, col, number(value), &f.input_price)?;
                    }
                    RateValue::Input => {
                        inputs.write_formula_with_format(
                            row,
                            col,
                            Formula::new(format!("={}", cells[0]))
                                .set_result(format::plain(rate.value(column))),
                            &f.price,
                        )?;
                    }
                }
                self.define(&name, &inputs_name, row, col)?;
                cells[column] = name;
            }
            inputs.write_string(row, 6, show_instant(rate.from))?;
            inputs.write_string(row, 7, "USD / 1M tokens")?;
            let stand_ins: Vec<&str> = [(1, "cached input"), (2, "cache write")]
                .iter()
                .filter(|(column, _)| rate.values[*column] == RateValue::Input)
                .map(|(_, label)| *label)
                .collect();
            if !stand_ins.is_empty() {
                inputs.write_string_with_format(
                    row,
                    8,
                    format!("not published: {} = input price", stand_ins.join(", ")),
                    &f.note,
                )?;
            }
            inputs.write_string(row, 9, &rate.source)?;
            rate_names.push(cells);
            row += 1;
        }

        // Adjustments.
        row += 1;
        let mut factor_names = Vec::new();
        if !model.factors.is_empty() {
            inputs.write_string_with_format(
                row,
                0,
                "Tier, time-of-day and promotion adjustments",
                &f.bold,
            )?;
            row += 1;
            for (column, title) in ["model", "adjustment", "share", "applied as"]
                .iter()
                .enumerate()
            {
                inputs.write_string_with_format(row, column as u16, *title, &f.bold)?;
            }
            row += 1;
            for factor in &model.factors {
                let name = self.name("adj", &[&factor.model, &factor.label]);
                inputs.write_string(row, 0, &factor.model)?;
                inputs.write_string(row, 1, &factor.label)?;
                inputs.write_number_with_format(row, 2, number(factor.value), &f.input_share)?;
                inputs.write_string(
                    row,
                    3,
                    match factor.kind {
                        FactorKind::Discount => "price × (1 − share)",
                        FactorKind::Uplift => "price × (1 + share)",
                    },
                )?;
                self.define(&name, &inputs_name, row, 2)?;
                factor_names.push(name);
                row += 1;
            }
            row += 1;
        }

        // Negotiated discounts.
        inputs.write_string_with_format(row, 0, "Negotiated provider discounts", &f.bold)?;
        row += 1;
        inputs.write_string_with_format(row, 0, "provider", &f.bold)?;
        inputs.write_string_with_format(row, 1, "discount", &f.bold)?;
        inputs.write_string_with_format(row, 9, "source", &f.bold)?;
        row += 1;
        let mut discount_names = std::collections::BTreeMap::new();
        for (provider, discount) in &model.discounts {
            let name = self.name("disc", &[provider]);
            inputs.write_string(row, 0, provider)?;
            inputs.write_number_with_format(row, 1, number(*discount), &f.input_share)?;
            let source = if part.scenario.discounts.contains_key(provider) {
                format!("negotiated: `discounts:` in {}", part.scenario.file)
            } else {
                "none negotiated (0%)".to_string()
            };
            inputs.write_string(row, 9, source)?;
            self.define(&name, &inputs_name, row, 1)?;
            discount_names.insert(provider.clone(), name);
            row += 1;
        }

        // Workloads.
        row += 1;
        inputs.write_string_with_format(row, 0, "Workloads (per month)", &f.bold)?;
        row += 1;
        for (column, title) in [
            "workload",
            "input tokens",
            "output tokens",
            "cache-hit rate",
            "cache-write rate",
            "batch share",
            "off-peak share",
            "requests",
            "",
            "source and note",
        ]
        .iter()
        .enumerate()
        {
            inputs.write_string_with_format(row, column as u16, *title, &f.bold)?;
        }
        row += 1;
        let mut workload_names = Vec::new();
        for workload in &part.scenario.workloads {
            let w = &workload.name;
            let names = WorkloadNames {
                input: self.name("w", &[w, "input_tokens"]),
                output: self.name("w", &[w, "output_tokens"]),
                hit: self.name("w", &[w, "cache_hit_rate"]),
                write: self.name("w", &[w, "cache_write_rate"]),
                batch: self.name("w", &[w, "batch_share"]),
                off_peak: self.name("w", &[w, "off_peak_share"]),
            };
            inputs.write_string(row, 0, w)?;
            let numbers = [
                (
                    1,
                    Decimal::from(workload.input_tokens),
                    &names.input,
                    &f.input_tokens,
                ),
                (
                    2,
                    Decimal::from(workload.output_tokens),
                    &names.output,
                    &f.input_tokens,
                ),
                (3, workload.cache_hit_rate, &names.hit, &f.input_share),
                (4, workload.cache_write_rate, &names.write, &f.input_share),
                (5, workload.batch_share, &names.batch, &f.input_share),
                (
                    6,
                    workload.off_peak_share.unwrap_or_default(),
                    &names.off_peak,
                    &f.input_share,
                ),
            ];
            for (column, value, name, format) in numbers {
                inputs.write_number_with_format(row, column, number(value), format)?;
                self.define(name, &inputs_name, row, column)?;
            }
            if let Some(shape) = &workload.shape {
                inputs.write_number_with_format(row, 7, shape.requests as f64, &f.tokens)?;
            }
            let mut notes: Vec<String> = Vec::new();
            if workload.off_peak_share.is_none() {
                notes.push("off-peak share not given: billed at peak prices (0%)".to_string());
            }
            if let Some(shape) = &workload.shape {
                notes.push(format!(
                    "{} input and {} output tokens per request; long-context pricing was decided at that size and does not follow a change here",
                    shape.input_tokens_per_request, shape.output_tokens_per_request
                ));
            }
            notes.insert(0, format!("from {}", part.scenario.file));
            inputs.write_string_with_format(row, 9, notes.join("; "), &f.note)?;
            workload_names.push(names);
            row += 1;
        }

        // Policy sheets.
        let mut policy_sheets = Vec::new();
        let mut totals = Vec::new();
        for policy in &model.policies {
            let description = part
                .scenario
                .policy(&policy.name)
                .and_then(|p| p.description.clone());
            let mut sheet = Worksheet::new();
            let sheet_name = sheets.name(&format!("{prefix}{}", policy.name));
            sheet.set_name(&sheet_name)?;
            sheet.set_column_width(0, 24)?;
            sheet.set_column_width(1, 22)?;
            for column in 2..=5 {
                sheet.set_column_width(column, 14)?;
            }
            for column in 6..=9 {
                sheet.set_column_width(column, 17)?;
            }
            sheet.set_column_width(10, 60)?;
            sheet.write_string_with_format(0, 0, &policy.name, &f.title)?;
            if let Some(text) = description {
                sheet.write_string_with_format(1, 0, text, &f.wrap)?;
            }
            let heading = if part.is_expected() {
                "First attempts: every cost line of the month, before retries and human review (see Summary)"
            } else {
                "Every cost line of the month"
            };
            sheet.write_string_with_format(2, 0, heading, &f.note)?;
            for (column, title) in [
                "workload",
                "model",
                "billing",
                "window",
                "context",
                "component",
                "tokens",
                "unit price (USD / 1M)",
                "discount",
                "cost",
                "note",
            ]
            .iter()
            .enumerate()
            {
                sheet.write_string_with_format(FIRST_LINE - 1, column as u16, *title, &f.bold)?;
            }
            let mut line_row = FIRST_LINE;
            for line in &policy.lines {
                self.write_line(
                    &mut sheet,
                    line_row,
                    line,
                    &workload_names[line.workload],
                    &rate_names,
                    &factor_names,
                    &discount_names,
                )?;
                line_row += 1;
            }
            let total_row = line_row;
            sheet.write_string_with_format(total_row, 0, "total", &f.bold)?;
            let total_formula = if policy.lines.is_empty() {
                "=0".to_string()
            } else {
                format!("=SUM({COST}{}:{COST}{})", FIRST_LINE + 1, total_row)
            };
            sheet.write_formula_with_format(
                total_row,
                9,
                Formula::new(total_formula).set_result(format::plain(policy.total)),
                &f.money.clone().set_bold(),
            )?;
            let total_name = self.name("total", &[&policy.name]);
            self.define(&total_name, &sheet_name, total_row, 9)?;
            sheet.set_freeze_panes(FIRST_LINE, 0)?;
            totals.push(PolicyTotal {
                name: policy.name.clone(),
                total_name,
                total: policy.total,
            });
            policy_sheets.push(sheet);
        }
        let mut analysis = Worksheet::new();
        analysis.set_name(sheets.name(&format!("{prefix}Notes")))?;
        self.notes_sheet(&mut analysis)?;
        policy_sheets.push(analysis);
        Ok((inputs, policy_sheets, totals))
    }

    /// Assumptions, the catalogue's notices, and the analyses (tornado, sweeps, simulation) as
    /// the engine's exact values: they are not formulas and do not follow Inputs.
    fn notes_sheet(&mut self, sheet: &mut Worksheet) -> Result<(), XlsxError> {
        let f = self.formats;
        let part = self.part;
        sheet.set_column_width(0, 44)?;
        for column in 1..=8 {
            sheet.set_column_width(column, 16)?;
        }
        sheet.write_string_with_format(0, 0, "Notes and analyses", &f.title)?;
        sheet.write_string_with_format(
            1,
            0,
            "Exact values from the engine at the scenario's inputs: not formulas, they do not follow a change in Inputs.",
            &f.note,
        )?;
        let mut row = 3;
        let heading = |sheet: &mut Worksheet, row: &mut u32, text: &str| -> Result<(), XlsxError> {
            sheet.write_string_with_format(*row, 0, text, &f.bold)?;
            *row += 1;
            Ok(())
        };
        heading(sheet, &mut row, "Assumptions")?;
        let assumptions = super::labels::assumption_notes(&part.evaluation);
        if assumptions.items.is_empty() {
            sheet.write_string(row, 0, assumptions.when_empty.unwrap_or_default())?;
            row += 1;
        }
        for item in &assumptions.items {
            sheet.write_string(row, 0, item)?;
            row += 1;
        }
        for note in &part.notes {
            sheet.write_string(row, 0, note)?;
            row += 1;
        }
        row += 1;
        heading(sheet, &mut row, "Deprecations and price freshness")?;
        if part.notices.is_empty() {
            sheet.write_string(row, 0, "none")?;
            row += 1;
        }
        for notice in &part.notices {
            sheet.write_string(row, 0, &notice.model)?;
            sheet.write_string(row, 1, &notice.text)?;
            row += 1;
        }
        if let Some(tornado) = &part.tornado {
            row += 1;
            heading(
                sheet,
                &mut row,
                &format!(
                    "Sensitivity of {} (inputs moved 10% down and up; shares by 10 points)",
                    tornado.policy
                ),
            )?;
            for (column, title) in ["input", "down", "up", "swing"].iter().enumerate() {
                sheet.write_string_with_format(row, column as u16, *title, &f.bold)?;
            }
            row += 1;
            for bar in &tornado.bars {
                sheet.write_string(row, 0, &bar.path)?;
                sheet.write_number_with_format(row, 1, number(bar.low), &f.money)?;
                sheet.write_number_with_format(row, 2, number(bar.high), &f.money)?;
                sheet.write_number_with_format(row, 3, number(bar.swing), &f.money)?;
                row += 1;
            }
        }
        for sweep in &part.sweeps {
            row += 1;
            heading(sheet, &mut row, &format!("Sweep of {}", sweep.path))?;
            sheet.write_string_with_format(row, 0, "value", &f.bold)?;
            for (column, (name, _)) in sweep.series.iter().enumerate() {
                sheet.write_string_with_format(row, 1 + column as u16, name, &f.bold)?;
            }
            row += 1;
            for (index, label) in sweep.labels.iter().enumerate() {
                sheet.write_string(row, 0, label)?;
                for (column, (_, values)) in sweep.series.iter().enumerate() {
                    sheet.write_number_with_format(
                        row,
                        1 + column as u16,
                        number(values[index]),
                        &f.money,
                    )?;
                }
                row += 1;
            }
        }
        if let Some(simulation) = &part.simulation {
            row += 1;
            heading(
                sheet,
                &mut row,
                &format!(
                    "Monte Carlo: {} months, seed {}",
                    simulation.settings.trials, simulation.settings.seed
                ),
            )?;
            for (column, title) in [
                "policy",
                "expected (exact)",
                "mean",
                "P5",
                "P50",
                "P95",
                "P99",
            ]
            .iter()
            .enumerate()
            {
                sheet.write_string_with_format(row, column as u16, *title, &f.bold)?;
            }
            row += 1;
            for policy in &simulation.policies {
                sheet.write_string(row, 0, &policy.policy)?;
                let figures = [
                    policy.expected,
                    policy.cost.mean,
                    policy.cost.p5,
                    policy.cost.p50,
                    policy.cost.p95,
                    policy.cost.p99,
                ];
                for (column, value) in figures.into_iter().enumerate() {
                    sheet.write_number_with_format(
                        row,
                        1 + column as u16,
                        number(value),
                        &f.money,
                    )?;
                }
                row += 1;
            }
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn write_line(
        &mut self,
        sheet: &mut Worksheet,
        row: u32,
        line: &SheetLine,
        w: &WorkloadNames,
        rate_names: &[[String; 4]],
        factor_names: &[String],
        discount_names: &std::collections::BTreeMap<String, String>,
    ) -> Result<(), XlsxError> {
        let f = self.formats;
        let part = self.part;
        sheet.write_string(row, 0, &part.scenario.workloads[line.workload].name)?;
        sheet.write_string(row, 1, &line.model)?;
        sheet.write_string(row, 2, billing_label(line.billing))?;
        sheet.write_string(row, 3, line.window.label())?;
        sheet.write_string(
            row,
            4,
            match line.context {
                crate::engine::breakdown::Context::Standard => "standard",
                crate::engine::breakdown::Context::Long => "long",
            },
        )?;
        sheet.write_string(row, 5, line.component.label())?;
        let component = match line.component {
            Component::UncachedInput => format!("{}*(1-{}-{})", w.input, w.hit, w.write),
            Component::CachedInput => format!("{}*{}", w.input, w.hit),
            Component::CacheWrite => format!("{}*{}", w.input, w.write),
            Component::Output => w.output.clone(),
        };
        let billing = if line.is_batch {
            w.batch.clone()
        } else {
            format!("(1-{})", w.batch)
        };
        let window = match line.window {
            Window::AllHours => String::new(),
            Window::Peak => format!("*(1-{})", w.off_peak),
            Window::OffPeak => format!("*{}", w.off_peak),
        };
        sheet.write_formula_with_format(
            row,
            6,
            Formula::new(format!("={component}*{billing}{window}"))
                .set_result(format::plain(line.tokens)),
            &f.tokens,
        )?;
        match &line.price {
            Some(expr) => {
                let mut text = format!("={}", rate_names[expr.row][expr.column]);
                for &index in &expr.factors {
                    let factor = &self.part.workbook.factors[index];
                    let sign = match factor.kind {
                        FactorKind::Discount => '-',
                        FactorKind::Uplift => '+',
                    };
                    text.push_str(&format!("*(1{sign}{})", factor_names[index]));
                }
                sheet.write_formula_with_format(
                    row,
                    7,
                    Formula::new(text).set_result(format::plain(line.unit_price)),
                    &f.price,
                )?;
            }
            None => {
                sheet.write_number_with_format(row, 7, number(line.unit_price), &f.price)?;
                sheet.write_string_with_format(
                    row,
                    10,
                    "unit price is the engine's exact value: it cannot be derived from the Inputs cells, so it does not follow them",
                    &f.note,
                )?;
            }
        }
        match discount_names.get(&line.provider) {
            Some(name) => sheet.write_formula_with_format(
                row,
                8,
                Formula::new(format!("={name}")).set_result(format::plain(line.discount)),
                &f.share,
            )?,
            None => sheet.write_number_with_format(row, 8, number(line.discount), &f.share)?,
        };
        let excel_row = row + 1;
        sheet.write_formula_with_format(
            row,
            9,
            Formula::new(format!(
                "={TOKENS}{excel_row}*{PRICE}{excel_row}/1000000*(1-{DISCOUNT}{excel_row})"
            ))
            .set_result(format::plain(line.cost)),
            &f.money,
        )?;
        Ok(())
    }

    fn summary_block(
        &mut self,
        sheet: &mut Worksheet,
        start: u32,
        totals: &[PolicyTotal],
    ) -> Result<u32, XlsxError> {
        let f = self.formats;
        let part = self.part;
        let mut row = start;
        sheet.write_string_with_format(row, 0, &part.scenario.name, &f.bold)?;
        row += 1;
        sheet.write_string(
            row,
            0,
            format!(
                "{} · prices as of {} · baseline {}",
                part.scenario.file,
                show_instant(part.scenario.as_of),
                part.scenario.baseline
            ),
        )?;
        row += 1;
        let mut headers = vec![
            "policy",
            "monthly cost",
            "vs baseline",
            "change",
            "annual cost",
        ];
        if part.is_expected() {
            headers[1] = "first attempts / month";
            headers.extend([
                "expected month (retries, review)",
                "expected annual",
                "note",
            ]);
        }
        for (column, title) in headers.iter().enumerate() {
            sheet.write_string_with_format(row, column as u16, *title, &f.bold)?;
        }
        row += 1;
        let baseline = totals.iter().find(|t| t.name == part.scenario.baseline);
        for total in totals {
            let r = row + 1;
            sheet.write_string(row, 0, &total.name)?;
            sheet.write_formula_with_format(
                row,
                1,
                Formula::new(format!("={}", total.total_name))
                    .set_result(format::plain(total.total)),
                &f.money,
            )?;
            if let Some(base) = baseline {
                let delta = total.total - base.total;
                sheet.write_formula_with_format(
                    row,
                    2,
                    Formula::new(format!("=B{r}-{}", base.total_name))
                        .set_result(format::plain(delta)),
                    &f.money,
                )?;
                let percent = (!base.total.is_zero()).then(|| delta / base.total);
                sheet.write_formula_with_format(
                    row,
                    3,
                    Formula::new(format!("=IF({0}=0,\"\",C{r}/{0})", base.total_name))
                        .set_result(percent.map(format::plain).unwrap_or_default()),
                    &f.share,
                )?;
            }
            sheet.write_formula_with_format(
                row,
                4,
                Formula::new(format!("=B{r}*12"))
                    .set_result(format::plain(total.total * Decimal::from(12))),
                &f.money,
            )?;
            if let Some(policy) = part.policies.iter().find(|p| p.name == total.name) {
                if part.is_expected() {
                    sheet.write_number_with_format(row, 5, number(policy.monthly), &f.money)?;
                    sheet.write_formula_with_format(
                        row,
                        6,
                        Formula::new(format!("=F{r}*12")).set_result(format::plain(policy.annual)),
                        &f.money,
                    )?;
                    sheet.write_string_with_format(
                        row,
                        7,
                        "exact value from the engine's closed form (pass rates, retries, review): not a formula, it does not follow Inputs",
                        &f.note,
                    )?;
                }
            }
            row += 1;
        }
        Ok(row + 2)
    }
}

fn billing_label(billing: Billing) -> &'static str {
    billing.label()
}

/// A number for a cell: the exact decimal's nearest `f64` (shown rounded to cents or to the
/// price's digits; exact figures stay in the formulas' cached results as text).
fn number(value: Decimal) -> f64 {
    format::plain(value).parse().unwrap_or(0.0)
}

/// `0` → `A`, `25` → `Z`, `26` → `AA`.
fn column_letter(column: u16) -> String {
    let mut n = u32::from(column) + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_sanitized_and_unique() {
        let mut namer = Namer::default();
        assert_eq!(namer.name("w", &["<script>", "input"]), "w__script__input");
        assert_eq!(
            namer.name("w", &["<script>", "input"]),
            "w__script__input_2"
        );
        assert_eq!(namer.name("p", &["gpt-5.5", "output"]), "p_gpt_5_5_output");
        assert_eq!(
            namer.name("P", &["gpt-5.5", "output"]),
            "P_gpt_5_5_output_2"
        );
    }

    #[test]
    fn sheet_names_fit_excel_rules() {
        let mut sheets = SheetNamer::default();
        assert_eq!(sheets.name("a/b:c"), "a_b_c");
        assert_eq!(sheets.name("A/B:C"), "A_B_C (2)");
        let long = sheets.name(&"x".repeat(40));
        assert_eq!(long.chars().count(), 31);
        assert_eq!(sheets.name("'quoted'"), "quoted");
        assert_eq!(sheets.name("History"), "policy");
    }

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(9), "J");
    }
}
