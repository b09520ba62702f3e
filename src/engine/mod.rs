//! The pure core: prices in effect, routing, evaluation. No I/O, no printing.

pub mod breakdown;
pub mod evaluate;
pub mod gap;
pub mod prices;
pub mod quality;
pub mod simulate;
