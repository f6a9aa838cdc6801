//! The OpenAPI 3.1 document of `/api/v1`, written by hand so that a route
//! added to the router without documentation is caught by a test.

pub const DOCUMENT: &str = include_str!("../openapi.json");
