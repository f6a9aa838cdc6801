//! The crate's one integration test binary.

mod merkle_oracle;
mod properties;
mod store_flow;
mod support;
mod vector_compute;
mod vectors;
mod verifier;
