//! The randomised trial: opening a trial, intake (screening, confirmation,
//! the draw and its receipt), take-up, annotations and the trial's page.

pub mod api;
pub mod consort;
pub mod crossover;
pub mod intake;
pub mod labels;
pub mod pages;
pub mod setup;
pub mod take_up;

use crate::http::access::roles::{INTAKE, PROGRAMME_OFFICE, TEAM_LEAD, TRIAL_LIST, TRIAL_OFFICE};
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
        Route::get("/trials/{id}/intake", Roles(INTAKE), intake::intake_form),
        Route::post("/trials/{id}/intake", Roles(INTAKE), intake::intake_screen),
        Route::post(
            "/trials/{id}/intake/confirm",
            Roles(INTAKE),
            intake::intake_confirm,
        ),
        Route::post(
            "/trials/{id}/intake/edit",
            Roles(INTAKE),
            intake::intake_edit,
        ),
        Route::get(
            "/trials/{id}/allocations/{allocation}",
            Roles(INTAKE),
            intake::receipt_page,
        ),
        Route::get("/trials/{id}/take-up", Roles(INTAKE), take_up::take_up_list),
        Route::post(
            "/trials/{id}/take-up",
            Roles(INTAKE),
            take_up::take_up_record,
        ),
        Route::get("/crossovers", Roles(TEAM_LEAD), crossover::crossover_list)
            .menu("nav-crossovers"),
        Route::post("/crossovers", Roles(TEAM_LEAD), crossover::crossover_record),
        Route::api_get("/api/v1/trials", Roles(TRIAL_LIST), api::trials),
        Route::api_post(
            "/api/v1/trials/{id}/randomizations",
            Roles(INTAKE),
            api::randomise,
        ),
        Route::api_post(
            "/api/v1/trials/{id}/crossovers",
            Roles(TEAM_LEAD),
            api::crossover,
        ),
    ]
}
