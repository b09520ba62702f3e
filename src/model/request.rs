//! One logged request, as every log adapter hands it to the replay engine.
//!
//! Adapters (native CSV / JSON Lines, LiteLLM spend logs, OpenAI and Anthropic responses,
//! OpenTelemetry spans, Parquet) differ only in where they find these fields; the engine sees
//! nothing else. Strings borrow from the adapter's row buffer, so a request costs no allocation.

use jiff::Timestamp;
use rust_decimal::Decimal;

use super::scenario::DataClass;

/// The service tier a request was billed through; batch is a tier of its own here, since a log
/// records what each request actually was.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LoggedTier {
    #[default]
    Standard,
    Flex,
    Priority,
    Batch,
}

impl LoggedTier {
    pub const ALL: [LoggedTier; 4] = [
        LoggedTier::Standard,
        LoggedTier::Flex,
        LoggedTier::Priority,
        LoggedTier::Batch,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LoggedTier::Standard => "standard",
            LoggedTier::Flex => "flex",
            LoggedTier::Priority => "priority",
            LoggedTier::Batch => "batch",
        }
    }

    pub fn parse(text: &str) -> Option<LoggedTier> {
        let text = text.trim();
        [
            ("", LoggedTier::Standard),
            ("standard", LoggedTier::Standard),
            ("default", LoggedTier::Standard),
            ("auto", LoggedTier::Standard),
            ("flex", LoggedTier::Flex),
            ("priority", LoggedTier::Priority),
            ("scale", LoggedTier::Priority),
            ("batch", LoggedTier::Batch),
        ]
        .into_iter()
        .find(|(name, _)| text.eq_ignore_ascii_case(name))
        .map(|(_, tier)| tier)
    }
}

/// One logged request. Token counts are already checked: cached + cache-write ≤ input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Request<'a> {
    pub at: Timestamp,
    /// The model that served it, as the log names it.
    pub model: &'a str,
    pub workload: Option<&'a str>,
    pub task: Option<&'a str>,
    pub data_class: DataClass,
    /// All input tokens, cached and cache-write included.
    pub input_tokens: u64,
    pub cached_tokens: u64,
    pub cache_write_tokens: u64,
    pub output_tokens: u64,
    pub tier: LoggedTier,
    /// What the source says the request cost.
    pub spend: Option<Decimal>,
    /// Shadow outcomes, in the order of the log's `outcome:MODEL` columns: `None` when unknown.
    pub outcomes: &'a [Option<bool>],
    /// Shadow output lengths, in the order of the log's `output_tokens:MODEL` columns.
    pub shadow_output: &'a [Option<u64>],
}
