//! The youth network (ungenetværk): groups of 6–8 youth with a facilitator,
//! weekly meetings, an agenda the youth set (power shift), a one-tap
//! register on a phone and the shared notes. The company network is in
//! `company_network`, the calendar feeds in `calendar`.

pub mod actions;
pub mod api;
pub mod forms;
pub mod meeting;
pub mod pages;

use crate::http::access::roles::{STAFF, YOUTH, YOUTH_AND_STAFF};
use crate::http::access::{Access::*, Route};

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/groups", Roles(STAFF), pages::groups_page).menu("nav-groups"),
        Route::post("/groups", Roles(STAFF), pages::group_create),
        Route::get("/me/network", Roles(YOUTH), meeting::my_network).menu("nav-my-network"),
        Route::get("/groups/{id}", Roles(YOUTH_AND_STAFF), pages::group_page),
        Route::post("/groups/{id}/members", Roles(STAFF), pages::group_join),
        Route::post("/groups/{id}/leave", Roles(STAFF), pages::group_leave),
        Route::post("/groups/{id}/meetings", Roles(STAFF), pages::group_series),
        Route::get(
            "/meetings/{id}",
            Roles(YOUTH_AND_STAFF),
            meeting::meeting_page,
        ),
        Route::post(
            "/meetings/{id}/agenda",
            Roles(YOUTH_AND_STAFF),
            meeting::meeting_propose,
        ),
        Route::post("/agenda/{id}/up", Roles(YOUTH), meeting::agenda_move_up),
        Route::post(
            "/meetings/{id}/attendance",
            Roles(STAFF),
            meeting::meeting_attendance,
        ),
        Route::post("/meetings/{id}/notes", Roles(STAFF), meeting::meeting_notes),
        Route::post(
            "/meetings/{id}/change",
            Roles(STAFF),
            meeting::meeting_change,
        ),
        Route::api_get("/api/v1/groups", Roles(YOUTH_AND_STAFF), api::group_list),
        Route::api_post("/api/v1/groups", Roles(STAFF), api::group_create),
        Route::api_get(
            "/api/v1/groups/{id}",
            Roles(YOUTH_AND_STAFF),
            api::group_get,
        ),
        Route::api_post("/api/v1/groups/{id}/members", Roles(STAFF), api::group_join),
        Route::api_post("/api/v1/groups/{id}/leave", Roles(STAFF), api::group_leave),
        Route::api_post(
            "/api/v1/groups/{id}/meetings",
            Roles(STAFF),
            api::group_series,
        ),
        Route::api_get(
            "/api/v1/meetings/{id}",
            Roles(YOUTH_AND_STAFF),
            api::meeting_get,
        ),
        Route::api_post(
            "/api/v1/meetings/{id}/change",
            Roles(STAFF),
            api::meeting_change,
        ),
        Route::api_post(
            "/api/v1/meetings/{id}/agenda",
            Roles(YOUTH_AND_STAFF),
            api::meeting_agenda,
        ),
        Route::api_post("/api/v1/agenda/{id}/up", Roles(YOUTH), api::agenda_move_up),
        Route::api_post(
            "/api/v1/meetings/{id}/attendance",
            Roles(STAFF),
            api::meeting_attendance,
        ),
        Route::api_post(
            "/api/v1/meetings/{id}/notes",
            Roles(STAFF),
            api::meeting_notes,
        ),
    ]
}
