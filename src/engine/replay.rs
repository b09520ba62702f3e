//! Replaying logged requests through every policy: an aggregation, then exact pricing.
//!
//! A replay is two steps. First every request is reduced to its **pricing segment** — the
//! model that served it, its routing fields (workload, task, data class), its UTC day, its
//! price period (between two instants where any catalogue price, promotion or price set
//! changes), its off-peak windows, its long-context band, its tier, whether it carries a logged
//! spend, and its shadow outcome pattern — and the segment's integer token sums and request
//! counts grow by the request's ([`Accumulator::add`]). Workers each fill their own
//! accumulator; sums are integers, so merging them in any order gives the same segments.
//! Second, each segment is priced once per policy ([`finish`]) with the same quotes `compare`
//! uses ([`prices::quote`], [`evaluate::per_token_rates`]): within a segment every request has
//! the same unit prices, so Σ tokens × rate is exactly the sum of the requests' own costs.
//!
//! The same segments serve a push-down aggregation: a database can GROUP BY these keys and
//! hand back the sums (see [`SegmentKey`] and [`Sums`]). Cost-per-request percentiles are the
//! one figure that needs each request: workers price each request in `f64` from the segment's
//! cached rates into a log-scale histogram (0.4 % wide buckets), shown as approximate.

use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;
use rust_decimal::Decimal;

use super::breakdown::{Billing, Component, Context, Window};
use super::evaluate::per_token_rates;
use super::prices::{self, Quote, Slice};
use super::quality::Review;
use super::shadow::{self, ShadowAggregate, ShadowChain, ShadowTotals, StepCase};
use crate::load::values::show_instant;
use crate::model::catalogue::{Catalogue, Model, OffPeak};
use crate::model::quality::{Chain, PassScope, Quality};
use crate::model::request::{LoggedTier, Request};
use crate::model::scenario::{DataClass, PriceMode, Scenario, ServiceTier};

/// A fixed-seed hasher: fast, and the same on every run.
type Fast = foldhash::fast::FixedState;
type FastMap<K, V> = HashMap<K, V, Fast>;

const SECONDS_PER_DAY: i64 = 86_400;
/// Distinct unknown model names kept by name; beyond this they are counted together.
const MAX_NAMED_UNKNOWN: usize = 1_000;
/// The column of the "as logged" figures; policy `i` is column `i + 1`.
pub const AS_LOGGED: usize = 0;

/// Why a row was not priced.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SkipReason {
    /// A value that does not parse (a number, a timestamp, a data class, a tier…).
    BadValue,
    /// Negative or inconsistent token counts (cached + cache write > input).
    BadTokens,
    /// The model that served it is not in the catalogue.
    UnknownModel,
    /// A model involved has no price at the request's time.
    NoPrice,
    /// A policy has no route for the request's fields.
    Unrouted,
    /// A compressed file ends before its end (its last, partial row).
    Truncated,
}

impl SkipReason {
    pub fn label(self) -> &'static str {
        match self {
            SkipReason::BadValue => "value does not parse",
            SkipReason::BadTokens => "negative or inconsistent tokens",
            SkipReason::UnknownModel => "unknown model",
            SkipReason::NoPrice => "no price at the request's time",
            SkipReason::Unrouted => "no route in a policy",
            SkipReason::Truncated => "truncated file",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            SkipReason::BadValue => "bad_value",
            SkipReason::BadTokens => "bad_tokens",
            SkipReason::UnknownModel => "unknown_model",
            SkipReason::NoPrice => "no_price",
            SkipReason::Unrouted => "unrouted",
            SkipReason::Truncated => "truncated",
        }
    }
}

/// Where a row is: the index of its file among the inputs, and its line (1-based).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    pub file: u32,
    pub line: u64,
}

/// A row that was skipped, with what to tell the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub position: Position,
    pub reason: SkipReason,
    /// The column or field, when one is to blame.
    pub column: Option<String>,
    pub value: Option<String>,
    pub message: String,
}

/// Rows skipped, by reason, with the first of each.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Skips {
    pub counts: BTreeMap<SkipReason, u64>,
    pub first: BTreeMap<SkipReason, Problem>,
    /// Requests per unknown model name.
    pub unknown_models: BTreeMap<String, u64>,
    /// Requests of unknown models beyond [`MAX_NAMED_UNKNOWN`] names.
    pub unknown_unnamed: u64,
}

impl Skips {
    pub fn total(&self) -> u64 {
        self.counts.values().sum()
    }

    pub fn record(&mut self, problem: Problem) {
        *self.counts.entry(problem.reason).or_default() += 1;
        match self.first.get(&problem.reason) {
            Some(first) if first.position <= problem.position => {}
            _ => {
                self.first.insert(problem.reason, problem);
            }
        }
    }

    /// The earliest problem of any reason.
    pub fn earliest(&self) -> Option<&Problem> {
        self.first.values().min_by_key(|problem| problem.position)
    }

    fn unknown_model(&mut self, name: &str) {
        if let Some(count) = self.unknown_models.get_mut(name) {
            *count += 1;
        } else if self.unknown_models.len() < MAX_NAMED_UNKNOWN {
            self.unknown_models.insert(name.to_string(), 1);
        } else {
            self.unknown_unnamed += 1;
        }
    }

    fn merge(&mut self, other: Skips) {
        for (reason, count) in other.counts {
            *self.counts.entry(reason).or_default() += count;
        }
        for (_, problem) in other.first {
            let reason = problem.reason;
            let count = self.counts[&reason];
            self.record(problem);
            // `record` counted it again.
            self.counts.insert(reason, count);
        }
        for (name, count) in other.unknown_models {
            if let Some(total) = self.unknown_models.get_mut(&name) {
                *total += count;
            } else if self.unknown_models.len() < MAX_NAMED_UNKNOWN {
                self.unknown_models.insert(name, count);
            } else {
                self.unknown_unnamed += count;
            }
        }
        self.unknown_unnamed += other.unknown_unnamed;
    }
}

/// What the replay needs to know before reading: the scenario, the catalogue, and the instants
/// and thresholds where prices change.
pub struct Plan<'a> {
    pub scenario: &'a Scenario,
    pub catalogue: &'a Catalogue,
    /// Every instant where some model's price set or promotion starts or ends, ascending.
    breakpoints: Vec<Timestamp>,
    /// Every long-context threshold of the catalogue, ascending.
    thresholds: Vec<u64>,
    /// The distinct off-peak schedules of the catalogue.
    off_peaks: Vec<OffPeak>,
    /// Models with an `outcome:MODEL` column, in column order.
    pub outcome_models: Vec<String>,
    /// Models with an `output_tokens:MODEL` column, in column order.
    pub shadow_output_models: Vec<String>,
}

