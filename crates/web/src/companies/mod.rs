//! Companies: the network's companies and their contacts.

pub mod api;
pub mod forms;
pub mod pages;

use crate::http::access::roles::{COMPANY_READERS, STAFF};
use crate::http::access::{Access::*, Route};

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/companies", Roles(COMPANY_READERS), pages::company_list).menu("nav-companies"),
        Route::get("/companies/new", Roles(STAFF), pages::company_new_form),
        Route::post("/companies/new", Roles(STAFF), pages::company_new_submit),
        Route::get(
            "/companies/{id}",
            Roles(COMPANY_READERS),
            pages::company_page,
        ),
        Route::api_get(
            "/api/v1/companies",
            Roles(COMPANY_READERS),
            api::company_list,
        ),
        Route::api_post("/api/v1/companies", Roles(STAFF), api::company_create),
        Route::api_get(
            "/api/v1/companies/{id}",
            Roles(COMPANY_READERS),
            api::company_get,
        ),
    ]
}
