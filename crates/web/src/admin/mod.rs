//! Administration: users and their roles, and the municipalities in Spire.

pub mod api;
pub mod forms;
pub mod log;
pub mod municipalities;
pub mod pages;
pub mod user_page;

use crate::http::access::roles::{ACCOUNT_STEWARDS, ADMIN, TEAM_LEAD};
use crate::http::access::{Access::*, Route};

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/admin/users", Roles(ADMIN), pages::admin_users).menu("nav-users"),
        Route::post("/admin/users", Roles(ADMIN), pages::admin_users_create),
        Route::get("/admin/users/{id}", Roles(ADMIN), user_page::page),
        Route::post("/admin/users/{id}/name", Roles(ADMIN), user_page::rename),
        Route::post(
            "/admin/users/{id}/team",
            Roles(ADMIN),
            user_page::place_in_team,
        ),
        Route::post("/admin/users/{id}/link", Roles(ADMIN), user_page::link),
        Route::post(
            "/admin/users/{id}/deactivate",
            Roles(ADMIN),
            user_page::deactivate,
        ),
        Route::post(
            "/admin/users/{id}/reactivate",
            Roles(ADMIN),
            user_page::reactivate,
        ),
        Route::get("/admin/municipalities", Roles(ADMIN), municipalities::page)
            .menu("nav-municipalities"),
        Route::post(
            "/admin/municipalities",
            Roles(ADMIN),
            municipalities::add_page,
        ),
        Route::get(log::PAGE, Roles(ACCOUNT_STEWARDS), log::page).menu("nav-admin-log"),
        Route::post(
            "/admin/log/unblock",
            Roles(ACCOUNT_STEWARDS),
            log::unblock_page,
        ),
        Route::post("/admin/log/approve", Roles(TEAM_LEAD), log::approve_page),
        Route::api_get("/api/v1/users", Roles(ADMIN), api::users),
        Route::api_post(
            "/api/v1/users/{id}/deactivate",
            Roles(ADMIN),
            api::deactivate,
        ),
        Route::api_post(
            "/api/v1/users/{id}/reactivate",
            Roles(ADMIN),
            api::reactivate,
        ),
        Route::api_get("/api/v1/admin-log", Roles(ACCOUNT_STEWARDS), log::log_api),
        Route::api_post(
            "/api/v1/admin-log/approve",
            Roles(TEAM_LEAD),
            log::approve_api,
        ),
        Route::api_post(
            "/api/v1/admin-log/unblock",
            Roles(ACCOUNT_STEWARDS),
            log::unblock_api,
        ),
        Route::api_post(
            "/api/v1/municipalities",
            Roles(ADMIN),
            municipalities::add_api,
        ),
    ]
}
