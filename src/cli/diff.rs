//! `mixcost diff OLD NEW`: what changed between two inputs, and what it does to each policy.
//!
//! OLD and NEW are two scenario files, two price folders or files (each laid over the shipped
//! catalogue, as `--pricing` does, and priced on `--scenario`), or two `compare --format json`
//! results. Changed policies show `+$561.00 ($743.00 → $1,304.00, +75.5%)` with their changed
//! workloads; unchanged policies collapse into one line.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use rust_decimal::Decimal;
use serde::Serialize;

use super::args::{Cli, OutputArgs};
use super::check::change_text;
use crate::engine::diff::{self, Costs, Edit, PolicyChange};
use crate::engine::whatif::month;
use crate::load::diagnostic::LoadError;
use crate::load::source::SourceFile;
use crate::load::values::show_instant;
use crate::load::{pricing, result, scenario, validate};
use crate::report::{comment, format, json, Cell, Document, Format, Notes, Table};

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier input: a scenario file, a price folder or file, or a JSON result.
    #[arg(value_name = "OLD")]
    pub old: PathBuf,
    /// The later input, of the same kind.
    #[arg(value_name = "NEW")]
    pub new: PathBuf,

    /// For price diffs: the scenario to price with both catalogues (the seed when omitted).
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<PathBuf>,

    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
enum Kind {
    Scenarios,
    Pricing,
    Results,
}

impl Kind {
    fn of(path: &Path) -> Result<Kind, LoadError> {
        if path.is_dir() {
            return Ok(Kind::Pricing);
        }
        let source = SourceFile::read(path)?;
        Ok(if result::is_json(&source) {
            Kind::Results
        } else if validate::is_price_file(&source) {
            Kind::Pricing
        } else {
            Kind::Scenarios
        })
    }

    fn label(self) -> &'static str {
        match self {
            Kind::Scenarios => "a scenario file",
            Kind::Pricing => "prices",
            Kind::Results => "a JSON result",
        }
    }
}

/// One scenario's before and after.
struct Section {
    scenario: String,
    as_of: String,
    edits: Vec<Edit>,
    changes: Vec<PolicyChange>,
}

pub fn run(cli: &Cli, args: &DiffArgs) -> anyhow::Result<ExitCode> {
    let (old_kind, new_kind) = (Kind::of(&args.old)?, Kind::of(&args.new)?);
    if old_kind != new_kind {
        anyhow::bail!(
            "cannot diff {} ('{}') against {} ('{}'); give two of the same kind",
            old_kind.label(),
            args.old.display(),
            new_kind.label(),
            args.new.display()
        );
    }
    if args.scenario.is_some() && old_kind != Kind::Pricing {
        anyhow::bail!("--scenario only applies when diffing prices; OLD and NEW are not price folders or files");
    }
    let sections = match old_kind {
        Kind::Scenarios => vec![scenarios(cli, args)?],
        Kind::Pricing => vec![prices(cli, args)?],
        Kind::Results => results(args)?,
    };
    let report = Report {
        kind: old_kind,
        old: args.old.display().to_string(),
        new: args.new.display().to_string(),
        sections,
    };
    let text = report.render(args.output.format);
    super::output::emit(&text, args.output.output.as_deref())?;
    super::output::emit_assumptions(cli, args.output.output.as_deref(), || {
        report.documents(Format::Csv)
    })?;
    Ok(ExitCode::SUCCESS)
}

fn nothing_in_common(args: &DiffArgs) -> anyhow::Error {
    anyhow::anyhow!(
        "'{}' and '{}' have nothing in common: no policy or workload appears in both; diff two versions of the same scenario",
        args.old.display(),
        args.new.display()
    )
}

