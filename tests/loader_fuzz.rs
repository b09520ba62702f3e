//! The loaders never panic: whatever text they are given, a scenario or a price file comes back
//! as `Ok` or as diagnostics, and every diagnostic points at a line and column of the file.
//!
//! Four kinds of input: arbitrary strings, strings assembled from YAML-ish fragments (the keys
//! of both schemas, numbers, indicators, anchors and aliases, newlines, indentation), the seed
//! scenario or a shipped price file with one stretch replaced by such fragments, and whole
//! documents shaped like the schema (the real keys at the real depths, values drawn from pools
//! of good and hostile ones: huge and negative numbers, odd dates, leap seconds, unicode),
//! which get past the parser far more often and so exercise validation. 256 cases per property
//! (128 for the larger schema-shaped documents) keep debug builds fast; `PROPTEST_CASES=100000 cargo test --release --test loader_fuzz` runs
//! longer.

use std::sync::OnceLock;

use mixcost::load::diagnostic::Diagnostic;
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
    config_of(256)
}

/// `cases` cases, unless `PROPTEST_CASES` asks for a longer run.
fn config_of(cases: u32) -> ProptestConfig {
    if std::env::var_os("PROPTEST_CASES").is_some() {
        ProptestConfig::default()
    } else {
        ProptestConfig::with_cases(cases)
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

/// Every diagnostic names the file and, unless the file holds no document at all, a line and
/// column inside it, with that line's text to show under the message.
fn assert_located(text: &str, diagnostics: &[Diagnostic]) {
    assert!(!diagnostics.is_empty(), "an error carries diagnostics");
    let lines = text.lines().count().max(1) as u32;
    for diagnostic in diagnostics {
        assert_eq!(diagnostic.file, "fuzz.yaml", "{diagnostic}");
        let empty = diagnostic.message.ends_with("is empty")
            || diagnostic.message.ends_with("holds only comments");
        if empty {
            continue;
        }
        assert!(
            diagnostic.position.is_known(),
            "no location for: {diagnostic}\n--- input:\n{text}"
        );
        assert!(
            diagnostic.position.line <= lines + 1,
            "line {} is past the end ({lines} lines): {diagnostic}",
            diagnostic.position.line
        );
        // Rendering must not panic either.
        let _ = diagnostic.to_string();
    }
}

/// Loads `text` as a scenario; any result but a panic or an unlocated error is fine.
fn scenario_does_not_panic(text: &str) {
    let source = SourceFile::new("fuzz.yaml", text);
    match load_scenario(&source, catalogue()) {
        Ok((_, warnings)) => {
            if !warnings.is_empty() {
                assert_located(text, &warnings);
            }
        }
        Err(error) => assert_located(text, &error.diagnostics),
    }
}

/// Builds a catalogue from `text` as the only price file; any result but a panic or an
/// unlocated error is fine.
fn catalogue_does_not_panic(text: &str) {
    let source = SourceFile::new("fuzz.yaml", text);
    match build_catalogue([&source]) {
        Ok((_, warnings)) => {
            if !warnings.is_empty() {
                assert_located(text, &warnings);
            }
        }
        Err(error) => assert_located(text, &error.diagnostics),
    }
}

/// A YAML tree to render: what the schema-shaped generators build.
#[derive(Clone, Debug)]
enum Node {
    Scalar(String),
    Map(Vec<(String, Node)>),
    List(Vec<Node>),
}

impl Node {
    /// Block-style YAML at `indent` spaces; lists of mappings as `-` then the mapping below.
    fn render(&self, indent: usize, out: &mut String) {
        let pad = " ".repeat(indent);
        match self {
            Node::Scalar(value) => {
                out.push_str(&pad);
                out.push_str(value);
                out.push('\n');
            }
            Node::Map(entries) if entries.is_empty() => out.push_str(&format!("{pad}{{}}\n")),
            Node::List(items) if items.is_empty() => out.push_str(&format!("{pad}[]\n")),
            Node::Map(entries) => {
                for (key, value) in entries {
                    match value {
                        Node::Scalar(scalar) => out.push_str(&format!("{pad}{key}: {scalar}\n")),
                        Node::Map(inner) if inner.is_empty() => {
                            out.push_str(&format!("{pad}{key}: {{}}\n"))
                        }
                        Node::List(inner) if inner.is_empty() => {
                            out.push_str(&format!("{pad}{key}: []\n"))
                        }
                        _ => {
                            out.push_str(&format!("{pad}{key}:\n"));
                            value.render(indent + 2, out);
                        }
                    }
                }
            }
            Node::List(items) => {
                for item in items {
                    match item {
                        Node::Scalar(scalar) => out.push_str(&format!("{pad}- {scalar}\n")),
                        _ => {
                            out.push_str(&format!("{pad}-\n"));
                            item.render(indent + 2, out);
                        }
                    }
                }
            }
        }
    }

    fn text(&self) -> String {
        let mut out = String::new();
        self.render(0, &mut out);
        out
    }
}

/// Values that appear anywhere: good ones, and the hostile classes the loaders must refuse.
#[rustfmt::skip]
const ANY_VALUE: &[&str] = &[
    "0", "-0", "-0.0", "1", "-1", "0.5", "1.5", "35%", "-5%", "150%", "1e400", "-1e400", "1e-400",
    ".nan", ".NaN", ".inf", "-.inf", "~", "null", "true", "false", "\"\"", "\" \"", "x", "é",
    "日本語", "\"\\u202e\"", "18446744073709551616", "-9223372036854775809",
    "79228162514264337593543950336", "0.0000000000000000000000000000001", "[]", "{}", "[a, b]",
    "{a: 1}", "&a x", "*a", "!!binary aGk=", "'quoted'", "\"2026-05-20\"", "0x1F", "0o17", "1_000",
];

#[rustfmt::skip]
const TOKENS: &[&str] = &[
    "1M", "100M", "0", "3k", "1.5k", "2B", "400", "-5", "1.5", "5m", "99999999999B", "18446744073709551615",
];
#[rustfmt::skip]
const SHARES: &[&str] = &["0", "0.35", "35%", "1", "100%", "0.999999999999999999999999999", "-0.1", "1.01"];
#[rustfmt::skip]
const DATES: &[&str] = &[
    "2026-05-20", "2026-04-24", "2026-10-01", "2026-02-30", "2026-13-01", "0000-01-01", "9999-12-31",
    "2026-05-31T16:00:00Z", "2026-06-30T23:59:60Z", "2026-05-20T25:00:00Z", "2026-05-20T10:00:00+14:00",
    "2026-05-20T10:00:00", "-2026-05-20", "20260520", "2026-5-20",
];
#[rustfmt::skip]
const NAMES: &[&str] = &["a", "b", "chat", "hard", "\"\"", "\"  \"", "é", "\"a\\nb\"", "p", "q"];
#[rustfmt::skip]
const MODELS: &[&str] = &[
    "gpt-5.5", "deepseek-v4-flash", "deepseek-v4-pro", "claude-opus-4-5", "analyst",
    "compliance-officer", "gpt-5.6", "\"\"",
];
#[rustfmt::skip]
const PRICES: &[&str] = &["0", "1.74", "0.003625", "$5", "-1", "1000001", "0.0000000000000000000000000001", "50%"];

/// One value for `key`: mostly from the pool that fits the key, sometimes from [`ANY_VALUE`].
fn value_for(pool: &'static [&'static str]) -> impl Strategy<Value = Node> {
    prop_oneof![
        40 => prop::sample::select(pool),
        1 => prop::sample::select(ANY_VALUE),
    ]
    .prop_map(|value| Node::Scalar(value.to_string()))
}

/// A mapping with a random subset of `fields` (key and value strategy), in a random order,
/// now and then with a key that is not in the schema.
fn mapping(fields: Vec<(&'static str, BoxedStrategy<Node>)>) -> BoxedStrategy<Node> {
    mapping_with(&[], fields)
}

/// Like [`mapping`], with the keys in `required` present far more often (a file without them
/// stops at the parser and tests nothing else).
fn mapping_with(
    required: &'static [&'static str],
    fields: Vec<(&'static str, BoxedStrategy<Node>)>,
) -> BoxedStrategy<Node> {
    let count = fields.len();
    let strategies: Vec<_> = fields
        .into_iter()
        .map(|(key, value)| {
            let present = if required.contains(&key) { 0.97 } else { 0.6 };
            (Just(key), prop::option::weighted(present, value))
        })
        .collect();
    (
        strategies,
        prop::option::weighted(0.01, prop::sample::select(FRAGMENTS)),
        any::<prop::sample::Index>(),
    )
        .prop_map(move |(entries, extra, rotate)| {
            let mut entries: Vec<(String, Node)> = entries
                .into_iter()
                .filter_map(|(key, value)| Some((key.to_string(), value?)))
                .collect();
            if let Some(extra) = extra {
                entries.push((extra.to_string(), Node::Scalar("1".to_string())));
            }
            if !entries.is_empty() {
                let by = rotate.index(count.max(1)) % entries.len();
                entries.rotate_left(by);
            }
            Node::Map(entries)
        })
        .boxed()
}

fn list(item: BoxedStrategy<Node>, most: usize) -> BoxedStrategy<Node> {
    prop::collection::vec(item, 0..most)
        .prop_map(Node::List)
        .boxed()
}

/// A word from a fixed list (`tier`, `class`, …): nearly always a good one, now and then the
/// wrong word `bad`, so the rest of the document still gets past the parser most of the time.
fn word(good: &'static [&'static str], bad: &'static str) -> BoxedStrategy<Node> {
    prop_oneof![
        40 => prop::sample::select(good).prop_map(|word| Node::Scalar(word.to_string())),
        1 => Just(Node::Scalar(bad.to_string())),
        1 => value_for(ANY_VALUE),
    ]
    .boxed()
}

fn names_or_list(pool: &'static [&'static str]) -> BoxedStrategy<Node> {
    prop_oneof![value_for(pool), list(value_for(pool).boxed(), 3)].boxed()
}

