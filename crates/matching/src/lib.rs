//! Matching young people with companies after an event, and planning the event itself.
//!
//! - [`Instance`]: who ranked whom, and how many places each company has, as dense indices.
//! - [`youth_proposing`] (the programme's mechanism: best for every youth, and no youth can gain by
//!   lying) and [`company_proposing`] (for comparison): deferred acceptance with capacities.
//! - [`check_stability`]: says whether a matching is stable, naming a blocking pair when it is not.
//! - [`explain`]: a plain-language account for each youth, in Danish or English.
//! - [`plan_rotation`]: who meets whom in which round at the event.
//!
//! The crate is pure: no IO, no clock, no randomness. Names (ids) live with the caller; here
//! youth and companies are indices `0..n`.

mod deferred_acceptance;
mod explain;
mod instance;
mod matching;
mod min_cost_flow;
mod rotation;
mod stability;

pub use deferred_acceptance::{company_proposing, youth_proposing};
pub use explain::{BetterChoice, Explanation, Language, Outcome, Reason, explain, explain_all};
pub use instance::{Company, Instance, InstanceError, Layout, PreferenceLists, Side, Youth};
pub use matching::Matching;
pub use rotation::{
    GridProblem, Meeting, RotationPlan, RotationRequest, Shortfall, ShortfallReason, check_grid,
    plan_rotation,
};
pub use stability::{Instability, check_stability};