fn scenarios(cli: &Cli, args: &DiffArgs) -> anyhow::Result<Section> {
    let catalogue = super::load_catalogue(cli)?;
    let old = super::load_scenario(Some(&args.old), &catalogue)?;
    let new = super::load_scenario(Some(&args.new), &catalogue)?;
    let priced = |scenario| month(scenario, &catalogue).map_err(super::whatif_error);
    let (before, after) = (priced(&old)?.costs, priced(&new)?.costs);
    if !diff::have_common_ground(&before, &after) {
        return Err(nothing_in_common(args));
    }
    Ok(Section {
        scenario: new.name.clone(),
        as_of: show_instant(new.as_of),
        edits: diff::scenario_edits(&old, &new, show_instant),
        changes: diff::cost_changes(&before, &after),
    })
}

fn prices(cli: &Cli, args: &DiffArgs) -> anyhow::Result<Section> {
    let catalogue_with = |extra: &Path| {
        let mut paths = cli.pricing.clone();
        paths.push(extra.to_path_buf());
        pricing::load_catalogue(&paths).map(|(catalogue, warnings)| {
            super::report_warnings(&warnings);
            catalogue
        })
    };
    let old_catalogue = catalogue_with(&args.old)?;
    let new_catalogue = catalogue_with(&args.new)?;
    price_section(&old_catalogue, &new_catalogue, args.scenario.as_deref())
}

/// What changed between two catalogues, and its cost effect on `scenario` (the seed when
/// `None`); `pricing diff` compares two `pricing update` downloads with it.
fn price_section(
    old_catalogue: &crate::model::catalogue::Catalogue,
    new_catalogue: &crate::model::catalogue::Catalogue,
    scenario: Option<&Path>,
) -> anyhow::Result<Section> {
    let source = match scenario {
        Some(path) => SourceFile::read(path).map_err(LoadError::from)?,
        None => scenario::seed_source(),
    };
    let load = |catalogue| -> anyhow::Result<_> {
        let (loaded, warnings) = scenario::load_scenario(&source, catalogue)?;
        super::report_warnings(&warnings);
        Ok(loaded)
    };
    let (old, new) = (load(old_catalogue)?, load(new_catalogue)?);
    let before = month(&old, old_catalogue)
        .map_err(super::whatif_error)?
        .costs;
    let after = month(&new, new_catalogue)
        .map_err(super::whatif_error)?
        .costs;
    Ok(Section {
        scenario: new.name.clone(),
        as_of: show_instant(new.as_of),
        edits: diff::catalogue_edits(old_catalogue, new_catalogue, new.as_of, show_instant),
        changes: diff::cost_changes(&before, &after),
    })
}

/// Prints what changed between two catalogues (labelled `old` and `new`) in `output`'s format.
pub fn run_catalogues(
    cli: &Cli,
    old: &str,
    new: &str,
    old_catalogue: &crate::model::catalogue::Catalogue,
    new_catalogue: &crate::model::catalogue::Catalogue,
    scenario: Option<&Path>,
    output: &super::args::OutputArgs,
) -> anyhow::Result<ExitCode> {
    let report = Report {
        kind: Kind::Pricing,
        old: old.to_string(),
        new: new.to_string(),
        sections: vec![price_section(old_catalogue, new_catalogue, scenario)?],
    };
    let text = report.render(output.format);
    super::output::emit(&text, output.output.as_deref())?;
    super::output::emit_assumptions(cli, output.output.as_deref(), || {
        report.documents(Format::Csv)
    })?;
    Ok(ExitCode::SUCCESS)
}

