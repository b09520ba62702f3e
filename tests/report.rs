//! `mixcost report` through the real binary: the HTML page's text content (snapshots, not
//! bytes), and the XLSX read back with calamine — its sheets, defined names, formulas and
//! cached values against `compare --format json`.

mod common;

use std::path::Path;

use calamine::{open_workbook, Data, Reader, Xlsx};
use rust_decimal::Decimal;

/// Runs `mixcost report ARGS -o DIR/NAME` from the crate root and returns the file's bytes.
fn report(args: &[&str], name: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join(name);
    let path_text = path.to_str().expect("a UTF-8 path").to_string();
    let mut all: Vec<&str> = vec!["report"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["-o", &path_text]);
    common::ok(&all);
    (dir, path)
}

/// The page as a reader sees it: text only, one block a line, cells split by ` | `, each chart
/// as `[chart]` (its labels are drawn by plotters; the figures behind it are in tables).
fn text_of(html: &str) -> String {
    let mut rest = html.to_string();
    for (open, close, with) in [("<style>", "</style>", ""), ("<svg", "</svg>", "[chart]")] {
        while let Some(start) = rest.find(open) {
            let end = rest[start..].find(close).expect("a closed element") + start + close.len();
            rest.replace_range(start..end, with);
        }
    }
    let mut out = String::new();
    let mut inside = false;
    let mut tag = String::new();
    for c in rest.chars() {
        match (inside, c) {
            (false, '<') => {
                inside = true;
                tag.clear();
            }
            (true, '>') => {
                inside = false;
                let name = tag
                    .trim_start_matches('/')
                    .split_whitespace()
                    .next()
                    .unwrap_or("");
                let closing = tag.starts_with('/');
                match name {
                    "td" | "th" if closing => out.push_str(" | "),
                    "p" | "h1" | "h2" | "h3" | "h4" | "li" | "tr" | "dt" | "dd" | "figcaption"
                    | "div" | "title" | "section" | "ul" | "ol"
                        if closing =>
                    {
                        out.push('\n')
                    }
                    _ => {}
                }
            }
            (true, c) => tag.push(c),
            (false, c) => out.push(c),
        }
    }
    let decoded = out
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    decoded
        .lines()
        .map(|line| line.trim().trim_end_matches('|').trim())
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).expect("the report was written")
}

#[test]
fn seed_html_reads_as_a_budget_report() {
    let (_dir, path) = report(
        &[
            "--sweep",
            "workloads.*.cache_hit_rate=0:0.6:0.2",
            "--title",
            "LLM budget 2026",
            "--client",
            "Acme",
            "--author",
            "J. Analyst",
        ],
        "seed.html",
    );
    let html = read(&path);
    // One file: nothing the browser would fetch.
    // (Price sources are shown as text; nothing links or loads them.)
    for outside in [
        "<script", "<link", "<img", "<iframe", "<object", "<embed", "@import", "url(", "src=",
        "href=",
    ] {
        assert!(
            !html.contains(outside),
            "the page refers to something outside itself: {outside}"
        );
    }
    // Charts: spend by workload and by model, the tornado, the sweep.
    assert_eq!(html.matches("<svg").count(), 4);
    let text = text_of(&html);
    assert!(text.contains("mixed-flash | $469.60 | $5,635.20 | +$1,080.40 | +$12,964.80 | −69.7%"));
    insta::assert_snapshot!("seed_html_text", text);
}

#[test]
fn quality_html_leads_with_the_expected_month_and_shows_the_workflow() {
    let (_dir, path) = report(
        &[
            "scenarios/cascade-wins.yaml",
            "--simulate",
            "500",
            "--seed",
            "7",
        ],
        "cascade.html",
    );
    let html = read(&path);
    let text = text_of(&html);
    assert!(text.contains("flash-then-gpt-5.5 | $68,577.00"), "{text}");
    assert!(text.contains("Workflow: retries, human review, cost per successful task"));
    assert!(text.contains("Monte Carlo"));
    // Spend ×2, tornado, spread.
    assert_eq!(html.matches("<svg").count(), 4);
    insta::assert_snapshot!("cascade_wins_html_text", text);
}

