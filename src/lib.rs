//! mixcost: a cost modeller for mixed-model LLM architectures.
//!
//! Data flows through four rooms: [`load`] (YAML → validated catalogue and scenarios, with
//! diagnostics), [`engine`] (pure pricing and routing), [`report`] (one renderer per format,
//! returning text) and [`cli`] (argument parsing and wiring).

pub mod cli;
pub mod engine;
pub mod load;
pub mod model;
pub mod report;