/// A scenario: every key of the schema at its depth, values from the pools.
fn scenario_document() -> impl Strategy<Value = String> {
    let workload = mapping_with(
        &["name"],
        vec![
            ("name", value_for(NAMES).boxed()),
            ("task", value_for(NAMES).boxed()),
            ("input_tokens", value_for(TOKENS).boxed()),
            ("output_tokens", value_for(TOKENS).boxed()),
            ("requests", value_for(TOKENS).boxed()),
            ("input_tokens_per_request", value_for(TOKENS).boxed()),
            ("output_tokens_per_request", value_for(TOKENS).boxed()),
            ("cache_hit_rate", value_for(SHARES).boxed()),
            ("cache_write_rate", value_for(SHARES).boxed()),
            ("batch_share", value_for(SHARES).boxed()),
            ("off_peak_share", value_for(SHARES).boxed()),
            ("tier", word(&["standard", "flex", "priority"], "premium")),
            (
                "data_class",
                word(&["public", "internal", "regulated"], "secret"),
            ),
            ("regional_processing", word(&["true", "false"], "maybe")),
        ],
    );
    let matcher = mapping(vec![
        ("workload", names_or_list(NAMES)),
        ("task", names_or_list(NAMES)),
        ("data_class", list(word(&["public", "regulated"], "x"), 3)),
    ]);
    let route = mapping_with(
        &["match", "model"],
        vec![
            ("match", matcher.clone()),
            ("model", value_for(MODELS).boxed()),
            ("tier", word(&["flex", "priority"], "cheap")),
            ("prices", word(&["list", "effective"], "cheap")),
            ("fallback", list(value_for(MODELS).boxed(), 4)),
            (
                "validator",
                mapping(vec![("false_accept", value_for(SHARES).boxed())]),
            ),
        ],
    );
    let policy = mapping_with(
        &["name"],
        vec![
            ("name", value_for(NAMES).boxed()),
            ("routes", list(route, 4)),
            ("default", value_for(MODELS).boxed()),
            ("human_review", matcher),
        ],
    );
    let pass_rate = mapping_with(
        &["model"],
        vec![
            ("model", value_for(MODELS).boxed()),
            ("task", value_for(NAMES).boxed()),
            ("workload", value_for(NAMES).boxed()),
            ("rate", value_for(SHARES).boxed()),
            (
                "evals",
                value_for(&["460/500", "0/0", "5/4", "-1/2", "18446744073709551616/1"]).boxed(),
            ),
        ],
    );
    let spread = mapping_with(
        &["distribution", "spread"],
        vec![
            ("distribution", word(&["normal", "lognormal"], "uniform")),
            (
                "spread",
                value_for(&["10%", "0", "-5%", "2000%", "0.3"]).boxed(),
            ),
        ],
    );
    let rule = mapping(vec![
        (
            "deployment",
            prop_oneof![
                word(&["hosted", "self-hosted"], "on-moon"),
                list(word(&["hosted", "self-hosted"], "on-moon"), 3)
            ]
            .boxed(),
        ),
        ("providers", names_or_list(&["openai", "acme", "deepseek"])),
        ("open_weight", word(&["true", "false"], "1")),
        ("human_review", word(&["required", "optional"], "maybe")),
    ]);
    mapping_with(
        &["name", "as_of", "workloads", "policies", "baseline"],
        vec![
            ("name", value_for(NAMES).boxed()),
            ("as_of", value_for(DATES).boxed()),
            ("period", word(&["month"], "year")),
            ("workloads", list(workload, 4)),
            ("policies", list(policy, 4)),
            ("baseline", value_for(NAMES).boxed()),
            (
                "discounts",
                mapping(vec![
                    ("openai", value_for(SHARES).boxed()),
                    ("acme", value_for(SHARES).boxed()),
                ]),
            ),
            (
                "constraints",
                mapping(vec![("regulated", rule.clone()), ("public", rule)]),
            ),
            (
                "budgets",
                mapping(vec![
                    (
                        "policies",
                        mapping(vec![("p", value_for(&["$500", "-1", "1,00"]).boxed())]),
                    ),
                    (
                        "workloads",
                        mapping(vec![("a", value_for(&["500", "x"]).boxed())]),
                    ),
                ]),
            ),
            (
                "quality",
                mapping(vec![
                    ("pass_rates", list(pass_rate, 4)),
                    ("retry_context", value_for(SHARES).boxed()),
                    (
                        "sign_off",
                        mapping(vec![("regulated", value_for(MODELS).boxed())]),
                    ),
                    (
                        "latency_targets",
                        mapping(vec![(
                            "a",
                            value_for(&["30s", "-1s", "5 parsecs", "1e400h"]).boxed(),
                        )]),
                    ),
                ]),
            ),
            (
                "uncertainty",
                mapping(vec![
                    ("volume", spread.clone()),
                    ("workloads", mapping(vec![("a", spread.clone())])),
                    ("input_tokens_per_request", mapping(vec![("a", spread)])),
                ]),
            ),
        ],
    )
    .prop_map(|node| node.text())
}

