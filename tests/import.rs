//! The database importers on small fixtures shaped like LiteLLM's map and genai-prices'
//! data-v2.json (written here, never copied from the databases): tiers, windows, dated
//! constraints, missing fields and bad values, and that what they write loads back unchanged.

mod common;

use mixcost::load::import::{genai_prices, litellm, render, SkipReason};
use mixcost::load::pricing::load_catalogue;
use mixcost::load::values::instant;
use mixcost::model::catalogue::{Adjustment, Model};
use rust_decimal::{dec, Decimal};

const LITELLM: &str = r#"{
  "sample_spec": {"mode": "one of: chat, embedding", "input_cost_per_token": 0.0},
  "gemini/gemini-9-pro": {
    "litellm_provider": "gemini", "mode": "chat",
    "max_input_tokens": 1048576, "max_output_tokens": 65536,
    "input_cost_per_token": 1.25e-06, "output_cost_per_token": 1e-05,
    "cache_read_input_token_cost": 1.25e-07,
    "input_cost_per_token_above_200k_tokens": 2.5e-06,
    "output_cost_per_token_above_200k_tokens": 1.5e-05,
    "cache_read_input_token_cost_above_200k_tokens": 2.5e-07,
    "input_cost_per_token_batches": 6.25e-07, "output_cost_per_token_batches": 5e-06,
    "input_cost_per_token_priority": 2.25e-06, "output_cost_per_token_priority": 1.8e-05,
    "input_cost_per_token_above_200k_tokens_priority": 4.5e-06,
    "output_cost_per_token_above_200k_tokens_priority": 2.7e-05,
    "input_cost_per_audio_token": 1e-06,
    "deprecation_date": "2026-12-01", "successor_model": "gemini/gemini-10-flash",
    "source": "https://ai.google.dev/gemini-api/docs/pricing"
  },
  "together_ai/acme/open-1": {
    "litellm_provider": "together_ai", "mode": "chat",
    "input_cost_per_token": 0.00000014, "output_cost_per_token": 4.2e-7
  },
  "deepseek/deepseek-x": {
    "litellm_provider": "deepseek", "mode": "chat",
    "input_cost_per_token": 2.8e-07, "output_cost_per_token": 4.2e-07,
    "cache_creation_input_token_cost": 0.0,
    "input_cost_per_token_batches": 1.4e-07, "output_cost_per_token_batches": 2.1e-07
  },
  "dall-e-9": {"litellm_provider": "openai", "mode": "image_generation", "output_cost_per_image": 0.04},
  "whisper-9": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_second": 0.0001},
  "bad-string": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": "0.1", "output_cost_per_token": 1e-06},
  "bad-negative": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": -1e-06, "output_cost_per_token": 1e-06},
  "bad-absurd": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 5.0, "output_cost_per_token": 1e-06},
  "gpt-9": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 4e-06, "output_cost_per_token": 2e-05},
  "openai/gpt-9": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 5e-06, "output_cost_per_token": 2e-05},
  "not-an-object": 42
}"#;

