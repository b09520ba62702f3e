//! Anthropic messages, one JSON object a line, with their `usage` object.
//!
//! Anthropic's `usage.input_tokens` **excludes** cached input: the request's whole input is
//! `input_tokens + cache_read_input_tokens + cache_creation_input_tokens`; cached tokens are
//! `cache_read_input_tokens`, cache writes `cache_creation_input_tokens`. `usage.service_tier`
//! says standard, priority or batch. A message carries no time, so a line needs a
//! `timestamp` beside it (an envelope `{"timestamp": …, "message": {…}}`) or `--map
//! timestamp=FIELD`; Message Batches results (`result.message`) are read as they come.

use super::{Field, Locator};

pub fn spec() -> Vec<(Field, Locator)> {
    let first = |paths: &[&str]| Locator::First(paths.iter().map(|p| Locator::path(p)).collect());
    vec![
        (Field::RequestId, first(&["id", "custom_id"])),
        (Field::Timestamp, first(&["timestamp", "created_at"])),
        (Field::Model, Locator::path("model")),
        (
            Field::InputTokens,
            Locator::Sum(vec![
                Locator::path("usage.input_tokens"),
                Locator::path("usage.cache_read_input_tokens"),
                Locator::path("usage.cache_creation_input_tokens"),
            ]),
        ),
        (
            Field::CachedTokens,
            Locator::path("usage.cache_read_input_tokens"),
        ),
        (
            Field::CacheWriteTokens,
            Locator::path("usage.cache_creation_input_tokens"),
        ),
        (Field::OutputTokens, Locator::path("usage.output_tokens")),
        (Field::Tier, Locator::path("usage.service_tier")),
        (Field::Workload, first(&["metadata.workload", "workload"])),
        (Field::Task, first(&["metadata.task", "task"])),
        (
            Field::DataClass,
            first(&["metadata.data_class", "data_class"]),
        ),
    ]
}
