//! Programme rules on plain values: identifiers (CPR, CVR), roles, validation,
//! one-time codes for two-factor log-in (`totp`, RFC 6238).
//!
//! Pure: no IO, no async, no SQL, no HTTP. Domain types are not `Serialize`;
//! the web and store layers have their own transfer types.

pub mod calendar;
pub mod course;
pub mod cpr;
pub mod cvr;
pub mod dashboard;
pub mod eligibility;
pub mod event;
pub mod fidelity;
pub mod forecast;
pub mod ids;
pub mod internship;
pub mod network;
pub mod onboarding;
pub mod role;
pub mod totp;
pub mod validation;

pub use cpr::{Cpr, Gender, contains_cpr, redact_cpr};
pub use cvr::Cvr;
pub use eligibility::{Benefit, EligibilityRules, Ineligibility, Readiness};
pub use ids::{
    AgendaItemId, AllocationId, CallId, CompanyId, CourseId, EventId, GroupId, InternshipId,
    MeetingId, NetworkMeetingId, TaskId, TrialId, YouthId,
};
pub use role::Role;
pub use validation::{FieldError, Problem};
