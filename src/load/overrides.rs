//! Parsing override paths and values from the command line: `PATH=VALUE` for `--set`,
//! `PATH=RANGE` for `--vary` (`0:0.9:0.1` or `0,0.5,1`).
//!
//! Values are read as exact decimals with the same parsers as the YAML files, so `100M`, `35%`
//! and `2026-06-01` mean the same on the command line as in a scenario.

use rust_decimal::Decimal;

use super::values::{self, show_instant, Problem};
use crate::engine::overrides::{
    Change, Override, OverrideError, OverridePath, PriceField, WorkloadField,
};
use crate::engine::sweep::Values;

fn error(path: &str, message: impl Into<String>, help: impl Into<String>) -> OverrideError {
    OverrideError {
        path: path.to_string(),
        message: message.into(),
        help: help.into(),
    }
}

const PATH_HELP: &str = "paths are workloads.NAME.FIELD, workloads.*.FIELD, models.MODEL.FIELD, discounts.PROVIDER or as_of";

/// Parses a path such as `workloads.*.cache_hit_rate` or `models.gpt-5.5.output`.
pub fn parse_path(text: &str) -> Result<OverridePath, OverrideError> {
    let text = text.trim();
    if text == "as_of" {
        return Ok(OverridePath::AsOf);
    }
    if let Some(provider) = text.strip_prefix("discounts.") {
        if provider.is_empty() {
            return Err(error(
                text,
                "names no provider",
                "write e.g. discounts.openai",
            ));
        }
        return Ok(OverridePath::Discount {
            provider: provider.to_string(),
        });
    }
    let (kind, rest) = text
        .split_once('.')
        .ok_or_else(|| error(text, "is not an override path", PATH_HELP))?;
    let (name, field) = rest
        .rsplit_once('.')
        .ok_or_else(|| error(text, "names no field", PATH_HELP))?;
    match kind {
        "workloads" => {
            let field = lookup(text, field, &WorkloadField::ALL)?;
            let name = (name != "*").then(|| name.to_string());
            Ok(OverridePath::Workload { name, field })
        }
        "models" => {
            let field = lookup(text, field, &PriceField::ALL)?;
            Ok(OverridePath::Model {
                id: name.to_string(),
                field,
            })
        }
        _ => Err(error(
            text,
            format!("'{kind}' is not something an override can change"),
            PATH_HELP,
        )),
    }
}

fn lookup<T: Copy>(
    path: &str,
    field: &str,
    fields: &[(&'static str, T)],
) -> Result<T, OverrideError> {
    fields
        .iter()
        .find(|(name, _)| *name == field)
        .map(|(_, value)| *value)
        .ok_or_else(|| {
            let names: Vec<&str> = fields.iter().map(|(name, _)| *name).collect();
            let help = match super::suggest::nearest_key(field, names.iter().copied()) {
                Some(close) => format!("did you mean '{close}'?"),
                None => format!("fields here are: {}", names.join(", ")),
            };
            error(path, format!("has no field '{field}'"), help)
        })
}

fn problem(path: &str, problem: Problem) -> OverrideError {
    error(path, problem.message, problem.help)
}

/// Parses an absolute value for `path` as an exact decimal (tokens, shares, prices).
fn absolute(path_text: &str, path: &OverridePath, text: &str) -> Result<Change, OverrideError> {
    let value = match path {
        OverridePath::AsOf => {
            return values::instant(text)
                .map(Change::SetDate)
                .map_err(|p| problem(path_text, p))
        }
        OverridePath::Discount { .. } => values::share(text),
        OverridePath::Model { .. } => values::price(text),
        OverridePath::Workload { field, .. } if field.is_share() => values::share(text),
        OverridePath::Workload {
            field: WorkloadField::Volume,
            ..
        } => {
            return Err(error(
                path_text,
                format!("volume is relative, '{text}' is absolute"),
                "write a factor or a change: x2, x0.5, +10%, -20%",
            ))
        }
        OverridePath::Workload { .. } => values::tokens(text).map(Decimal::from),
    };
    value.map(Change::Set).map_err(|p| problem(path_text, p))
}

/// Parses one value: absolute, `x1.5`, `+10%` or `-5%`.
pub fn parse_change(
    path_text: &str,
    path: &OverridePath,
    text: &str,
) -> Result<Change, OverrideError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(error(
            path_text,
            "has no value",
            "write PATH=VALUE, e.g. workloads.*.cache_hit_rate=0.5",
        ));
    }
    if let Some(factor) = text.strip_prefix('x').or_else(|| text.strip_prefix('×')) {
        let factor = values::decimal(factor).map_err(|p| problem(path_text, p))?;
        if factor.is_sign_negative() {
            return Err(error(
                path_text,
                format!("factor '{text}' is negative"),
                "scale by a factor of 0 or more, e.g. x1.5",
            ));
        }
        return Ok(Change::Scale(factor));
    }
    if (text.starts_with('+') || text.starts_with('-')) && text.ends_with('%') {
        let percent =
            values::decimal(&text[..text.len() - 1]).map_err(|p| problem(path_text, p))?;
        return Ok(Change::Relative(percent / Decimal::ONE_HUNDRED));
    }
    absolute(path_text, path, text)
}

