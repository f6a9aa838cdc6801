//! Psychologist notes: a separate record on a youth, readable and writable
//! by psychologists only (every other role gets 404), every read logged.

pub mod api;
pub mod pages;

use crate::http::access::roles::PSYCHOLOGIST;
use crate::http::access::{Access::*, Route};

pub use spire_domain::course::PSYCHOLOGIST_NOTE_MAX as NOTE_MAX;

pub fn routes() -> Vec<Route> {
    vec![
        Route::get(
            "/youth/{id}/psychologist-notes",
            Roles(PSYCHOLOGIST),
            pages::notes_page,
        ),
        Route::post(
            "/youth/{id}/psychologist-notes",
            Roles(PSYCHOLOGIST),
            pages::notes_add,
        ),
        Route::api_get(
            "/api/v1/youth/{id}/psychologist-notes",
            Roles(PSYCHOLOGIST),
            api::notes_get,
        ),
        Route::api_post(
            "/api/v1/youth/{id}/psychologist-notes",
            Roles(PSYCHOLOGIST),
            api::notes_add,
        ),
    ]
}
