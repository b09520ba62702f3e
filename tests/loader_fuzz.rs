//! The loaders never panic: whatever text they are given, a scenario or a price file comes back
//! as `Ok` or as diagnostics, and every diagnostic points at a line and column of the file.
//!
//! Four kinds of input: arbitrary strings, strings assembled from YAML-ish fragments (the keys
//! of both schemas, numbers, indicators, anchors and aliases, newlines, indentation), the seed
//! scenario or a shipped price file with one stretch replaced by such fragments, and whole
//! documents shaped like the schema (the real keys at the real depths, values drawn from pools
//! of good and hostile ones: huge and negative numbers, odd dates, leap seconds, unicode),
//! which get past the parser far more often and so exercise validation. Half of those documents
//! are clean (every value good), so checks across a whole file (clashing names, overlapping
//! promotions, price sets out of order) are reached too. 256 cases per property (128 for the
//! larger schema-shaped documents) keep debug builds fast;
//! `PROPTEST_CASES=100000 cargo test --release --test loader_fuzz` runs longer.

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

/// Values for one kind of key: good ones, and hostile ones the loaders must refuse.
type Pool = (&'static [&'static str], &'static [&'static str]);

#[rustfmt::skip]
const TOKENS: Pool = (
    &["1M", "100M", "0", "3k", "1.5k", "2B", "400", "18446744073709551615"],
    &["-5", "1.5", "5m", "99999999999B", "18446744073709551616", "1e400", "-0"],
);
#[rustfmt::skip]
const SHARES: Pool = (
    &["0", "0.35", "35%", "1", "100%", "0.999999999999999999999999999"],
    &["-0.1", "1.01", ".nan", "150%", "-0.0"],
);
#[rustfmt::skip]
const DATES: Pool = (
    &["2026-05-20", "2026-04-24", "2026-10-01", "2026-05-31T16:00:00Z", "2026-05-20T10:00:00+14:00",
      "2099-12-31", "0001-01-01"],
    &["2026-02-30", "2026-13-01", "2026-06-30T23:59:60Z", "2026-05-20T25:00:00Z", "2026-05-20T10:00:00",
      "-2026-05-20", "20260520", "2026-5-20", "0000-01-01", "9999-12-31"],
);
#[rustfmt::skip]
const NAMES: Pool = (&["a", "b", "chat", "hard", "é", "p", "q", "日本"], &["\"\"", "\"  \"", "\"a\\nb\""]);
#[rustfmt::skip]
const MODELS: Pool = (
    &["gpt-5.5", "deepseek-v4-flash", "deepseek-v4-pro", "claude-opus-4-5"],
    &["analyst", "compliance-officer", "gpt-5.6", "\"\""],
);
#[rustfmt::skip]
const PRICES: Pool = (
    &["0", "1.74", "0.003625", "$5", "0.0000000000000000000000000001", "1000000"],
    &["-1", "1000001", "50%", "-0.0"],
);

/// One value from `pool`: in a hostile document now and then a bad one or one from
/// [`ANY_VALUE`]; in a clean document always a good one, so validation across the whole file
/// (names, routes, promotions, clashes) is reached too.
fn value_for(hostile: bool, (good, bad): Pool) -> BoxedStrategy<Node> {
    let scalar = |pool: &'static [&'static str]| {
        prop::sample::select(pool).prop_map(|value| Node::Scalar(value.to_string()))
    };
    match (hostile, bad.is_empty()) {
        (false, _) => scalar(good).boxed(),
        (true, true) => prop_oneof![30 => scalar(good), 1 => scalar(ANY_VALUE)].boxed(),
        (true, false) => {
            prop_oneof![30 => scalar(good), 1 => scalar(bad), 1 => scalar(ANY_VALUE)].boxed()
        }
    }
}

/// A word from a fixed list (`tier`, `class`, …), or in a hostile document now and then a
/// `bad` one.
fn word(
    hostile: bool,
    good: &'static [&'static str],
    bad: &'static [&'static str],
) -> BoxedStrategy<Node> {
    value_for(hostile, (good, bad))
}