impl<'a> Plan<'a> {
    pub fn new(
        scenario: &'a Scenario,
        catalogue: &'a Catalogue,
        outcome_models: Vec<String>,
        shadow_output_models: Vec<String>,
    ) -> Plan<'a> {
        let mut breakpoints = Vec::new();
        let mut thresholds = Vec::new();
        let mut off_peaks: Vec<OffPeak> = Vec::new();
        for model in catalogue.models.values() {
            for set in &model.prices {
                breakpoints.push(set.from);
                for promotion in &set.promotions {
                    breakpoints.push(promotion.from);
                    // `until` is inclusive: the promotion ends just after it.
                    if let Ok(end) = promotion
                        .until
                        .checked_add(jiff::SignedDuration::from_nanos(1))
                    {
                        breakpoints.push(end);
                    }
                }
                if let Some(long) = &set.long_context {
                    thresholds.push(long.above_input_tokens);
                }
                if let Some(off_peak) = &set.off_peak {
                    if !off_peaks.iter().any(|known| same_schedule(known, off_peak)) {
                        off_peaks.push(off_peak.clone());
                    }
                }
            }
        }
        breakpoints.sort();
        breakpoints.dedup();
        thresholds.sort_unstable();
        thresholds.dedup();
        // Eight schedules fit the key's mask; the shipped catalogue has one.
        off_peaks.truncate(8);
        Plan {
            scenario,
            catalogue,
            breakpoints,
            thresholds,
            off_peaks,
            outcome_models,
            shadow_output_models,
        }
    }

    /// Number of price columns: "as logged" then each policy.
    pub fn columns(&self) -> usize {
        self.scenario.policies.len() + 1
    }

    /// The column names: "as logged", then the policies.
    pub fn column_names(&self) -> Vec<String> {
        std::iter::once("as logged".to_string())
            .chain(self.scenario.policies.iter().map(|p| p.name.clone()))
            .collect()
    }

    fn period_of(&self, at: Timestamp) -> u16 {
        self.breakpoints.partition_point(|point| *point <= at) as u16
    }

    /// An instant inside price period `period` (its start); `None` before every price.
    pub fn period_start(&self, period: u16) -> Option<Timestamp> {
        (period > 0).then(|| self.breakpoints[period as usize - 1])
    }

    fn band_of(&self, input_tokens: u64) -> u8 {
        self.thresholds.partition_point(|t| input_tokens > *t) as u8
    }

    fn off_peak_mask(&self, at: Timestamp) -> u8 {
        let seconds = at.as_second();
        let days = seconds.div_euclid(SECONDS_PER_DAY);
        let minute = (seconds.rem_euclid(SECONDS_PER_DAY) / 60) as u16;
        // 1970-01-01 was a Thursday; 0 = Monday.
        let weekday = (days + 3).rem_euclid(7) as u8;
        let mut mask = 0;
        for (index, schedule) in self.off_peaks.iter().enumerate() {
            let peak = schedule.peak_days.contains(&weekday)
                && schedule
                    .peak_hours_utc
                    .iter()
                    .any(|(start, end)| *start <= minute && minute < *end);
            if !peak {
                mask |= 1 << index;
            }
        }
        mask
    }

    fn window_for(&self, schedule: Option<&OffPeak>, mask: u8) -> Window {
        match schedule {
            None => Window::AllHours,
            Some(schedule) => {
                let index = self
                    .off_peaks
                    .iter()
                    .position(|known| same_schedule(known, schedule));
                match index {
                    Some(index) if mask & (1 << index) != 0 => Window::OffPeak,
                    _ => Window::Peak,
                }
            }
        }
    }

    /// The instants where prices change, ascending: period `i` starts at the `i`th (1-based).
    pub fn breakpoints(&self) -> &[Timestamp] {
        &self.breakpoints
    }

    /// The long-context thresholds, ascending: a request's band is how many it passes.
    pub fn thresholds(&self) -> &[u64] {
        &self.thresholds
    }

    /// The off-peak schedules: bit `i` of a key's mask is the `i`th.
    pub fn off_peaks(&self) -> &[OffPeak] {
        &self.off_peaks
    }

    /// The catalogue model a log's model name means: the id itself, else the name after a
    /// `provider/` prefix (LiteLLM and gateways write `openai/gpt-5.5`).
    pub fn resolve_model(&self, name: &str) -> Option<&'a Model> {
        self.catalogue.model(name).or_else(|| {
            let (_, bare) = name.rsplit_once('/')?;
            self.catalogue.model(bare)
        })
    }
}

fn same_schedule(a: &OffPeak, b: &OffPeak) -> bool {
    a.peak_hours_utc == b.peak_hours_utc && a.peak_days == b.peak_days
}

/// The pricing segment of a request, with owned names: what a GROUP BY would group on.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SegmentKey {
    /// The model as the log names it.
    pub model: String,
    pub workload: Option<String>,
    pub task: Option<String>,
    pub data_class: DataClass,
    /// Days since 1970-01-01, UTC.
    pub day: i32,
    /// Index of the price period (see [`Plan::period_start`]).
    pub period: u16,
    /// Bit `i` set: off-peak under the catalogue's `i`th schedule.
    pub off_peak: u8,
    /// Number of long-context thresholds the request's input passes.
    pub band: u8,
    pub tier: LoggedTier,
    pub has_spend: bool,
    /// Two bits per `outcome:MODEL` column: 0 unknown, 1 pass, 2 fail.
    pub outcomes: u64,
}

impl SegmentKey {
    /// The request's shadow outcome on outcome column `index`.
    pub fn outcome(&self, index: usize) -> Option<bool> {
        match (self.outcomes >> (2 * index)) & 3 {
            1 => Some(true),
            2 => Some(false),
            _ => None,
        }
    }
}

/// Integer sums of a segment's requests.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sums {
    pub requests: u64,
    pub input_tokens: u64,
    pub cached_tokens: u64,
    pub cache_write_tokens: u64,
    pub output_tokens: u64,
    /// Requests with any cached or cache-write tokens.
    pub cached_requests: u64,
    /// Σ logged spend (segments with `has_spend`).
    pub spend: Decimal,
    /// Per `output_tokens:MODEL` column: Σ that model's output, the logged output standing in
    /// where the row gives none.
    pub shadow_output: Vec<u64>,
    /// Per `output_tokens:MODEL` column: rows that gave none.
    pub shadow_missing: Vec<u64>,
    /// Σ round(ln(input tokens) × 2¹⁶) and Σ of its square, over requests with input: the
    /// size spread for `simulate`, in integers so that sums do not depend on order.
    pub log_input: i64,
    pub log_input_squared: i128,
    pub first: Option<Timestamp>,
    pub last: Option<Timestamp>,
}

const LOG_SCALE: f64 = 65_536.0;