#[test]
fn the_same_inputs_give_the_same_bytes() {
    let args = [
        "scenarios/cascade-wins.yaml",
        "--simulate",
        "300",
        "--seed",
        "2",
    ];
    let (_a, html_a) = report(&args, "a.html");
    let (_b, html_b) = report(&args, "b.html");
    assert_eq!(
        std::fs::read(html_a).unwrap(),
        std::fs::read(html_b).unwrap()
    );
    let (_c, xlsx_a) = report(&["scenarios/document-pipeline.yaml"], "a.xlsx");
    let (_d, xlsx_b) = report(&["scenarios/document-pipeline.yaml"], "b.xlsx");
    assert_eq!(
        std::fs::read(xlsx_a).unwrap(),
        std::fs::read(xlsx_b).unwrap()
    );
}

#[test]
fn simulate_without_uncertainty_is_a_note_not_an_error() {
    let (_dir, path) = report(&["--simulate", "1000", "--seed", "1"], "seed.html");
    let text = text_of(&read(&path));
    assert!(
        text.contains("has no `uncertainty:` section and no `quality:` section"),
        "{text}"
    );
}

#[test]
fn sections_choose_what_is_shown() {
    let (_dir, path) = report(&["--sections", "summary,prices"], "two.html");
    let text = text_of(&read(&path));
    assert!(text.contains("Executive summary"));
    assert!(text.contains("Prices used"));
    assert!(!text.contains("Where the money goes"));
    assert!(!text.contains("Sensitivity: what moves the cost"));
}

// ---------------------------------------------------------------------------------------------
// XLSX

fn exact(json: &serde_json::Value, key: &str) -> Decimal {
    json[key].as_str().expect("a money string").parse().unwrap()
}

fn cents(value: f64) -> Decimal {
    Decimal::from_f64_retain(value)
        .unwrap()
        .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
}

/// The cell a defined name points at: (sheet, row, column), 0-based.
fn target(names: &[(String, String)], name: &str) -> (String, u32, u32) {
    let reference = &names
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no defined name {name}"))
        .1;
    let (sheet, cell) = reference.rsplit_once('!').expect("sheet!cell");
    let sheet = sheet
        .trim_start_matches('=')
        .trim_matches('\'')
        .replace("''", "'");
    let cell = cell.replace('$', "");
    let split = cell.find(|c: char| c.is_ascii_digit()).unwrap();
    let column = cell[..split]
        .bytes()
        .fold(0u32, |acc, b| acc * 26 + u32::from(b - b'A' + 1))
        - 1;
    let row: u32 = cell[split..].parse::<u32>().unwrap() - 1;
    (sheet, row, column)
}

