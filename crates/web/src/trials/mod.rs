//! The randomised trial: opening a trial, intake (screening, confirmation,
//! the draw and its receipt), take-up, annotations and the trial's page.

pub mod api;
pub mod pages;
pub mod setup;

use crate::http::access::roles::{INTAKE, PROGRAMME_OFFICE, TRIAL_LIST, TRIAL_OFFICE};
use crate::http::access::{Access::*, Route};

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/trials", Roles(TRIAL_LIST), pages::trial_list).menu("nav-trials"),
        Route::get(
            "/trials/new",
            Roles(PROGRAMME_OFFICE),
            setup::new_trial_form,
        ),
        Route::post("/trials/new", Roles(PROGRAMME_OFFICE), setup::create_trial),
        Route::get("/trials/{id}", Roles(TRIAL_OFFICE), pages::trial_page),
        Route::post(
            "/trials/{id}/annotations",
            Roles(PROGRAMME_OFFICE),
            pages::annotate,
        ),
        Route::get("/trials/{id}/intake", Roles(INTAKE), pages::intake_form),
        Route::post("/trials/{id}/intake", Roles(INTAKE), pages::intake_screen),
        Route::post(
            "/trials/{id}/intake/confirm",
            Roles(INTAKE),
            pages::intake_confirm,
        ),
        Route::post(
            "/trials/{id}/intake/edit",
            Roles(INTAKE),
            pages::intake_edit,
        ),
        Route::get(
            "/trials/{id}/allocations/{allocation}",
            Roles(INTAKE),
            pages::receipt_page,
        ),
        Route::get("/trials/{id}/take-up", Roles(INTAKE), pages::take_up_list),
        Route::post("/trials/{id}/take-up", Roles(INTAKE), pages::take_up_record),
        Route::api_get("/api/v1/trials", Roles(TRIAL_LIST), api::trials),
        Route::api_post(
            "/api/v1/trials/{id}/randomizations",
            Roles(INTAKE),
            api::randomise,
        ),
    ]
}
