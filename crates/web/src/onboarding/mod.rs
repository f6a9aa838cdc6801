//! Onboarding a new municipality: the programme office's one-year plans
//! (`/onboarding`), each milestone with its quarter, owner, status and notes,
//! started from a template the office edits.

pub mod api;
pub mod forms;
pub mod pages;

use crate::http::access::roles::PROGRAMME_OFFICE;
use crate::http::access::{Access::*, Route};

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/onboarding", Roles(PROGRAMME_OFFICE), pages::plans).menu("nav-onboarding"),
        Route::post("/onboarding", Roles(PROGRAMME_OFFICE), pages::start_plan),
        Route::get(
            "/onboarding/template",
            Roles(PROGRAMME_OFFICE),
            pages::template_page,
        ),
        Route::post(
            "/onboarding/template",
            Roles(PROGRAMME_OFFICE),
            pages::template_save,
        ),
        Route::get(
            "/onboarding/{id}",
            Roles(PROGRAMME_OFFICE),
            pages::plan_page,
        ),
        Route::post(
            "/onboarding/items/{id}",
            Roles(PROGRAMME_OFFICE),
            pages::item_update,
        ),
        Route::api_get("/api/v1/onboarding", Roles(PROGRAMME_OFFICE), api::plans),
        Route::api_post(
            "/api/v1/onboarding",
            Roles(PROGRAMME_OFFICE),
            api::start_plan,
        ),
        Route::api_get(
            "/api/v1/onboarding/{id}",
            Roles(PROGRAMME_OFFICE),
            api::plan,
        ),
        Route::api_post(
            "/api/v1/onboarding/items/{id}",
            Roles(PROGRAMME_OFFICE),
            api::item_update,
        ),
    ]
}