/// round(ln(x) × 2¹⁶) to within 0.2 % of ln 2 per octave: the octave from the leading bit, the
/// rest from the next 8 bits through a table. Integer and cheap, so size spreads cost little.
#[inline]
fn scaled_ln(x: u64) -> i64 {
    static TABLE: std::sync::OnceLock<[i64; 256]> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        std::array::from_fn(|i| ((1.0 + (i as f64 + 0.5) / 256.0).ln() * LOG_SCALE).round() as i64)
    });
    let octave = 63 - x.leading_zeros() as i64;
    let fraction = if octave >= 8 {
        (x >> (octave - 8)) & 0xff
    } else {
        (x << (8 - octave)) & 0xff
    } as usize;
    let ln2 = (std::f64::consts::LN_2 * LOG_SCALE).round() as i64;
    octave * ln2 + table[fraction]
}

impl Sums {
    fn add(&mut self, request: &Request) {
        self.requests += 1;
        self.input_tokens += request.input_tokens;
        self.cached_tokens += request.cached_tokens;
        self.cache_write_tokens += request.cache_write_tokens;
        self.output_tokens += request.output_tokens;
        if request.cached_tokens > 0 || request.cache_write_tokens > 0 {
            self.cached_requests += 1;
        }
        if let Some(spend) = request.spend {
            self.spend += spend;
        }
        if !request.shadow_output.is_empty() {
            if self.shadow_output.is_empty() {
                self.shadow_output = vec![0; request.shadow_output.len()];
                self.shadow_missing = vec![0; request.shadow_output.len()];
            }
            for (index, value) in request.shadow_output.iter().enumerate() {
                match value {
                    Some(tokens) => self.shadow_output[index] += tokens,
                    None => {
                        self.shadow_output[index] += request.output_tokens;
                        self.shadow_missing[index] += 1;
                    }
                }
            }
        }
        if request.input_tokens > 0 {
            let log = scaled_ln(request.input_tokens);
            self.log_input += log;
            self.log_input_squared += (log as i128) * (log as i128);
        }
        self.first = Some(self.first.map_or(request.at, |t| t.min(request.at)));
        self.last = Some(self.last.map_or(request.at, |t| t.max(request.at)));
    }

    pub fn merge(&mut self, other: &Sums) {
        self.requests += other.requests;
        self.input_tokens += other.input_tokens;
        self.cached_tokens += other.cached_tokens;
        self.cache_write_tokens += other.cache_write_tokens;
        self.output_tokens += other.output_tokens;
        self.cached_requests += other.cached_requests;
        self.spend += other.spend;
        if self.shadow_output.is_empty() {
            self.shadow_output = vec![0; other.shadow_output.len()];
            self.shadow_missing = vec![0; other.shadow_missing.len()];
        }
        for (index, value) in other.shadow_output.iter().enumerate() {
            self.shadow_output[index] += value;
            self.shadow_missing[index] += other.shadow_missing[index];
        }
        self.log_input += other.log_input;
        self.log_input_squared += other.log_input_squared;
        self.first = match (self.first, other.first) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.last = match (self.last, other.last) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
    }

    /// Output tokens of the model on shadow column `index`, or the logged output.
    pub fn output_for(&self, shadow: Option<usize>) -> u64 {
        match shadow {
            Some(index) if index < self.shadow_output.len() => self.shadow_output[index],
            _ => self.output_tokens,
        }
    }

    pub fn uncached_input(&self) -> u64 {
        self.input_tokens - self.cached_tokens - self.cache_write_tokens
    }
}

/// One price column (as logged, or a policy) for one segment: where the work goes and at what
/// per-token rates.
#[derive(Clone, Debug)]
pub struct ColumnPrice<'a> {
    pub model: &'a Model,
    /// The route that sent it there: `Some(i)` route `i`, `None` the default (policies only).
    pub route: Option<usize>,
    pub billing: Billing,
    pub window: Window,
    pub context: Context,
    pub prices: PriceMode,
    pub quote: Quote,
    /// USD per token after the negotiated discount, in [`Component::ALL`] order.
    pub rates: [Decimal; 4],
}

/// Prices one segment in every column; the error says why the segment cannot be priced.
pub fn price_segment<'a>(
    plan: &Plan<'a>,
    key: &SegmentKey,
    at_for_messages: Timestamp,
) -> Result<Vec<ColumnPrice<'a>>, (SkipReason, String)> {
    let logged = plan.resolve_model(&key.model).ok_or_else(|| {
        (
            SkipReason::UnknownModel,
            format!("unknown model '{}'", key.model),
        )
    })?;
    let mut columns = Vec::with_capacity(plan.columns());
    columns.push(price_on(
        plan,
        logged,
        None,
        None,
        PriceMode::Effective,
        key,
        at_for_messages,
    )?);
    for policy in &plan.scenario.policies {
        let (route, target) = policy
            .route_fields(key.workload.as_deref(), key.task.as_deref(), key.data_class)
            .ok_or_else(|| {
                (
                    SkipReason::Unrouted,
                    format!(
                        "policy '{}' has no route for workload {}, task {}, data class {}",
                        policy.name,
                        key.workload.as_deref().unwrap_or("(none)"),
                        key.task.as_deref().unwrap_or("(none)"),
                        key.data_class.as_str()
                    ),
                )
            })?;
        let model = plan.catalogue.model(&target.model).ok_or_else(|| {
            (
                SkipReason::UnknownModel,
                format!("unknown model '{}'", target.model),
            )
        })?;
        columns.push(price_on(
            plan,
            model,
            route,
            target.tier,
            target.prices,
            key,
            at_for_messages,
        )?);
    }
    Ok(columns)
}

fn price_on<'a>(
    plan: &Plan<'a>,
    model: &'a Model,
    route: Option<usize>,
    target_tier: Option<ServiceTier>,
    mode: PriceMode,
    key: &SegmentKey,
    at_for_messages: Timestamp,
) -> Result<ColumnPrice<'a>, (SkipReason, String)> {
    let no_price = || {
        (
            SkipReason::NoPrice,
            format!(
                "model '{}' has no price on {}: its price history starts {}",
                model.id,
                show_instant(at_for_messages),
                model
                    .prices
                    .first()
                    .map(|set| show_instant(set.from))
                    .unwrap_or_else(|| "nowhere".to_string())
            ),
        )
    };
    let at = plan.period_start(key.period).ok_or_else(no_price)?;
    let set = model.price_set_at(at).ok_or_else(no_price)?;
    let context = match &set.long_context {
        Some(long) => {
            let index = plan
                .thresholds
                .iter()
                .position(|t| *t == long.above_input_tokens)
                .unwrap_or(usize::MAX);
            if (key.band as usize) > index {
                Context::Long
            } else {
                Context::Standard
            }
        }
        None => Context::Standard,
    };
    let window = plan.window_for(set.off_peak.as_ref(), key.off_peak);
    let billing = match (key.tier, target_tier) {
        (LoggedTier::Batch, _) => Billing::Batch,
        (_, Some(ServiceTier::Standard)) => Billing::Standard,
        (_, Some(ServiceTier::Flex)) => Billing::Flex,
        (_, Some(ServiceTier::Priority)) => Billing::Priority,
        (LoggedTier::Standard, None) => Billing::Standard,
        (LoggedTier::Flex, None) => Billing::Flex,
        (LoggedTier::Priority, None) => Billing::Priority,
    };
    let quote = prices::quote(
        model,
        at,
        Slice {
            billing,
            window,
            context,
            mode,
            regional_processing: false,
        },
    )
    .map_err(|_| no_price())?;
    let discount = plan
        .scenario
        .discounts
        .get(&model.provider)
        .copied()
        .unwrap_or_default();
    let rates = per_token_rates(&quote, Decimal::ONE - discount);
    Ok(ColumnPrice {
        model,
        route,
        billing,
        window,
        context,
        prices: mode,
        quote,
        rates,
    })
}

