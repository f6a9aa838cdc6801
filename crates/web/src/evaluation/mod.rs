//! The trial's evaluation: the locked pre-analysis plan, outcome imports and
//! the report (page, JSON download and API).

pub mod api;
pub mod pages;
pub mod plan_form;
pub mod report;

use crate::http::access::roles::{RESEARCHER, TRIAL_OFFICE};
use crate::http::access::{Access::*, Route};
use crate::http::multipart::MAX_UPLOAD_BYTES;

pub fn routes() -> Vec<Route> {
    vec![
        Route::get(
            "/trials/{id}/evaluation",
            Roles(TRIAL_OFFICE),
            pages::evaluation_page,
        ),
        Route::get(
            "/trials/{id}/evaluation.json",
            Roles(TRIAL_OFFICE),
            pages::evaluation_json,
        ),
        Route::post(
            "/trials/{id}/evaluation/plan",
            Roles(RESEARCHER),
            pages::lock_plan,
        ),
        Route::post(
            "/trials/{id}/evaluation/outcomes",
            Roles(RESEARCHER),
            pages::import_outcomes,
        )
        .upload(MAX_UPLOAD_BYTES),
        Route::api_get(
            "/api/v1/trials/{id}/evaluation",
            Roles(TRIAL_OFFICE),
            api::api_evaluation,
        ),
        Route::api_post(
            "/api/v1/trials/{id}/evaluation/plan",
            Roles(RESEARCHER),
            api::api_lock_plan,
        ),
        Route::api_post(
            "/api/v1/trials/{id}/evaluation/outcomes",
            Roles(RESEARCHER),
            api::api_import_outcomes,
        )
        .upload(MAX_UPLOAD_BYTES),
    ]
}
