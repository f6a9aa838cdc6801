//! Administration: users and their roles.

pub mod api;
pub mod forms;
pub mod pages;

use crate::http::access::roles::ADMIN;
use crate::http::access::{Access::*, Route};

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/admin/users", Roles(ADMIN), pages::admin_users).menu("nav-users"),
        Route::post("/admin/users", Roles(ADMIN), pages::admin_users_create),
        Route::api_get("/api/v1/users", Roles(ADMIN), api::users),
    ]
}
