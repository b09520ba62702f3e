//! Writing catalogue models as a mixcost price file (`pricing/*.yaml` shape), so that what an
//! importer produced is reviewable text and loads through the ordinary loader.

use std::fmt::Write as _;

use rust_decimal::Decimal;

use super::{Database, Import};
use crate::load::values::show_instant;
use crate::model::catalogue::{Adjustment, LongContext, Model, OffPeak, PriceSet, Rates, Tiers};

/// A YAML double-quoted string (JSON's escaping is valid YAML).
fn quoted(text: &str) -> String {
    serde_json::to_string(text).expect("a string serializes")
}

fn number(value: Decimal) -> String {
    value.normalize().to_string()
}

fn rates_inline(rates: &Rates) -> String {
    let mut parts = vec![format!("input: {}", number(rates.input))];
    if let Some(price) = rates.cached_input {
        parts.push(format!("cached_input: {}", number(price)));
    }
    if let Some(price) = rates.cache_write {
        parts.push(format!("cache_write: {}", number(price)));
    }
    if let Some(price) = rates.cache_write_1h {
        parts.push(format!("cache_write_1h: {}", number(price)));
    }
    parts.push(format!("output: {}", number(rates.output)));
    format!("{{{}}}", parts.join(", "))
}

fn rates_block(out: &mut String, indent: &str, rates: &Rates) {
    let _ = writeln!(out, "{indent}input: {}", number(rates.input));
    if let Some(price) = rates.cached_input {
        let _ = writeln!(out, "{indent}cached_input: {}", number(price));
    }
    if let Some(price) = rates.cache_write {
        let _ = writeln!(out, "{indent}cache_write: {}", number(price));
    }
    if let Some(price) = rates.cache_write_1h {
        let _ = writeln!(out, "{indent}cache_write_1h: {}", number(price));
    }
    let _ = writeln!(out, "{indent}output: {}", number(rates.output));
}

fn adjustment(adjustment: &Adjustment) -> String {
    match adjustment {
        Adjustment::Discount {
            share,
            keeps_cache_reads,
        } => {
            let percent = (share.abs() * Decimal::ONE_HUNDRED).normalize();
            let text = if share.is_sign_negative() {
                format!("+{percent}%")
            } else {
                format!("{percent}%")
            };
            if *keeps_cache_reads {
                format!("{{discount: {text}, except: [cached_input]}}")
            } else {
                text
            }
        }
        Adjustment::Rates(rates) => rates_inline(rates),
    }
}

fn tiers(out: &mut String, indent: &str, tiers: &Tiers) {
    for (name, tier) in [
        ("batch", &tiers.batch),
        ("flex", &tiers.flex),
        ("priority", &tiers.priority),
    ] {
        if let Some(tier) = tier {
            let _ = writeln!(out, "{indent}{name}: {}", adjustment(tier));
        }
    }
}

fn long_context(out: &mut String, long: &LongContext) {
    let _ = writeln!(out, "        long_context:");
    let _ = writeln!(
        out,
        "          above_input_tokens: {}",
        long.above_input_tokens
    );
    rates_block(out, "          ", &long.rates);
    tiers(out, "          ", &long.tiers);
}

fn off_peak(out: &mut String, off_peak: &OffPeak) {
    const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let hours: Vec<String> = off_peak
        .peak_hours_utc
        .iter()
        .map(|(start, end)| {
            format!(
                "\"{:02}:{:02}-{:02}:{:02}\"",
                start / 60,
                start % 60,
                end / 60,
                end % 60
            )
        })
        .collect();
    let days: Vec<&str> = off_peak
        .peak_days
        .iter()
        .filter_map(|day| DAYS.get(*day as usize).copied())
        .collect();
    let _ = writeln!(out, "        off_peak:");
    let _ = writeln!(out, "          peak_hours_utc: [{}]", hours.join(", "));
    let _ = writeln!(out, "          peak_days: [{}]", days.join(", "));
    match &off_peak.adjustment {
        Adjustment::Rates(rates) => {
            let _ = writeln!(out, "          prices: {}", rates_inline(rates));
        }
        other => {
            let _ = writeln!(out, "          discount: {}", adjustment(other));
        }
    }
}

fn price_set(out: &mut String, set: &PriceSet) {
    let _ = writeln!(out, "      - from: {}", show_instant(set.from));
    let _ = writeln!(out, "        source: {}", quoted(&set.source));
    if let Some(note) = &set.note {
        let _ = writeln!(out, "        note: {}", quoted(note));
    }
    if let Some(p) = &set.provenance {
        let _ = writeln!(
            out,
            "        imported: {{database: {}, version: {}, key: {}}}",
            quoted(&p.database),
            quoted(&p.version),
            quoted(&p.key)
        );
    }
    rates_block(out, "        ", &set.rates);
    tiers(out, "        ", &set.tiers);
    if let Some(long) = &set.long_context {
        long_context(out, long);
    }
    if let Some(window) = &set.off_peak {
        off_peak(out, window);
    }
}

fn model(out: &mut String, model: &Model) {
    let _ = writeln!(out, "  {}:", quoted(&model.id));
    if let Some(class) = model.class {
        let _ = writeln!(out, "    class: {}", class.as_str());
    }
    let _ = writeln!(out, "    deployment: {}", model.deployment.as_str());
    if let Some(open) = model.open_weight {
        let _ = writeln!(out, "    open_weight: {open}");
    }
    if let Some(license) = &model.license {
        let _ = writeln!(out, "    license: {}", quoted(license));
    }
    if let Some(tokens) = model.context_window {
        let _ = writeln!(out, "    context_window: {tokens}");
    }
    if let Some(tokens) = model.max_output_tokens {
        let _ = writeln!(out, "    max_output_tokens: {tokens}");
    }
    for (name, date) in [
        ("deprecated", model.deprecated),
        ("retires", model.retires),
        ("checked", model.checked),
    ] {
        if let Some(date) = date {
            let _ = writeln!(out, "    {name}: {}", show_instant(date));
        }
    }
    if let Some(successor) = &model.successor {
        let _ = writeln!(out, "    successor: {}", quoted(successor));
    }
    if let Some(note) = &model.note {
        let _ = writeln!(out, "    note: {}", quoted(note));
    }
    let _ = writeln!(out, "    prices:");
    for set in &model.prices {
        price_set(out, set);
    }
}

/// The price file of `provider`'s models in `import`.
pub fn provider_file(import: &Import, provider: &str, models: &[&Model]) -> String {
    let database = import.database.unwrap_or(Database::Litellm);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Generated by `mixcost pricing import {}` from {}, version {}.",
        database.id(),
        database.attribution(),
        import.version
    );
    let _ = writeln!(
        out,
        "# Regenerate rather than edit. Every price set names its database, version and key under `imported:`."
    );
    let _ = writeln!(out, "provider: {}", quoted(provider));
    let _ = writeln!(out, "currency: USD");
    let _ = writeln!(out, "models:");
    for entry in models {
        model(&mut out, entry);
    }
    out
}
