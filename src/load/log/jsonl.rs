//! The JSON Lines adapter: one JSON object a line, fields found by path.
//!
//! Serves the native JSON Lines log and the presets whose records are JSON (OpenAI and
//! Anthropic responses, LiteLLM's spend logs as the API returns them). A response may come
//! wrapped — OpenAI's batch output (`response.body`), Anthropic's batch results
//! (`result.message`), or an envelope `{"timestamp": …, "response": {…}}` — so paths are looked
//! up in the wrapped object first, then from the line's root.

use std::borrow::Cow;
use std::path::Path;

use serde_json::Value;

use super::{
    build_request, preset_spec, Adapter, Block, Layout, Locator, LogFormat, ReadOptions, Row,
    ShadowNames,
};
use crate::engine::replay::{Position, Problem, SkipReason};
use crate::model::request::Request;

pub struct JsonAdapter {
    layout: Layout,
    format: LogFormat,
    outcomes: Vec<(String, Vec<String>)>,
    shadow_output: Vec<(String, Vec<String>)>,
}

impl JsonAdapter {
    /// Learns the shadow keys (`outcome:MODEL`, `output_tokens:MODEL`) from the first record.
    pub fn new(path: &Path, first: &[u8], options: &ReadOptions) -> Result<JsonAdapter, String> {
        let mut layout = Layout {
            pass_threshold: options.pass_threshold,
            ..Layout::default()
        };
        for (field, locator) in preset_spec(options.format, &options.mapping) {
            let shown = super::csv::shown_name(&locator);
            layout.set(field, locator, shown);
        }
        let mut outcomes = Vec::new();
        let mut shadow_output = Vec::new();
        let first_line = first
            .split(|b| *b == b'\n')
            .find(|line| !line.iter().all(u8::is_ascii_whitespace));
        if let Some(line) = first_line {
            if let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(line) {
                for key in map.keys() {
                    if let Some(model) = key.strip_prefix("outcome:") {
                        outcomes.push((model.to_string(), vec![key.clone()]));
                    } else if let Some(model) = key.strip_prefix("output_tokens:") {
                        shadow_output.push((model.to_string(), vec![key.clone()]));
                    }
                }
            }
        } else {
            return Err(format!(
                "log '{}' is empty: no records; a log needs at least one request",
                path.display()
            ));
        }
        for (model, column) in &options.mapping.outcomes {
            outcomes.push((
                model.clone(),
                column.split('.').map(str::to_string).collect(),
            ));
        }
        for (model, column) in &options.mapping.shadow_output {
            shadow_output.push((
                model.clone(),
                column.split('.').map(str::to_string).collect(),
            ));
        }
        Ok(JsonAdapter {
            layout,
            format: options.format,
            outcomes,
            shadow_output,
        })
    }
}

/// The object the usage sits in: a wrapped response, or the line itself.
pub fn base_of(root: &Value, format: LogFormat) -> &Value {
    if matches!(format, LogFormat::Openai | LogFormat::Anthropic) {
        for path in [
            &["response", "body"][..],
            &["result", "message"][..],
            &["response"][..],
            &["message"][..],
        ] {
            if let Some(found) = lookup(root, path) {
                if found.get("usage").is_some() {
                    return found;
                }
            }
        }
    }
    root
}

pub fn lookup<'v, S: AsRef<str>>(value: &'v Value, path: &[S]) -> Option<&'v Value> {
    let mut current = value;
    for step in path {
        current = match current {
            Value::Object(map) => map.get(step.as_ref())?,
            Value::Array(items) => items.get(step.as_ref().parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(current)
}

pub fn value_text(value: &Value) -> Option<Cow<'_, str>> {
    match value {
        Value::Null => None,
        Value::String(text) => Some(Cow::Borrowed(text.as_str())),
        Value::Number(number) => Some(Cow::Owned(number.to_string())),
        Value::Bool(flag) => Some(Cow::Borrowed(if *flag { "true" } else { "false" })),
        other => Some(Cow::Owned(other.to_string())),
    }
}

/// Evaluates the composite locators over any row, given how to read a base locator.
pub fn evaluate_nested<'a>(
    locator: &Locator,
    get: &dyn Fn(&Locator) -> Option<Cow<'a, str>>,
) -> Option<Cow<'a, str>> {
    match locator {
        Locator::Nested(inner, path) => {
            let text = get(inner)?;
            let value: Value = serde_json::from_str(&text).ok()?;
            lookup(&value, path)
                .and_then(value_text)
                .map(|t| Cow::Owned(t.into_owned()))
        }
        Locator::Tag(inner, key) => {
            let text = get(inner)?;
            let value: Value = serde_json::from_str(&text).ok()?;
            tag_value(&value, key).map(Cow::Owned)
        }
        Locator::First(list) => list.iter().find_map(|l| evaluate_nested_or(l, get)),
        Locator::Sum(list) => {
            let mut total = 0u64;
            let mut any = false;
            for item in list {
                if let Some(text) = evaluate_nested_or(item, get) {
                    total += super::parse_tokens(&text).ok()?;
                    any = true;
                }
            }
            any.then(|| Cow::Owned(total.to_string()))
        }
        other => get(other),
    }
}

