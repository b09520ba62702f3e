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
