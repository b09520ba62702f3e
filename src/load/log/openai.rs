//! OpenAI responses, one JSON object a line, with their `usage` object.
//!
//! Chat Completions: `usage.prompt_tokens` (all input, cached included),
//! `usage.prompt_tokens_details.cached_tokens`, `usage.completion_tokens`, `created` (Unix
//! seconds), `service_tier`. The Responses API names them `usage.input_tokens`,
//! `usage.input_tokens_details.cached_tokens`, `usage.output_tokens`, `created_at`. Batch
//! output lines wrap the response in `response.body`. Routing fields come from the request's
//! `metadata` (`metadata.task`…) or top-level keys beside the response.

use super::{Field, Locator};

pub fn spec() -> Vec<(Field, Locator)> {
    let first = |paths: &[&str]| Locator::First(paths.iter().map(|p| Locator::path(p)).collect());
    vec![
        (Field::RequestId, first(&["id", "custom_id"])),
        (
            Field::Timestamp,
            first(&["timestamp", "created", "created_at"]),
        ),
        (Field::Model, Locator::path("model")),
        (
            Field::InputTokens,
            first(&["usage.prompt_tokens", "usage.input_tokens"]),
        ),
        (
            Field::CachedTokens,
            first(&[
                "usage.prompt_tokens_details.cached_tokens",
                "usage.input_tokens_details.cached_tokens",
            ]),
        ),
        (
            Field::OutputTokens,
            first(&["usage.completion_tokens", "usage.output_tokens"]),
        ),
        (Field::Tier, Locator::path("service_tier")),
        (Field::Workload, first(&["metadata.workload", "workload"])),
        (Field::Task, first(&["metadata.task", "task"])),
        (
            Field::DataClass,
            first(&["metadata.data_class", "data_class"]),
        ),
    ]
}