fn evaluate_nested_or<'a>(
    locator: &Locator,
    get: &dyn Fn(&Locator) -> Option<Cow<'a, str>>,
) -> Option<Cow<'a, str>> {
    match locator {
        Locator::Nested(..) | Locator::Tag(..) | Locator::First(_) | Locator::Sum(_) => {
            evaluate_nested(locator, get)
        }
        other => get(other).filter(|text| !text.trim().is_empty()),
    }
}

/// `key:value` (or `key=value`) among an array of tags.
pub fn tag_value(value: &Value, key: &str) -> Option<String> {
    let items = value.as_array()?;
    items.iter().find_map(|item| {
        let text = item.as_str()?;
        let (name, value) = text.split_once(':').or_else(|| text.split_once('='))?;
        (name.trim() == key).then(|| value.trim().to_string())
    })
}

pub struct JsonRow<'v> {
    pub root: &'v Value,
    pub base: &'v Value,
}

impl<'v> JsonRow<'v> {
    fn value_at(&self, path: &[String]) -> Option<&'v Value> {
        lookup(self.base, path).or_else(|| lookup(self.root, path))
    }
}

impl Row for JsonRow<'_> {
    fn get(&self, locator: &Locator) -> Option<Cow<'_, str>> {
        match locator {
            Locator::Path(path) => self.value_at(path).and_then(value_text),
            Locator::Nested(inner, path) => {
                if let Locator::Path(prefix) = inner.as_ref() {
                    let holder = self.value_at(prefix)?;
                    if holder.is_object() {
                        return lookup(holder, path).and_then(value_text);
                    }
                }
                evaluate_nested(locator, &|inner| self.get(inner))
            }
            Locator::Tag(inner, key) => {
                if let Locator::Path(prefix) = inner.as_ref() {
                    let holder = self.value_at(prefix)?;
                    if holder.is_array() {
                        return tag_value(holder, key).map(Cow::Owned);
                    }
                }
                evaluate_nested(locator, &|inner| self.get(inner))
            }
            Locator::First(_) | Locator::Sum(_) => {
                evaluate_nested(locator, &|inner| self.get(inner))
            }
            Locator::Column(_) | Locator::Attribute(_) => None,
        }
    }
}

/// Splits a block into its non-blank lines with their numbers.
pub fn lines(block: &Block) -> impl Iterator<Item = (u64, &[u8])> {
    block
        .bytes
        .split(|b| *b == b'\n')
        .enumerate()
        .map(move |(index, line)| (block.first_line + index as u64, line))
        .filter(|(_, line)| !line.iter().all(u8::is_ascii_whitespace))
}

/// A line that is not JSON, as a problem.
pub fn bad_json(position: Position, error: &serde_json::Error) -> Problem {
    Problem {
        position,
        reason: SkipReason::BadValue,
        column: Some(format!("column {}", error.column())),
        value: None,
        message: format!("the line is not a JSON object: {error}"),
    }
}

impl Adapter for JsonAdapter {
    fn parse(&self, block: &Block, sink: &mut dyn FnMut(Position, Result<Request<'_>, Problem>)) {
        for (line, bytes) in lines(block) {
            let position = Position {
                file: block.file,
                line,
            };
            let root: Value = match serde_json::from_slice(bytes) {
                Ok(value @ Value::Object(_)) => value,
                Ok(_) => {
                    sink(
                        position,
                        Err(Problem {
                            position,
                            reason: SkipReason::BadValue,
                            column: None,
                            value: None,
                            message: "the line is JSON but not an object; write one request object a line".to_string(),
                        }),
                    );
                    continue;
                }
                Err(error) => {
                    sink(position, Err(bad_json(position, &error)));
                    continue;
                }
            };
            let base = base_of(&root, self.format);
            build_request(&JsonRow { root: &root, base }, &self.layout, position, sink);
        }
    }

    fn shadow_names(&self) -> ShadowNames {
        ShadowNames {
            outcomes: self.outcomes.iter().map(|(m, _)| m.clone()).collect(),
            shadow_output: self.shadow_output.iter().map(|(m, _)| m.clone()).collect(),
        }
    }

    fn bind(&mut self, global: &ShadowNames) {
        let find = |list: &[(String, Vec<String>)], model: &String| {
            list.iter()
                .find(|(m, _)| m == model)
                .map(|(_, path)| (Locator::Path(path.clone()), path.join(".")))
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
