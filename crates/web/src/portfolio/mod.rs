//! The work-identity portfolio beyond interests and strengths: skills learned
//! and experiences the youth (or staff) add, references from company
//! contacts, internships by themselves — and the one-page CV in Danish to
//! print or download.

pub mod api;
pub mod pages;

use crate::http::access::roles::{STAFF, YOUTH, YOUTH_AND_STAFF};
use crate::http::access::{Access::*, Route};

pub use spire_domain::course::ENTRY_MAX;

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/me/cv", Roles(YOUTH), pages::my_cv),
        Route::post("/me/portfolio/entries", Roles(YOUTH), pages::my_entry),
        Route::get("/youth/{id}/cv", Roles(STAFF), pages::youth_cv),
        Route::post(
            "/youth/{id}/portfolio/entries",
            Roles(STAFF),
            pages::youth_entry,
        ),
        Route::api_get(
            "/api/v1/youth/{id}/portfolio/entries",
            Roles(YOUTH_AND_STAFF),
            api::portfolio_get,
        ),
        Route::api_post(
            "/api/v1/youth/{id}/portfolio/entries",
            Roles(YOUTH_AND_STAFF),
            api::portfolio_add,
        ),
    ]
}