/// The exact cost of a segment's tokens at a column's rates, component by component.
pub fn segment_cost(sums: &Sums, column: &ColumnPrice, shadow: Option<usize>) -> [Decimal; 4] {
    let tokens = [
        sums.uncached_input(),
        sums.cached_tokens,
        sums.cache_write_tokens,
        sums.output_for(shadow),
    ];
    let mut cost = [Decimal::ZERO; 4];
    for index in 0..4 {
        if tokens[index] > 0 {
            cost[index] = Decimal::from(tokens[index]) * column.rates[index];
        }
    }
    cost
}

/// Log-scale histogram of per-request cost in `f64`: 128 buckets per power of two.
#[derive(Clone, Debug)]
pub struct Histogram {
    buckets: Vec<u64>,
    zero: u64,
}

const HISTOGRAM_MIN_EXPONENT: i64 = -44;
const HISTOGRAM_OCTAVES: usize = 72;
const HISTOGRAM_SUB: usize = 128;

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            buckets: vec![0; HISTOGRAM_OCTAVES * HISTOGRAM_SUB],
            zero: 0,
        }
    }
}

impl Histogram {
    #[inline]
    fn add(&mut self, cost: f64) {
        if cost <= 0.0 || cost.is_nan() {
            self.zero += 1;
            return;
        }
        let bits = cost.to_bits();
        let exponent = ((bits >> 52) & 0x7ff) as i64 - 1023;
        let octave = (exponent - HISTOGRAM_MIN_EXPONENT).clamp(0, HISTOGRAM_OCTAVES as i64 - 1);
        let sub = ((bits >> 45) & 0x7f) as usize;
        self.buckets[octave as usize * HISTOGRAM_SUB + sub] += 1;
    }

    fn merge(&mut self, other: &Histogram) {
        self.zero += other.zero;
        for (a, b) in self.buckets.iter_mut().zip(&other.buckets) {
            *a += b;
        }
    }

    fn count(&self) -> u64 {
        self.zero + self.buckets.iter().sum::<u64>()
    }

    /// The cost at quantile `q` (0–1): the middle of its bucket, within 0.4 %.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        let total = self.count();
        if total == 0 {
            return None;
        }
        let rank = ((q * total as f64).ceil() as u64).clamp(1, total);
        let mut seen = self.zero;
        if seen >= rank {
            return Some(0.0);
        }
        for (index, count) in self.buckets.iter().enumerate() {
            seen += count;
            if seen >= rank {
                let octave = (index / HISTOGRAM_SUB) as i64 + HISTOGRAM_MIN_EXPONENT;
                let sub = (index % HISTOGRAM_SUB) as f64;
                let base = 2f64.powi(octave as i32);
                return Some(base * (1.0 + (sub + 0.5) / HISTOGRAM_SUB as f64));
            }
        }
        None
    }
}

/// Worker-local ids for the strings of a key: no allocation per request once a name is known.
#[derive(Default)]
struct Interner {
    ids: FastMap<Box<[u8]>, u32>,
    names: Vec<Box<[u8]>>,
}

impl Interner {
    #[inline]
    fn id(&mut self, name: &[u8]) -> u32 {
        // A log names a handful of models and routes: comparing bytes beats hashing them.
        if self.names.len() <= 16 {
            if let Some(id) = self.names.iter().position(|known| **known == *name) {
                return id as u32;
            }
        } else if let Some(id) = self.ids.get(name) {
            return *id;
        }
        let id = self.names.len() as u32;
        self.names.push(name.into());
        self.ids.insert(name.into(), id);
        id
    }

    fn name(&self, id: u32) -> &str {
        std::str::from_utf8(&self.names[id as usize]).unwrap_or("")
    }
}

/// The segment key with interned names, as a worker hashes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct LocalKey {
    model: u32,
    route: u32,
    day: i32,
    period: u16,
    data_class: u8,
    off_peak: u8,
    band: u8,
    tier: u8,
    has_spend: bool,
    outcomes: u64,
}

/// The price part of a key: what the unit prices depend on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct PriceKey {
    model: u32,
    route: u32,
    period: u16,
    data_class: u8,
    off_peak: u8,
    band: u8,
    tier: u8,
}

struct Entry {
    sums: Sums,
    /// Index into the worker's `rates`.
    rates: u32,
}

/// Per-column `f64` rates and, per column, the shadow-output column of its model.
struct CachedRates {
    columns: Vec<([f64; 4], Option<usize>)>,
}

/// What a request's minute decides: its UTC day, its off-peak mask and, unless a price changes
/// inside that minute, its price period. Logs are in time order, so this is mostly reused
/// (for instants from 1970 on: the minute is then the whole seconds divided by 60).
#[derive(Clone, Copy)]
struct Minute {
    minute: i64,
    day: i32,
    off_peak: u8,
    period: Option<u16>,
}

impl Minute {
    fn of(plan: &Plan, at: Timestamp) -> Minute {
        let minute = at.as_second().div_euclid(60);
        let start = Timestamp::from_second(minute * 60).ok();
        let end = start.and_then(|start| {
            start
                .checked_add(jiff::SignedDuration::new(59, 999_999_999))
                .ok()
        });
        let period = match (start, end) {
            (Some(start), Some(end)) => {
                let first = plan.period_of(start);
                (first == plan.period_of(end)).then_some(first)
            }
            _ => None,
        };
        Minute {
            minute,
            day: at.as_second().div_euclid(SECONDS_PER_DAY) as i32,
            off_peak: plan.off_peak_mask(at),
            period,
        }
    }
}

