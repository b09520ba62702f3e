//! Labels and note blocks that several formats share: the assumptions under a result and the
//! billing description of a cost line (tables, Markdown, CSV, the HTML report).

use crate::engine::breakdown::{Context, CostLine, Evaluation, Window};
use crate::report::Notes;

/// The assumptions of an evaluation as a note block, shared by every command that prices.
pub fn assumption_notes(evaluation: &Evaluation) -> Notes {
    Notes {
        heading: "assumptions".to_string(),
        items: evaluation.assumptions.iter().map(assumption_text).collect(),
        when_empty: Some(
            "none (every price used is published for its model, tier and date)".to_string(),
        ),
    }
}

/// The header line of a result priced on list prices only (`--prices list`, or every route
/// saying `prices: list`): promotions are ignored, and a reader must see that before the figures.
pub fn list_prices_line(evaluation: &Evaluation) -> Option<String> {
    let mut lines = evaluation.policies.iter().flat_map(|policy| &policy.lines);
    let all_list = lines.clone().next().is_some()
        && lines.all(|line| line.prices == crate::model::scenario::PriceMode::List);
    all_list.then(|| "list prices: promotions ignored".to_string())
}

/// The promotions a result depends on, one sentence each, with how to price without them.
/// `None` when the result uses none.
pub fn promotion_notes(uses: &[crate::engine::breakdown::PromotionUse]) -> Option<Notes> {
    if uses.is_empty() {
        return None;
    }
    Some(Notes {
        heading: "promotions (`--prices list` prices without them)".to_string(),
        items: uses
            .iter()
            .map(|promotion| {
                format!(
                    "uses promotion '{}' on {} until {} — policies: {}",
                    promotion.name,
                    promotion.model,
                    promotion.until,
                    promotion.policies.join(", ")
                )
            })
            .collect(),
        when_empty: None,
    })
}

/// One assumption as a sentence: what was stood in for, for which workload and policies.
pub fn assumption_text(assumption: &crate::engine::breakdown::Assumption) -> String {
    format!(
        "{} — workload '{}', policies: {}",
        assumption.text,
        assumption.workload,
        assumption.policies.join(", ")
    )
}

/// `standard`, `batch · off-peak · long context · promo "launch 75% off"`, …
pub fn billing_label(line: &CostLine) -> String {
    let mut parts = vec![line.billing.label().to_string()];
    if line.window != Window::AllHours {
        parts.push(line.window.label().to_string());
    }
    if line.context == Context::Long {
        parts.push("long context".to_string());
    }
    if let Some(promotion) = &line.promotion {
        parts.push(format!("promotion '{promotion}'"));
    }
    parts.join(" · ")
}

/// The value of an override path as people read it, with its unit: `$193.02 per 1M output
/// tokens`, `45.6%`, `1.3× the scenario's volume`, `1,250,000 requests`. Shares and discounts
/// are fractions in files and shown as percentages; JSON keeps the exact value.
pub fn override_value(
    path: &crate::engine::overrides::OverridePath,
    value: rust_decimal::Decimal,
) -> String {
    use crate::engine::overrides::{OverridePath, PriceField, WorkloadField};
    use crate::report::format;
    use rust_decimal::Decimal;
    let percent = |value: Decimal| format!("{}%", format::fixed(value * Decimal::ONE_HUNDRED, 1));
    let count = |value: Decimal, unit: &str| format!("{} {unit}", format::tokens(value.round()));
    match path {
        OverridePath::Workload { field, .. } if field.is_share() => percent(value),
        OverridePath::Workload { field, .. } => match field {
            WorkloadField::Volume => format!(
                "{}× the scenario's volume",
                format::plain(value.round_sf(3).unwrap_or(value))
            ),
            WorkloadField::InputTokens => count(value, "input tokens a month"),
            WorkloadField::OutputTokens => count(value, "output tokens a month"),
            WorkloadField::Requests => count(value, "requests a month"),
            WorkloadField::InputTokensPerRequest => count(value, "input tokens per request"),
            WorkloadField::OutputTokensPerRequest => count(value, "output tokens per request"),
            _ => format::plain(value),
        },
        OverridePath::Model { field, .. } => {
            let tokens = match field {
                PriceField::Input => "input",
                PriceField::CachedInput => "cached input",
                PriceField::CacheWrite => "cache-write",
                PriceField::Output => "output",
            };
            format!("{} per 1M {tokens} tokens", format::computed_price(value))
        }
        OverridePath::Discount { .. } => format!("{} discount", percent(value)),
        OverridePath::AsOf => format::plain(value),
    }
}

#[cfg(test)]
mod tests {
    use super::override_value;
    use crate::load::overrides::parse_path;
    use rust_decimal::dec;

    #[test]
    fn override_values_carry_their_unit() {
        let shown = |path: &str, value| override_value(&parse_path(path).unwrap(), value);
        assert_eq!(
            shown("models.deepseek-v4-pro.output", dec!(193.0166)),
            "$193.02 per 1M output tokens"
        );
        assert_eq!(
            shown("workloads.hard.cache_hit_rate", dec!(0.45567)),
            "45.6%"
        );
        assert_eq!(
            shown("workloads.hard.requests", dec!(1249999.6)),
            "1,250,000 requests a month"
        );
        assert_eq!(
            shown("workloads.*.volume", dec!(1.30004)),
            "1.3× the scenario's volume"
        );
        assert_eq!(shown("discounts.openai", dec!(0.2)), "20.0% discount");
    }
}
