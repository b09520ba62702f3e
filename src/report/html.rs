//! The budget report as one self-contained HTML page.
//!
//! Everything is inline: the stylesheet, the charts (SVG from [`super::charts`]), the legends.
//! There is no script, no web font, no image file and no link the browser follows on its own,
//! so the page opens offline and makes no network request. The stylesheet lays the page out
//! for a laptop or a phone (tables scroll sideways inside their box, charts scale down) and
//! for print (A4, charts and table rows kept whole, each scenario on a new page). Every user
//! string goes through [`escape`]. Figures carry `data-figure`, `data-policy` and `data-exact`
//! attributes with the exact value, so a check can compare the page with
//! `compare --format json`.

use std::fmt::Write as _;

use rust_decimal::Decimal;

use super::budget::{BudgetReport, PolicySummary, ScenarioReport, Section};
use super::charts::{self, Spread, TornadoBar};
use super::{format, labels, Cell, Table};
use crate::engine::breakdown::Component;
use crate::load::values::show_instant;

/// Stacked-bar segments shown before the rest is summed as "other".
const MAX_SEGMENTS: usize = 8;
/// Tornado bars drawn (the table lists them all).
const MAX_TORNADO_BARS: usize = 12;
/// Inputs named as drivers in the executive summary.
const DRIVERS: usize = 3;

