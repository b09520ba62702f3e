//! Warehouse sources: the replay's aggregation computed where the logs live.
//!
//! [`aggregates`] reads the segment rows an engine returned (CSV or JSON Lines, as engines
//! export them, named as [`crate::engine::pushdown::query`] aliases them); [`postgres`] runs
//! the query inside PostgreSQL against LiteLLM's `LiteLLM_SpendLogs` table, read-only, with
//! the password found as libpq finds it ([`pgpass`]) and TLS configured as libpq configures
//! it ([`tls`]). Both hand the same
//! [`AggregateRow`](crate::engine::pushdown::AggregateRow)s to the replay engine.

pub mod aggregates;
pub mod pgpass;
pub mod postgres;
pub mod tls;
