//! Integration tests for `spire-matching`: one test binary, one module per area.

mod oracle;
mod properties;
mod rotation;
mod support;
