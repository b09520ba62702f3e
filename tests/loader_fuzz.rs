//! The loaders never panic: whatever text they are given, a scenario or a price file comes back
//! as `Ok` or as diagnostics.
//!
//! Three kinds of input: arbitrary strings, strings assembled from YAML-ish fragments (the keys
//! of both schemas, numbers, indicators, anchors and aliases, newlines, indentation), and the
//! seed scenario or a shipped price file with one stretch replaced by such fragments, which gets
//! past the parser far more often and so exercises validation. 256 cases per property keep debug
//! builds fast; `PROPTEST_CASES=100000 cargo test --release --test loader_fuzz` runs longer.

use std::sync::OnceLock;

use mixcost::load::pricing::{build_catalogue, load_catalogue, SHIPPED};
use mixcost::load::scenario::{load_scenario, SEED};
use mixcost::load::source::SourceFile;
use mixcost::model::catalogue::Catalogue;
use proptest::prelude::*;

/// Pieces that a scenario or price file is made of, good and bad.
#[rustfmt::skip]
const FRAGMENTS: &[&str] = &[
    // scenario keys
    "name", "description", "as_of", "period", "workloads", "policies", "baseline", "discounts",
    "task", "note", "input_tokens", "output_tokens", "requests", "input_tokens_per_request",
    "output_tokens_per_request", "cache_hit_rate", "cache_write_rate", "batch_share",
    "off_peak_share", "tier", "data_class", "regional_processing", "routes", "default",
    "match", "workload", "model", "prices",
    // price file keys
    "provider", "currency", "models", "class", "deployment", "open_weight", "license",
    "context_window", "max_output_tokens", "deprecated", "successor", "from", "source",
    "input", "cached_input", "cache_write", "cache_write_1h", "output", "batch", "flex",
    "priority", "long_context", "above_input_tokens", "off_peak", "peak_hours_utc",
    "peak_days", "discount", "promotions", "until",
    // values
    "0", "1", "-1", "0.5", "1.5", "35%", "150%", "-5M", "100M", "1.5k", "2B", "99999999999B",
    "18446744073709551616", "1e400", ".nan", ".inf", "-.inf", "~", "null", "true", "lots",
    "2026-05-20", "2026-02-30", "2026-05-31T16:00:00Z", "01:00-04:00", "mon", "USD",
    "gpt-5.5", "gpt-5.6", "deepseek-v4-pro", "deepseek-v4-flash", "openai", "list",
    "effective", "standard", "flex", "priority", "public", "regulated", "month", "x", "é",
    "\"", "'", "\"q\"", "'q'", "|", ">", "!!str", "!tag", "<<", "#",
    // structure
    "-", "- ", ":", ": ", ",", "{", "}", "[", "]", "&a ", "*a", "&b ", "*b", "? ", "---",
    "...", "\n", "\n", "\n", " ", "  ", "    ", "\t", "\r\n",
];

fn catalogue() -> &'static Catalogue {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    CATALOGUE.get_or_init(|| load_catalogue(&[]).expect("the shipped catalogue loads").0)
}

/// 256 cases each, unless `PROPTEST_CASES` asks for a longer run.
fn config() -> ProptestConfig {
    if std::env::var_os("PROPTEST_CASES").is_some() {
        ProptestConfig::default()
    } else {
        ProptestConfig::with_cases(256)
    }
}

/// Text assembled from [`FRAGMENTS`].
fn yamlish() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(FRAGMENTS), 0..80).prop_map(|parts| parts.concat())
}

/// `text` with one stretch (cut at character boundaries) replaced by fragments.
fn mutated(text: &'static str) -> impl Strategy<Value = String> {
    let chars = text.chars().count();
    (0..=chars, 0..40usize, yamlish()).prop_map(move |(start, length, insert)| {
        let end = (start + length).min(chars);
        let head: String = text.chars().take(start).collect();
        let tail: String = text.chars().skip(end).collect();
        format!("{head}{insert}{tail}")
    })
}

