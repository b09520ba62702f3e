//! The one result type every command and renderer shares: a cost breakdown.
//!
//! An [`Evaluation`] holds, per policy, one [`CostLine`] per workload × model × billing segment ×
//! component, each with its token quantity, unit price and exact cost, so every total can be
//! audited line by line. Totals are sums of unrounded lines; rounding happens only when shown.

use jiff::Timestamp;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::model::scenario::PriceMode;

/// What a line of the bill is for.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Component {
    UncachedInput,
    CachedInput,
    CacheWrite,
    Output,
}

impl Component {
    pub const ALL: [Component; 4] = [
        Component::UncachedInput,
        Component::CachedInput,
        Component::CacheWrite,
        Component::Output,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Component::UncachedInput => "uncached input",
            Component::CachedInput => "cached input",
            Component::CacheWrite => "cache write",
            Component::Output => "output",
        }
    }
}

/// The price list a segment of traffic is billed from.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Billing {
    Standard,
    Flex,
    Priority,
    Batch,
}

impl Billing {
    pub fn label(self) -> &'static str {
        match self {
            Billing::Standard => "standard",
            Billing::Flex => "flex",
            Billing::Priority => "priority",
            Billing::Batch => "batch",
        }
    }
}

/// Time-of-day window, for models with peak / off-peak billing.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Window {
    /// The model bills the same at every hour.
    AllHours,
    Peak,
    OffPeak,
}

impl Window {
    pub fn label(self) -> &'static str {
        match self {
            Window::AllHours => "all hours",
            Window::Peak => "peak",
            Window::OffPeak => "off-peak",
        }
    }
}

/// Whether the request size put the whole request on long-context prices.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Context {
    Standard,
    Long,
}

/// One auditable line: tokens × unit price × (1 − negotiated discount).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CostLine {
    pub workload: String,
    pub model: String,
    pub provider: String,
    pub component: Component,
    pub billing: Billing,
    pub window: Window,
    pub context: Context,
    pub prices: PriceMode,
    /// Tokens billed on this line; exact, and fractional only when a share splits a count.
    pub tokens: Decimal,
    /// USD per 1M tokens after tier, window and promotion, before the negotiated discount.
    pub unit_price: Decimal,
    /// The provider's negotiated discount (0.1 for 10%).
    pub discount: Decimal,
    /// Name of the promotion included in `unit_price`, if any.
    pub promotion: Option<String>,
    /// When the price set took effect, and its source.
    pub price_from: Timestamp,
    pub source: String,
    pub cost: Decimal,
}

/// One policy's month: its lines and their exact total.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyCost {
    pub policy: String,
    pub total: Decimal,
    pub lines: Vec<CostLine>,
}

impl PolicyCost {
    pub fn from_lines(policy: String, lines: Vec<CostLine>) -> Self {
        let total = lines.iter().map(|line| line.cost).sum();
        PolicyCost {
            policy,
            total,
            lines,
        }
    }

    /// Sums the lines by a key, in the order each key first appears (scenario order).
    pub fn group_by<K: PartialEq>(&self, key: impl Fn(&CostLine) -> K) -> Vec<(K, Group)> {
        let mut groups: Vec<(K, Group)> = Vec::new();
        for line in &self.lines {
            let line_key = key(line);
            let index = match groups.iter().position(|(k, _)| *k == line_key) {
                Some(index) => index,
                None => {
                    groups.push((line_key, Group::default()));
                    groups.len() - 1
                }
            };
            groups[index].1.tokens += line.tokens;
            groups[index].1.cost += line.cost;
        }
        groups
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Group {
    pub tokens: Decimal,
    pub cost: Decimal,
}

/// A price the engine had to stand in for, shown under every result.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Assumption {
    pub model: String,
    pub workload: String,
    pub text: String,
    /// Policies whose cost includes this assumption, in scenario order.
    pub policies: Vec<String>,
}

/// Something a result must say beside its figures: a deprecated model, a stale catalogue.
/// Shown in every format, not only on standard error.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
pub struct Warning {
    /// The model concerned; `None` for the catalogue as a whole.
    pub model: Option<String>,
    pub text: String,
}

/// Every policy of one scenario, priced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evaluation {
    pub scenario: String,
    /// The scenario's `description`, as written.
    pub description: Option<String>,
    /// Each policy that has a `description`: (policy, description), in scenario order.
    pub policy_descriptions: Vec<(String, String)>,
    pub file: String,
    pub as_of: Timestamp,
    pub baseline: String,
    /// Requests per month: the sum of the workloads' `requests`, or `None` when a workload is
    /// given only as token totals (or the sum overflows).
    pub requests: Option<u64>,
    pub policies: Vec<PolicyCost>,
    pub assumptions: Vec<Assumption>,
    /// Deprecated models the policies use, and a stale catalogue.
    pub warnings: Vec<Warning>,
    /// The promotions included in the prices; empty on list prices.
    pub promotions: Vec<PromotionUse>,
}

/// A promotion a result depends on: which model's price it lowers, its name, its inclusive end,
/// and the policies whose cost includes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct PromotionUse {
    pub model: String,
    pub name: String,
    /// Inclusive end: a date, or a UTC time.
    pub until: String,
    pub policies: Vec<String>,
}

/// A policy's cost next to the baseline's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VersusBaseline {
    /// Policy minus baseline: negative means the policy saves money.
    pub delta: Decimal,
    /// `delta / baseline × 100`; `None` when the baseline costs nothing.
    pub percent: Option<Decimal>,
}

impl Evaluation {
    pub fn baseline_cost(&self) -> Option<&PolicyCost> {
        self.policies
            .iter()
            .find(|policy| policy.policy == self.baseline)
    }

    pub fn versus_baseline(&self, policy: &PolicyCost) -> Option<VersusBaseline> {
        let baseline = self.baseline_cost()?;
        let delta = policy.total - baseline.total;
        let percent = super::exact::percent(delta, baseline.total);
        Some(VersusBaseline { delta, percent })
    }
}
