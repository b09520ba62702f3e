//! The pure core: prices in effect, routing, evaluation. No I/O, no printing.

pub mod breakdown;
pub mod check;
pub mod compliance;
pub mod diff;
pub mod evaluate;
pub mod exact;
pub mod fixed;
pub mod gap;
pub mod overrides;
pub mod prices;
pub mod pushdown;
pub mod quality;
pub mod replay;
pub mod sensitivity;
pub mod shadow;
pub mod simulate;
pub mod solve;
pub mod sweep;
pub mod whatif;
