//! The trial's evaluation: the pre-analysis plan (`plan`: canonical JSON,
//! SHA-256, validation, deviations), outcome files (`outcomes`: the one CSV
//! reader, shared with `spire stats`; errors name line and column, never a
//! cell) and the report (`analysis`: every number from `spire-stats`).
//!
//! Pure: no IO, no SQL, no HTTP. `spire-store` keeps the locked plan and the
//! imported values; this crate only computes.

pub mod analysis;
pub mod outcomes;
pub mod plan;