/// One worker's share of a replay: segments, skipped rows and histograms.
pub struct Accumulator {
    minute: Option<Minute>,
    models: Interner,
    routes: Interner,
    segments: FastMap<LocalKey, Entry>,
    price_cache: FastMap<PriceKey, Result<u32, (SkipReason, String)>>,
    rates: Vec<CachedRates>,
    histograms: Vec<Histogram>,
    route_buffer: Vec<u8>,
    pub skips: Skips,
    /// Rows handed to [`Accumulator::add`] or [`Accumulator::skip`].
    pub rows: u64,
}

const DATA_CLASSES: [DataClass; 4] = [
    DataClass::Public,
    DataClass::Internal,
    DataClass::Confidential,
    DataClass::Regulated,
];

fn data_class_index(data_class: DataClass) -> u8 {
    DATA_CLASSES
        .iter()
        .position(|d| *d == data_class)
        .unwrap_or(1) as u8
}

impl Accumulator {
    pub fn new(plan: &Plan) -> Accumulator {
        Accumulator {
            minute: None,
            models: Interner::default(),
            routes: Interner::default(),
            segments: FastMap::default(),
            price_cache: FastMap::default(),
            rates: Vec::new(),
            histograms: vec![Histogram::default(); plan.columns()],
            route_buffer: Vec::new(),
            skips: Skips::default(),
            rows: 0,
        }
    }

    /// Counts a row the adapter could not read.
    pub fn skip(&mut self, problem: Problem) {
        self.rows += 1;
        self.skips.record(problem);
    }

    /// Adds one request to its segment and says whether it could be priced; one that cannot is
    /// counted as skipped, with its problem.
    pub fn add(&mut self, plan: &Plan, request: &Request, position: Position) -> bool {
        self.rows += 1;
        let model = self.models.id(request.model.as_bytes());
        self.route_buffer.clear();
        push_field(&mut self.route_buffer, request.workload);
        push_field(&mut self.route_buffer, request.task);
        let route = self.routes.id(&self.route_buffer);
        let mut outcomes = 0u64;
        for (index, outcome) in request.outcomes.iter().enumerate().take(32) {
            let bits = match outcome {
                None => 0,
                Some(true) => 1,
                Some(false) => 2,
            };
            outcomes |= bits << (2 * index);
        }
        let minute = match self.minute {
            Some(known) if known.minute == request.at.as_second().div_euclid(60) => known,
            // Before 1970 a second rounds towards zero: no reuse, and no price either.
            _ if request.at.as_second() < 0 => Minute {
                period: None,
                ..Minute::of(plan, request.at)
            },
            _ => {
                let found = Minute::of(plan, request.at);
                self.minute = Some(found);
                found
            }
        };
        let price_key = PriceKey {
            model,
            route,
            period: minute.period.unwrap_or_else(|| plan.period_of(request.at)),
            data_class: data_class_index(request.data_class),
            off_peak: minute.off_peak,
            band: plan.band_of(request.input_tokens),
            tier: request.tier as u8,
        };
        let key = LocalKey {
            model,
            route,
            day: minute.day,
            period: price_key.period,
            data_class: price_key.data_class,
            off_peak: price_key.off_peak,
            band: price_key.band,
            tier: price_key.tier,
            has_spend: request.spend.is_some(),
            outcomes,
        };
        let rates = match self.segments.get_mut(&key) {
            Some(entry) => {
                entry.sums.add(request);
                entry.rates
            }
            None => {
                let rates = match self.rates_for(plan, price_key, request) {
                    Ok(rates) => rates,
                    Err((reason, message)) => {
                        if reason == SkipReason::UnknownModel {
                            self.skips.unknown_model(request.model);
                        }
                        self.skips.record(Problem {
                            position,
                            reason,
                            column: Some("model".to_string()).filter(|_| {
                                reason == SkipReason::UnknownModel || reason == SkipReason::NoPrice
                            }),
                            value: Some(request.model.to_string()),
                            message,
                        });
                        return false;
                    }
                };
                let mut sums = Sums::default();
                sums.add(request);
                self.segments.insert(key, Entry { sums, rates });
                rates
            }
        };
        let cached = &self.rates[rates as usize];
        let uncached =
            (request.input_tokens - request.cached_tokens - request.cache_write_tokens) as f64;
        let cached_tokens = request.cached_tokens as f64;
        let write = request.cache_write_tokens as f64;
        for (column, (rate, shadow)) in cached.columns.iter().enumerate() {
            let output = match shadow {
                Some(index) => request.shadow_output[*index].unwrap_or(request.output_tokens),
                None => request.output_tokens,
            } as f64;
            let cost =
                uncached * rate[0] + cached_tokens * rate[1] + write * rate[2] + output * rate[3];
            self.histograms[column].add(cost);
        }
        true
    }

    fn rates_for(
        &mut self,
        plan: &Plan,
        price_key: PriceKey,
        request: &Request,
    ) -> Result<u32, (SkipReason, String)> {
        if let Some(found) = self.price_cache.get(&price_key) {
            return found.clone();
        }
        let key = SegmentKey {
            model: request.model.to_string(),
            workload: request.workload.map(str::to_string),
            task: request.task.map(str::to_string),
            data_class: request.data_class,
            day: 0,
            period: price_key.period,
            off_peak: price_key.off_peak,
            band: price_key.band,
            tier: request.tier,
            has_spend: false,
            outcomes: 0,
        };
        let result = price_segment(plan, &key, request.at).map(|columns| {
            let logged_model = &columns[AS_LOGGED].model.id;
            let columns = columns
                .iter()
                .map(|column| {
                    let rates = column
                        .rates
                        .map(|rate| f64::try_from(rate).unwrap_or(f64::NAN));
                    (rates, shadow_column(plan, logged_model, &column.model.id))
                })
                .collect();
            self.rates.push(CachedRates { columns });
            (self.rates.len() - 1) as u32
        });
        self.price_cache.insert(price_key, result.clone());
        result
    }

    /// Folds `other` into `self`. Sums are integers (and exact decimals), so the result does
    /// not depend on which worker read which rows.
    pub fn merge(&mut self, other: Accumulator) {
        self.rows += other.rows;
        self.skips.merge(other.skips);
        for (column, histogram) in other.histograms.iter().enumerate() {
            self.histograms[column].merge(histogram);
        }
        for (key, entry) in other.segments {
            let model = self.models.id(other.models.name(key.model).as_bytes());
            let route = self.routes.id(&other.routes.names[key.route as usize]);
            let local = LocalKey {
                model,
                route,
                ..key
            };
            match self.segments.get_mut(&local) {
                Some(mine) => mine.sums.merge(&entry.sums),
                None => {
                    self.segments.insert(
                        local,
                        Entry {
                            sums: entry.sums,
                            rates: u32::MAX,
                        },
                    );
                }
            }
        }
    }