const GENAI: &str = r#"[
  {"id": "anthropic", "name": "Anthropic", "pricing_urls": ["https://example.com/anthropic"],
   "models": [
    {"id": "claude-9", "name": "Claude 9", "context_window": 1000000,
     "prices": {"input_mtok": {"base": 3, "tiers": [{"start": 200000, "price": 6}]},
                "cache_read_mtok": {"base": 0.3, "tiers": [{"start": 200000, "price": 0.6}]},
                "cache_write_mtok": {"base": 3.75, "tiers": [{"start": 200000, "price": 7.5}]},
                "output_mtok": {"base": 15, "tiers": [{"start": 200000, "price": 22.5}]},
                "web_searches_kcount": 10}},
    {"id": "claude-intro", "price_comments": "introductory price through 2026-08-31",
     "prices": [{"prices": {"input_mtok": 2, "output_mtok": 10}},
                {"constraint": {"start_date": "2026-09-01"}, "prices": {"input_mtok": 3, "output_mtok": 15}}]},
    {"id": "claude-two-tiers",
     "prices": {"input_mtok": {"base": 1, "tiers": [{"start": 100000, "price": 2}, {"start": 500000, "price": 3}]}, "output_mtok": 5}},
    {"id": "embed-1", "prices": {"input_mtok": 0.1}, "deprecated": true}
  ]},
  {"id": "deepseek", "name": "DeepSeek", "pricing_urls": ["https://example.com/deepseek"],
   "models": [
    {"id": "deepseek-night", "context_window": 64000,
     "prices": [{"prices": {"input_mtok": 0.135, "cache_read_mtok": 0.035, "output_mtok": 0.55}},
                {"constraint": {"start_time": "00:30:00Z", "end_time": "16:30:00Z"},
                 "prices": {"input_mtok": 0.27, "cache_read_mtok": 0.07, "output_mtok": 1.1}}]},
    {"id": "bad-price", "prices": {"input_mtok": "cheap", "output_mtok": 1}}
  ]},
  {"id": "together", "name": "Together", "models": [
    {"id": "acme/open-1", "prices": {"input_mtok": 0.1, "output_mtok": 0.2}}
  ]}
]"#;

fn skipped_for(import: &mixcost::load::import::Import, key: &str) -> Option<SkipReason> {
    import
        .skipped
        .iter()
        .find(|skip| skip.key == key)
        .map(|skip| skip.reason)
}

#[test]
fn litellm_entries_map_to_exact_prices_tiers_and_dates() {
    let import = litellm::import(LITELLM, "fixture.json", "1.0").unwrap();
    let pro = &import.models["gemini-9-pro"];
    assert_eq!(pro.provider, "google");
    assert_eq!(pro.context_window, Some(1_048_576));
    assert_eq!(pro.deprecated, Some(instant("2026-12-01").unwrap()));
    assert_eq!(pro.successor.as_deref(), Some("gemini-10-flash"));
    let set = &pro.prices[0];
    assert_eq!(
        (set.rates.input, set.rates.cached_input, set.rates.output),
        (dec!(1.25), Some(dec!(0.125)), dec!(10))
    );
    let Some(Adjustment::Rates(batch)) = &set.tiers.batch else {
        panic!("batch prices expected")
    };
    assert_eq!((batch.input, batch.output), (dec!(0.625), dec!(5)));
    let long = set.long_context.as_ref().expect("long context");
    assert_eq!(long.above_input_tokens, 200_000);
    assert_eq!(
        (long.rates.input, long.rates.cached_input, long.rates.output),
        (dec!(2.5), Some(dec!(0.25)), dec!(15))
    );
    assert!(matches!(&long.tiers.priority, Some(Adjustment::Rates(r)) if r.input == dec!(4.5)));
    let provenance = set.provenance.as_ref().unwrap();
    assert_eq!(
        (
            provenance.database.as_str(),
            provenance.version.as_str(),
            provenance.key.as_str()
        ),
        ("litellm", "1.0", "gemini/gemini-9-pro")
    );
    // 0.00000014 per token is exactly 0.14 per 1M; a host's model is named provider/model.
    let open = &import.models["together_ai/acme/open-1"];
    assert_eq!(open.prices[0].rates.input, dec!(0.14));
    assert_eq!(open.prices[0].rates.output, dec!(0.42));
    // The audio price is listed as dropped, not lost silently.
    assert!(import
        .dropped
        .iter()
        .any(|d| d.key == "gemini/gemini-9-pro" && d.field == "input_cost_per_audio_token"));
}

