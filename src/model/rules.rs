//! Scenario rules beside the routing: compliance constraints per data class and budgets.
//!
//! A [`Constraints`] value says, for each data class, where its work may go (deployments,
//! providers, open weights) and whether a human must review it; a [`Budgets`] value caps the
//! monthly cost of a policy or of one workload. The loader fills both from the scenario's
//! `constraints:` and `budgets:` sections and guarantees every name in them exists.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::catalogue::{Deployment, Origin};
use super::scenario::DataClass;

/// What one data class allows. An empty list allows everything.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    pub deployments: Vec<Deployment>,
    pub providers: Vec<String>,
    /// `Some(true)`: only open-weight models; `Some(false)`: only closed ones.
    pub open_weight: Option<bool>,
    /// A human must review the output of every workload of the class.
    pub human_review: bool,
    /// Where the rule was written, for diagnostics.
    pub origin: Origin,
}

/// Compliance rules keyed by data class.
pub type Constraints = BTreeMap<DataClass, Rule>;

/// One monthly cap, with where it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Budget {
    pub amount: Decimal,
    pub origin: Origin,
}

/// Monthly caps on a policy's total and on one workload's cost under any policy checked.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Budgets {
    pub policies: BTreeMap<String, Budget>,
    pub workloads: BTreeMap<String, Budget>,
    /// A policy's month divided by its requests (the loader checks every workload has them).
    pub per_request: BTreeMap<String, Budget>,
}

impl Budgets {
    pub fn is_empty(&self) -> bool {
        self.policies.is_empty() && self.workloads.is_empty() && self.per_request.is_empty()
    }
}