    /// The segments with owned names, in key order.
    pub fn into_segments(self) -> (BTreeMap<SegmentKey, Sums>, Skips, Vec<Histogram>, u64) {
        let mut segments = BTreeMap::new();
        for (key, entry) in self.segments {
            let (workload, task) = split_route(&self.routes.names[key.route as usize]);
            let owned = SegmentKey {
                model: self.models.name(key.model).to_string(),
                workload,
                task,
                data_class: DATA_CLASSES[key.data_class as usize],
                day: key.day,
                period: key.period,
                off_peak: key.off_peak,
                band: key.band,
                tier: LoggedTier::ALL[key.tier as usize],
                has_spend: key.has_spend,
                outcomes: key.outcomes,
            };
            segments
                .entry(owned)
                .or_insert_with(Sums::default)
                .merge(&entry.sums);
        }
        (segments, self.skips, self.histograms, self.rows)
    }
}

/// The `output_tokens:MODEL` column for `model`, when the model is not the one that served
/// the request (whose output the log already has).
pub fn shadow_column(plan: &Plan, logged_model: &str, model: &str) -> Option<usize> {
    if model == logged_model {
        return None;
    }
    plan.shadow_output_models.iter().position(|m| m == model)
}

fn push_field(buffer: &mut Vec<u8>, field: Option<&str>) {
    match field {
        Some(text) => {
            buffer.push(1);
            buffer.extend_from_slice(text.as_bytes());
        }
        None => buffer.push(0),
    }
    buffer.push(0x1f);
}

fn split_route(bytes: &[u8]) -> (Option<String>, Option<String>) {
    let mut fields = bytes
        .split(|b| *b == 0x1f)
        .map(|field| match field.first() {
            Some(1) => Some(String::from_utf8_lossy(&field[1..]).into_owned()),
            _ => None,
        });
    let workload = fields.next().flatten();
    let task = fields.next().flatten();
    (workload, task)
}

/// How to break the replay's costs down.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupBy {
    Day,
    Week,
    Month,
    Workload,
    Model,
}

/// A replay, priced: totals per column, the breakdown asked for, reconciliation, percentiles,
/// assumptions and the account of every row.
#[derive(Clone, Debug, PartialEq)]
pub struct Replay {
    pub scenario: String,
    /// Per policy, the fallback chains replayed on the logged outcomes; empty without outcome
    /// columns or a `quality:` section.
    pub shadow: Vec<ShadowPolicy>,
    pub baseline: String,
    pub columns: Vec<ColumnTotal>,
    pub groups: Vec<GroupRow>,
    pub reconciliation: Option<Reconciliation>,
    pub assumptions: Vec<ReplayAssumption>,
    pub rows_read: u64,
    pub rows_priced: u64,
    pub skips: Skips,
    pub first: Option<Timestamp>,
    pub last: Option<Timestamp>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ColumnTotal {
    pub name: String,
    pub total: Decimal,
    pub requests: u64,
    /// Approximate P50, P90, P99 and maximum cost per request.
    pub percentiles: [Option<f64>; 4],
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupRow {
    pub key: String,
    /// Requests in the group (for `model`, per column the same as the column's share).
    pub requests: Vec<u64>,
    pub costs: Vec<Decimal>,
}

/// The log's own spend against mixcost's price of the logged model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reconciliation {
    pub by_model: Vec<ReconcileRow>,
    /// Model × day rows, largest absolute difference first.
    pub largest: Vec<ReconcileRow>,
    pub requests_with_spend: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReconcileRow {
    pub model: String,
    /// `None` for a whole-period row.
    pub day: Option<String>,
    pub requests: u64,
    pub logged: Decimal,
    pub priced: Decimal,
}

impl ReconcileRow {
    pub fn difference(&self) -> Decimal {
        self.logged - self.priced
    }
}

/// Something the replay had to assume, with the requests it touches.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ReplayAssumption {
    pub text: String,
    pub requests: u64,
    /// Columns (as logged, policies) whose figures include it.
    pub columns: Vec<String>,
}

/// The UTC date of a day number.
pub fn day_text(day: i32) -> String {
    let date = jiff::civil::date(1970, 1, 1)
        .checked_add(jiff::Span::new().days(day as i64))
        .unwrap_or(jiff::civil::date(1970, 1, 1));
    date.to_string()
}

fn group_key(by: GroupBy, key: &SegmentKey) -> String {
    match by {
        GroupBy::Day => day_text(key.day),
        GroupBy::Week => {
            let weekday = (key.day as i64 + 3).rem_euclid(7) as i32;
            format!("week of {}", day_text(key.day - weekday))
        }
        GroupBy::Month => day_text(key.day)[..7].to_string(),
        GroupBy::Workload => workload_label(key, &[]),
        GroupBy::Model => String::new(),
    }
}

/// Fields a workload name can be made of (`--group-by`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Workload,
    Task,
    DataClass,
    Model,
}