/// The shipped price file with promotions and off-peak windows.
fn deepseek_prices() -> &'static str {
    SHIPPED
        .iter()
        .find(|(name, _)| *name == "deepseek.yaml")
        .map(|(_, text)| *text)
        .expect("deepseek.yaml is shipped")
}

/// Loads `text` as a scenario; any result but a panic is fine.
fn scenario_does_not_panic(text: &str) {
    let source = SourceFile::new("fuzz.yaml", text);
    if let Err(error) = load_scenario(&source, catalogue()) {
        assert!(
            !error.diagnostics.is_empty(),
            "an error carries diagnostics"
        );
        // Rendering must not panic either.
        let _ = error.to_string();
    }
}

/// Builds a catalogue from `text` as the only price file; any result but a panic is fine.
fn catalogue_does_not_panic(text: &str) {
    let source = SourceFile::new("fuzz.yaml", text);
    if let Err(error) = build_catalogue([&source]) {
        assert!(
            !error.diagnostics.is_empty(),
            "an error carries diagnostics"
        );
        let _ = error.to_string();
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn scenario_loader_survives_arbitrary_text(text in any::<String>()) {
        scenario_does_not_panic(&text);
    }

    #[test]
    fn scenario_loader_survives_yamlish_text(text in yamlish()) {
        scenario_does_not_panic(&text);
    }

    #[test]
    fn scenario_loader_survives_a_mutated_seed(text in mutated(SEED)) {
        scenario_does_not_panic(&text);
    }

    #[test]
    fn catalogue_builder_survives_arbitrary_text(text in any::<String>()) {
        catalogue_does_not_panic(&text);
    }

    #[test]
    fn catalogue_builder_survives_yamlish_text(text in yamlish()) {
        catalogue_does_not_panic(&text);
    }

    #[test]
    fn catalogue_builder_survives_a_mutated_price_file(text in mutated(deepseek_prices())) {
        catalogue_does_not_panic(&text);
    }
}

/// A classic billion-laughs document is refused, never expanded. (The expansion limits
/// themselves are shown deterministically by `replayed_aliases_are_bounded` and the unit tests
/// of the YAML module; no test here times anything.)
#[test]
fn alias_bomb_is_refused() {
    let mut text = String::from("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    let names: Vec<char> = "abcdefghi".chars().collect();
    for pair in names.windows(2) {
        let alias = format!("*{}", pair[0]);
        let row = [alias.as_str(); 9].join(", ");
        text.push_str(&format!("{}: &{} [{row}]\n", pair[1], pair[1]));
    }
    scenario_does_not_panic(&text);
    catalogue_does_not_panic(&text);
    let source = SourceFile::new("bomb.yaml", text.as_str());
    assert!(load_scenario(&source, catalogue()).is_err());
}

/// Aliases that replay a large anchored list are cut off by the replay limit, with a message
/// that names the limit rather than a parser internals dump.
#[test]
fn replayed_aliases_are_bounded() {
    let mut text = String::from(
        "name: x\nas_of: 2026-05-20\nworkloads:\n  - {name: w0, input_tokens: 1M, output_tokens: 1M}\npolicies:\n  - name: p0\n    routes: &r\n",
    );
    for index in 0..3_000 {
        text.push_str(&format!(
            "      - {{match: {{workload: w{index}}}, model: gpt-5.5}}\n"
        ));
    }
    for index in 1..10 {
        text.push_str(&format!("  - {{name: p{index}, routes: *r}}\n"));
    }
    text.push_str("baseline: p0\n");
    let source = SourceFile::new("replay.yaml", text);
    let error = load_scenario(&source, catalogue()).expect_err("the replay limit stops it");
    let message = error.to_string();
    assert!(message.contains("replay.yaml:"), "{message}");
    assert!(message.contains("aliases"), "{message}");
    assert!(!message.contains("total_replayed_events"), "{message}");
}