const CSS: &str = r#"
:root { --ink: #1d2433; --muted: #5b6475; --line: #d8dce3; --accent: #0072b2; --bg: #ffffff; --band: #f4f6f9; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--ink); font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main, header.cover, footer { max-width: 64rem; margin: 0 auto; padding: 0 1.25rem; }
header.cover { padding-top: 2rem; padding-bottom: 1rem; border-bottom: 3px solid var(--accent); }
header.cover h1 { font-size: 1.9rem; line-height: 1.2; margin: 0 0 .5rem; overflow-wrap: anywhere; }
.meta { color: var(--muted); margin: .2rem 0; overflow-wrap: anywhere; }
article.scenario { padding-top: 1rem; }
h2 { font-size: 1.5rem; margin: 1.5rem 0 .25rem; overflow-wrap: anywhere; }
h3 { font-size: 1.2rem; margin: 2rem 0 .5rem; border-bottom: 1px solid var(--line); padding-bottom: .25rem; }
h4 { font-size: 1rem; margin: 1.25rem 0 .4rem; overflow-wrap: anywhere; }
p, li, dd { overflow-wrap: anywhere; }
.note { color: var(--muted); font-size: .92rem; }
.scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; margin: .5rem 0 1rem; }
table { border-collapse: collapse; width: 100%; font-size: .92rem; }
th, td { padding: .35rem .6rem; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; white-space: nowrap; }
td.wrap { white-space: normal; min-width: 16rem; }
th { background: var(--band); font-weight: 600; white-space: nowrap; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
tr.baseline td { background: #fbfbf3; }
.kpis { display: grid; grid-template-columns: repeat(auto-fit, minmax(14rem, 1fr)); gap: .75rem; margin: .75rem 0; }
.kpi { border: 1px solid var(--line); border-radius: 6px; padding: .75rem 1rem; }
.kpi .name { font-weight: 600; overflow-wrap: anywhere; }
.kpi .big { font-size: 1.35rem; font-variant-numeric: tabular-nums; }
.kpi .small { color: var(--muted); font-size: .9rem; }
figure { margin: .5rem 0 1.25rem; }
figure svg { display: block; width: 100%; max-width: 52rem; height: auto; }
figcaption { color: var(--muted); font-size: .9rem; }
ul.legend { list-style: none; padding: 0; margin: .25rem 0; display: flex; flex-wrap: wrap; gap: .25rem 1rem; font-size: .9rem; }
ul.legend li { display: flex; align-items: center; gap: .35rem; }
.swatch { display: inline-block; width: .9rem; height: .9rem; border-radius: 2px; flex: none; }
dl.descriptions dt { font-weight: 600; margin-top: .5rem; }
dl.descriptions dd { margin: 0 0 .25rem 0; }
footer { color: var(--muted); font-size: .85rem; border-top: 1px solid var(--line); margin-top: 2rem; padding-top: .75rem; padding-bottom: 2rem; }
@media (max-width: 40rem) {
  body { font-size: 15px; }
  header.cover h1 { font-size: 1.5rem; }
  th, td { padding: .3rem .4rem; }
}
@media print {
  @page { size: A4; margin: 14mm 12mm; }
  body { font-size: 10.5pt; }
  main, header.cover, footer { max-width: none; padding: 0; }
  .scroll { overflow: visible; }
  table { font-size: 8pt; }
  th, td { white-space: normal; padding: .2rem .3rem; }
  article.scenario + article.scenario { break-before: page; }
  h2, h3, h4 { break-after: avoid; }
  figure, .kpi, tr { break-inside: avoid; }
  thead { display: table-header-group; }
  section.summary { break-after: page; }
}
"#;

/// Escapes text for an HTML text node or a quoted attribute value.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// Renders the whole report.
pub fn render(report: &BudgetReport) -> String {
    let mut out = String::with_capacity(64 * 1024);
    let title = report.title();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str("<meta name=\"generator\" content=\"mixcost report\">\n");
    let _ = writeln!(out, "<title>{}</title>", escape(&title));
    let _ = writeln!(out, "<style>{CSS}</style>\n</head>\n<body>");
    out.push_str("<header class=\"cover\">\n");
    let _ = writeln!(out, "<h1>{}</h1>", escape(&title));
    if let Some(client) = &report.meta.client {
        let _ = writeln!(out, "<p class=\"meta\">Prepared for {}</p>", escape(client));
    }
    if let Some(author) = &report.meta.author {
        let _ = writeln!(out, "<p class=\"meta\">By {}</p>", escape(author));
    }
    let dates: Vec<String> = report
        .scenarios
        .iter()
        .map(|s| show_instant(s.scenario.as_of))
        .collect();
    let _ = writeln!(
        out,
        "<p class=\"meta\">Prices as of {} · USD · monthly figures, annual = 12 × monthly</p>",
        escape(&dates.join(", "))
    );
    out.push_str("</header>\n<main>\n");
    for part in &report.scenarios {
        scenario(&mut out, report, part);
    }
    out.push_str("</main>\n<footer>\n<p>Produced by mixcost from the scenario files and price catalogue named above. Every figure is exact to the cent: money is computed in exact decimals and rounded only when shown; a total is the sum of its unrounded lines. Charts are drawn from the same figures.</p>\n</footer>\n</body>\n</html>\n");
    out
}

fn money_cell(value: Decimal, policy: &str, figure: &str) -> String {
    format!(
        "<td class=\"num\" data-figure=\"{figure}\" data-policy=\"{}\" data-exact=\"{}\">{}</td>",
        escape(policy),
        format::plain(value),
        escape(&format::money(value))
    )
}

fn td_num(text: &str) -> String {
    format!("<td class=\"num\">{}</td>", escape(text))
}

fn td(text: &str) -> String {
    format!("<td>{}</td>", escape(text))
}

/// A cell of long text (routes, sources) that wraps.
fn td_wrap(text: &str) -> String {
    format!("<td class=\"wrap\">{}</td>", escape(text))
}

fn scenario(out: &mut String, report: &BudgetReport, part: &ScenarioReport) {
    let s = &part.scenario;
    out.push_str("<article class=\"scenario\">\n");
    let _ = writeln!(out, "<h2>{}</h2>", escape(&s.name));
    let _ = writeln!(
        out,
        "<p class=\"meta\">{} · prices as of {} · baseline {} · {} · {}</p>",
        escape(&s.file),
        show_instant(s.as_of),
        escape(&s.baseline),
        count(s.workloads.len(), "workload", "workloads"),
        count(s.policies.len(), "policy", "policies")
    );
    for section in &report.sections {
        match section {
            Section::Summary => summary(out, part),
            Section::Descriptions => descriptions(out, part),
            Section::Policies => policies(out, part),
            Section::Spend => spend(out, part),
            Section::Workflow => workflow(out, part),
            Section::Tornado => tornado(out, part),
            Section::Sweep => sweeps(out, part),
            Section::Simulation => simulation(out, part),
            Section::Assumptions => assumptions(out, part),
            Section::Prices => prices(out, part),
            Section::Deprecations => deprecations(out, part),
        }
    }
    out.push_str("</article>\n");
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn month_label(part: &ScenarioReport) -> &'static str {
    if part.is_expected() {
        "expected month with retries and human review"
    } else {
        "month"
    }
}

fn summary(out: &mut String, part: &ScenarioReport) {
    out.push_str("<section class=\"summary\">\n<h3>Executive summary</h3>\n");
    let baseline = part.baseline();
    let what = if part.is_expected() {
        "expected monthly cost, retries and human review included,"
    } else {
        "monthly cost"
    };
    let _ = writeln!(
        out,
        "<p>Each policy's {what} for the work in this scenario, priced at the list and promotional prices in force on {}.</p>",
        show_instant(part.scenario.as_of)
    );
    out.push_str("<div class=\"kpis\">\n");
    for policy in &part.policies {
        out.push_str("<div class=\"kpi\">");
        let _ = write!(
            out,
            "<div class=\"name\">{}</div><div class=\"big\">{}<span class=\"small\"> / month</span></div><div class=\"small\">{} a year</div>",
            escape(&policy.name),
            escape(&format::money(policy.monthly)),
            escape(&format::money(policy.annual))
        );
        let _ = write!(
            out,
            "<div class=\"small\">{}</div>",
            escape(&versus_sentence(policy, baseline))
        );
        out.push_str("</div>\n");
    }
    out.push_str("</div>\n");
    out.push_str("<div class=\"scroll\"><table>\n<thead><tr><th>policy</th><th class=\"num\">monthly</th><th class=\"num\">annual</th><th class=\"num\">savings / month</th><th class=\"num\">savings / year</th><th class=\"num\">change</th></tr></thead>\n<tbody>\n");
    for policy in &part.policies {
        let class = if policy.is_baseline {
            " class=\"baseline\""
        } else {
            ""
        };
        let _ = write!(out, "<tr{class}>{}", td(&policy.name));
        out.push_str(&money_cell(policy.monthly, &policy.name, "month"));
        out.push_str(&money_cell(policy.annual, &policy.name, "annual"));
        if policy.is_baseline {
            out.push_str(&td_num("baseline"));
            out.push_str(&td_num(""));
            out.push_str(&td_num(""));
        } else {
            match policy.delta {
                Some(delta) => {
                    out.push_str(&td_num(&format::money_delta(-delta)));
                    out.push_str(&td_num(&format::money_delta(-delta * Decimal::from(12))));
                }
                None => {
                    out.push_str(&td_num(""));
                    out.push_str(&td_num(""));
                }
            }
            out.push_str(&td_num(
                &policy
                    .delta_pct
                    .map(format::percent_delta)
                    .unwrap_or_default(),
            ));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div>\n");
    if let Some(tornado) = &part.tornado {
        let drivers: Vec<_> = tornado
            .bars
            .iter()
            .filter(|bar| !bar.swing.is_zero())
            .take(DRIVERS)
            .collect();
        if !drivers.is_empty() {
            let _ = writeln!(
                out,
                "<p>What drives <strong>{}</strong>'s {} of {} (each input moved 10% down and up, all else fixed; shares by 10 points):</p>\n<ol>",
                escape(&tornado.policy),
                month_label(part),
                escape(&format::money(tornado.base))
            );
            for bar in drivers {
                let _ = writeln!(
                    out,
                    "<li><code>{}</code>: {} to {} (a swing of {})</li>",
                    escape(&bar.path),
                    escape(&format::money(bar.low)),
                    escape(&format::money(bar.high)),
                    escape(&format::money(bar.swing))
                );
            }
            out.push_str("</ol>\n");
        }
    }
    out.push_str("</section>\n");
}

fn versus_sentence(policy: &PolicySummary, baseline: Option<&PolicySummary>) -> String {
    if policy.is_baseline {
        return "the baseline".to_string();
    }
    let Some(baseline) = baseline else {
        return String::new();
    };
    match policy.delta {
        Some(delta) if delta < Decimal::ZERO => format!(
            "saves {} a month ({} a year, {}) against {}",
            format::money(-delta),
            format::money(-delta * Decimal::from(12)),
            policy
                .delta_pct
                .map(format::percent_delta)
                .unwrap_or_default(),
            baseline.name
        ),
        Some(delta) if delta > Decimal::ZERO => format!(
            "costs {} a month more ({} a year, {}) than {}",
            format::money(delta),
            format::money(delta * Decimal::from(12)),
            policy
                .delta_pct
                .map(format::percent_delta)
                .unwrap_or_default(),
            baseline.name
        ),
        _ => format!("costs the same as {}", baseline.name),
    }
}

fn descriptions(out: &mut String, part: &ScenarioReport) {
    let s = &part.scenario;
    let described: Vec<_> = s
        .policies
        .iter()
        .filter_map(|p| p.description.as_ref().map(|d| (p.name.as_str(), d)))
        .collect();
    out.push_str("<section>\n<h3>The scenario and its policies</h3>\n");
    match &s.description {
        Some(text) => paragraphs(out, text),
        None => out.push_str("<p class=\"note\">The scenario file gives no description.</p>\n"),
    }
    if described.is_empty() {
        out.push_str("<p class=\"note\">The policies give no descriptions.</p>\n");
    } else {
        out.push_str("<dl class=\"descriptions\">\n");
        for (name, text) in described {
            let _ = writeln!(out, "<dt>{}</dt><dd>{}</dd>", escape(name), escape(text));
        }
        out.push_str("</dl>\n");
    }
    out.push_str("<h4>Workloads</h4>\n<div class=\"scroll\"><table>\n<thead><tr><th>workload</th><th>task</th><th class=\"num\">input tokens</th><th class=\"num\">output tokens</th><th class=\"num\">requests</th><th class=\"num\">cache hits</th><th class=\"num\">batch</th><th>data class</th></tr></thead>\n<tbody>\n");
    for w in &s.workloads {
        let _ = writeln!(
            out,
            "<tr>{}{}{}{}{}{}{}{}</tr>",
            td(&w.name),
            td(w.task.as_deref().unwrap_or("")),
            td_num(&format::tokens(Decimal::from(w.input_tokens))),
            td_num(&format::tokens(Decimal::from(w.output_tokens))),
            td_num(
                &w.shape
                    .as_ref()
                    .map(|shape| format::tokens(Decimal::from(shape.requests)))
                    .unwrap_or_default()
            ),
            td_num(&format!(
                "{}%",
                format::plain(w.cache_hit_rate * Decimal::ONE_HUNDRED)
            )),
            td_num(&format!(
                "{}%",
                format::plain(w.batch_share * Decimal::ONE_HUNDRED)
            )),
            td(w.data_class.as_str()),
        );
    }
    out.push_str("</tbody></table></div>\n</section>\n");
}

fn paragraphs(out: &mut String, text: &str) {
    for paragraph in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        let _ = writeln!(out, "<p>{}</p>", escape(paragraph));
    }
}

fn policies(out: &mut String, part: &ScenarioReport) {
    out.push_str("<section>\n<h3>Policies</h3>\n");
    if let Some(flow) = &part.workflow {
        let baseline = flow.baseline().map(|b| b.expected_cost);
        out.push_str("<h4>Expected month with retries and human review</h4>\n<div class=\"scroll\"><table>\n<thead><tr><th>policy</th><th class=\"num\">expected cost</th><th class=\"num\">vs baseline</th><th class=\"num\">annual</th></tr></thead>\n<tbody>\n");
        for policy in &flow.policies {
            let _ = write!(out, "<tr>{}", td(&policy.policy));
            out.push_str(&money_cell(
                policy.expected_cost,
                &policy.policy,
                "expected_cost",
            ));
            if policy.policy == flow.baseline {
                out.push_str(&td_num("baseline"));
            } else {
                out.push_str(&td_num(
                    &baseline
                        .map(|b| format::money_delta(policy.expected_cost - b))
                        .unwrap_or_default(),
                ));
            }
            out.push_str(&td_num(&format::money(
                policy.expected_cost * Decimal::from(12),
            )));
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody></table></div>\n<h4>First attempts only: model calls before retries and human review</h4>\n");
    }
    out.push_str("<div class=\"scroll\"><table>\n<thead><tr><th>policy</th><th>routes</th><th class=\"num\">monthly cost</th><th class=\"num\">vs baseline</th><th class=\"num\">change</th></tr></thead>\n<tbody>\n");
    for (policy, priced) in part.scenario.policies.iter().zip(&part.evaluation.policies) {
        let routes: Vec<String> = part
            .scenario
            .workloads
            .iter()
            .filter_map(|w| policy.route(w).map(|t| format!("{} → {}", w.name, t.model)))
            .collect();
        let class = if policy.name == part.scenario.baseline {
            " class=\"baseline\""
        } else {
            ""
        };
        let _ = write!(
            out,
            "<tr{class}>{}{}",
            td(&policy.name),
            td_wrap(&routes.join("; "))
        );
        out.push_str(&money_cell(priced.total, &policy.name, "monthly_cost"));
        match part.evaluation.versus_baseline(priced) {
            Some(_) if policy.name == part.scenario.baseline => {
                out.push_str(&td_num("baseline"));
                out.push_str(&td_num(""));
            }
            Some(versus) => {
                out.push_str(&td_num(&format::money_delta(versus.delta)));
                out.push_str(&td_num(
                    &versus
                        .percent
                        .map(format::percent_delta)
                        .unwrap_or_default(),
                ));
            }
            None => {
                out.push_str(&td_num(""));
                out.push_str(&td_num(""));
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div>\n</section>\n");
}

/// Keeps the `MAX_SEGMENTS − 1` largest series and sums the rest as "other".
fn top_series(mut series: Vec<(String, Vec<Decimal>)>) -> Vec<(String, Vec<Decimal>)> {
    if series.len() <= MAX_SEGMENTS {
        return series;
    }
    let total = |values: &Vec<Decimal>| values.iter().copied().sum::<Decimal>();
    let mut order: Vec<usize> = (0..series.len()).collect();
    order.sort_by(|&a, &b| {
        total(&series[b].1)
            .cmp(&total(&series[a].1))
            .then(a.cmp(&b))
    });
    let keep: Vec<usize> = {
        let mut keep = order[..MAX_SEGMENTS - 1].to_vec();
        keep.sort_unstable();
        keep
    };
    let width = series[0].1.len();
    let mut other = vec![Decimal::ZERO; width];
    let count = series.len() - keep.len();
    for (index, (_, values)) in series.iter().enumerate() {
        if !keep.contains(&index) {
            for (slot, value) in other.iter_mut().zip(values) {
                *slot += *value;
            }
        }
    }
    let mut kept: Vec<(String, Vec<Decimal>)> = Vec::new();
    for (index, item) in series.drain(..).enumerate() {
        if keep.contains(&index) {
            kept.push(item);
        }
    }
    kept.push((format!("{count} others"), other));
    kept
}

fn legend(out: &mut String, names: &[&str]) {
    out.push_str("<ul class=\"legend\">");
    for (index, name) in names.iter().enumerate() {
        let _ = write!(
            out,
            "<li><span class=\"swatch\" style=\"background:{}\"></span>{}</li>",
            charts::css_colour(index),
            escape(name)
        );
    }
    out.push_str("</ul>\n");
}

fn stacked(
    out: &mut String,
    heading: &str,
    caption: &str,
    categories: &[String],
    series: Vec<(String, Vec<Decimal>)>,
) {
    let _ = writeln!(out, "<h4>{}</h4>", escape(heading));
    let shown = top_series(series.clone());
    out.push_str("<figure>\n");
    out.push_str(&charts::stacked_bars(categories, &shown));
    legend(
        out,
        &shown.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
    );
    let _ = writeln!(
        out,
        "<figcaption>{}</figcaption>\n</figure>",
        escape(caption)
    );
    // The figures behind the chart, every series.
    out.push_str("<div class=\"scroll\"><table>\n<thead><tr><th></th>");
    for category in categories {
        let _ = write!(out, "<th class=\"num\">{}</th>", escape(category));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for (name, values) in &series {
        let _ = write!(out, "<tr>{}", td(name));
        for value in values {
            out.push_str(&td_num(&format::money(*value)));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div>\n");
}

fn spend(out: &mut String, part: &ScenarioReport) {
    out.push_str("<section>\n<h3>Where the money goes</h3>\n");
    let categories: Vec<String> = part.policies.iter().map(|p| p.name.clone()).collect();
    // Each policy's cost of workload `name`: the expected month with retries when the scenario
    // has a workflow, else the first attempts.
    let costs_of = |name: &str| -> Vec<Decimal> {
        match &part.workflow {
            Some(flow) => flow
                .policies
                .iter()
                .map(|p| {
                    p.workloads
                        .iter()
                        .filter(|f| f.workload == name)
                        .map(|f| f.expected_cost)
                        .sum()
                })
                .collect(),
            None => part
                .evaluation
                .policies
                .iter()
                .map(|p| {
                    p.lines
                        .iter()
                        .filter(|l| l.workload == name)
                        .map(|l| l.cost)
                        .sum()
                })
                .collect(),
        }
    };
    let by_workload: Vec<(String, Vec<Decimal>)> = part
        .scenario
        .workloads
        .iter()
        .map(|w| (w.name.clone(), costs_of(&w.name)))
        .collect();
    stacked(
        out,
        "By workload",
        &format!("Each policy's {} by workload.", month_label(part)),
        &categories,
        by_workload,
    );
    let mut models: Vec<String> = Vec::new();
    for policy in &part.evaluation.policies {
        for line in &policy.lines {
            if !models.contains(&line.model) {
                models.push(line.model.clone());
            }
        }
    }
    let by_model: Vec<(String, Vec<Decimal>)> = models
        .iter()
        .map(|model| {
            let values = part
                .evaluation
                .policies
                .iter()
                .map(|p| {
                    p.lines
                        .iter()
                        .filter(|l| &l.model == model)
                        .map(|l| l.cost)
                        .sum()
                })
                .collect();
            (model.clone(), values)
        })
        .collect();
    let caption = if part.is_expected() {
        "Model calls by model, first attempts only (retries and reviews are in the workflow section)."
    } else {
        "Each policy's month by model."
    };
    stacked(out, "By model", caption, &categories, by_model);
    out.push_str("</section>\n");
}

/// A [`Table`] of typed cells as HTML.
fn table(out: &mut String, table: &Table) {
    out.push_str("<div class=\"scroll\"><table>\n<thead><tr>");
    for (index, column) in table.columns.iter().enumerate() {
        let class = if table.is_numeric_column(index) {
            " class=\"num\""
        } else {
            ""
        };
        let _ = write!(out, "<th{class}>{}</th>", escape(column));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in &table.rows {
        out.push_str("<tr>");
        for cell in row {
            if matches!(
                cell,
                Cell::Text(_) | Cell::Marker(_) | Cell::Percent(_) | Cell::Empty
            ) {
                out.push_str(&td(&cell.human()));
            } else {
                out.push_str(&td_num(&cell.human()));
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div>\n");
}

fn workflow(out: &mut String, part: &ScenarioReport) {
    let Some(flow) = &part.workflow else {
        return;
    };
    out.push_str("<section>\n<h3>Workflow: retries, human review, cost per successful task</h3>\n");
    let tables = super::workflow::tables(flow);
    out.push_str("<h4>Expected month with retries and human review</h4>\n");
    table(out, &tables.totals);
    out.push_str("<h4>By workload</h4>\n");
    table(out, &tables.by_workload);
    out.push_str("<ul class=\"note\">\n");
    for item in &tables.notes.items {
        let _ = writeln!(out, "<li>{}</li>", escape(item));
    }
    out.push_str("</ul>\n");
    out.push_str("</section>\n");
}

fn tornado(out: &mut String, part: &ScenarioReport) {
    let Some(result) = &part.tornado else {
        return;
    };
    out.push_str("<section>\n<h3>Sensitivity: what moves the cost</h3>\n");
    let _ = writeln!(
        out,
        "<p>Policy <strong>{}</strong>, {} {}: each input moved down and up (volumes and prices by 10%, shares by 10 points), all else fixed, widest swing first.</p>",
        escape(&result.policy),
        month_label(part),
        escape(&format::money(result.base))
    );
    let bars: Vec<TornadoBar> = result
        .bars
        .iter()
        .take(MAX_TORNADO_BARS)
        .map(|bar| TornadoBar {
            label: bar.path.clone(),
            low: bar.low,
            high: bar.high,
        })
        .collect();
    out.push_str("<figure>\n");
    out.push_str(&charts::tornado(result.base, &bars));
    legend(out, &["input moved down", "input moved up"]);
    let _ = writeln!(
        out,
        "<figcaption>The vertical line is the month as priced ({}).</figcaption>\n</figure>",
        escape(&format::money(result.base))
    );
    out.push_str("<div class=\"scroll\"><table>\n<thead><tr><th>input</th><th class=\"num\">down</th><th class=\"num\">up</th><th class=\"num\">swing</th></tr></thead>\n<tbody>\n");
    for bar in &result.bars {
        let _ = writeln!(
            out,
            "<tr>{}{}{}{}</tr>",
            td(&bar.path),
            td_num(&format::money(bar.low)),
            td_num(&format::money(bar.high)),
            td_num(&format::money(bar.swing))
        );
    }
    out.push_str("</tbody></table></div>\n");
    if !result.skipped.is_empty() {
        out.push_str("<ul class=\"note\">\n");
        for (path, why) in &result.skipped {
            let _ = writeln!(out, "<li>{} not moved: {}</li>", escape(path), escape(why));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");
}

fn sweeps(out: &mut String, part: &ScenarioReport) {
    if part.sweeps.is_empty() {
        return;
    }
    out.push_str("<section>\n<h3>Sweeps: cost against one input</h3>\n");
    for sweep in &part.sweeps {
        let _ = writeln!(out, "<h4><code>{}</code></h4>", escape(&sweep.path));
        out.push_str("<figure>\n");
        out.push_str(&charts::sweep(&sweep.path, &sweep.labels, &sweep.series));
        legend(
            out,
            &sweep
                .series
                .iter()
                .map(|(n, _)| n.as_str())
                .collect::<Vec<_>>(),
        );
        let _ = writeln!(
            out,
            "<figcaption>Each policy's {} at each value of <code>{}</code>, everything else as in the scenario.</figcaption>\n</figure>",
            month_label(part),
            escape(&sweep.path)
        );
        out.push_str("<div class=\"scroll\"><table>\n<thead><tr><th>value</th>");
        for (name, _) in &sweep.series {
            let _ = write!(out, "<th class=\"num\">{}</th>", escape(name));
        }
        out.push_str("</tr></thead>\n<tbody>\n");
        for (index, label) in sweep.labels.iter().enumerate() {
            let _ = write!(out, "<tr>{}", td(label));
            for (_, values) in &sweep.series {
                out.push_str(&td_num(&format::money(values[index])));
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody></table></div>\n");
    }
    out.push_str("</section>\n");
}

fn simulation(out: &mut String, part: &ScenarioReport) {
    if part.simulation.is_none() && part.notes.is_empty() {
        return;
    }
    out.push_str("<section>\n<h3>Monte Carlo: how far the month can spread</h3>\n");
    for note in &part.notes {
        let _ = writeln!(out, "<p class=\"note\">{}</p>", escape(note));
    }
    if let Some(sim) = &part.simulation {
        let _ = writeln!(
            out,
            "<p>{} simulated months, seed {} (the same seed gives the same figures).</p>",
            format::tokens(Decimal::from(sim.settings.trials)),
            sim.settings.seed
        );
        let bands: Vec<Spread> = sim
            .policies
            .iter()
            .map(|p| Spread {
                label: p.policy.clone(),
                p5: p.cost.p5,
                p50: p.cost.p50,
                p95: p.cost.p95,
                expected: p.expected,
            })
            .collect();
        out.push_str("<figure>\n");
        out.push_str(&charts::spread(&bands));
        let _ = writeln!(out, "<figcaption>Bars span P5 to P95 of the monthly cost; the dot is the median (P50), the tick the exact expectation.</figcaption>\n</figure>");
        out.push_str("<div class=\"scroll\"><table>\n<thead><tr><th>policy</th><th class=\"num\">expected (exact)</th><th class=\"num\">mean</th><th class=\"num\">P5</th><th class=\"num\">P50</th><th class=\"num\">P95</th><th class=\"num\">P99</th><th class=\"num\">beats baseline</th></tr></thead>\n<tbody>\n");
        for p in &sim.policies {
            let _ = writeln!(
                out,
                "<tr>{}{}{}{}{}{}{}{}</tr>",
                td(&p.policy),
                td_num(&format::money(p.expected)),
                td_num(&format::money(p.cost.mean)),
                td_num(&format::money(p.cost.p5)),
                td_num(&format::money(p.cost.p50)),
                td_num(&format::money(p.cost.p95)),
                td_num(&format::money(p.cost.p99)),
                td_num(
                    &p.beats_baseline
                        .map(|b| format!("{}%", format::fixed(b * Decimal::ONE_HUNDRED, 1)))
                        .unwrap_or_else(|| "baseline".to_string())
                ),
            );
        }
        out.push_str("</tbody></table></div>\n");
    }
    out.push_str("</section>\n");
}

fn assumptions(out: &mut String, part: &ScenarioReport) {
    out.push_str("<section>\n<h3>Assumptions</h3>\n");
    let notes = labels::assumption_notes(&part.evaluation);
    if notes.items.is_empty() {
        let _ = writeln!(
            out,
            "<p>{}</p>",
            escape(notes.when_empty.as_deref().unwrap_or("none"))
        );
    } else {
        out.push_str("<ul>\n");
        for item in &notes.items {
            let _ = writeln!(out, "<li>{}</li>", escape(item));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("<ul class=\"note\">\n<li>A month is the scenario's volumes as given; annual figures are twelve such months, with prices held at the pricing date.</li>\n");
    if part.scenario.discounts.is_empty() {
        out.push_str("<li>No negotiated provider discounts.</li>\n");
    } else {
        for (provider, discount) in &part.scenario.discounts {
            let _ = writeln!(
                out,
                "<li>Negotiated discount on everything from {}: {}%.</li>",
                escape(provider),
                format::plain(*discount * Decimal::ONE_HUNDRED)
            );
        }
    }
    out.push_str("</ul>\n</section>\n");
}

fn prices(out: &mut String, part: &ScenarioReport) {
    out.push_str("<section>\n<h3>Prices used</h3>\n<p>USD per 1M tokens, as billed on the lines above (after tier, time window and promotion, before negotiated discounts), with the date each price took effect and its source.</p>\n");
    out.push_str("<div class=\"scroll\"><table>\n<thead><tr><th>model</th><th>provider</th><th>billing</th><th>prices</th>");
    for component in Component::ALL {
        let _ = write!(out, "<th class=\"num\">{}</th>", component.label());
    }
    out.push_str("<th>in force from</th><th>source</th></tr></thead>\n<tbody>\n");
    for price in &part.prices {
        let billing = {
            let mut parts = vec![price.billing.label().to_string()];
            if price.window != crate::engine::breakdown::Window::AllHours {
                parts.push(price.window.label().to_string());
            }
            if price.context == crate::engine::breakdown::Context::Long {
                parts.push("long context".to_string());
            }
            parts.join(" · ")
        };
        let mode = match &price.promotion {
            Some(name) => format!("{} (promotion '{name}')", price.prices.as_str()),
            None => price.prices.as_str().to_string(),
        };
        let _ = write!(
            out,
            "<tr>{}{}{}{}",
            td(&price.model),
            td(&price.provider),
            td(&billing),
            td(&mode)
        );
        for column in price.columns {
            out.push_str(&td_num(
                &column.map(format::price).unwrap_or_else(|| "—".to_string()),
            ));
        }
        let _ = writeln!(
            out,
            "{}{}</tr>",
            td(&show_instant(price.from)),
            td_wrap(&price.source)
        );
    }
    out.push_str("</tbody></table></div>\n");
    if !part.reviewers.is_empty() {
        out.push_str("<h4>Human reviewers</h4>\n<div class=\"scroll\"><table>\n<thead><tr><th>reviewer</th><th class=\"num\">cost per item</th><th>source</th></tr></thead>\n<tbody>\n");
        for human in &part.reviewers {
            let _ = writeln!(
                out,
                "<tr>{}{}{}</tr>",
                td(&human.id),
                td_num(&format::unit_money(human.cost_per_item)),
                td_wrap(human.source.as_deref().unwrap_or("not given"))
            );
        }
        out.push_str("</tbody></table></div>\n");
    }
    out.push_str("<p class=\"note\">A dash means no line of this scenario billed that component at that price.</p>\n</section>\n");
}

fn deprecations(out: &mut String, part: &ScenarioReport) {
    out.push_str("<section>\n<h3>Deprecations and price freshness</h3>\n");
    if part.notices.is_empty() {
        out.push_str("<p>No model used is deprecated, and every price set used took effect within a year of the pricing date.</p>\n");
    } else {
        out.push_str("<ul>\n");
        for notice in &part.notices {
            let _ = writeln!(
                out,
                "<li><strong>{}</strong>: {}</li>",
                escape(&notice.model),
                escape(&notice.text)
            );
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");
}
