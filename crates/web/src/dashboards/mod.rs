//! The programme's dashboards: a team lead's own municipality, and every
//! municipality side by side for the programme office (aggregates only,
//! counts of young people under 5 suppressed), as a page with charts and
//! tables, a CSV file and the API; and the capacity and referral forecast.

pub mod api;
pub mod forecast;
pub mod pages;

use crate::http::access::roles::DASHBOARD;
use crate::http::access::{Access::*, Route};
use spire_store::Metric::{self, *};

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/dashboard", Roles(DASHBOARD), pages::dashboard).menu("nav-dashboard"),
        Route::get("/dashboard.csv", Roles(DASHBOARD), pages::dashboard_csv),
        Route::get("/forecast", Roles(DASHBOARD), forecast::page).menu("nav-forecast"),
        Route::api_get("/api/v1/dashboard", Roles(DASHBOARD), api::dashboard),
        Route::api_get("/api/v1/forecast", Roles(DASHBOARD), forecast::api),
    ]
}

/// A part of the dashboard: the figure its chart draws, and the figures its
/// table shows (what the headline is made of).
pub struct Section {
    pub id: &'static str,
    pub headline: Metric,
    pub columns: &'static [Metric],
}

pub const SECTIONS: [Section; 10] = [
    Section {
        id: "youth",
        headline: ShareInInternship,
        columns: &[YouthActive, InCourseNow, InInternshipNow, ShareInInternship],
    },
    Section {
        id: "first-internship",
        headline: DaysToFirstInternship,
        columns: &[FirstInternships, DaysToFirstInternship],
    },
    Section {
        id: "internships",
        headline: InternshipsPerYouth,
        columns: &[InternshipsStarted, YouthActive, InternshipsPerYouth],
    },
    Section {
        id: "interruptions",
        headline: InterruptionRate,
        columns: &[
            InternshipsEnded,
            Interrupted,
            InterruptedByYouth,
            InterruptedByCompany,
            InterruptionRate,
        ],
    },
    Section {
        id: "network",
        headline: AttendanceRate,
        columns: &[
            AttendanceMarks,
            AttendancePresent,
            AttendanceRate,
            YouthInNetwork,
            MeetingStability,
        ],
    },
    Section {
        id: "events",
        headline: ShareFromEvents,
        columns: &[
            EventsHeld,
            InternshipsFromEvents,
            InternshipsStarted,
            ShareFromEvents,
        ],
    },
    Section {
        id: "companies",
        headline: CompaniesInNetwork,
        columns: &[CompaniesInNetwork],
    },
    Section {
        id: "exits",
        headline: ShareToJobOrEducation,
        columns: &[
            Exits,
            ExitsToJobOrEducation,
            ShareToJobOrEducation,
            FollowUps3,
            Durability3,
            FollowUps6,
            Durability6,
            FollowUps12,
            Durability12,
        ],
    },
    Section {
        id: "caseload",
        headline: Caseload,
        columns: &[InCourseNow, Consultants, Caseload, CaseloadNorm],
    },
    Section {
        id: "trial",
        headline: RandomisedToDate,
        columns: &[RandomisedInPeriod, RandomisedToDate],
    },
];