fn results(args: &DiffArgs) -> anyhow::Result<Vec<Section>> {
    let read = |path: &Path| -> anyhow::Result<(Vec<Costs>, Vec<result::RecordedInputs>)> {
        let source = SourceFile::read(path).map_err(LoadError::from)?;
        let costs = result::read(&source).map_err(LoadError::from)?;
        Ok((costs, result::recorded_inputs(&source)))
    };
    let ((old, old_inputs), (new, new_inputs)) = (read(&args.old)?, read(&args.new)?);
    let inputs_of = |inputs: &[result::RecordedInputs], name: &str, only: bool| {
        inputs
            .iter()
            .find(|recorded| only || recorded.scenario == name)
            .cloned()
            .unwrap_or_default()
    };
    let single = old.len() == 1 && new.len() == 1;
    // Scenarios pair by name (one on each side pair whatever their names); a scenario on one
    // side only is listed as added or removed, never dropped.
    let pairs: Vec<(Costs, Costs)> = if old.len() == 1 && new.len() == 1 {
        old.into_iter().zip(new).collect()
    } else {
        let empty = |side: &Costs| Costs {
            scenario: side.scenario.clone(),
            as_of: side.as_of.clone(),
            requests: side.requests,
            policies: Vec::new(),
        };
        let mut pairs: Vec<(Costs, Costs)> = new
            .iter()
            .map(|after| {
                let before = old
                    .iter()
                    .find(|b| b.scenario == after.scenario)
                    .cloned()
                    .unwrap_or_else(|| empty(after));
                (before, after.clone())
            })
            .collect();
        for before in &old {
            if !new.iter().any(|after| after.scenario == before.scenario) {
                pairs.push((before.clone(), empty(before)));
            }
        }
        pairs
    };
    if !pairs
        .iter()
        .any(|(before, after)| diff::have_common_ground(before, after))
    {
        return Err(nothing_in_common(args));
    }
    Ok(pairs
        .into_iter()
        .map(|(before, after)| {
            let mut edits = Vec::new();
            let (added, removed) = (before.policies.is_empty(), after.policies.is_empty());
            if added || removed {
                edits.push(Edit {
                    subject: format!("scenario '{}'", after.scenario),
                    field: "scenario".to_string(),
                    before: (!added).then(|| "present".to_string()),
                    after: (!removed).then(|| "present".to_string()),
                });
            } else if before.scenario != after.scenario {
                edits.push(Edit {
                    subject: "scenario".to_string(),
                    field: "name".to_string(),
                    before: Some(before.scenario.clone()),
                    after: Some(after.scenario.clone()),
                });
            }
            if before.as_of != after.as_of {
                edits.push(Edit {
                    subject: "scenario".to_string(),
                    field: "as_of".to_string(),
                    before: Some(before.as_of.clone()),
                    after: Some(after.as_of.clone()),
                });
            }
            if !added && !removed {
                edits.extend(recorded_edits(
                    &inputs_of(&old_inputs, &before.scenario, single),
                    &inputs_of(&new_inputs, &after.scenario, single),
                ));
            }
            Section {
                scenario: after.scenario.clone(),
                as_of: after.as_of.clone(),
                edits,
                changes: diff::cost_changes(&before, &after),
            }
        })
        .collect())
}

/// The input changes two results record: volumes (the baseline's tokens per workload and
/// component) and unit prices and discounts per model, component and billing.
fn recorded_edits(old: &result::RecordedInputs, new: &result::RecordedInputs) -> Vec<Edit> {
    let mut edits = Vec::new();
    let mut token_keys: Vec<&(String, String)> =
        old.tokens.keys().chain(new.tokens.keys()).collect();
    token_keys.sort();
    token_keys.dedup();
    for key in token_keys {
        let (before, after) = (old.tokens.get(key), new.tokens.get(key));
        if before != after {
            edits.push(Edit {
                subject: format!("workload '{}'", key.0),
                field: format!("{} tokens", key.1.replace('_', " ")),
                before: before.map(|t| format::tokens(*t)),
                after: after.map(|t| format::tokens(*t)),
            });
        }
    }
    let mut price_keys: Vec<&(String, String, String)> =
        old.prices.keys().chain(new.prices.keys()).collect();
    price_keys.sort();
    price_keys.dedup();
    for key in price_keys {
        let (before, after) = (old.prices.get(key), new.prices.get(key));
        // A model only one side uses is a routing change, shown in the effect table.
        let (Some(before), Some(after)) = (before, after) else {
            continue;
        };
        let subject = format!("model '{}'", key.0);
        let what = format!("{} ({})", key.1.replace('_', " "), key.2.replace('_', " "));
        if before.0 != after.0 {
            edits.push(Edit {
                subject: subject.clone(),
                field: format!("{what} price"),
                before: Some(format::price(before.0)),
                after: Some(format::price(after.0)),
            });
        }
        if before.1 != after.1 {
            let percent = |d: Decimal| format!("{}%", format::plain(d * Decimal::ONE_HUNDRED));
            edits.push(Edit {
                subject,
                field: format!("{what} discount"),
                before: Some(percent(before.1)),
                after: Some(percent(after.1)),
            });
        }
    }
    edits
}

