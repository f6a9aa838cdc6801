//! Fidelity monitoring: the programme office plans reviews of each
//! municipality's half-year, two reviewers score the items the data cannot
//! (blind to each other until both have submitted) and reconcile their
//! disagreements; the computed items come from the dashboard's figures. The
//! report is printable, the trend per municipality a chart, and the scale a
//! versioned text the office publishes. A team lead reads their own
//! municipality's finished reviews.

pub mod api;
pub mod forms;
pub mod pages;
pub mod review;
pub mod text;

use crate::http::access::roles::{FIDELITY, PROGRAMME_OFFICE};
use crate::http::access::{Access::*, Route};

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/fidelity", Roles(FIDELITY), pages::overview).menu("nav-fidelity"),
        Route::post("/fidelity", Roles(PROGRAMME_OFFICE), pages::create_review),
        Route::get("/fidelity/scale", Roles(FIDELITY), pages::scale_page),
        Route::post(
            "/fidelity/scale",
            Roles(PROGRAMME_OFFICE),
            pages::publish_scale,
        ),
        Route::get(
            "/fidelity/municipalities/{id}",
            Roles(FIDELITY),
            review::trend_page,
        ),
        Route::get(
            "/fidelity/reviews/{id}",
            Roles(FIDELITY),
            review::review_page,
        ),
        Route::get(
            "/fidelity/reviews/{id}/report",
            Roles(FIDELITY),
            review::report_page,
        ),
        Route::post(
            "/fidelity/reviews/{id}/ratings",
            Roles(PROGRAMME_OFFICE),
            review::submit_ratings,
        ),
        Route::post(
            "/fidelity/reviews/{id}/reconcile",
            Roles(PROGRAMME_OFFICE),
            review::reconcile,
        ),
        Route::api_get("/api/v1/fidelity/reviews", Roles(FIDELITY), api::reviews),
        Route::api_post(
            "/api/v1/fidelity/reviews",
            Roles(PROGRAMME_OFFICE),
            api::create_review,
        ),
        Route::api_get(
            "/api/v1/fidelity/reviews/{id}",
            Roles(FIDELITY),
            api::review,
        ),
        Route::api_post(
            "/api/v1/fidelity/reviews/{id}/ratings",
            Roles(PROGRAMME_OFFICE),
            api::submit_ratings,
        ),
        Route::api_post(
            "/api/v1/fidelity/reviews/{id}/reconcile",
            Roles(PROGRAMME_OFFICE),
            api::reconcile,
        ),
        Route::api_get(
            "/api/v1/fidelity/schedule",
            Roles(PROGRAMME_OFFICE),
            api::schedule,
        ),
        Route::api_get(
            "/api/v1/fidelity/municipalities/{id}",
            Roles(FIDELITY),
            api::trend,
        ),
        Route::api_get("/api/v1/fidelity/scales", Roles(FIDELITY), api::scales),
        Route::api_post(
            "/api/v1/fidelity/scales",
            Roles(PROGRAMME_OFFICE),
            api::publish_scale,
        ),
    ]
}
