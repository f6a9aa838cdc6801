//! The company network (virksomhedsnetværk): the companies of a
//! municipality's network with dates, the internship places they offer,
//! network meetings a company contact signs up for, and the team's contact
//! log per company.

pub mod actions;
pub mod api;
pub mod forms;
pub mod pages;

use crate::http::access::roles::{COMPANY_CONTACT, COMPANY_READERS, STAFF};
use crate::http::access::{Access::*, Route};

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/network", Roles(COMPANY_READERS), pages::network_page)
            .menu("nav-company-network"),
        Route::post("/network/members", Roles(STAFF), pages::network_join),
        Route::post("/network/leave", Roles(STAFF), pages::network_leave),
        Route::post(
            "/network/slots",
            Roles(COMPANY_READERS),
            pages::network_slot,
        ),
        Route::post(
            "/network/meetings",
            Roles(STAFF),
            pages::network_meeting_create,
        ),
        Route::get(
            "/network/meetings/{id}",
            Roles(COMPANY_READERS),
            pages::network_meeting_page,
        ),
        Route::post(
            "/network/meetings/{id}/signup",
            Roles(COMPANY_CONTACT),
            pages::network_signup,
        ),
        Route::post(
            "/network/meetings/{id}/attendance",
            Roles(STAFF),
            pages::network_attendance,
        ),
        Route::post(
            "/network/meetings/{id}/notes",
            Roles(STAFF),
            pages::network_notes,
        ),
        Route::post(
            "/network/meetings/{id}/cancel",
            Roles(STAFF),
            pages::network_cancel,
        ),
        Route::get(
            "/companies/{id}/contact-log",
            Roles(STAFF),
            pages::contact_log_page,
        ),
        Route::post(
            "/companies/{id}/contact-log",
            Roles(STAFF),
            pages::contact_log_add,
        ),
        Route::api_get(
            "/api/v1/company-network",
            Roles(COMPANY_READERS),
            api::network_get,
        ),
        Route::api_post(
            "/api/v1/company-network/members",
            Roles(STAFF),
            api::network_join,
        ),
        Route::api_post(
            "/api/v1/company-network/leave",
            Roles(STAFF),
            api::network_leave,
        ),
        Route::api_post(
            "/api/v1/company-network/slots",
            Roles(COMPANY_READERS),
            api::slot_create,
        ),
        Route::api_get(
            "/api/v1/companies/{id}/slots",
            Roles(COMPANY_READERS),
            api::company_slots,
        ),
        Route::api_post(
            "/api/v1/company-network/meetings",
            Roles(STAFF),
            api::meeting_create,
        ),
        Route::api_get(
            "/api/v1/network-meetings/{id}",
            Roles(COMPANY_READERS),
            api::meeting_get,
        ),
        Route::api_post(
            "/api/v1/network-meetings/{id}/signup",
            Roles(COMPANY_CONTACT),
            api::meeting_signup,
        ),
        Route::api_post(
            "/api/v1/network-meetings/{id}/attendance",
            Roles(STAFF),
            api::meeting_attendance,
        ),
        Route::api_post(
            "/api/v1/network-meetings/{id}/notes",
            Roles(STAFF),
            api::meeting_notes,
        ),
        Route::api_post(
            "/api/v1/network-meetings/{id}/cancel",
            Roles(STAFF),
            api::meeting_cancel,
        ),
        Route::api_get(
            "/api/v1/companies/{id}/contact-log",
            Roles(STAFF),
            api::contact_log_get,
        ),
        Route::api_post(
            "/api/v1/companies/{id}/contact-log",
            Roles(STAFF),
            api::contact_log_add,
        ),
    ]
}