/// Parses `PATH=VALUE`.
pub fn parse_assignment(text: &str) -> Result<Override, OverrideError> {
    let (path_text, value) = text.split_once('=').ok_or_else(|| {
        error(
            text,
            "has no '='",
            "write PATH=VALUE, e.g. workloads.*.cache_hit_rate=0.5",
        )
    })?;
    let path = parse_path(path_text)?;
    let change = parse_change(path_text.trim(), &path, value)?;
    Ok(Override {
        path_text: path_text.trim().to_string(),
        path,
        change,
    })
}

/// A parameter to vary: its path and the values it takes, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dimension {
    pub path_text: String,
    pub path: OverridePath,
    /// Shared with the engine's [`Axis`](crate::engine::sweep::Axis), never copied; a range
    /// keeps its start, step and count.
    pub values: Values,
    /// The values as written, for a list; empty for a range, whose labels are made from its
    /// values when shown, so a range of a million values keeps no million strings.
    written: Vec<String>,
}

impl Dimension {
    /// The engine's view of the dimension: its path and values, without the labels.
    pub fn axis(&self) -> crate::engine::sweep::Axis {
        crate::engine::sweep::Axis {
            path_text: self.path_text.clone(),
            path: self.path.clone(),
            values: self.values.clone(),
        }
    }

    /// The value at `index` as written (a list) or generated (a range), for headings and CSV.
    pub fn label(&self, index: usize) -> String {
        if let Some(written) = self.written.get(index) {
            return written.clone();
        }
        match self.values.get(index) {
            Change::Scale(value) => format!("x{value}"),
            Change::Set(value) | Change::Relative(value) => value.to_string(),
            Change::SetDate(date) => show_instant(date),
        }
    }

    /// Every label, in order.
    pub fn labels(&self) -> Vec<String> {
        (0..self.values.len())
            .map(|index| self.label(index))
            .collect()
    }
}

/// Parses `PATH=START:END:STEP` or `PATH=V1,V2,…`.
pub fn parse_dimension(text: &str) -> Result<Dimension, OverrideError> {
    let (path_text, spec) = text.split_once('=').ok_or_else(|| {
        error(
            text,
            "has no '='",
            "write PATH=START:END:STEP or PATH=V1,V2, e.g. workloads.*.cache_hit_rate=0:0.9:0.1",
        )
    })?;
    let path_text = path_text.trim();
    let path = parse_path(path_text)?;
    let spec = spec.trim();
    let (values, written) = if spec.contains(':') {
        (range(path_text, &path, spec)?, Vec::new())
    } else {
        let labels: Vec<String> = spec
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(str::to_string)
            .collect();
        if labels.is_empty() {
            return Err(error(
                path_text,
                "has an empty list of values",
                "write e.g. 0,0.5,1",
            ));
        }
        let values = labels
            .iter()
            .map(|label| parse_change(path_text, &path, label))
            .collect::<Result<Vec<_>, _>>()?;
        (Values::from(values), labels)
    };
    Ok(Dimension {
        path_text: path_text.to_string(),
        path,
        values,
        written,
    })
}

/// The most values one range may generate before the grid limit is even considered.
const MAX_RANGE_VALUES: usize = 10_000_000;

fn range(path_text: &str, path: &OverridePath, spec: &str) -> Result<Values, OverrideError> {
    let Steps {
        start,
        step,
        count,
        scaled,
    } = steps(path_text, path, spec)?;
    Ok(Values::Range {
        start,
        step,
        count: count as usize,
        scaled,
    })
}

/// A range's first value, step and number of values, checked but not generated.
struct Steps {
    start: Decimal,
    step: Decimal,
    count: u64,
    scaled: bool,
}

/// How many values `PATH=RANGE` gives, found without generating them, so a grid can be
/// checked against its limit before any value is allocated.
pub fn dimension_len(text: &str) -> Result<u64, OverrideError> {
    let Some((path_text, spec)) = text.split_once('=') else {
        return parse_dimension(text).map(|d| d.values.len() as u64);
    };
    let (path_text, spec) = (path_text.trim(), spec.trim());
    if !spec.contains(':') {
        return parse_dimension(text).map(|d| d.values.len() as u64);
    }
    let path = parse_path(path_text)?;
    steps(path_text, &path, spec).map(|steps| steps.count)
}

