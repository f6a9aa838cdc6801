//! The crate's one integration test binary.

mod properties;
mod support;
mod verifier;