/// Said when costs changed but no input that a result records did.
const UNRECORDED: &str = "The results differ, but no input they record changed (volumes, prices, discounts, date): the change is in something a JSON result does not carry, such as routing; diff the scenario files to see it.";

struct Report {
    kind: Kind,
    old: String,
    new: String,
    sections: Vec<Section>,
}

fn money_or_dash(value: Option<Decimal>) -> Cell {
    value.map_or(Cell::Marker("—"), Cell::Money)
}

/// `+$561.00 ($743.00 → $1,304.00, +75.5%)`, `added ($12.00)`, `removed (was $9.00)`.
fn effect(before: Option<Decimal>, after: Option<Decimal>) -> String {
    match (before, after) {
        (Some(before), Some(after)) => change_text(before, after),
        (None, Some(after)) => format!("added ({})", format::money(after)),
        (Some(before), None) => format!("removed (was {})", format::money(before)),
        (None, None) => String::new(),
    }
}

/// `$1,234.50` → `1234.50`, `−$0.25` → `-0.25`: a price shown for people, as CSV writes
/// numbers. Other text (dates, names, `50% off`) is kept.
fn plain_amount(text: &str) -> String {
    let (sign, rest) = match text.strip_prefix('−') {
        Some(rest) => ("-", rest),
        None => ("", text),
    };
    let Some(digits) = rest.strip_prefix('$') else {
        return text.to_string();
    };
    let digits = digits.replace(',', "");
    if !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
        && digits.matches('.').count() <= 1
    {
        format!("{sign}{digits}")
    } else {
        text.to_string()
    }
}

fn edit_cells(edit: &Edit) -> Vec<Cell> {
    vec![
        Cell::text(&edit.subject),
        Cell::text(&edit.field),
        Cell::text(edit.before.clone().unwrap_or_else(|| "(added)".to_string())),
        Cell::text(
            edit.after
                .clone()
                .unwrap_or_else(|| "(removed)".to_string()),
        ),
    ]
}

impl Section {
    fn unchanged(&self) -> Vec<&PolicyChange> {
        self.changes
            .iter()
            .filter(|c| c.total.is_unchanged())
            .collect()
    }

    fn changed(&self) -> Vec<&PolicyChange> {
        self.changes
            .iter()
            .filter(|c| !c.total.is_unchanged())
            .collect()
    }

    fn unchanged_line(&self) -> Option<String> {
        let unchanged = self.unchanged();
        if unchanged.is_empty() {
            return None;
        }
        let names: Vec<String> = unchanged
            .iter()
            .map(|c| {
                format!(
                    "{} ({})",
                    c.total.name,
                    format::money(c.total.after.unwrap_or_default())
                )
            })
            .collect();
        Some(format!(
            "{} {} unchanged: {}",
            unchanged.len(),
            if unchanged.len() == 1 {
                "policy"
            } else {
                "policies"
            },
            names.join(", ")
        ))
    }

    fn edits_table(&self) -> Table {
        let mut table = Table::new(&["what", "field", "before", "after"]);
        for edit in &self.edits {
            table.push(edit_cells(edit));
        }
        table
    }

