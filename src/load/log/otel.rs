//! OpenTelemetry GenAI spans, as OTLP JSON: one export request (`resourceSpans`) or one span
//! a line, as the collector's file exporter writes them.
//!
//! A span is a request when it carries `gen_ai.request.model` (or `gen_ai.response.model`);
//! other spans are not requests and are passed over. Semantic conventions: the whole input is
//! `gen_ai.usage.input_tokens` (cached included), cached `gen_ai.usage.cache_read.input_tokens`,
//! cache writes `gen_ai.usage.cache_creation.input_tokens`, output
//! `gen_ai.usage.output_tokens`; the time is `startTimeUnixNano`. Routing fields are span
//! attributes (`task`, `data_class`, `workload` unless `--map` names others).

use std::borrow::Cow;

use serde_json::Value;

use super::jsonl::{bad_json, evaluate_nested, lines, lookup, value_text};
use super::{build_request, Adapter, Block, Field, Layout, Locator, ReadOptions, Row, ShadowNames};
use crate::engine::replay::{Position, Problem};
use crate::model::request::Request;

pub fn spec() -> Vec<(Field, Locator)> {
    let attribute = |key: &str| Locator::Attribute(key.to_string());
    vec![
        (Field::RequestId, Locator::path("spanId")),
        (Field::Timestamp, Locator::path("startTimeUnixNano")),
        (
            Field::Model,
            Locator::First(vec![
                attribute("gen_ai.request.model"),
                attribute("gen_ai.response.model"),
            ]),
        ),
        (Field::InputTokens, attribute("gen_ai.usage.input_tokens")),
        (
            Field::CachedTokens,
            attribute("gen_ai.usage.cache_read.input_tokens"),
        ),
        (
            Field::CacheWriteTokens,
            attribute("gen_ai.usage.cache_creation.input_tokens"),
        ),
        (Field::OutputTokens, attribute("gen_ai.usage.output_tokens")),
        (
            Field::Tier,
            Locator::First(vec![
                attribute("openai.response.service_tier"),
                attribute("gen_ai.openai.response.service_tier"),
            ]),
        ),
        (Field::Workload, attribute("workload")),
        (Field::Task, attribute("task")),
        (Field::DataClass, attribute("data_class")),
    ]
}

pub struct OtelAdapter {
    layout: Layout,
    outcomes: Vec<(String, String)>,
    shadow_output: Vec<(String, String)>,
}

impl OtelAdapter {
    pub fn new(options: &ReadOptions) -> Result<OtelAdapter, String> {
        let mut layout = Layout {
            pass_threshold: options.pass_threshold,
            ..Layout::default()
        };
        for (field, locator) in super::preset_spec(options.format, &options.mapping) {
            let shown = super::csv::shown_name(&locator);
            layout.set(field, locator, shown);
        }
        Ok(OtelAdapter {
            layout,
            outcomes: options.mapping.outcomes.clone(),
            shadow_output: options.mapping.shadow_output.clone(),
        })
    }
}

struct Span<'v> {
    span: &'v Value,
}

impl Span<'_> {
    fn attribute(&self, key: &str) -> Option<&Value> {
        let attributes = self.span.get("attributes")?.as_array()?;
        let entry = attributes
            .iter()
            .find(|entry| entry.get("key").and_then(Value::as_str) == Some(key))?;
        let value = entry.get("value")?;
        ["stringValue", "intValue", "doubleValue", "boolValue"]
            .iter()
            .find_map(|kind| value.get(*kind))
    }
}

impl Row for Span<'_> {
    fn get(&self, locator: &Locator) -> Option<Cow<'_, str>> {
        match locator {
            Locator::Attribute(key) => self.attribute(key).and_then(value_text),
            Locator::Path(path) => lookup(self.span, path).and_then(value_text),
            Locator::Column(_) => None,
            other => evaluate_nested(other, &|inner| self.get(inner)),
        }
    }
}

fn is_request(span: &Span) -> bool {
    span.attribute("gen_ai.request.model").is_some()
        || span.attribute("gen_ai.response.model").is_some()
}

impl Adapter for OtelAdapter {
    fn parse(&self, block: &Block, sink: &mut dyn FnMut(Position, Result<Request<'_>, Problem>)) {
        for (line, bytes) in lines(block) {
            let position = Position {
                file: block.file,
                line,
            };
            let root: Value = match serde_json::from_slice(bytes) {
                Ok(value) => value,
                Err(error) => {
                    sink(position, Err(bad_json(position, &error)));
                    continue;
                }
            };
            let mut handle = |span: &Value| {
                let span = Span { span };
                if is_request(&span) {
                    build_request(&span, &self.layout, position, sink);
                }
            };
            match root.get("resourceSpans").and_then(Value::as_array) {
                Some(resources) => {
                    for resource in resources {
                        let scopes = resource.get("scopeSpans").and_then(Value::as_array);
                        for scope in scopes.into_iter().flatten() {
                            let spans = scope.get("spans").and_then(Value::as_array);
                            for span in spans.into_iter().flatten() {
                                handle(span);
                            }
                        }
                    }
                }
                None => handle(&root),
            }
        }
    }

    fn shadow_names(&self) -> ShadowNames {
        ShadowNames {
            outcomes: self.outcomes.iter().map(|(m, _)| m.clone()).collect(),
            shadow_output: self.shadow_output.iter().map(|(m, _)| m.clone()).collect(),
        }
    }

    fn bind(&mut self, global: &ShadowNames) {
        let find = |list: &[(String, String)], model: &String| {
            list.iter()
                .find(|(m, _)| m == model)
                .map(|(_, key)| (Locator::Attribute(key.clone()), key.clone()))
        };
        self.layout.outcomes = global
            .outcomes
            .iter()
            .map(|m| find(&self.outcomes, m))
            .collect();
        self.layout.shadow_output = global
            .shadow_output
            .iter()
            .map(|m| find(&self.shadow_output, m))
            .collect();
    }
}
