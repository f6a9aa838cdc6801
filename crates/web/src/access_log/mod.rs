//! The access log: who has looked at whose personal data (the team lead's
//! search, one young person's extract, and a young person's own view).

pub mod api;
pub mod pages;

use crate::http::access::roles::{TEAM_LEAD, YOUTH};
use crate::http::access::{Access::*, Route};

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/access-log", Roles(TEAM_LEAD), pages::access_log).menu("nav-access-log"),
        Route::get(
            "/youth/{id}/access-log",
            Roles(TEAM_LEAD),
            pages::youth_access_log,
        ),
        Route::get("/me/access-log", Roles(YOUTH), pages::my_access_log).menu("nav-my-access-log"),
        Route::api_get(
            "/api/v1/youth/{id}/access-log",
            Roles(TEAM_LEAD),
            api::youth_access_log,
        ),
        Route::api_get("/api/v1/access-log", Roles(TEAM_LEAD), api::access_log),
    ]
}
