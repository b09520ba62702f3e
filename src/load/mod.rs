//! Loading inputs: YAML files → validated catalogue and scenarios, with diagnostics.
//!
//! Nothing downstream of this module parses text; everything it returns has been checked.

pub mod checker;
pub mod diagnostic;
pub mod pricing;
pub mod quality;
pub mod scenario;
pub mod source;
pub mod suggest;
pub mod values;
pub mod yaml;
