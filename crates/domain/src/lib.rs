//! Programme rules on plain values: identifiers (CPR, CVR), roles, validation.
//!
//! Pure: no IO, no async, no SQL, no HTTP. Domain types are not `Serialize`;
//! the web and store layers have their own transfer types.

pub mod cpr;
pub mod cvr;
pub mod role;
pub mod validation;

pub use cpr::{Cpr, Gender};
pub use cvr::Cvr;
pub use role::Role;
pub use validation::{FieldError, Problem};