#[test]
fn litellm_vendor_rules_and_bad_values_are_listed() {
    let import = litellm::import(LITELLM, "fixture.json", "1.0").unwrap();
    let deepseek = &import.models["deepseek-x"];
    assert!(
        deepseek.prices[0].tiers.batch.is_none(),
        "DeepSeek has no batch tier"
    );
    assert_eq!(deepseek.prices[0].rates.cache_write, None);
    assert!(import
        .dropped
        .iter()
        .any(|d| d.key == "deepseek/deepseek-x" && d.reason.contains("no batch tier")));
    assert_eq!(
        skipped_for(&import, "dall-e-9"),
        Some(SkipReason::NotTextGeneration)
    );
    assert_eq!(
        skipped_for(&import, "whisper-9"),
        Some(SkipReason::NoTokenPrice)
    );
    assert_eq!(
        skipped_for(&import, "bad-string"),
        Some(SkipReason::NotADecimal)
    );
    assert_eq!(
        skipped_for(&import, "bad-negative"),
        Some(SkipReason::NegativePrice)
    );
    assert_eq!(
        skipped_for(&import, "bad-absurd"),
        Some(SkipReason::AbsurdPrice)
    );
    assert_eq!(
        skipped_for(&import, "not-an-object"),
        Some(SkipReason::NotAnEntry)
    );
    assert_eq!(
        skipped_for(&import, "sample_spec"),
        Some(SkipReason::NotAnEntry)
    );
    // "gpt-9" and "openai/gpt-9" both map to gpt-9: the first is kept, the second listed.
    assert_eq!(import.models["gpt-9"].prices[0].rates.input, dec!(4));
    assert_eq!(
        skipped_for(&import, "openai/gpt-9"),
        Some(SkipReason::NameCollision)
    );
    // Every entry is accounted for: imported or skipped.
    assert_eq!(import.models.len() + import.skipped.len(), 12);
}

#[test]
fn genai_prices_tiers_constraints_and_windows() {
    let import = genai_prices::import(GENAI, "data.json", "2026-08-21").unwrap();
    let claude = &import.models["claude-9"];
    let long = claude.prices[0].long_context.as_ref().unwrap();
    assert_eq!(long.above_input_tokens, 200_000);
    assert_eq!(
        (
            long.rates.input,
            long.rates.cached_input,
            long.rates.cache_write
        ),
        (dec!(6), Some(dec!(0.6)), Some(dec!(7.5)))
    );
    let intro = &import.models["claude-intro"];
    assert_eq!(intro.prices.len(), 2);
    assert_eq!(intro.prices[1].from, instant("2026-09-01").unwrap());
    assert_eq!(
        (intro.prices[0].rates.input, intro.prices[1].rates.input),
        (dec!(2), dec!(3))
    );
    let night = &import.models["deepseek-night"];
    let set = &night.prices[0];
    assert_eq!(
        set.rates.input,
        dec!(0.27),
        "the window's prices are the peak prices"
    );
    let off_peak = set.off_peak.as_ref().unwrap();
    assert_eq!(off_peak.peak_hours_utc, vec![(30, 16 * 60 + 30)]);
    assert_eq!(off_peak.peak_days.len(), 7);
    assert!(matches!(&off_peak.adjustment, Adjustment::Rates(r) if r.input == dec!(0.135)));
    assert_eq!(
        skipped_for(&import, "anthropic/claude-two-tiers"),
        Some(SkipReason::UnsupportedTiers)
    );
    assert_eq!(
        skipped_for(&import, "anthropic/embed-1"),
        Some(SkipReason::NotTextGeneration)
    );
    assert_eq!(
        skipped_for(&import, "deepseek/bad-price"),
        Some(SkipReason::NotADecimal)
    );
    assert_eq!(
        import.models["together/acme/open-1"].prices[0].rates.output,
        dec!(0.2)
    );
    assert!(import
        .dropped
        .iter()
        .any(|d| d.key == "anthropic/claude-9" && d.field == "web_searches_kcount"));
}

