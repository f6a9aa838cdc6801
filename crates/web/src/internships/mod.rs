//! Internships (praktik): created for a youth with a course, moved through
//! their statuses within the law, extended with a reason, their function
//! changed, checked in on weekly; ended by the youth themselves (power
//! shift); seen by the company contact of the company.

pub mod actions;
pub mod api;
pub mod forms;
pub mod pages;

use crate::http::access::roles::{
    COMPANY_CONTACT, COMPANY_READERS, INTERNSHIP_READERS, STAFF, YOUTH, YOUTH_AND_STAFF,
};
use crate::http::access::{Access::*, Route};

pub fn routes() -> Vec<Route> {
    vec![
        Route::get(
            "/internships",
            Roles(COMPANY_CONTACT),
            pages::internship_list,
        )
        .menu("nav-internships"),
        Route::get("/me/internships", Roles(YOUTH), pages::my_internships)
            .menu("nav-my-internships"),
        Route::get(
            "/youth/{id}/internships/new",
            Roles(STAFF),
            pages::internship_new_form,
        ),
        Route::post(
            "/youth/{id}/internships/new",
            Roles(STAFF),
            pages::internship_new_submit,
        ),
        Route::get(
            "/internships/{id}",
            Roles(INTERNSHIP_READERS),
            pages::internship_page,
        ),
        Route::post(
            "/internships/{id}/status",
            Roles(STAFF),
            pages::internship_status,
        ),
        Route::post(
            "/internships/{id}/extend",
            Roles(STAFF),
            pages::internship_extend,
        ),
        Route::post(
            "/internships/{id}/function",
            Roles(STAFF),
            pages::internship_function,
        ),
        Route::post(
            "/internships/{id}/check-in",
            Roles(STAFF),
            pages::internship_check_in,
        ),
        Route::post("/internships/{id}/end", Roles(YOUTH), pages::internship_end),
        Route::post(
            "/internships/{id}/reference",
            Roles(COMPANY_CONTACT),
            pages::internship_reference,
        ),
        Route::api_get(
            "/api/v1/youth/{id}/internships",
            Roles(YOUTH_AND_STAFF),
            api::youth_internships,
        ),
        Route::api_post(
            "/api/v1/youth/{id}/internships",
            Roles(STAFF),
            api::internship_create,
        ),
        Route::api_get(
            "/api/v1/internships",
            Roles(COMPANY_READERS),
            api::internship_list,
        ),
        Route::api_get(
            "/api/v1/internships/{id}",
            Roles(INTERNSHIP_READERS),
            api::internship_get,
        ),
        Route::api_post(
            "/api/v1/internships/{id}/status",
            Roles(STAFF),
            api::internship_status,
        ),
        Route::api_post(
            "/api/v1/internships/{id}/extension",
            Roles(STAFF),
            api::internship_extend,
        ),
        Route::api_post(
            "/api/v1/internships/{id}/function",
            Roles(STAFF),
            api::internship_function,
        ),
        Route::api_post(
            "/api/v1/internships/{id}/check-in",
            Roles(STAFF),
            api::internship_check_in,
        ),
        Route::api_post(
            "/api/v1/internships/{id}/end",
            Roles(YOUTH),
            api::internship_end,
        ),
    ]
}