/// A mapping with a random subset of `fields` (key and value strategy), in a random order,
/// now and then with a key that is not in the schema.
fn mapping(hostile: bool, fields: Vec<(&'static str, BoxedStrategy<Node>)>) -> BoxedStrategy<Node> {
    mapping_with(hostile, &[], fields)
}

/// Like [`mapping`], with the keys in `required` present far more often (a file without them
/// stops at the parser and tests nothing else).
fn mapping_with(
    hostile: bool,
    required: &'static [&'static str],
    fields: Vec<(&'static str, BoxedStrategy<Node>)>,
) -> BoxedStrategy<Node> {
    let extra_key = if hostile {
        prop::option::weighted(0.01, prop::sample::select(FRAGMENTS)).boxed()
    } else {
        Just(None).boxed()
    };
    let count = fields.len();
    let strategies: Vec<_> = fields
        .into_iter()
        .map(|(key, value)| {
            let value = match (required.contains(&key), hostile) {
                (true, false) => value.prop_map(Some).boxed(),
                (true, true) => prop::option::weighted(0.97, value).boxed(),
                (false, _) => prop::option::weighted(0.6, value).boxed(),
            };
            (Just(key), value)
        })
        .collect();
    (strategies, extra_key, any::<prop::sample::Index>())
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

/// A list that is never empty in a clean document (`prices:` of a model).
fn items(hostile: bool, item: BoxedStrategy<Node>, most: usize) -> BoxedStrategy<Node> {
    let least = usize::from(!hostile);
    prop::collection::vec(item, least..most)
        .prop_map(Node::List)
        .boxed()
}

fn names_or_list(hostile: bool, pool: Pool) -> BoxedStrategy<Node> {
    prop_oneof![value_for(hostile, pool), list(value_for(hostile, pool), 3)].boxed()
}

/// A scenario: every key of the schema at its depth, values from the pools.
fn scenario_document(h: bool) -> impl Strategy<Value = String> {
    let workload = mapping_with(
        h,
        &["name"],
        vec![
            ("name", value_for(h, NAMES).boxed()),
            ("task", value_for(h, NAMES).boxed()),
            ("input_tokens", value_for(h, TOKENS).boxed()),
            ("output_tokens", value_for(h, TOKENS).boxed()),
            ("requests", value_for(h, TOKENS).boxed()),
            ("input_tokens_per_request", value_for(h, TOKENS).boxed()),
            ("output_tokens_per_request", value_for(h, TOKENS).boxed()),
            ("cache_hit_rate", value_for(h, SHARES).boxed()),
            ("cache_write_rate", value_for(h, SHARES).boxed()),
            ("batch_share", value_for(h, SHARES).boxed()),
            ("off_peak_share", value_for(h, SHARES).boxed()),
            (
                "tier",
                word(h, &["standard", "flex", "priority"], &["premium"]),
            ),
            (
                "data_class",
                word(h, &["public", "internal", "regulated"], &["secret"]),
            ),
            (
                "regional_processing",
                word(h, &["true", "false"], &["maybe"]),
            ),
        ],
    );
    let matcher = mapping(
        h,
        vec![
            ("workload", names_or_list(h, NAMES)),
            ("task", names_or_list(h, NAMES)),
            (
                "data_class",
                list(word(h, &["public", "regulated"], &["x"]), 3),
            ),
        ],
    );
    let route = mapping_with(
        h,
        &["match", "model"],
        vec![
            ("match", matcher.clone()),
            ("model", value_for(h, MODELS).boxed()),
            ("tier", word(h, &["flex", "priority"], &["cheap"])),
            ("prices", word(h, &["list", "effective"], &["cheap"])),
            ("fallback", list(value_for(h, MODELS).boxed(), 4)),
            (
                "validator",
                mapping(h, vec![("false_accept", value_for(h, SHARES).boxed())]),
            ),
        ],
    );
    let policy = mapping_with(
        h,
        &["name"],
        vec![
            ("name", value_for(h, NAMES).boxed()),
            ("routes", list(route, 4)),
            ("default", value_for(h, MODELS).boxed()),
            ("human_review", matcher),
        ],
    );
    let pass_rate = mapping_with(
        h,
        &["model"],
        vec![
            ("model", value_for(h, MODELS).boxed()),
            ("task", value_for(h, NAMES).boxed()),
            ("workload", value_for(h, NAMES).boxed()),
            ("rate", value_for(h, SHARES).boxed()),
            (
                "evals",
                value_for(
                    h,
                    (
                        &["460/500", "1/1"],
                        &["0/0", "5/4", "-1/2", "18446744073709551616/1"],
                    ),
                )
                .boxed(),
            ),
        ],
    );
    let spread = mapping_with(
        h,
        &["distribution", "spread"],
        vec![
            (
                "distribution",
                word(h, &["normal", "lognormal"], &["uniform"]),
            ),
            (
                "spread",
                value_for(h, (&["10%", "0", "0.3", "1000%"], &["-5%", "2000%"])).boxed(),
            ),
        ],
    );
    let rule = mapping(
        h,
        vec![
            (
                "deployment",
                prop_oneof![
                    word(h, &["hosted", "self-hosted"], &["on-moon"]),
                    list(word(h, &["hosted", "self-hosted"], &["on-moon"]), 3)
                ]
                .boxed(),
            ),
            (
                "providers",
                names_or_list(h, (&["openai", "deepseek"], &["acme", "\"\""])),
            ),
            ("open_weight", word(h, &["true", "false"], &["1"])),
            (
                "human_review",
                word(h, &["required", "optional"], &["maybe"]),
            ),
        ],
    );
    mapping_with(
        h,
        &["name", "as_of", "workloads", "policies", "baseline"],
        vec![
            ("name", value_for(h, NAMES).boxed()),
            ("as_of", value_for(h, DATES).boxed()),
            ("period", word(h, &["month"], &["year"])),
            ("workloads", list(workload, 4)),
            ("policies", list(policy, 4)),
            ("baseline", value_for(h, NAMES).boxed()),
            (
                "discounts",
                mapping(
                    h,
                    vec![
                        ("openai", value_for(h, SHARES).boxed()),
                        ("acme", value_for(h, SHARES).boxed()),
                    ],
                ),
            ),
            (
                "constraints",
                mapping(h, vec![("regulated", rule.clone()), ("public", rule)]),
            ),
            (
                "budgets",
                mapping(
                    h,
                    vec![
                        (
                            "policies",
                            mapping(
                                h,
                                vec![(
                                    "p",
                                    value_for(h, (&["$500", "1,000.50"], &["-1", "1,00"])).boxed(),
                                )],
                            ),
                        ),
                        (
                            "workloads",
                            mapping(h, vec![("a", value_for(h, (&["500"], &["x"])).boxed())]),
                        ),
                    ],
                ),
            ),
            (
                "quality",
                mapping(
                    h,
                    vec![
                        ("pass_rates", list(pass_rate, 4)),
                        ("retry_context", value_for(h, SHARES).boxed()),
                        (
                            "sign_off",
                            mapping(h, vec![("regulated", value_for(h, MODELS).boxed())]),
                        ),
                        (
                            "latency_targets",
                            mapping(
                                h,
                                vec![(
                                    "a",
                                    value_for(
                                        h,
                                        (&["30s", "2min"], &["-1s", "5 parsecs", "1e400h"]),
                                    )
                                    .boxed(),
                                )],
                            ),
                        ),
                    ],
                ),
            ),
            (
                "uncertainty",
                mapping(
                    h,
                    vec![
                        ("volume", spread.clone()),
                        ("workloads", mapping(h, vec![("a", spread.clone())])),
                        ("input_tokens_per_request", mapping(h, vec![("a", spread)])),
                    ],
                ),
            ),
        ],
    )
    .prop_map(|node| node.text())
}

/// A price file: every key of the schema at its depth, values from the pools.
fn price_document(h: bool) -> impl Strategy<Value = String> {
    let rates = || {
        vec![
            ("input", value_for(h, PRICES).boxed()),
            ("cached_input", value_for(h, PRICES).boxed()),
            ("cache_write", value_for(h, PRICES).boxed()),
            ("output", value_for(h, PRICES).boxed()),
        ]
    };
    let adjustment = prop_oneof![
        value_for(h, (&["50%"], &["0.5", "150%"])).boxed(),
        mapping_with(h, &["input", "output"], rates())
    ]
    .boxed();
    let promotion = mapping_with(
        h,
        &["name", "until", "discount"],
        vec![
            ("name", value_for(h, NAMES).boxed()),
            ("from", value_for(h, DATES).boxed()),
            ("until", value_for(h, DATES).boxed()),
            (
                "discount",
                value_for(h, (&["75%", "20%"], &["0.5", "-10%"])).boxed(),
            ),
        ],
    );
    let mut set = rates();
    set.extend([
        ("from", value_for(h, DATES).boxed()),
        (
            "source",
            value_for(h, (&["https://example.com", "x"], &["\"\""])).boxed(),
        ),
        ("batch", adjustment.clone()),
        ("flex", adjustment),
        ("regional_processing", value_for(h, SHARES).boxed()),
        ("promotions", list(promotion, 3)),
        (
            "off_peak",
            mapping_with(
                h,
                &["peak_hours_utc", "peak_days", "discount"],
                vec![
                    (
                        "peak_hours_utc",
                        list(
                            value_for(
                                h,
                                (
                                    &["01:00-04:00", "06:00-10:00"],
                                    &["23:00-01:00", "24:00-25:00"],
                                ),
                            )
                            .boxed(),
                            3,
                        ),
                    ),
                    (
                        "peak_days",
                        list(value_for(h, (&["mon", "fri"], &["funday"])).boxed(), 3),
                    ),
                    ("discount", value_for(h, (&["50%"], &["0.5"])).boxed()),
                ],
            ),
        ),
        (
            "long_context",
            mapping_with(
                h,
                &["above_input_tokens", "input", "output"],
                vec![
                    ("above_input_tokens", value_for(h, TOKENS).boxed()),
                    ("input", value_for(h, PRICES).boxed()),
                    ("output", value_for(h, PRICES).boxed()),
                ],
            ),
        ),
    ]);
    let model = mapping_with(
        h,
        &[
            "class",
            "deployment",
            "open_weight",
            "license",
            "context_window",
            "prices",
        ],
        vec![
            (
                "class",
                word(h, &["economy", "balanced", "frontier"], &["giant"]),
            ),
            (
                "deployment",
                word(h, &["hosted", "self-hosted"], &["on-moon"]),
            ),
            ("open_weight", word(h, &["true", "false"], &["yes"])),
            (
                "license",
                value_for(h, (&["MIT", "proprietary"], &[])).boxed(),
            ),
            ("context_window", value_for(h, TOKENS).boxed()),
            ("max_output_tokens", value_for(h, TOKENS).boxed()),
            ("deprecated", value_for(h, DATES).boxed()),
            (
                "prices",
                items(
                    h,
                    mapping_with(h, &["from", "source", "input", "output"], set),
                    3,
                ),
            ),
            (
                "latency",
                mapping_with(
                    h,
                    &["time_to_first_token", "output_tokens_per_second"],
                    vec![
                        (
                            "time_to_first_token",
                            value_for(h, (&["0.6s", "800ms"], &["-1s", "1e400s"])).boxed(),
                        ),
                        (
                            "output_tokens_per_second",
                            value_for(h, (&["90"], &["0", "-5"])).boxed(),
                        ),
                    ],
                ),
            ),
        ],
    );
    let kind = || word(h, &["human"], &["robot"]);
    let latency = || value_for(h, (&["4h", "1d"], &["-1h", "soon"]));
    let minutes = || value_for(h, (&["3", "0"], &["-3"]));
    // The two ways to give a reviewer's cost, and (in hostile files) any mix of the keys.
    let per_item = mapping_with(
        h,
        &["cost_per_item", "review_latency"],
        vec![
            ("kind", kind()),
            ("cost_per_item", value_for(h, PRICES)),
            ("review_latency", latency()),
        ],
    );
    let hourly = mapping_with(
        h,
        &["hourly_rate", "minutes_per_item", "review_latency"],
        vec![
            ("kind", kind()),
            ("hourly_rate", value_for(h, PRICES)),
            ("minutes_per_item", minutes()),
            ("review_latency", latency()),
        ],
    );
    let mixed = mapping_with(
        h,
        &["review_latency"],
        vec![
            ("kind", kind()),
            ("cost_per_item", value_for(h, PRICES)),
            ("hourly_rate", value_for(h, PRICES)),
            ("minutes_per_item", minutes()),
            ("review_latency", latency()),
        ],
    );
    let human = if h {
        prop_oneof![per_item, hourly, mixed].boxed()
    } else {
        prop_oneof![per_item, hourly].boxed()
    };
    mapping_with(
        h,
        &["provider", "currency", "models"],
        vec![
            (
                "provider",
                value_for(h, (&["acme", "openai", "é"], &["\"\""])).boxed(),
            ),
            ("currency", word(h, &["USD"], &["EUR"])),
            (
                "models",
                mapping(
                    h,
                    vec![
                        ("acme-small", model.clone()),
                        ("acme-large", model.clone()),
                        (if h { "\"\"" } else { "acme-medium" }, model),
                    ],
                ),
            ),
            (
                "humans",
                mapping(h, vec![("reviewer", human.clone()), ("acme-small", human)]),
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
    fn scenario_loader_survives_schema_shaped_documents(text in prop_oneof![scenario_document(false), scenario_document(true)]) {
        scenario_does_not_panic(&text);
    }

    #[test]
    fn catalogue_builder_survives_schema_shaped_documents(text in prop_oneof![price_document(false), price_document(true)]) {
        catalogue_does_not_panic(&text);
    }
}

/// The schema-shaped generators reach validation, not just the parser: over a fixed sample,
/// most hostile scenarios parse and are refused for a value (or load), and clean price files
/// often load whole, so checks across a file (clashing names, overlapping promotions) run too.
#[test]
fn schema_shaped_documents_reach_validation() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{Config, TestRng, TestRunner};

    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::deterministic_rng(Default::default()),
    );
    let structural = |d: &Diagnostic| {
        d.message.contains("unknown field")
            || d.message.contains("expected")
            || d.message.contains("missing field")
    };
    let total = 100;
    let mut past_parser = 0;
    for _ in 0..total {
        let text = scenario_document(true)
            .new_tree(&mut runner)
            .expect("a document")
            .current();
        let source = SourceFile::new("fuzz.yaml", text.as_str());
        match load_scenario(&source, catalogue()) {
            Ok(_) => past_parser += 1,
            Err(error) if !error.diagnostics.iter().any(structural) => past_parser += 1,
            Err(_) => {}
        }
    }
    assert!(
        past_parser >= total / 4,
        "only {past_parser} of {total} hostile scenarios got past the parser"
    );
    let mut loaded = 0;
    for _ in 0..total {
        let text = price_document(false)
            .new_tree(&mut runner)
            .expect("a document")
            .current();
        if build_catalogue([&SourceFile::new("fuzz.yaml", text.as_str())]).is_ok() {
            loaded += 1;
        }
    }
    assert!(
        loaded >= total / 10,
        "only {loaded} of {total} clean price files loaded"
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
