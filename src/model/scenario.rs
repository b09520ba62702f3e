//! A scenario as validated data: the month of work, the routing policies and the baseline.
//!
//! The loader guarantees what these types do not spell out: every routed model exists in the
//! catalogue, every policy routes every workload, the baseline names a policy, names are unique
//! and every share lies in 0–1.

use std::collections::BTreeMap;

use jiff::Timestamp;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::catalogue::Origin;

/// The standard-or-alternative service tier a request is sent through (batch is a share of the
/// workload, not a tier choice; see [`Workload::batch_share`]).
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum ServiceTier {
    #[default]
    Standard,
    Flex,
    Priority,
}

/// Whether a route pays list prices or the prices after promotions.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum PriceMode {
    List,
    #[default]
    Effective,
}

impl PriceMode {
    pub fn as_str(self) -> &'static str {
        match self {
            PriceMode::List => "list",
            PriceMode::Effective => "effective",
        }
    }
}

#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum DataClass {
    Public,
    #[default]
    Internal,
    Confidential,
    Regulated,
}

impl DataClass {
    pub fn as_str(self) -> &'static str {
        match self {
            DataClass::Public => "public",
            DataClass::Internal => "internal",
            DataClass::Confidential => "confidential",
            DataClass::Regulated => "regulated",
        }
    }
}

/// Per-request sizes, when the workload is given as requests × tokens per request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestShape {
    pub requests: u64,
    pub input_tokens_per_request: u64,
    pub output_tokens_per_request: u64,
}

/// One class of requests and its monthly volume.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Workload {
    pub name: String,
    pub task: Option<String>,
    pub input_tokens: u64,
    pub output_tokens: u64,
    /// Present when the volume was given per request; needed to decide long-context pricing.
    pub shape: Option<RequestShape>,
    /// Share of input tokens billed at the cached-input (cache read) price.
    pub cache_hit_rate: Decimal,
    /// Share of input tokens billed at the cache-write price.
    pub cache_write_rate: Decimal,
    /// Share of the workload sent through the batch tier.
    pub batch_share: Decimal,
    /// Share of the workload billed at off-peak prices; `None` when the scenario does not say.
    pub off_peak_share: Option<Decimal>,
    pub tier: ServiceTier,
    pub data_class: DataClass,
    /// Whether the workload uses regional data processing (an uplift on some models).
    pub regional_processing: bool,
    pub origin: Origin,
}

/// What a route matches; every given criterion must hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Match {
    pub workloads: Vec<String>,
    pub tasks: Vec<String>,
    pub data_classes: Vec<DataClass>,
}

impl Match {
    pub fn matches(&self, workload: &Workload) -> bool {
        self.matches_fields(
            Some(&workload.name),
            workload.task.as_deref(),
            workload.data_class,
        )
    }

    /// Whether a request with these routing fields matches; a logged request may name no
    /// workload or task.
    pub fn matches_fields(
        &self,
        workload: Option<&str>,
        task: Option<&str>,
        data_class: DataClass,
    ) -> bool {
        (self.workloads.is_empty()
            || workload.is_some_and(|name| self.workloads.iter().any(|w| w == name)))
            && (self.tasks.is_empty() || task.is_some_and(|t| self.tasks.iter().any(|x| x == t)))
            && (self.data_classes.is_empty() || self.data_classes.contains(&data_class))
    }
}

/// Where matched work goes: a model, the service tier, and list or effective prices.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub model: String,
    /// `None` keeps the workload's own tier.
    pub tier: Option<ServiceTier>,
    pub prices: PriceMode,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    pub matcher: Match,
    pub target: Target,
    pub origin: Origin,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    pub name: String,
    pub description: Option<String>,
    pub routes: Vec<Route>,
    pub default: Option<Target>,
    /// The workloads whose output a human reviews under this policy.
    pub human_review: Option<Match>,
    /// `compliance: exempt`: a hypothetical policy kept for comparison (e.g. everything on one
    /// closed model) that the scenario's `constraints:` do not apply to.
    pub compliance_exempt: bool,
    pub origin: Origin,
}

impl Policy {
    /// The target for `workload`: the first matching route, else the default.
    pub fn route(&self, workload: &Workload) -> Option<&Target> {
        self.routes
            .iter()
            .find(|route| route.matcher.matches(workload))
            .map(|route| &route.target)
            .or(self.default.as_ref())
    }

    /// The route for a logged request's fields: `Some((Some(i), target))` for route `i`,
    /// `Some((None, target))` for the default, `None` when nothing matches.
    pub fn route_fields(
        &self,
        workload: Option<&str>,
        task: Option<&str>,
        data_class: DataClass,
    ) -> Option<(Option<usize>, &Target)> {
        match self
            .routes
            .iter()
            .position(|route| route.matcher.matches_fields(workload, task, data_class))
        {
            Some(index) => Some((Some(index), &self.routes[index].target)),
            None => self.default.as_ref().map(|target| (None, target)),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scenario {
    pub name: String,
    pub description: Option<String>,
    pub file: String,
    pub as_of: Timestamp,
    pub workloads: Vec<Workload>,
    pub policies: Vec<Policy>,
    pub baseline: String,
    /// Negotiated discount per provider id (0.1 for `10%`).
    pub discounts: BTreeMap<String, Decimal>,
    pub constraints: super::rules::Constraints,
    pub budgets: super::rules::Budgets,
    /// Pass rates, fallback chains and reviewers; `None` when the scenario has no `quality:`.
    pub quality: Option<super::quality::Quality>,
    /// Volume uncertainty for `simulate`; empty when the scenario has no `uncertainty:`.
    pub uncertainty: super::quality::Uncertainty,
}

impl Scenario {
    pub fn policy(&self, name: &str) -> Option<&Policy> {
        self.policies.iter().find(|policy| policy.name == name)
    }

    pub fn workload(&self, name: &str) -> Option<&Workload> {
        self.workloads.iter().find(|workload| workload.name == name)
    }
}