    /// Policy, before, after, Δ, Δ% for the changed policies.
    fn summary(&self) -> Table {
        let mut table = Table::new(&["policy", "before", "after", "Δ", "Δ%"]);
        for change in self.changed() {
            let total = &change.total;
            table.push(vec![
                Cell::text(&total.name),
                money_or_dash(total.before),
                money_or_dash(total.after),
                total.delta().map_or(Cell::Empty, Cell::MoneyDelta),
                total.percent().map_or(Cell::Empty, Cell::PercentDelta),
            ]);
        }
        table
    }

    /// The effect as numbers, for CSV: each changed policy (workload empty) and its changed
    /// workloads, before, after and the change; a side that does not exist is empty.
    fn effects_csv(&self) -> Table {
        let money = |value: Option<Decimal>| value.map_or(Cell::Empty, Cell::Money);
        let mut table = Table::new(&[
            "scenario",
            "policy",
            "workload",
            "before",
            "after",
            "change",
            "change %",
            "models before",
            "models after",
        ])
        .with_prototype(vec![
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Money(Decimal::ZERO),
            Cell::Money(Decimal::ZERO),
            Cell::MoneyDelta(Decimal::ZERO),
            Cell::PercentDelta(Decimal::ZERO),
            Cell::Empty,
            Cell::Empty,
        ]);
        for change in self.changed() {
            let total = &change.total;
            table.push(vec![
                Cell::text(&self.scenario),
                Cell::text(&total.name),
                Cell::Empty,
                money(total.before),
                money(total.after),
                total.delta().map_or(Cell::Empty, Cell::MoneyDelta),
                total.percent().map_or(Cell::Empty, Cell::PercentDelta),
                Cell::Empty,
                Cell::Empty,
            ]);
            for workload in &change.workloads {
                if workload.cost.is_unchanged() && workload.models_before == workload.models_after {
                    continue;
                }
                table.push(vec![
                    Cell::text(&self.scenario),
                    Cell::text(&total.name),
                    Cell::text(&workload.cost.name),
                    money(workload.cost.before),
                    money(workload.cost.after),
                    workload.cost.delta().map_or(Cell::Empty, Cell::MoneyDelta),
                    workload
                        .cost
                        .percent()
                        .map_or(Cell::Empty, Cell::PercentDelta),
                    Cell::text(workload.models_before.join(" ")),
                    Cell::text(workload.models_after.join(" ")),
                ]);
            }
        }
        table
    }

    /// What changed, one note per edit (the CSV's assumptions).
    fn edit_notes(&self) -> Vec<String> {
        self.edits
            .iter()
            .map(|edit| {
                format!(
                    "{} {}: {} → {}",
                    edit.subject,
                    edit.field,
                    edit.before.as_deref().unwrap_or("(added)"),
                    edit.after.as_deref().unwrap_or("(removed)")
                )
            })
            .collect()
    }

    /// Each changed policy and its changed workloads, in the `+$x ($a → $b, +y%)` style.
    fn effects(&self) -> Table {
        let mut table = Table::new(&["policy", "workload", "effect", "models"]);
        for change in self.changed() {
            table.push(vec![
                Cell::text(&change.total.name),
                Cell::text("(total)"),
                Cell::text(effect(change.total.before, change.total.after)),
                Cell::Empty,
            ]);
            for workload in &change.workloads {
                if workload.cost.is_unchanged() && workload.models_before == workload.models_after {
                    continue;
                }
                let models = if workload.models_before == workload.models_after {
                    workload.models_after.join(", ")
                } else {
                    format!(
                        "{} → {}",
                        or_dash(&workload.models_before),
                        or_dash(&workload.models_after)
                    )
                };
                table.push(vec![
                    Cell::text(&change.total.name),
                    Cell::text(&workload.cost.name),
                    Cell::text(effect(workload.cost.before, workload.cost.after)),
                    Cell::text(models),
                ]);
            }
        }
        table
    }
}