#[test]
fn seed_xlsx_has_inputs_policy_sheets_and_a_summary_of_formulas() {
    let (_dir, path) = report(&[], "seed.xlsx");
    let mut book: Xlsx<_> = open_workbook(&path).expect("an XLSX calamine reads");
    assert_eq!(
        book.sheet_names(),
        [
            "Summary",
            "Inputs",
            "all-gpt-5.5",
            "mixed-flash",
            "mixed-pro",
            "Notes"
        ]
    );
    let names = book.defined_names().to_vec();
    for name in [
        "p_gpt_5_5_standard_input",
        "p_gpt_5_5_standard_output",
        "p_deepseek_v4_flash_standard_output",
        "disc_openai",
        "w_repetitive_input_tokens",
        "w_hard_cache_hit_rate",
        "total_mixed_flash",
    ] {
        target(&names, name);
    }
    let json: serde_json::Value =
        serde_json::from_str(&common::ok(&["compare", "--format", "json"])).unwrap();
    let policies = json["scenarios"][0]["policies"].as_array().unwrap();
    for policy in policies {
        let name = policy["name"].as_str().unwrap();
        let total = format!("total_{}", name.replace(['-', '.'], "_"));
        let (sheet, row, column) = target(&names, &total);
        let values = book.worksheet_range(&sheet).unwrap();
        let formulas = book.worksheet_formula(&sheet).unwrap();
        let cached = match values.get_value((row, column)) {
            Some(Data::Float(value)) => *value,
            other => panic!("{total}: cached value {other:?}"),
        };
        assert_eq!(cents(cached), exact(policy, "monthly_cost"), "{total}");
        let formula = formulas
            .get_value((row, column))
            .cloned()
            .unwrap_or_default();
        assert!(formula.starts_with("SUM(J5:J"), "{total}: {formula}");
        // Every line's cost is a formula over tokens, price and discount; its cached value is
        // the engine's line cost.
        let line_formula = formulas.get_value((4, 9)).cloned().unwrap_or_default();
        assert_eq!(line_formula, "G5*H5/1000000*(1-I5)");
        let tokens = formulas.get_value((4, 6)).cloned().unwrap_or_default();
        assert!(
            tokens.starts_with("w_repetitive_input_tokens*(1-w_repetitive_cache_hit_rate"),
            "{tokens}"
        );
        let price = formulas.get_value((4, 7)).cloned().unwrap_or_default();
        assert!(price.starts_with("p_"), "{price}");
    }
    // The Summary refers to the policy totals by name and multiplies by 12 for the year.
    let summary = book.worksheet_formula("Summary").unwrap();
    let all: Vec<String> = summary.cells().map(|(_, _, f)| f.clone()).collect();
    assert!(all.iter().any(|f| f == "total_mixed_flash"), "{all:?}");
    assert!(all.iter().any(|f| f.ends_with("*12")));
    let summary_values = book.worksheet_range("Summary").unwrap();
    let annual: Vec<f64> = summary_values
        .rows()
        .filter(|row| row.first() == Some(&Data::String("mixed-flash".into())))
        .filter_map(|row| match row.get(4) {
            Some(Data::Float(value)) => Some(*value),
            _ => None,
        })
        .collect();
    assert_eq!(annual.len(), 1);
    assert_eq!(cents(annual[0]), Decimal::new(563520, 2));
    // The analyses are on the Notes sheet, as exact values.
    let notes = book.worksheet_range("Notes").unwrap();
    let texts: Vec<String> = notes.cells().map(|(_, _, cell)| cell.to_string()).collect();
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("Sensitivity of mixed-flash")),
        "{texts:?}"
    );
    assert!(texts.iter().any(|t| t == "workloads.hard.volume"));
}

#[test]
fn every_line_of_every_shipped_scenario_is_a_formula_or_says_why_not() {
    for scenario in [
        "scenarios/seed.yaml",
        "scenarios/support-desk.yaml",
        "scenarios/document-pipeline.yaml",
        "scenarios/multi-vendor.yaml",
        "scenarios/cascade-wins.yaml",
    ] {
        let (_dir, path) = report(&[scenario], "s.xlsx");
        let mut book: Xlsx<_> = open_workbook(&path).unwrap();
        let json: serde_json::Value =
            serde_json::from_str(&common::ok(&["compare", scenario, "--format", "json"])).unwrap();
        for policy in json["scenarios"][0]["policies"].as_array().unwrap() {
            let name = policy["name"].as_str().unwrap();
            let sheet = book
                .sheet_names()
                .into_iter()
                .find(|s| s == name)
                .unwrap_or_else(|| panic!("{scenario}: no sheet {name}"));
            let values = book.worksheet_range(&sheet).unwrap();
            let formulas = book.worksheet_formula(&sheet).unwrap();
            let mut sum = 0.0;
            for row in 4.. {
                match values.get_value((row, 0)) {
                    Some(Data::String(text)) if text == "total" => break,
                    Some(Data::String(_)) => {}
                    other => panic!("{scenario}/{name} row {row}: {other:?}"),
                }
                let price_formula = formulas.get_value((row, 7)).cloned().unwrap_or_default();
                let note = values.get_value((row, 10)).cloned().unwrap_or_default();
                assert!(
                    !price_formula.is_empty() || note.to_string().contains("exact value"),
                    "{scenario}/{name} row {row}: a price neither formula nor explained"
                );
                assert!(!formulas
                    .get_value((row, 9))
                    .cloned()
                    .unwrap_or_default()
                    .is_empty());
                if let Some(Data::Float(cost)) = values.get_value((row, 9)) {
                    sum += cost;
                }
            }
            assert_eq!(
                cents(sum),
                exact(policy, "monthly_cost"),
                "{scenario}/{name}"
            );
        }
    }
}