fn steps(path_text: &str, path: &OverridePath, spec: &str) -> Result<Steps, OverrideError> {
    let parts: Vec<&str> = spec.split(':').map(str::trim).collect();
    let help = "write a range as START:END:STEP, e.g. 0:0.9:0.1";
    if parts.len() != 3 {
        return Err(error(
            path_text,
            format!("range '{spec}' needs a start, an end and a step"),
            help,
        ));
    }
    let scaled = parts.iter().all(|part| part.starts_with('x'));
    let number = |text: &str| -> Result<Decimal, OverrideError> {
        if scaled {
            return values::decimal(&text[1..]).map_err(|p| problem(path_text, p));
        }
        match absolute(path_text, path, text)? {
            Change::Set(value) => Ok(value),
            _ => Err(error(
                path_text,
                "dates cannot form a range",
                "list the dates: 2026-05-01,2026-06-01",
            )),
        }
    };
    // A step is a plain amount (a share step may be written 10%); its sign is checked before
    // the share parser can call a negative step "outside 0–1".
    let step_text = parts[2].trim_start_matches('x');
    if step_text.starts_with('-') {
        return Err(error(
            path_text,
            format!("range '{spec}' has a negative step ({})", parts[2]),
            "the step must be positive; write the range from its lower end: START:END:STEP with START ≤ END",
        ));
    }
    let step = match path {
        OverridePath::Workload { field, .. } if field.is_share() => {
            values::share(parts[2].trim_start_matches('x'))
        }
        OverridePath::Discount { .. } => values::share(parts[2]),
        _ if scaled => values::decimal(&parts[2][1..]),
        _ => number(parts[2]).map_err(|e| Problem::new(e.message, e.help)),
    }
    .map_err(|p| problem(path_text, p))?;
    let (start, end) = (number(parts[0])?, number(parts[1])?);
    if step <= Decimal::ZERO {
        return Err(error(
            path_text,
            format!("range '{spec}' has a step of {step}, not above 0"),
            help,
        ));
    }
    if start > end {
        return Err(error(
            path_text,
            format!("range '{spec}' is inverted: it starts above its end"),
            help,
        ));
    }
    if scaled && start.is_sign_negative() && !start.is_zero() {
        return Err(error(
            path_text,
            format!("range '{spec}' starts at a negative factor"),
            "scale by factors of 0 or more, e.g. x0.5:x2:x0.5",
        ));
    }
    let count = end
        .checked_sub(start)
        .and_then(|width| width.checked_div(step))
        .map(|steps| steps.floor() + Decimal::ONE);
    if count.is_none_or(|count| count > Decimal::from(MAX_RANGE_VALUES)) {
        return Err(error(
            path_text,
            format!("range '{spec}' has more than {MAX_RANGE_VALUES} values"),
            "use a larger step",
        ));
    }
    let count = count
        .and_then(|count| u64::try_from(count).ok())
        .unwrap_or(0);
    Ok(Steps {
        start,
        step,
        count,
        scaled,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn paths_allow_dots_in_model_names() {
        assert_eq!(
            parse_path("models.gpt-5.5.output").unwrap(),
            OverridePath::Model {
                id: "gpt-5.5".into(),
                field: PriceField::Output
            }
        );
        assert_eq!(
            parse_path("workloads.*.volume").unwrap(),
            OverridePath::Workload {
                name: None,
                field: WorkloadField::Volume
            }
        );
        assert!(parse_path("workloads.a.ouput_tokens")
            .unwrap_err()
            .help
            .contains("output_tokens"));
        assert!(parse_path("budget.x").is_err());
    }

    #[test]
    fn values_are_absolute_scaled_or_relative() {
        let share = parse_path("workloads.a.cache_hit_rate").unwrap();
        assert_eq!(
            parse_change("p", &share, "35%").unwrap(),
            Change::Set(dec!(0.35))
        );
        assert_eq!(
            parse_change("p", &share, "x1.5").unwrap(),
            Change::Scale(dec!(1.5))
        );
        assert_eq!(
            parse_change("p", &share, "+10%").unwrap(),
            Change::Relative(dec!(0.1))
        );
        assert_eq!(
            parse_change("p", &share, "-5%").unwrap(),
            Change::Relative(dec!(-0.05))
        );
        assert!(parse_change("p", &share, "1.5").is_err());
        let tokens = parse_path("workloads.a.input_tokens").unwrap();
        assert_eq!(
            parse_change("p", &tokens, "100M").unwrap(),
            Change::Set(dec!(100000000))
        );
    }

    #[test]
    fn ranges_are_exact_and_checked() {
        let dimension = parse_dimension("workloads.*.cache_hit_rate=0:0.9:0.1").unwrap();
        assert_eq!(dimension.values.len(), 10);
        assert_eq!(dimension.values.get(3), Change::Set(dec!(0.3)));
        assert_eq!(dimension.label(9), "0.9");
        assert_eq!(
            parse_dimension("as_of=2026-05-01,2026-06-01")
                .unwrap()
                .label(1),
            "2026-06-01"
        );
        assert!(parse_dimension("workloads.*.cache_hit_rate=0.9:0:0.1")
            .unwrap_err()
            .message
            .contains("inverted"));
        assert!(parse_dimension("workloads.*.cache_hit_rate=0:0.9:0")
            .unwrap_err()
            .message
            .contains("not above 0"));
        assert!(parse_dimension("workloads.*.cache_hit_rate=").is_err());
        let volume = parse_dimension("workloads.*.volume=x0.5:x2:x0.5").unwrap();
        assert_eq!(
            volume.values.iter().collect::<Vec<_>>(),
            [dec!(0.5), dec!(1), dec!(1.5), dec!(2)].map(Change::Scale)
        );
    }
}
