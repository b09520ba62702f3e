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
