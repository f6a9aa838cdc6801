//! Events (NExTWORK-events): youth host company representatives in rounds,
//! then youth rank the companies they met, companies mark whom they would
//! welcome, the matching engine pairs them and explains each result, and
//! each pair becomes a call the company makes — an agreed call plans the
//! internship. Youth log in with a one-time code from their consultant.

pub mod actions;
pub mod api;
pub mod calls;
pub mod codes;
pub mod event;
pub mod explain;
pub mod forms;
pub mod grid;
pub mod pages;
pub mod print;

use crate::http::access::roles::{COMPANY_READERS, INTERNSHIP_READERS, STAFF, YOUTH_AND_STAFF};
use crate::http::access::{Access::*, Route};

/// Everyone an event concerns: staff, the companies' contacts, the youth.
const EVENT_USERS: &[spire_domain::Role] = INTERNSHIP_READERS;

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/events", Roles(EVENT_USERS), pages::events_page).menu("nav-events"),
        Route::post("/events", Roles(STAFF), pages::event_create),
        Route::post("/events/deck", Roles(STAFF), pages::deck_save),
        Route::get("/events/{id}", Roles(EVENT_USERS), event::event_page),
        Route::get("/events/{id}/print", Roles(STAFF), print::event_print),
        Route::post("/events/{id}/invite", Roles(STAFF), event::event_invite),
        Route::post(
            "/events/{id}/answer",
            Roles(COMPANY_READERS),
            event::event_answer,
        ),
        Route::post("/events/{id}/youth", Roles(STAFF), event::event_youth),
        Route::post("/events/{id}/grid", Roles(STAFF), event::event_grid),
        Route::post("/events/{id}/grid/move", Roles(STAFF), event::event_move),
        Route::post(
            "/events/{id}/choices",
            Roles(&[
                spire_domain::Role::CompanyContact,
                spire_domain::Role::Youth,
            ]),
            event::event_order,
        ),
        Route::post("/events/{id}/match", Roles(STAFF), event::event_match),
        Route::post("/events/{id}/override", Roles(STAFF), event::event_override),
        Route::get("/calls", Roles(COMPANY_READERS), calls::calls_page).menu("nav-calls"),
        Route::post("/calls/{id}", Roles(COMPANY_READERS), calls::call_record),
        Route::post(
            "/youth/{id}/login-code",
            Roles(STAFF),
            codes::youth_login_code,
        ),
        Route::get("/login/youth-code", Public, codes::code_login_page),
        Route::post("/login/youth-code", Public, codes::code_login_submit),
        Route::api_get("/api/v1/events", Roles(EVENT_USERS), api::events_list),
        Route::api_post("/api/v1/events", Roles(STAFF), api::event_create),
        Route::api_get("/api/v1/events/{id}", Roles(EVENT_USERS), api::event_get),
        Route::api_post(
            "/api/v1/events/{id}/invitations",
            Roles(STAFF),
            api::event_invite,
        ),
        Route::api_post(
            "/api/v1/events/{id}/answer",
            Roles(COMPANY_READERS),
            api::event_answer,
        ),
        Route::api_post("/api/v1/events/{id}/youth", Roles(STAFF), api::event_youth),
        Route::api_post("/api/v1/events/{id}/grid", Roles(STAFF), api::event_grid),
        Route::api_post(
            "/api/v1/events/{id}/grid/move",
            Roles(STAFF),
            api::event_move,
        ),
        Route::api_post(
            "/api/v1/events/{id}/ranking",
            Roles(YOUTH_AND_STAFF),
            api::event_ranking,
        ),
        Route::api_post(
            "/api/v1/events/{id}/marks",
            Roles(COMPANY_READERS),
            api::event_marks,
        ),
        Route::api_get(
            "/api/v1/events/{id}/preferences",
            Roles(STAFF),
            api::event_preferences,
        ),
        Route::api_get(
            "/api/v1/events/{id}/match",
            Roles(YOUTH_AND_STAFF),
            api::match_get,
        ),
        Route::api_post("/api/v1/events/{id}/match", Roles(STAFF), api::match_run),
        Route::api_post(
            "/api/v1/events/{id}/override",
            Roles(STAFF),
            api::match_override,
        ),
        Route::api_get("/api/v1/calls", Roles(COMPANY_READERS), api::calls_list),
        Route::api_post(
            "/api/v1/calls/{id}",
            Roles(COMPANY_READERS),
            api::call_record,
        ),
    ]
}
