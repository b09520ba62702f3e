//! LiteLLM proxy spend logs: the `LiteLLM_SpendLogs` table, exported as CSV or JSON Lines.
//!
//! Columns as LiteLLM's `schema.prisma` defines them: `request_id`, `startTime` (timestamp(3),
//! written in UTC), `model`, `prompt_tokens` (all input, cached included, as in OpenAI's
//! usage), `completion_tokens`, `spend` (what LiteLLM priced it at), `request_tags` (a JSON
//! array) and `metadata` (JSON). Cached and cache-write tokens live in the metadata's
//! `usage_object` (LiteLLM's `Usage`: `prompt_tokens_details.cached_tokens`,
//! `cache_read_input_tokens`, `cache_creation_input_tokens`), older versions keep them in
//! `additional_usage_values`. Routing fields come from tags written `task:extraction`,
//! `data_class:internal`, `workload:support`, or from `metadata.spend_logs_metadata`.

use super::{Field, Locator};

fn in_metadata(path: &str) -> Locator {
    Locator::Nested(Box::new(Locator::path("metadata")), split(path))
}

fn split(path: &str) -> Vec<String> {
    path.split('.').map(str::to_string).collect()
}

fn routing(name: &str) -> Locator {
    Locator::First(vec![
        Locator::Tag(Box::new(Locator::path("request_tags")), name.to_string()),
        in_metadata(&format!("spend_logs_metadata.{name}")),
        Locator::path(name),
    ])
}

pub fn spec() -> Vec<(Field, Locator)> {
    vec![
        (Field::RequestId, Locator::path("request_id")),
        (Field::Timestamp, Locator::path("startTime")),
        (Field::Model, Locator::path("model")),
        (Field::InputTokens, Locator::path("prompt_tokens")),
        (Field::OutputTokens, Locator::path("completion_tokens")),
        (Field::Spend, Locator::path("spend")),
        (
            Field::CachedTokens,
            Locator::First(vec![
                in_metadata("usage_object.prompt_tokens_details.cached_tokens"),
                in_metadata("usage_object.cache_read_input_tokens"),
                in_metadata("additional_usage_values.prompt_tokens_details.cached_tokens"),
                in_metadata("additional_usage_values.cache_read_input_tokens"),
            ]),
        ),
        (
            Field::CacheWriteTokens,
            Locator::First(vec![
                in_metadata("usage_object.cache_creation_input_tokens"),
                in_metadata("additional_usage_values.cache_creation_input_tokens"),
            ]),
        ),
        (Field::Workload, routing("workload")),
        (Field::Task, routing("task")),
        (Field::DataClass, routing("data_class")),
    ]
}