fn or_dash(models: &[String]) -> String {
    if models.is_empty() {
        "—".to_string()
    } else {
        models.join(", ")
    }
}

impl Report {
    fn title(&self) -> String {
        format!("mixcost diff: {} → {}", self.old, self.new)
    }

    fn render(&self, format: Format) -> String {
        match format {
            Format::Json => json::to_string(&DiffJson::new(self)),
            Format::Markdown => crate::report::ascii::fold_if(
                comment::fit(&self.markdown(), comment::LIMIT),
                crate::report::layout().ascii,
            ),
            Format::Csv => crate::report::csv::render_all(&self.documents(format)),
            Format::Table => self
                .documents(format)
                .iter()
                .map(|document| document.render(format))
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    /// One document per scenario. CSV writes the effect as numbers, every scenario in one
    /// table; what changed goes to the notes (`--assumptions`).
    fn documents(&self, format: Format) -> Vec<Document> {
        self.sections
            .iter()
            .map(|section| {
                let mut tables = Vec::new();
                let mut notes = Vec::new();
                if format == Format::Csv && self.kind == Kind::Pricing {
                    // Price changes are the result; their effect on a scenario is a note.
                    let mut edits = section.edits_table();
                    for row in &mut edits.rows {
                        for cell in row.iter_mut().skip(2) {
                            if let Cell::Text(text) = cell {
                                *text = plain_amount(text);
                            }
                        }
                    }
                    tables.push((None, edits));
                    notes.push(Notes {
                        heading: "effect".to_string(),
                        items: section
                            .effects()
                            .rows
                            .iter()
                            .map(|row| {
                                row.iter()
                                    .map(Cell::human)
                                    .filter(|cell| !cell.is_empty())
                                    .collect::<Vec<_>>()
                                    .join(" · ")
                            })
                            .collect(),
                        when_empty: None,
                    });
                } else if format == Format::Csv {
                    tables.push((None, section.effects_csv()));
                    notes.push(Notes {
                        heading: "what changed".to_string(),
                        items: section.edit_notes(),
                        when_empty: None,
                    });
                } else {
                    tables.push((Some("what changed".to_string()), section.edits_table()));
                    if !section.changed().is_empty() {
                        tables.push((Some("effect".to_string()), section.effects()));
                    }
                }
                notes.push(Notes {
                    heading: "effect".to_string(),
                    items: section.unchanged_line().into_iter().collect(),
                    when_empty: None,
                });
                if section.edits.is_empty() && !section.changed().is_empty() {
                    notes.push(Notes {
                        heading: "inputs".to_string(),
                        items: vec![UNRECORDED.to_string()],
                        when_empty: None,
                    });
                }
                Document {
                    title: self.title(),
                    subtitle: vec![format!(
                        "{} · prices as of {}",
                        section.scenario, section.as_of
                    )],
                    tables,
                    notes,
                    csv_table: 0,
                }
            })
            .collect()
    }

    fn markdown(&self) -> String {
        let mut out = format!(
            "{}\n### {}\n",
            comment::MARKER,
            comment::escape(&self.title())
        );
        for section in &self.sections {
            out.push_str(&format!(
                "\n**{}** · prices as of {}\n\n",
                comment::escape(&section.scenario),
                section.as_of
            ));
            let changed = section.changed();
            if changed.is_empty() {
                out.push_str("No policy's cost changed.\n");
            } else {
                out.push_str(&comment::table(&section.summary()));
            }
            if let Some(line) = section.unchanged_line() {
                out.push_str(&format!("\n{}\n", comment::escape(&line)));
            }
            if !changed.is_empty() {
                out.push('\n');
                out.push_str(&comment::details(
                    "Effect per workload",
                    &comment::table(&section.effects()),
                ));
            }
            out.push('\n');
            if section.edits.is_empty() && !changed.is_empty() {
                out.push_str(UNRECORDED);
                out.push('\n');
            } else if section.edits.is_empty() {
                out.push_str("No input changed.\n");
            } else {
                out.push_str(&comment::details(
                    &format!("What changed ({})", section.edits.len()),
                    &comment::table(&section.edits_table()),
                ));
            }
        }
        out
    }
}

/// The JSON shape of `diff`.
#[derive(Serialize, schemars::JsonSchema)]
pub struct DiffJson {
    #[schemars(extend("const" = "1"))]
    schema_version: &'static str,
    currency: &'static str,
    /// What was compared: two scenario files, two sets of prices, or two JSON results.
    kind: Kind,
    old: String,
    new: String,
    sections: Vec<SectionJson>,
}

#[derive(Serialize, schemars::JsonSchema)]
struct SectionJson {
    scenario: String,
    as_of: String,
    changes: Vec<EditJson>,
    policies: Vec<ChangeJson>,
}

#[derive(Serialize, schemars::JsonSchema)]
struct EditJson {
    subject: String,
    field: String,
    /// `null` when added.
    before: Option<String>,
    /// `null` when removed.
    after: Option<String>,
}

#[derive(Serialize, schemars::JsonSchema)]
struct ChangeJson {
    name: String,
    /// Monthly cost before, rounded to cents; `null` when the policy is new.
    before: Option<String>,
    after: Option<String>,
    delta: Option<String>,
    /// The change in percent of the base (`-69.7` is −69.7 %), at most 12 significant digits;
    /// `null` when the base is zero or absent.
    delta_pct: Option<String>,
    unchanged: bool,
    workloads: Vec<WorkloadChangeJson>,
}

#[derive(Serialize, schemars::JsonSchema)]
struct WorkloadChangeJson {
    name: String,
    before: Option<String>,
    after: Option<String>,
    delta: Option<String>,
    /// The change in percent of the base (`-69.7` is −69.7 %), at most 12 significant digits;
    /// `null` when the base is zero or absent.
    delta_pct: Option<String>,
    models_before: Vec<String>,
    models_after: Vec<String>,
}

impl DiffJson {
    fn new(report: &Report) -> Self {
        let money = |d: Option<Decimal>| d.map(|d| format::fixed(d, 2));
        let percent = |d: Option<Decimal>| d.map(json::rate);
        DiffJson {
            schema_version: json::SCHEMA_VERSION,
            currency: "USD",
            kind: report.kind,
            old: report.old.clone(),
            new: report.new.clone(),
            sections: report
                .sections
                .iter()
                .map(|section| SectionJson {
                    scenario: section.scenario.clone(),
                    as_of: section.as_of.clone(),
                    changes: section
                        .edits
                        .iter()
                        .map(|e| EditJson {
                            subject: e.subject.clone(),
                            field: e.field.clone(),
                            before: e.before.clone(),
                            after: e.after.clone(),
                        })
                        .collect(),
                    policies: section
                        .changes
                        .iter()
                        .map(|c| ChangeJson {
                            name: c.total.name.clone(),
                            before: money(c.total.before),
                            after: money(c.total.after),
                            delta: money(c.total.delta()),
                            delta_pct: percent(c.total.percent()),
                            unchanged: c.total.is_unchanged(),
                            workloads: c
                                .workloads
                                .iter()
                                .map(|w| WorkloadChangeJson {
                                    name: w.cost.name.clone(),
                                    before: money(w.cost.before),
                                    after: money(w.cost.after),
                                    delta: money(w.cost.delta()),
                                    delta_pct: percent(w.cost.percent()),
                                    models_before: w.models_before.clone(),
                                    models_after: w.models_after.clone(),
                                })
                                .collect(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// The JSON Schema of `diff --format json`.
pub fn json_schema() -> schemars::Schema {
    schemars::schema_for!(DiffJson)
}
