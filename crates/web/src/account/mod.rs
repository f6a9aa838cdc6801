//! The account: logging in and out, two-factor log-in, and each role's home.

pub mod api;
pub mod home;
pub mod login;
pub mod tokens;
pub mod two_factor;

use crate::http::access::roles::API_USERS;
use crate::http::access::{Access::*, Route, TWO_FACTOR_PAGE, TWO_FACTOR_START};

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/login", Public, login::login_page),
        Route::post("/login", Public, login::login_submit),
        Route::post("/logout", AnyUser, login::logout),
        Route::get("/login/code", SecondFactor, two_factor::code_page),
        Route::post("/login/code", SecondFactor, two_factor::code_submit),
        Route::get(TWO_FACTOR_PAGE, AnyUser, two_factor::enrolment_page),
        Route::post(TWO_FACTOR_PAGE, AnyUser, two_factor::enrolment_submit),
        Route::post(TWO_FACTOR_START, AnyUser, two_factor::enrolment_start),
        Route::get("/home", AnyUser, home::home).menu("nav-home"),
        Route::api_get("/api/v1/me", AnyUser, api::me),
        Route::get(tokens::PAGE, Roles(API_USERS), tokens::page).menu("nav-tokens"),
        Route::post(tokens::PAGE, Roles(API_USERS), tokens::create),
        Route::post(
            "/account/tokens/revoke",
            Roles(API_USERS),
            tokens::revoke_page,
        ),
        Route::api_get("/api/v1/tokens", Roles(API_USERS), tokens::list_api),
        Route::api_post(
            "/api/v1/tokens/revoke",
            Roles(API_USERS),
            tokens::revoke_api,
        ),
    ]
}