/// The workload a request belongs to: its `workload` field when the log has one, else its
/// task and data class (`extraction-internal`); `fields` chooses other parts.
pub fn workload_label(key: &SegmentKey, fields: &[Field]) -> String {
    let default_fields: &[Field] = if key.workload.is_some() {
        &[Field::Workload]
    } else {
        &[Field::Task, Field::DataClass]
    };
    let fields = if fields.is_empty() {
        default_fields
    } else {
        fields
    };
    fields
        .iter()
        .map(|field| match field {
            Field::Workload => key.workload.clone().unwrap_or_else(|| "none".to_string()),
            Field::Task => key.task.clone().unwrap_or_else(|| "untasked".to_string()),
            Field::DataClass => key.data_class.as_str().to_string(),
            Field::Model => key.model.clone(),
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// Prices merged segments: totals, the breakdown `by`, reconciliation and assumptions.
pub fn finish(
    plan: &Plan,
    segments: &BTreeMap<SegmentKey, Sums>,
    skips: Skips,
    histograms: &[Histogram],
    rows_read: u64,
    by: Option<GroupBy>,
) -> Result<Replay, (SkipReason, String)> {
    let columns = plan.columns();
    let names = plan.column_names();
    let mut totals = vec![Decimal::ZERO; columns];
    let mut requests_priced = 0u64;
    let mut groups: BTreeMap<String, (Vec<u64>, Vec<Decimal>)> = BTreeMap::new();
    let mut reconcile_day: BTreeMap<(String, i32), ReconcileRow> = BTreeMap::new();
    let mut assumptions: BTreeMap<(String, usize), u64> = BTreeMap::new();
    let mut first: Option<Timestamp> = None;
    let mut last: Option<Timestamp> = None;
    for (key, sums) in segments {
        let at = sums.first.unwrap_or_else(Timestamp::now);
        let priced = price_segment(plan, key, at)?;
        requests_priced += sums.requests;
        first = match (first, sums.first) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        last = match (last, sums.last) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        let logged_model = priced[AS_LOGGED].model.id.clone();
        for (column, price) in priced.iter().enumerate() {
            let shadow = shadow_column(plan, &logged_model, &price.model.id);
            let cost: Decimal = segment_cost(sums, price, shadow).iter().sum();
            totals[column] += cost;
            if let Some(by) = by {
                let group = match by {
                    GroupBy::Model => price.model.id.clone(),
                    other => group_key(other, key),
                };
                let entry = groups
                    .entry(group)
                    .or_insert_with(|| (vec![0; columns], vec![Decimal::ZERO; columns]));
                entry.0[column] += sums.requests;
                entry.1[column] += cost;
            }
            if column == AS_LOGGED && key.has_spend {
                let row = reconcile_day
                    .entry((logged_model.clone(), key.day))
                    .or_insert_with(|| ReconcileRow {
                        model: logged_model.clone(),
                        day: Some(day_text(key.day)),
                        requests: 0,
                        logged: Decimal::ZERO,
                        priced: Decimal::ZERO,
                    });
                row.requests += sums.requests;
                row.logged += sums.spend;
                row.priced += cost;
            }
            // What cannot carry over from the logged model to another one.
            if price.model.id != logged_model {
                if sums.cached_requests > 0 {
                    *assumptions
                        .entry((
                            format!(
                                "cache hits and writes logged on {} carry over unchanged to {}",
                                logged_model, price.model.id
                            ),
                            column,
                        ))
                        .or_default() += sums.cached_requests;
                }
                let guessed_output = match shadow {
                    Some(index) => sums.shadow_missing.get(index).copied().unwrap_or(0),
                    None => sums.requests,
                };
                if guessed_output > 0 {
                    *assumptions
                        .entry((
                            format!(
                                "output length on {} taken from {} (no output_tokens:{} value)",
                                price.model.id, logged_model, price.model.id
                            ),
                            column,
                        ))
                        .or_default() += guessed_output;
                }
            }
            let tokens = [
                sums.uncached_input(),
                sums.cached_tokens,
                sums.cache_write_tokens,
                sums.output_for(shadow),
            ];
            for fallback in &price.quote.fallbacks {
                let touches = match fallback.component {
                    None => true,
                    Some(component) => {
                        let index = Component::ALL
                            .iter()
                            .position(|c| *c == component)
                            .unwrap_or(0);
                        tokens[index] > 0
                    }
                };
                if touches {
                    *assumptions
                        .entry((fallback.text.clone(), column))
                        .or_default() += sums.requests;
                }
            }
        }
    }

    let shadow = shadow_evaluation(plan, segments, &mut assumptions)?;

    let mut merged: BTreeMap<(String, u64), Vec<String>> = BTreeMap::new();
    for ((text, column), requests) in assumptions {
        merged
            .entry((text, requests))
            .or_default()
            .push(names[column].clone());
    }
    let assumptions = merged
        .into_iter()
        .map(|((text, requests), columns)| ReplayAssumption {
            text,
            requests,
            columns,
        })
        .collect();

    let reconciliation = (!reconcile_day.is_empty()).then(|| {
        let mut by_model: BTreeMap<String, ReconcileRow> = BTreeMap::new();
        for row in reconcile_day.values() {
            let total = by_model
                .entry(row.model.clone())
                .or_insert_with(|| ReconcileRow {
                    model: row.model.clone(),
                    day: None,
                    requests: 0,
                    logged: Decimal::ZERO,
                    priced: Decimal::ZERO,
                });
            total.requests += row.requests;
            total.logged += row.logged;
            total.priced += row.priced;
        }
        let mut largest: Vec<ReconcileRow> = reconcile_day.into_values().collect();
        // Largest absolute difference first; ties by model and day, so the order is stable.
        largest.sort_by(|a, b| {
            b.difference()
                .abs()
                .cmp(&a.difference().abs())
                .then_with(|| a.model.cmp(&b.model))
                .then_with(|| a.day.cmp(&b.day))
        });
        largest.truncate(10);
        let requests_with_spend = by_model.values().map(|row| row.requests).sum();
        Reconciliation {
            by_model: by_model.into_values().collect(),
            largest,
            requests_with_spend,
        }
    });

    let columns_out = names
        .iter()
        .enumerate()
        .map(|(column, name)| {
            let histogram = &histograms[column];
            ColumnTotal {
                name: name.clone(),
                total: totals[column],
                requests: requests_priced,
                percentiles: [
                    histogram.quantile(0.5),
                    histogram.quantile(0.9),
                    histogram.quantile(0.99),
                    histogram.quantile(1.0),
                ],
            }
        })
        .collect();

    Ok(Replay {
        scenario: plan.scenario.name.clone(),
        baseline: plan.scenario.baseline.clone(),
        columns: columns_out,
        groups: groups
            .into_iter()
            .map(|(key, (requests, costs))| GroupRow {
                key,
                requests,
                costs,
            })
            .collect(),
        reconciliation,
        assumptions,
        shadow,
        rows_read,
        rows_priced: requests_priced,
        skips,
        first,
        last,
    })
}

/// One policy's chains replayed on the logged outcomes, next to what the independence formula
/// predicts from the same requests' pass rates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShadowPolicy {
    pub policy: String,
    pub replayed: ShadowTotals,
    pub independent: ShadowTotals,
}

type PriceCacheKey = (
    String,
    u16,
    u8,
    u8,
    LoggedTier,
    Option<ServiceTier>,
    PriceMode,
);

/// The shadow evaluation of every policy (see [`super::shadow`]): per segment and policy, the
/// route's chain walked on the segment's outcome pattern. A segment's requests share their
/// outcomes, so the chain's probabilities are the same for all of them and the expectation of
/// their summed costs is exactly the sum of their expectations.
fn shadow_evaluation(
    plan: &Plan,
    segments: &BTreeMap<SegmentKey, Sums>,
    assumptions: &mut BTreeMap<(String, usize), u64>,
) -> Result<Vec<ShadowPolicy>, (SkipReason, String)> {
    let Some(quality) = plan.scenario.quality.as_ref() else {
        return Ok(Vec::new());
    };
    if plan.outcome_models.is_empty() {
        return Ok(Vec::new());
    }
    let mut cache: HashMap<PriceCacheKey, ColumnPrice> = HashMap::new();
    let mut policies = Vec::new();
    for (policy_index, policy) in plan.scenario.policies.iter().enumerate() {
        let chains = quality.chains.get(&policy.name);
        let mut aggregates: BTreeMap<String, ShadowAggregate> = BTreeMap::new();
        for (key, sums) in segments {
            let Some((route, target)) =
                policy.route_fields(key.workload.as_deref(), key.task.as_deref(), key.data_class)
            else {
                continue;
            };
            let empty = Chain::default();
            let chain = chains
                .and_then(|c| match route {
                    Some(index) => c.routes.get(&index),
                    None => c.default.as_ref(),
                })
                .unwrap_or(&empty);
            let models: Vec<&str> = std::iter::once(target.model.as_str())
                .chain(chain.fallback.iter().map(String::as_str))
                .collect();
            let sign_off = quality.sign_off.get(&key.data_class);
            let human_id = sign_off.or(chain.human.as_ref());
            let review = match (sign_off, human_id) {
                (Some(_), _) => Review::SignOff,
                (None, Some(_)) => Review::Fallback,
                (None, None) => Review::None,
            };
            let per_item = human_id
                .and_then(|id| plan.catalogue.humans.get(id))
                .map(|human| human.cost_per_item)
                .unwrap_or_default();
            let logged = plan
                .resolve_model(&key.model)
                .map(|m| m.id.clone())
                .unwrap_or_default();
            let mut steps = Vec::with_capacity(models.len());
            let mut previous_output = 0u64;
            for (index, model_id) in models.iter().enumerate() {
                let cache_key = (
                    model_id.to_string(),
                    key.period,
                    key.off_peak,
                    key.band,
                    key.tier,
                    target.tier,
                    target.prices,
                );
                if !cache.contains_key(&cache_key) {
                    let model = plan.catalogue.model(model_id).ok_or_else(|| {
                        (
                            SkipReason::UnknownModel,
                            format!("unknown model '{model_id}'"),
                        )
                    })?;
                    let at = sums.first.unwrap_or(plan.scenario.as_of);
                    let price = price_on(plan, model, route, target.tier, target.prices, key, at)?;
                    cache.insert(cache_key.clone(), price);
                }
                let price = &cache[&cache_key];
                let shadow = shadow_column(plan, &logged, model_id);
                let mut cost: Decimal = segment_cost(sums, price, shadow).iter().sum();
                if index > 0 && !chain.retry_context.is_zero() && previous_output > 0 {
                    // The failed answer, sent again as uncached input.
                    cost += chain.retry_context * Decimal::from(previous_output) * price.rates[0];
                }
                previous_output = sums.output_for(shadow);
                let outcome = plan
                    .outcome_models
                    .iter()
                    .position(|m| m == model_id)
                    .and_then(|column| key.outcome(column));
                let pass_rate = match outcome {
                    Some(_) => Decimal::ZERO,
                    None => {
                        let rate = unconditional_rate(quality, model_id, key);
                        let text = match rate {
                            Some(_) => format!(
                                "outcome of {model_id} not in the log; its scenario pass rate stands in"
                            ),
                            None => format!(
                                "outcome of {model_id} not in the log and no pass rate for it: counted as failing"
                            ),
                        };
                        *assumptions.entry((text, policy_index + 1)).or_default() += sums.requests;
                        rate.unwrap_or_default()
                    }
                };
                steps.push(StepCase {
                    cost,
                    outcome,
                    pass_rate,
                });
            }
            let shadow_chain = ShadowChain {
                models: models.iter().map(|m| m.to_string()).collect(),
                review,
                validator: chain.validator,
            };
            let n = Decimal::from(sums.requests);
            let expectation = shadow::expect(&shadow_chain, &steps, per_item * n)
                .map_err(|error| (SkipReason::BadValue, error.to_string()))?;
            let aggregate = aggregates
                .entry(format!(
                    "{}|{:?}",
                    shadow_chain.label(),
                    shadow_chain.validator
                ))
                .or_insert_with(|| ShadowAggregate::new(shadow_chain.clone()));
            let totals = &mut aggregate.totals;
            totals.requests += sums.requests;
            totals.cost += expectation.cost;
            totals.successes += n * expectation.success;
            totals.accepted_bad += n * expectation.accepted_bad;
            totals.failed += n * expectation.failed;
            totals.reworked += n * expectation.rework;
            totals.escalated += n * expectation.escalation;
            totals.human_cost += expectation.human_cost;
            aggregate.human_cost += per_item * n;
            for (tally, step) in aggregate.steps.iter_mut().zip(&steps) {
                tally.cost += step.cost;
                match step.outcome {
                    Some(passed) => {
                        tally.known += sums.requests;
                        if passed {
                            tally.passes += sums.requests;
                        }
                    }
                    None => {
                        tally.assumed += sums.requests;
                        tally.assumed_passes += n * step.pass_rate;
                    }
                }
            }
        }
        let mut replayed = ShadowTotals::default();
        let mut independent = ShadowTotals::default();
        for aggregate in aggregates.values() {
            replayed.merge(&aggregate.totals);
            independent.merge(&aggregate.independence());
        }
        policies.push(ShadowPolicy {
            policy: policy.name.clone(),
            replayed,
            independent,
        });
    }
    Ok(policies)
}

/// The scenario's unconditional pass rate of `model` for a logged request: for its workload,
/// else its task.
fn unconditional_rate(quality: &Quality, model: &str, key: &SegmentKey) -> Option<Decimal> {
    let find = |scope: PassScope| {
        quality
            .pass_rates
            .iter()
            .find(|rate| rate.model == model && rate.given.is_empty() && rate.scope == scope)
            .map(|rate| rate.rate)
    };
    key.workload
        .clone()
        .and_then(|w| find(PassScope::Workload(w)))
        .or_else(|| key.task.clone().and_then(|t| find(PassScope::Task(t))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_quantiles_land_within_their_bucket() {
        let mut histogram = Histogram::default();
        for cost in [0.001, 0.002, 0.003, 0.004, 1.0] {
            histogram.add(cost);
        }
        let p50 = histogram.quantile(0.5).unwrap();
        assert!((p50 - 0.003).abs() / 0.003 < 0.005, "{p50}");
        let max = histogram.quantile(1.0).unwrap();
        assert!((max - 1.0).abs() < 0.005, "{max}");
    }

    #[test]
    fn routes_round_trip_through_the_interner_bytes() {
        let mut buffer = Vec::new();
        push_field(&mut buffer, Some("support"));
        push_field(&mut buffer, None);
        assert_eq!(split_route(&buffer), (Some("support".to_string()), None));
    }

    #[test]
    fn scaled_ln_is_close_to_ln() {
        for x in [1u64, 2, 3, 7, 255, 256, 1000, 3000, 272_001, 1 << 40] {
            let exact = (x as f64).ln() * LOG_SCALE;
            let close = scaled_ln(x) as f64;
            assert!(
                (close - exact).abs() <= 0.003 * LOG_SCALE,
                "{x}: {close} vs {exact}"
            );
        }
    }

    #[test]
    fn day_text_is_the_utc_date() {
        assert_eq!(day_text(0), "1970-01-01");
        assert_eq!(day_text(20_600), "2026-05-27");
    }
}
