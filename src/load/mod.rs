//! Loading inputs: YAML files → validated catalogue and scenarios, with diagnostics.
//!
//! Nothing downstream of this module parses text; everything it returns has been checked.

pub mod amount;
pub mod checker;
pub mod diagnostic;
pub mod import;
pub mod log;
pub mod overrides;
pub mod pricing;
pub mod quality;
pub mod result;
pub mod rules;
pub mod scenario;
pub mod schema;
pub mod source;
pub mod suggest;
pub mod validate;
pub mod values;
pub mod warehouse;
pub mod yaml;