/// A price file: every key of the schema at its depth, values from the pools.
fn price_document() -> impl Strategy<Value = String> {
    let rates = || {
        vec![
            ("input", value_for(PRICES).boxed()),
            ("cached_input", value_for(PRICES).boxed()),
            ("cache_write", value_for(PRICES).boxed()),
            ("output", value_for(PRICES).boxed()),
        ]
    };
    let adjustment =
        prop_oneof![value_for(&["50%", "0.5", "150%"]).boxed(), mapping(rates())].boxed();
    let promotion = mapping_with(
        &["name", "until", "discount"],
        vec![
            ("name", value_for(NAMES).boxed()),
            ("from", value_for(DATES).boxed()),
            ("until", value_for(DATES).boxed()),
            (
                "discount",
                value_for(&["75%", "20%", "0.5", "-10%"]).boxed(),
            ),
        ],
    );
    let mut set = rates();
    set.extend([
        ("from", value_for(DATES).boxed()),
        (
            "source",
            value_for(&["https://example.com", "\"\"", "x"]).boxed(),
        ),
        ("batch", adjustment.clone()),
        ("flex", adjustment),
        ("regional_processing", value_for(SHARES).boxed()),
        ("promotions", list(promotion, 3)),
        (
            "off_peak",
            mapping(vec![
                (
                    "peak_hours_utc",
                    list(
                        value_for(&["01:00-04:00", "23:00-01:00", "24:00-25:00"]).boxed(),
                        3,
                    ),
                ),
                (
                    "peak_days",
                    list(value_for(&["mon", "fri", "funday"]).boxed(), 3),
                ),
                ("discount", value_for(&["50%", "0.5"]).boxed()),
            ]),
        ),
        (
            "long_context",
            mapping(vec![
                ("above_input_tokens", value_for(TOKENS).boxed()),
                ("input", value_for(PRICES).boxed()),
                ("output", value_for(PRICES).boxed()),
            ]),
        ),
    ]);
    let model = mapping_with(
        &[
            "class",
            "deployment",
            "open_weight",
            "license",
            "context_window",
            "prices",
        ],
        vec![
            ("class", word(&["economy", "balanced", "frontier"], "giant")),
            ("deployment", word(&["hosted", "self-hosted"], "on-moon")),
            ("open_weight", word(&["true", "false"], "yes")),
            ("license", value_for(&["MIT", "proprietary"]).boxed()),
            ("context_window", value_for(TOKENS).boxed()),
            ("max_output_tokens", value_for(TOKENS).boxed()),
            ("deprecated", value_for(DATES).boxed()),
            (
                "prices",
                list(mapping_with(&["from", "source", "input", "output"], set), 3),
            ),
            (
                "latency",
                mapping(vec![
                    (
                        "time_to_first_token",
                        value_for(&["0.6s", "-1s", "800ms", "1e400s"]).boxed(),
                    ),
                    (
                        "output_tokens_per_second",
                        value_for(&["90", "0", "-5"]).boxed(),
                    ),
                ]),
            ),
        ],
    );
    let human = mapping_with(
        &["review_latency"],
        vec![
            ("kind", word(&["human"], "robot")),
            ("cost_per_item", value_for(PRICES).boxed()),
            ("hourly_rate", value_for(PRICES).boxed()),
            ("minutes_per_item", value_for(&["3", "-3", "0"]).boxed()),
            (
                "review_latency",
                value_for(&["4h", "1d", "-1h", "soon"]).boxed(),
            ),
        ],
    );
    mapping_with(
        &["provider", "currency", "models"],
        vec![
            (
                "provider",
                value_for(&["acme", "\"\"", "openai", "é"]).boxed(),
            ),
            ("currency", word(&["USD"], "EUR")),
            (
                "models",
                mapping(vec![
                    ("acme-small", model.clone()),
                    ("acme-large", model),
                    (
                        "\"\"",
                        mapping(vec![("class", value_for(&["economy"]).boxed())]),
                    ),
                ]),
            ),
            (
                "humans",
                mapping(vec![("reviewer", human.clone()), ("acme-small", human)]),
            ),
        ],
    )
    .prop_map(|node| node.text())
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

proptest! {
    #![proptest_config(config_of(128))]

    #[test]
    fn scenario_loader_survives_schema_shaped_documents(text in scenario_document()) {
        scenario_does_not_panic(&text);
    }

    #[test]
    fn catalogue_builder_survives_schema_shaped_documents(text in price_document()) {
        catalogue_does_not_panic(&text);
    }
}

/// The schema-shaped generators reach validation, not just the parser: over a fixed sample,
/// most documents parse and are refused for a value (or load), rather than failing as YAML.
#[test]
fn schema_shaped_documents_reach_validation() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{Config, TestRng, TestRunner};

    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::deterministic_rng(Default::default()),
    );
    let (mut parsed, mut loaded, total) = (0, 0, 100);
    for _ in 0..total {
        let text = scenario_document()
            .new_tree(&mut runner)
            .expect("a document")
            .current();
        let source = SourceFile::new("fuzz.yaml", text.as_str());
        match load_scenario(&source, catalogue()) {
            Ok(_) => loaded += 1,
            Err(error) => {
                let structural = error.diagnostics.iter().any(|d| {
                    d.message.contains("unknown field")
                        || d.message.contains("expected")
                        || d.message.contains("missing field")
                });
                if !structural {
                    parsed += 1;
                }
            }
        }
    }
    assert!(
        parsed + loaded >= total / 4,
        "only {parsed} of {total} generated scenarios got past the parser ({loaded} loaded)"
    );
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