#[test]
fn not_json_and_wrong_shape_are_errors() {
    let error = litellm::import("{\"a\": ", "f.json", "1")
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("f.json: not JSON") && error.contains("line 1"),
        "{error}"
    );
    let error = litellm::import("[1, 2]", "f.json", "1")
        .unwrap_err()
        .to_string();
    assert!(error.contains("not a LiteLLM model map"), "{error}");
    let error = genai_prices::import("{\"providers\": []}", "g.json", "1")
        .unwrap_err()
        .to_string();
    assert!(error.contains("not a genai-prices data-v2.json"), "{error}");
    let error = litellm::import("{\"x\": {\"mode\": \"embedding\"}}", "f.json", "1")
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("no entry could be imported (1 skipped)"),
        "{error}"
    );
}

/// What the generated files hold, loaded back by the ordinary loader.
fn round_trip(import: &mixcost::load::import::Import) -> Vec<(Model, Model)> {
    let folder = tempfile::tempdir().unwrap();
    let mut pairs = Vec::new();
    for (provider, models) in import.by_provider() {
        let path = folder.path().join(format!("zz-{provider}.yaml"));
        std::fs::write(&path, render::provider_file(import, provider, &models)).unwrap();
        let catalogue = load_catalogue(&[path]).expect("a generated file loads").0;
        for model in models {
            pairs.push((model.clone(), catalogue.models[&model.id].clone()));
        }
    }
    pairs
}

#[test]
fn generated_files_load_back_unchanged() {
    let litellm = litellm::import(LITELLM, "fixture.json", "1.0").unwrap();
    let genai = genai_prices::import(GENAI, "data.json", "2026-08-21").unwrap();
    for imported in [&litellm, &genai] {
        for (written, loaded) in round_trip(imported) {
            let strip = |model: &Model| Model {
                origin: loaded.origin.clone(),
                ..model.clone()
            };
            assert_eq!(strip(&written), loaded, "{}", written.id);
        }
    }
}

#[test]
fn the_command_writes_a_folder_and_lists_what_it_left_out() {
    let folder = tempfile::tempdir().unwrap();
    let input = folder.path().join("map.json");
    std::fs::write(&input, LITELLM).unwrap();
    let output = folder.path().join("out");
    std::fs::create_dir(&output).unwrap();
    std::fs::write(output.join("stale.yaml"), "old").unwrap();
    let run = common::run(&[
        "pricing",
        "import",
        "litellm",
        input.to_str().unwrap(),
        "-o",
        output.to_str().unwrap(),
        "--db-version",
        "1.0",
    ]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stderr.contains("imported 4 models from 4 providers"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("     1  a negative price"),
        "{}",
        run.stderr
    );
    let mut names: Vec<String> = std::fs::read_dir(&output)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "IMPORT-REPORT.txt",
            "deepseek.yaml",
            "google.yaml",
            "openai.yaml",
            "together_ai.yaml"
        ]
    );
    let report = std::fs::read_to_string(output.join("IMPORT-REPORT.txt")).unwrap();
    assert!(
        report.contains("skipped\tbad-negative\ta negative price\t"),
        "{report}"
    );
    // Nothing but the new folder is left beside it.
    let beside: Vec<_> = std::fs::read_dir(folder.path()).unwrap().collect();
    assert_eq!(beside.len(), 2);
    // Bad input: exit 2 and the old folder untouched.
    std::fs::write(&input, "not json").unwrap();
    let run = common::run(&[
        "pricing",
        "import",
        "litellm",
        input.to_str().unwrap(),
        "-o",
        output.to_str().unwrap(),
    ]);
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("not JSON"), "{}", run.stderr);
    assert!(output.join("google.yaml").exists());
}

#[test]
fn exact_decimals_never_pass_through_f64() {
    // 1.1e-07 per token through f64 would be 0.11000000000000001 per 1M.
    let map = r#"{"m": {"litellm_provider": "openai", "mode": "chat",
        "input_cost_per_token": 1.1e-07, "output_cost_per_token": 3.3e-07}}"#;
    let import = litellm::import(map, "f.json", "1").unwrap();
    let rates = &import.models["m"].prices[0].rates;
    assert_eq!(rates.input, dec!(0.11));
    assert_eq!(rates.output, Decimal::new(33, 2));
}
