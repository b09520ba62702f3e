//! The price multiplier between two models, column by column.
//!
//! "Is it 7× or 8.6×?" depends on the column: input, cached input, output, list or effective,
//! or blended at one workload's token mix. [`gap`] computes each so the answer is one line.

use std::collections::BTreeMap;

use jiff::Timestamp;
use rust_decimal::Decimal;

use super::breakdown::Component;
use super::evaluate::{price_workload, EngineError, Market};
use super::prices::{quote, Slice};
use crate::model::catalogue::Catalogue;
use crate::model::scenario::{PriceMode, Target, Workload};

/// One column of the comparison: the price of each model and A ÷ B, list and effective.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GapRow {
    pub column: String,
    pub a_list: Decimal,
    pub a_effective: Decimal,
    pub b_list: Decimal,
    pub b_effective: Decimal,
    /// `a_list / b_list`; `None` when B's price is zero.
    pub ratio_list: Option<Decimal>,
    pub ratio_effective: Option<Decimal>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gap {
    pub a: String,
    pub b: String,
    pub as_of: Timestamp,
    /// The workload whose token mix the blended row uses, if one was given.
    pub workload: Option<String>,
    pub rows: Vec<GapRow>,
}

fn ratio(a: Decimal, b: Decimal) -> Option<Decimal> {
    (!b.is_zero()).then(|| a / b)
}

impl GapRow {
    fn new(
        column: String,
        a_list: Decimal,
        a_effective: Decimal,
        b_list: Decimal,
        b_effective: Decimal,
    ) -> Self {
        GapRow {
            column,
            a_list,
            a_effective,
            b_list,
            b_effective,
            ratio_list: ratio(a_list, b_list),
            ratio_effective: ratio(a_effective, b_effective),
        }
    }
}

/// Compares `a` and `b` at `as_of`: standard tier, all hours, per column, and blended at
/// `workload`'s mix (its cache, batch and off-peak shares included) when one is given.
pub fn gap(
    catalogue: &Catalogue,
    a: &str,
    b: &str,
    as_of: Timestamp,
    workload: Option<&Workload>,
) -> Result<Gap, EngineError> {
    let model = |id: &str| {
        catalogue
            .model(id)
            .ok_or_else(|| EngineError::UnknownModel(id.to_string()))
    };
    let (model_a, model_b) = (model(a)?, model(b)?);
    let a_list = quote(model_a, as_of, Slice::standard(PriceMode::List))?.columns;
    let a_effective = quote(model_a, as_of, Slice::standard(PriceMode::Effective))?.columns;
    let b_list = quote(model_b, as_of, Slice::standard(PriceMode::List))?.columns;
    let b_effective = quote(model_b, as_of, Slice::standard(PriceMode::Effective))?.columns;

    let mut rows: Vec<GapRow> = [
        ("input", Component::UncachedInput),
        ("cached input", Component::CachedInput),
        ("output", Component::Output),
    ]
    .into_iter()
    .map(|(column, component)| {
        GapRow::new(
            column.to_string(),
            a_list.get(component),
            a_effective.get(component),
            b_list.get(component),
            b_effective.get(component),
        )
    })
    .collect();

    if let Some(workload) = workload {
        let no_discounts = BTreeMap::new();
        let market = Market {
            catalogue,
            as_of,
            discounts: &no_discounts,
        };
        let cost = |model: &str, prices: PriceMode| -> Result<Decimal, EngineError> {
            let target = Target {
                model: model.to_string(),
                tier: None,
                prices,
            };
            let mut lines = Vec::new();
            let mut notes = Vec::new();
            price_workload(market, workload, &target, &mut lines, &mut notes)?;
            let tokens = Decimal::from(workload.input_tokens + workload.output_tokens);
            let total: Decimal = lines.iter().map(|line| line.cost).sum();
            // Blended price per 1M tokens of the workload's mix.
            Ok(if tokens.is_zero() {
                Decimal::ZERO
            } else {
                total / tokens * Decimal::from(1_000_000)
            })
        };
        let (al, ae) = (cost(a, PriceMode::List)?, cost(a, PriceMode::Effective)?);
        let (bl, be) = (cost(b, PriceMode::List)?, cost(b, PriceMode::Effective)?);
        rows.push(GapRow::new(
            format!("blended ({})", workload.name),
            al,
            ae,
            bl,
            be,
        ));
    }

    Ok(Gap {
        a: a.to_string(),
        b: b.to_string(),
        as_of,
        workload: workload.map(|w| w.name.clone()),
        rows,
    })
}
