//! Shared HTTP plumbing: state, access rules and routes, the guard, request
//! context and extractors, errors, input parsing, layers. Imports no capability.

pub mod access;
pub mod context;
pub mod error;
pub mod guard;
pub mod layers;
pub mod multipart;
pub mod once;
pub mod params;
pub mod rate_limit;
pub mod session;
pub mod state;
