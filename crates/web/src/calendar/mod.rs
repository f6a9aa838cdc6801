//! Calendar feeds (RFC 5545): each person makes secret, revocable addresses
//! for the calendars they may see — a youth their own meetings and
//! internship days, staff a youth group, staff and company contacts the
//! company network — and subscribes to them in their phone's calendar.

pub mod pages;

use crate::http::access::roles::CALENDAR_USERS;
use crate::http::access::{Access::*, Route};

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/calendar", Roles(CALENDAR_USERS), pages::calendar_page).menu("nav-calendar"),
        Route::post("/calendar", Roles(CALENDAR_USERS), pages::calendar_create),
        Route::post(
            "/calendar/revoke",
            Roles(CALENDAR_USERS),
            pages::calendar_revoke,
        ),
        Route::get("/feeds/{token}", Public, pages::feed),
    ]
}
