//! The validated domain: pricing catalogue and scenarios, free of any file format.

pub mod catalogue;
pub mod quality;
pub mod request;
pub mod rules;
pub mod scenario;

pub mod text;
