//! Integration tests for `spire-matching`: one test binary, one module per area.

// The brute-force references read best with plain indices.
#![allow(clippy::needless_range_loop)]

mod oracle;
mod properties;
mod rotation;
mod support;
