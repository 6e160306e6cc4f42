//! Every route × every role, against one fixture with a protected person and
//! a household member without consent.
//!
//! The routes are read from the router's own declarations
//! (`crates/web/src/pages/`, `crates/web/src/api/`); a route without a row in [`TABLE`] fails
//! the test, and so does a row for a route that no longer exists. For each
//! row and role the answer's status must be the one in the table, and no
//! body may carry the protected person's whereabouts to someone not named
//! on the record, nor the member without consent to another agency.
//!
//! Write routes are called with bodies that change nothing (empty, or a
//! step the record's state refuses), so that every role meets the record in
//! the same state: the table shows who passes the gate (a validation error
//! or a refusal of the state) and who is stopped at it (404, 403, 401).

use crate::common;

use axum::http::StatusCode;
use common::{Backend, TestApp, USER_PASSWORD};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// The roles, in the order of the table's columns.
const ROLES: [&str; 14] = [
    "Rc", // staff of the 受付機関, named on the protected record
    "Co", // a colleague at the 受付機関, not named
    "Rx", // a receiving agency whose handoff stands (received)
    "Rw", // a receiving agency whose handoff was withdrawn
    "Un", // an unrelated agency
    "Se", // the 事務局 (多機関協働), which received the person and opened the case
    "Yo", // a よりそい会議 member from another agency (the case is on its agenda)
    "Sp", // a 支援会議 member who has not pledged
    "SP", // a 支援会議 member who has pledged
    "Ci", // city staff
    "Au", // auditor
    "Ad", // administrator
    "Pr", // a 相談支援包括化推進員 (agency 8) who sits on the 支援会議 and pledged
    "No", // signed out
];

/// One row: the route as declared, the request made (ids filled from the
/// fixture), its body (JSON for the API, a form for pages) and the expected
/// status for each role, in the order of [`ROLES`].
struct Row {
    method: &'static str,
    route: &'static str,
    path: &'static str,
    body: &'static str,
    expect: &'static str,
}

const fn r(
    method: &'static str,
    route: &'static str,
    path: &'static str,
    body: &'static str,
    expect: &'static str,
) -> Row {
    Row {
        method,
        route,
        path,
        body,
        expect,
    }
}

// Placeholders: {P} the protected person, {C} their consultation, {H2} the
// standing handoff, {H4} the withdrawn one, {HS} the one to the 事務局,
// {K} the case, {MY} the よりそい会議, {MS} the 支援会議, {TS} the task the
// 支援会議 gave, {T} the outreach target, {MENU} a 支援メニュー, {MATCH} the
// person's match, {E} an event, {AG} an agency, {U} a user, {Q} another
// person of the 受付機関 (for merges).
//
// Statuses: 200 OK, 201 created, 204 no content, 303 redirect (a page that
// did its work, or signed out → the sign-in page), 400/422 a body refused
// after the gate, 401 signed out (API), 403 in scope but not theirs, 404
// out of scope or absent, 405 not on this method, 409 the state refuses.
#[rustfmt::skip]
const TABLE: &[Row] = &[
    //                                                                                                                  Rc  Co  Rx  Rw  Un  Se  Yo  Sp  SP  Ci  Au  Ad  Pr  No
    // ---- pages ----
    r("GET",  "/",                                   "/",                                   "", "200 200 200 200 200 200 200 200 200 200 200 200 200 303"),
    r("GET",  "/forms/failed/{id}",                  "/forms/failed/unknown",               "", "404 404 404 404 404 404 404 404 404 404 404 404 404 303"),
    r("GET",  "/login",                              "/login",                              "", "200 200 200 200 200 200 200 200 200 200 200 200 200 200"),
    r("POST", "/login",                              "/login",                              "", "400 400 400 400 400 400 400 400 400 400 400 400 400 400"),
    r("POST", "/logout",                             "/logout",                             "", "303 303 303 303 303 303 303 303 303 303 303 303 303 303"),
    r("GET",  "/agencies",                           "/agencies",                           "", "200 200 200 200 200 200 200 200 200 200 200 200 200 303"),
    r("GET",  "/agencies/{id}",                      "/agencies/{AG}",                      "", "200 200 200 200 200 200 200 200 200 200 200 200 200 303"),
    r("POST", "/agencies/{id}/contact",              "/agencies/{AG}/contact",              "", "403 403 403 403 403 403 403 403 403 403 403 303 403 303"),
    r("GET",  "/departments",                        "/departments",                        "", "200 200 200 200 200 200 200 200 200 200 200 200 200 303"),
    r("GET",  "/network",                            "/network",                            "", "200 200 200 200 200 200 200 200 200 200 200 200 200 303"),
    r("GET",  "/consultations/new",                  "/consultations/new",                  "", "200 200 200 200 200 200 200 200 200 403 403 403 403 303"),
    r("POST", "/consultations",                      "/consultations",                      "", "422 422 422 422 422 422 422 422 422 403 403 403 403 303"),
    r("GET",  "/consultations/{id}",                 "/consultations/{C}",                  "", "200 200 200 404 404 200 404 404 404 404 404 404 404 303"),
    r("POST", "/consultations/{id}",                 "/consultations/{C}",                  "", "422 422 403 404 404 403 404 404 404 404 404 404 404 303"),
    r("POST", "/consultations/{id}/void",            "/consultations/{C}/void",             "", "422 422 403 404 404 403 404 404 404 404 404 404 404 303"),
    r("GET",  "/consultations/{id}/print",           "/consultations/{C}/print",            "", "200 200 200 404 404 200 404 404 404 404 404 404 404 303"),
    r("POST", "/consultations/{id}/consent",         "/consultations/{C}/consent",          "", "400 400 400 400 400 400 400 400 400 400 400 400 400 303"),
    r("GET",  "/consultations/{id}/handoffs",        "/consultations/{C}/handoffs",         "", "200 200 200 404 404 200 404 404 404 404 404 404 404 303"),
    r("POST", "/consultations/{id}/handoffs",        "/consultations/{C}/handoffs",         "", "422 422 422 404 404 422 404 404 404 404 404 404 404 303"),
    r("GET",  "/handoffs",                           "/handoffs",                           "", "200 200 200 200 200 200 200 200 200 200 200 200 200 303"),
    r("GET",  "/handoffs/{id}",                      "/handoffs/{H2}",                      "", "200 200 200 404 404 404 404 404 404 404 404 404 404 303"),
    r("GET",  "/handoffs/{id}/print",                "/handoffs/{H4}/print",                "", "200 200 404 404 404 404 404 404 404 404 404 404 404 303"),
    r("POST", "/handoffs/{id}/{step}",               "/handoffs/{H4}/receive",              "", "403 403 404 404 404 404 404 404 404 404 404 404 404 303"),
    r("GET",  "/cases",                              "/cases",                              "", "200 200 200 200 200 200 200 200 200 200 200 200 200 303"),
    r("POST", "/cases",                              "/cases",                              "", "400 400 400 400 400 400 400 400 400 400 400 400 400 303"),
    r("GET",  "/cases/{id}",                         "/cases/{K}",                          "", "200 200 404 404 404 200 200 404 404 404 404 404 404 303"),
    r("GET",  "/cases/{id}/plan/print",              "/cases/{K}/plan/print",               "", "404 404 404 404 404 404 404 404 404 404 404 404 404 303"),
    r("POST", "/cases/{id}/{action}",                "/cases/{K}/resume",                   "", "403 403 404 404 404 409 403 404 404 404 404 404 404 303"),
    r("GET",  "/meetings",                           "/meetings",                           "", "200 200 200 200 200 200 200 200 200 200 200 200 200 303"),
    r("POST", "/meetings",                           "/meetings",                           "", "403 403 403 403 403 422 403 403 403 422 403 403 403 303"),
    r("POST", "/meetings/agenda",                    "/meetings/agenda",                    "", "400 400 400 400 400 400 400 400 400 400 400 400 400 303"),
    r("GET",  "/meetings/{id}",                      "/meetings/{MS}",                      "", "404 404 404 404 404 200 404 403 200 404 404 404 200 303"),
    r("POST", "/meetings/{id}/agenda",               "/meetings/{MY}/agenda",               "", "400 400 400 400 400 400 400 400 400 400 400 400 400 303"),
    r("POST", "/meetings/{id}/pledge",               "/meetings/{MY}/pledge",               "", "404 404 404 404 404 422 422 404 404 404 404 404 404 303"),
    r("POST", "/meetings/{id}/minutes",              "/meetings/{MS}/minutes",              "", "404 404 404 404 404 303 404 403 303 404 404 404 303 303"),
    r("POST", "/meetings/{id}/attendance",           "/meetings/{MS}/attendance",           "", "404 404 404 404 404 303 404 403 303 404 404 404 303 303"),
    r("POST", "/meetings/{id}/attendees",            "/meetings/{MS}/attendees",            "", "404 404 404 404 404 422 404 403 422 404 404 404 422 303"),
    r("POST", "/meetings/{id}/links",                "/meetings/{MS}/links",                "", "400 400 400 400 400 400 400 400 400 400 400 400 400 303"),
    r("POST", "/meetings/{id}/decisions",            "/meetings/{MS}/decisions",            "", "404 404 404 404 404 422 404 403 422 404 404 404 422 303"),
    r("GET",  "/meetings/{id}/print",                "/meetings/{MS}/print",                "", "404 404 404 404 404 200 404 403 200 404 404 404 200 303"),
    r("POST", "/tasks/{id}/done",                    "/tasks/{TS}/done",                    "", "404 404 404 404 404 404 404 404 404 404 404 404 404 303"),
    r("POST", "/tasks/{id}/undo",                    "/tasks/{TS}/undo",                    "", "404 404 404 404 404 404 404 404 404 404 404 404 404 303"),
    r("GET",  "/outreach",                           "/outreach",                           "", "200 200 200 200 200 200 200 200 200 200 200 200 200 303"),
    r("POST", "/outreach",                           "/outreach",                           "", "422 422 422 422 422 422 422 422 422 403 403 403 403 303"),
    r("GET",  "/outreach/{id}",                      "/outreach/{T}",                       "", "200 200 404 404 404 200 404 404 404 404 404 404 404 303"),
    r("POST", "/outreach/{id}/attempts",             "/outreach/{T}/attempts",              "", "422 422 404 404 404 422 404 404 404 404 404 404 404 303"),
    r("GET",  "/participation",                      "/participation",                      "", "200 200 200 200 200 200 200 200 200 200 200 200 200 303"),
    r("POST", "/participation/menus",                "/participation/menus",                "", "403 403 403 403 403 422 403 403 403 403 403 403 403 303"),
    r("GET",  "/participation/menus/{id}",           "/participation/menus/{MENU}",         "", "200 200 200 200 200 200 200 200 200 200 200 200 200 303"),
    r("POST", "/participation/menus/{id}/host-supports", "/participation/menus/{MENU}/host-supports", "", "403 403 403 403 403 422 403 403 403 403 403 403 403 303"),
    r("POST", "/participation/matches",              "/participation/matches",              "", "404 404 404 404 404 404 404 404 404 404 404 404 404 303"),
    r("GET",  "/participation/matches/{id}",         "/participation/matches/{MATCH}",      "", "200 200 200 404 404 200 404 404 404 404 404 404 404 303"),
    r("POST", "/participation/matches/{id}/follow-ups", "/participation/matches/{MATCH}/follow-ups", "", "422 422 422 404 404 422 404 404 404 404 404 404 404 303"),
    r("GET",  "/resources",                          "/resources",                          "", "200 200 200 200 200 200 200 200 200 200 200 200 200 303"),
    r("POST", "/resources",                          "/resources",                          "", "422 422 422 422 422 422 422 422 422 422 403 422 403 303"),
    r("POST", "/resources/{id}/close",               "/resources/{RES}/close",              "", "409 409 409 409 409 409 409 409 409 409 403 409 403 303"),
    r("GET",  "/resources/export.csv",               "/resources/export.csv",               "", "200 200 200 200 200 200 200 200 200 200 200 200 200 303"),
    r("GET",  "/resources/hsds.json",                "/resources/hsds.json",                "", "200 200 200 200 200 200 200 200 200 200 200 200 200 303"),
    r("GET",  "/events",                             "/events",                             "", "200 200 200 200 200 200 200 200 200 200 200 200 200 303"),
    r("POST", "/events",                             "/events",                             "", "422 422 422 422 422 422 422 422 422 422 403 403 403 303"),
    r("GET",  "/events/{id}",                        "/events/{E}",                         "", "200 200 200 200 200 200 200 200 200 200 200 200 200 303"),
    r("GET",  "/persons",                            "/persons",                            "", "200 200 200 200 200 200 200 200 200 200 403 403 403 303"),
    r("GET",  "/persons/{id}",                       "/persons/{P}",                        "", "200 200 200 404 404 200 404 404 404 404 404 404 404 303"),
    r("GET",  "/persons/{id}/edit",                  "/persons/{P}/edit",                   "", "200 403 403 404 404 403 404 404 404 404 404 404 404 303"),
    r("POST", "/persons/{id}/edit",                  "/persons/{P}/edit",                   "", "422 403 403 404 404 403 404 404 404 404 404 404 404 303"),
    r("POST", "/persons/{id}/notes",                 "/persons/{P}/notes",                  "", "422 422 422 404 404 422 404 404 404 404 404 404 404 303"),
    r("POST", "/persons/{id}/protection",            "/persons/{P}/protection",             "protected=true", "303 403 403 404 404 403 404 404 404 404 404 404 404 303"),
    r("POST", "/persons/{id}/merge",                 "/persons/{P}/merge",                  "merge_person_id={P}", "403 403 403 403 403 409 403 403 403 403 403 409 403 303"),
    r("POST", "/persons/{id}/unmerge/{merged}",      "/persons/{P}/unmerge/{Q}",            "", "403 403 403 403 403 404 403 403 403 403 403 404 403 303"),
    r("GET",  "/address",                            "/address",                            "", "200 200 200 200 200 200 200 200 200 200 200 200 200 303"),
    r("GET",  "/address/route.json",                 "/address/route.json?q=盛岡市本宮五丁目", "", "200 200 200 200 200 200 200 200 200 200 200 200 200 303"),
    r("GET",  "/address/postal.json",                "/address/postal.json?code=0200066",  "", "200 200 200 200 200 200 200 200 200 200 200 200 200 303"),
    r("GET",  "/admin/users",                        "/admin/users",                        "", "403 403 403 403 403 403 403 403 403 403 403 200 403 303"),
    r("POST", "/admin/users",                        "/admin/users",                        "", "403 403 403 403 403 403 403 403 403 403 403 422 403 303"),
    r("GET",  "/admin/users/new",                    "/admin/users/new",                    "", "403 403 403 403 403 403 403 403 403 403 403 200 403 303"),
    r("POST", "/admin/users/{id}/active",            "/admin/users/{U}/active",             "active=true", "403 403 403 403 403 403 403 403 403 403 403 303 403 303"),
    r("GET",  "/admin/users/{id}/sessions",          "/admin/users/{U}/sessions",           "", "403 403 403 403 403 403 403 403 403 403 403 200 403 303"),
    r("POST", "/admin/users/{id}/sessions/end",      "/admin/users/99999/sessions/end",     "", "403 403 403 403 403 403 403 403 403 403 403 404 403 303"),
    r("POST", "/admin/locks/lift",                   "/admin/locks/lift",                   "username=nobody", "403 403 403 403 403 403 403 403 403 403 403 404 403 303"),
    r("POST", "/admin/users/{id}/password-change",   "/admin/users/99999/password-change",  "", "403 403 403 403 403 403 403 403 403 403 403 404 403 303"),
    r("GET",  "/me/password",                        "/me/password",                        "", "200 200 200 200 200 200 200 200 200 200 200 200 200 303"),
    r("POST", "/me/password",                        "/me/password",                        "", "422 422 422 422 422 422 422 422 422 422 422 422 422 303"),
    r("GET",  "/me/totp",                            "/me/totp",                            "", "200 200 200 200 200 200 200 200 200 200 200 200 200 303"),
    r("POST", "/me/totp",                            "/me/totp",                            "", "303 303 303 303 303 303 303 303 303 303 303 303 303 303"),
    r("POST", "/me/totp/confirm",                    "/me/totp/confirm",                    "code=12", "422 422 422 422 422 422 422 422 422 422 422 422 422 303"),
    r("POST", "/me/reauthenticate",                  "/me/reauthenticate",                  "", "401 401 401 401 401 401 401 401 401 401 401 401 401 303"),
    r("POST", "/admin/users/{id}/totp/reset",        "/admin/users/99999/totp/reset",       "", "403 403 403 403 403 403 403 403 403 403 403 404 403 303"),
    r("GET",  "/audit",                              "/audit",                              "", "403 403 403 403 403 403 403 403 403 403 200 200 403 303"),
    r("GET",  "/reports",                            "/reports?fiscal_year=2026",           "", "200 200 200 200 200 200 200 200 200 200 403 403 403 303"),
    r("GET",  "/reports/annual.csv",                 "/reports/annual.csv?fiscal_year=2026", "", "200 200 200 200 200 200 200 200 200 200 403 403 403 303"),
    r("GET",  "/reports/annual.xlsx",                "/reports/annual.xlsx?fiscal_year=2026&publication=1", "", "200 200 200 200 200 200 200 200 200 200 403 403 403 303"),
    r("GET",  "/trainings",                          "/trainings",                          "", "200 200 200 200 200 200 200 200 200 200 403 403 403 303"),
    r("POST", "/trainings",                          "/trainings",                          "", "403 403 403 403 403 422 403 403 403 422 403 403 403 303"),
    r("GET",  "/assets/app.css",                     "/assets/app.css",                     "", "200 200 200 200 200 200 200 200 200 200 200 200 200 200"),
    r("GET",  "/assets/address.js",                  "/assets/address.js",                  "", "200 200 200 200 200 200 200 200 200 200 200 200 200 200"),
    r("GET",  "/assets/picker.js",                   "/assets/picker.js",                   "", "200 200 200 200 200 200 200 200 200 200 200 200 200 200"),
    r("GET",  "/assets/forms.js",                    "/assets/forms.js",                   "", "200 200 200 200 200 200 200 200 200 200 200 200 200 200"),
    r("GET",  "/assets/print.css",                   "/assets/print.css",                   "", "200 200 200 200 200 200 200 200 200 200 200 200 200 200"),
    r("GET",  "/healthz",                            "/healthz",                            "", "200 200 200 200 200 200 200 200 200 200 200 200 200 200"),
    r("GET",  "/api/openapi.json",                   "/api/openapi.json",                   "", "200 200 200 200 200 200 200 200 200 200 200 200 200 200"),
    // ---- the API ----
    r("POST", "/api/v1/auth/login",                  "/api/v1/auth/login",                  "{}", "400 400 400 400 400 400 400 400 400 400 400 400 400 400"),
    r("POST", "/api/v1/auth/logout",                 "/api/v1/auth/logout",                 "", "204 204 204 204 204 204 204 204 204 204 204 204 204 401"),
    r("GET",  "/api/v1/me",                          "/api/v1/me",                          "", "200 200 200 200 200 200 200 200 200 200 200 200 200 401"),
    r("GET",  "/api/v1/me/desk",                     "/api/v1/me/desk",                     "", "200 200 200 200 200 200 200 200 200 200 200 200 200 401"),
    r("GET",  "/api/v1/agencies",                    "/api/v1/agencies",                    "", "200 200 200 200 200 200 200 200 200 200 200 200 200 401"),
    r("GET",  "/api/v1/agencies/{id}",               "/api/v1/agencies/{AG}",               "", "200 200 200 200 200 200 200 200 200 200 200 200 200 401"),
    r("PUT",  "/api/v1/agencies/{id}/contact",       "/api/v1/agencies/{AG}/contact",       "{}", "403 403 403 403 403 403 403 403 403 403 403 200 403 401"),
    r("GET",  "/api/v1/departments",                 "/api/v1/departments",                 "", "200 200 200 200 200 200 200 200 200 200 200 200 200 401"),
    r("GET",  "/api/v1/network-members",             "/api/v1/network-members",             "", "200 200 200 200 200 200 200 200 200 200 200 200 200 401"),
    r("GET",  "/api/v1/users",                       "/api/v1/users",                       "", "403 403 403 403 403 403 403 403 403 403 403 200 403 401"),
    r("POST", "/api/v1/users",                       "/api/v1/users",                       "{\"username\":\"\",\"password\":\"\",\"display_name\":\"\",\"role\":\"\"}", "403 403 403 403 403 403 403 403 403 403 403 422 403 401"),
    r("GET",  "/api/v1/users/{id}/sessions",         "/api/v1/users/{U}/sessions",          "", "403 403 403 403 403 403 403 403 403 403 403 200 403 401"),
    r("POST", "/api/v1/users/{id}/sessions/end",     "/api/v1/users/99999/sessions/end",    "", "403 403 403 403 403 403 403 403 403 403 403 404 403 401"),
    r("GET",  "/api/v1/admin/locks",                 "/api/v1/admin/locks",                 "", "403 403 403 403 403 403 403 403 403 403 403 200 403 401"),
    r("POST", "/api/v1/users/{id}/require-password-change", "/api/v1/users/99999/require-password-change", "", "403 403 403 403 403 403 403 403 403 403 403 404 403 401"),
    r("POST", "/api/v1/me/password",                 "/api/v1/me/password",                 "{\"current_password\":\"x\",\"new_password\":\"y\"}", "422 422 422 422 422 422 422 422 422 422 422 422 422 401"),
    r("POST", "/api/v1/me/totp",                     "/api/v1/me/totp",                     "{}", "201 201 201 201 201 201 201 201 201 201 201 201 201 401"),
    r("POST", "/api/v1/me/totp/confirm",             "/api/v1/me/totp/confirm",             "{\"code\":\"12\"}", "422 422 422 422 422 422 422 422 422 422 422 422 422 401"),
    r("POST", "/api/v1/me/reauthenticate",           "/api/v1/me/reauthenticate",           "{}", "422 422 422 422 422 422 422 422 422 422 422 422 422 401"),
    r("POST", "/api/v1/users/{id}/totp/reset",       "/api/v1/users/99999/totp/reset",      "", "403 403 403 403 403 403 403 403 403 403 403 404 403 401"),
    r("POST", "/api/v1/admin/locks/{username}/lift", "/api/v1/admin/locks/nobody/lift",     "", "403 403 403 403 403 403 403 403 403 403 403 404 403 401"),
    r("GET",  "/api/v1/audit-events",                "/api/v1/audit-events",                "", "403 403 403 403 403 403 403 403 403 403 200 200 403 401"),
    r("GET",  "/api/v1/address/route",               "/api/v1/address/route?q=盛岡市本宮五丁目", "", "200 200 200 200 200 200 200 200 200 200 200 200 200 401"),
    r("GET",  "/api/v1/address/postal/{code}",       "/api/v1/address/postal/0200066",      "", "200 200 200 200 200 200 200 200 200 200 200 200 200 401"),
    r("POST", "/api/v1/consultations",               "/api/v1/consultations",               "{}", "422 422 422 422 422 422 422 422 422 403 403 403 403 401"),
    r("GET",  "/api/v1/consultations/{id}",          "/api/v1/consultations/{C}",           "", "200 200 200 404 404 200 404 404 404 404 404 404 404 401"),
    r("PUT",  "/api/v1/consultations/{id}",          "/api/v1/consultations/{C}",           "{}", "422 422 403 404 404 403 404 404 404 404 404 404 404 401"),
    r("POST", "/api/v1/consultations/{id}/void",     "/api/v1/consultations/{C}/void",      "{}", "422 422 403 404 404 403 404 404 404 404 404 404 404 401"),
    r("POST", "/api/v1/consultations/{id}/consent",  "/api/v1/consultations/{C}/consent",   "{\"position\":99,\"consent\":\"yes\"}", "422 422 403 404 404 403 404 404 404 404 404 404 404 401"),
    r("GET",  "/api/v1/persons",                     "/api/v1/persons",                     "", "400 400 400 400 400 400 400 400 400 400 400 400 400 401"),
    r("GET",  "/api/v1/persons/{id}",                "/api/v1/persons/{P}",                 "", "200 200 200 404 404 200 404 404 404 404 404 404 404 401"),
    r("PUT",  "/api/v1/persons/{id}",                "/api/v1/persons/{P}",                 "{}", "422 403 403 404 404 403 404 404 404 404 404 404 404 401"),
    r("POST", "/api/v1/persons/{id}/notes",          "/api/v1/persons/{P}/notes",           "{}", "422 422 422 404 404 422 404 404 404 404 404 404 404 401"),
    r("POST", "/api/v1/persons/{id}/protection",     "/api/v1/persons/{P}/protection",      "{\"protected\":true,\"viewer_user_ids\":[]}", "204 403 403 404 404 403 404 404 404 404 404 404 404 401"),
    r("POST", "/api/v1/persons/merge",               "/api/v1/persons/merge",               "{\"keep_person_id\":{P},\"merge_person_id\":{P}}", "403 403 403 403 403 409 403 403 403 403 403 409 403 401"),
    r("POST", "/api/v1/persons/{id}/unmerge",        "/api/v1/persons/{Q}/unmerge",         "", "403 403 403 403 403 404 403 403 403 403 403 404 403 401"),
    r("POST", "/api/v1/handoffs",                    "/api/v1/handoffs",                    "{\"consultation_id\":{C}}", "422 422 422 404 404 422 404 404 404 404 404 404 404 401"),
    r("GET",  "/api/v1/handoffs",                    "/api/v1/handoffs",                    "", "200 200 200 200 200 200 200 200 200 200 200 200 200 401"),
    r("GET",  "/api/v1/handoffs/suggestions",        "/api/v1/handoffs/suggestions?consultation_id={C}", "", "200 200 200 404 404 200 404 404 404 404 404 404 404 401"),
    r("GET",  "/api/v1/handoffs/{id}",               "/api/v1/handoffs/{H2}",               "", "200 200 200 404 404 404 404 404 404 404 404 404 404 401"),
    r("POST", "/api/v1/handoffs/{id}/receive",       "/api/v1/handoffs/{H2}/receive",       "", "403 403 409 404 404 404 404 404 404 404 404 404 404 401"),
    r("POST", "/api/v1/handoffs/{id}/start",         "/api/v1/handoffs/{H4}/start",         "", "403 403 404 404 404 404 404 404 404 404 404 404 404 401"),
    r("POST", "/api/v1/handoffs/{id}/report",        "/api/v1/handoffs/{H2}/report",        "{}", "403 403 422 404 404 404 404 404 404 404 404 404 404 401"),
    r("POST", "/api/v1/handoffs/{id}/acknowledge",   "/api/v1/handoffs/{H2}/acknowledge",   "", "409 409 403 404 404 404 404 404 404 404 404 404 404 401"),
    r("POST", "/api/v1/handoffs/{id}/return",        "/api/v1/handoffs/{H2}/return",        "{}", "403 403 422 404 404 404 404 404 404 404 404 404 404 401"),
    r("POST", "/api/v1/handoffs/{id}/withdraw",      "/api/v1/handoffs/{H2}/withdraw",      "{}", "422 422 403 404 404 404 404 404 404 404 404 404 404 401"),
    r("POST", "/api/v1/handoffs/{id}/resend",        "/api/v1/handoffs/{H2}/resend",        "{}", "409 409 403 404 404 404 404 404 404 404 404 404 404 401"),
    r("POST", "/api/v1/cases",                       "/api/v1/cases",                       "{\"consultation_id\":{C}}", "403 403 403 404 404 409 404 404 404 404 404 404 404 401"),
    r("GET",  "/api/v1/cases",                       "/api/v1/cases",                       "", "200 200 200 200 200 200 200 200 200 200 200 200 200 401"),
    r("GET",  "/api/v1/cases/{id}",                  "/api/v1/cases/{K}",                   "", "200 200 404 404 404 200 200 404 404 404 404 404 404 401"),
    r("POST", "/api/v1/cases/{id}/assessment",       "/api/v1/cases/{K}/assessment",        "{}", "403 403 404 404 404 422 403 404 404 404 404 404 404 401"),
    r("POST", "/api/v1/cases/{id}/plans",            "/api/v1/cases/{K}/plans",             "{}", "403 403 404 404 404 422 403 404 404 404 404 404 404 401"),
    r("POST", "/api/v1/cases/{id}/consent",          "/api/v1/cases/{K}/consent",           "{}", "403 403 404 404 404 422 403 404 404 404 404 404 404 401"),
    r("POST", "/api/v1/cases/{id}/monitoring",       "/api/v1/cases/{K}/monitoring",        "", "403 403 404 404 404 409 403 404 404 404 404 404 404 401"),
    r("POST", "/api/v1/cases/{id}/resume",           "/api/v1/cases/{K}/resume",            "", "403 403 404 404 404 409 403 404 404 404 404 404 404 401"),
    r("POST", "/api/v1/cases/{id}/close",            "/api/v1/cases/{K}/close",             "{}", "403 403 404 404 404 409 403 404 404 404 404 404 404 401"),
    r("POST", "/api/v1/cases/{id}/return",           "/api/v1/cases/{K}/return",            "{}", "403 403 404 404 404 422 403 404 404 404 404 404 404 401"),
    r("POST", "/api/v1/meetings",                    "/api/v1/meetings",                    "{}", "403 403 403 403 403 422 403 403 403 422 403 403 403 401"),
    r("GET",  "/api/v1/meetings",                    "/api/v1/meetings",                    "", "200 200 200 200 200 200 200 200 200 200 200 200 200 401"),
    r("GET",  "/api/v1/meetings/{id}",               "/api/v1/meetings/{MS}",               "", "404 404 404 404 404 200 404 403 200 404 404 404 200 401"),
    r("POST", "/api/v1/meetings/{id}/pledge",        "/api/v1/meetings/{MY}/pledge",        "", "404 404 404 404 404 409 409 404 404 404 404 404 404 401"),
    r("POST", "/api/v1/meetings/{id}/agenda",        "/api/v1/meetings/{MY}/agenda",        "{\"case_id\":{K}}", "404 404 404 404 404 409 404 404 404 404 404 404 404 401"),
    r("POST", "/api/v1/meetings/{id}/minutes",       "/api/v1/meetings/{MS}/minutes",       "{\"minutes\":\"\"}", "404 404 404 404 404 200 404 403 200 404 404 404 200 401"),
    r("POST", "/api/v1/meetings/{id}/attendees",     "/api/v1/meetings/{MS}/attendees",     "{\"name\":\"上田 民子\",\"role\":\"commissioner\"}", "404 404 404 404 404 201 404 403 201 404 404 404 201 401"),
    r("POST", "/api/v1/meetings/{id}/attendance",    "/api/v1/meetings/{MS}/attendance",    "{\"user_id\":0,\"attended\":true}", "404 404 404 404 404 422 404 403 422 404 404 404 422 401"),
    r("POST", "/api/v1/meetings/{id}/links",         "/api/v1/meetings/{MS}/links",         "{\"agenda_item_id\":0,\"consultation_id\":{C}}", "404 404 404 404 404 404 404 403 404 404 404 404 404 401"),
    r("POST", "/api/v1/meetings/{id}/decisions",     "/api/v1/meetings/{MS}/decisions",     "{}", "404 404 404 404 404 422 404 403 422 404 404 404 422 401"),
    r("GET",  "/api/v1/reports/annual",              "/api/v1/reports/annual?fiscal_year=2026", "", "200 200 200 200 200 200 200 200 200 200 403 403 403 401"),
    r("GET",  "/api/v1/reports/annual.csv",          "/api/v1/reports/annual.csv?fiscal_year=2026", "", "200 200 200 200 200 200 200 200 200 200 403 403 403 401"),
    r("GET",  "/api/v1/reports/annual.xlsx",         "/api/v1/reports/annual.xlsx?fiscal_year=2026", "", "200 200 200 200 200 200 200 200 200 200 403 403 403 401"),
    r("GET",  "/api/v1/trainings",                   "/api/v1/trainings",                   "", "200 200 200 200 200 200 200 200 200 200 403 403 403 401"),
    r("POST", "/api/v1/trainings",                   "/api/v1/trainings",                   "{}", "403 403 403 403 403 422 403 403 403 422 403 403 403 401"),
    r("GET",  "/api/v1/tasks",                       "/api/v1/tasks",                       "", "200 200 200 200 200 200 200 200 200 200 200 200 200 401"),
    r("POST", "/api/v1/tasks/{id}/done",             "/api/v1/tasks/{TS}/done",             "", "404 404 404 404 404 404 404 404 404 404 404 404 404 401"),
    r("POST", "/api/v1/tasks/{id}/reopen",           "/api/v1/tasks/{TS}/reopen",           "", "404 404 404 404 404 404 404 404 404 404 404 404 404 401"),
    r("GET",  "/api/v1/outreach",                    "/api/v1/outreach",                    "", "200 200 200 200 200 200 200 200 200 200 200 200 200 401"),
    r("POST", "/api/v1/outreach",                    "/api/v1/outreach",                    "{}", "422 422 422 422 422 422 422 422 422 403 403 403 403 401"),
    r("GET",  "/api/v1/outreach/{id}",               "/api/v1/outreach/{T}",                "", "200 200 404 404 404 200 404 404 404 404 404 404 404 401"),
    r("POST", "/api/v1/outreach/{id}/attempts",      "/api/v1/outreach/{T}/attempts",       "{}", "422 422 404 404 404 422 404 404 404 404 404 404 404 401"),
    r("GET",  "/api/v1/participation/menus",         "/api/v1/participation/menus",         "", "200 200 200 200 200 200 200 200 200 200 200 200 200 401"),
    r("POST", "/api/v1/participation/menus",         "/api/v1/participation/menus",         "{}", "403 403 403 403 403 422 403 403 403 403 403 403 403 401"),
    r("GET",  "/api/v1/participation/menus/{id}",    "/api/v1/participation/menus/{MENU}",  "", "200 200 200 200 200 200 200 200 200 200 200 200 200 401"),
    r("POST", "/api/v1/participation/menus/{id}/host-supports", "/api/v1/participation/menus/{MENU}/host-supports", "{}", "403 403 403 403 403 422 403 403 403 403 403 403 403 401"),
    r("POST", "/api/v1/participation/matches",       "/api/v1/participation/matches",       "{\"person_id\":{P}}", "422 422 422 404 404 422 404 404 404 404 404 404 404 401"),
    r("GET",  "/api/v1/participation/matches/{id}",  "/api/v1/participation/matches/{MATCH}", "", "200 200 200 404 404 200 404 404 404 404 404 404 404 401"),
    r("POST", "/api/v1/participation/matches/{id}/follow-ups", "/api/v1/participation/matches/{MATCH}/follow-ups", "{}", "422 422 422 404 404 422 404 404 404 404 404 404 404 401"),
    r("GET",  "/api/v1/resources",                   "/api/v1/resources",                   "", "200 200 200 200 200 200 200 200 200 200 200 200 200 401"),
    r("POST", "/api/v1/resources",                   "/api/v1/resources",                   "{}", "422 422 422 422 422 422 422 422 422 422 403 422 403 401"),
    r("GET",  "/api/v1/resources/hsds",              "/api/v1/resources/hsds",              "", "200 200 200 200 200 200 200 200 200 200 200 200 200 401"),
    r("GET",  "/api/v1/resources/csv",               "/api/v1/resources/csv",               "", "200 200 200 200 200 200 200 200 200 200 200 200 200 401"),
    r("GET",  "/api/v1/resources/{id}",              "/api/v1/resources/{RES}",             "", "200 200 200 200 200 200 200 200 200 200 200 200 200 401"),
    r("POST", "/api/v1/resources/{id}/close",        "/api/v1/resources/{RES}/close",       "{}", "409 409 409 409 409 409 409 409 409 409 403 409 403 401"),
    r("GET",  "/api/v1/events",                      "/api/v1/events",                      "", "200 200 200 200 200 200 200 200 200 200 200 200 200 401"),
    r("POST", "/api/v1/events",                      "/api/v1/events",                      "{}", "422 422 422 422 422 422 422 422 422 422 403 403 403 401"),
    r("GET",  "/api/v1/events/{id}",                 "/api/v1/events/{E}",                  "", "200 200 200 200 200 200 200 200 200 200 200 200 200 401"),
    r("POST", "/api/v1/events/{id}/consultations",   "/api/v1/events/{E}/consultations",    "{\"consultation_id\":{C}}", "409 409 409 404 404 409 404 404 404 404 404 404 404 401"),
];

/// The whereabouts of the protected person (address, own phone, the
/// requester's phone): only `Rc` is named on the record.
const WHEREABOUTS: [&str; 3] = ["上田三丁目", "090-1111-2222", "019-333-4444"];
/// The household member who did not consent: only the 受付機関 sees them.
const NOT_CONSENTING: &str = "盛岡 一郎";

fn sheet() -> Value {
    json!({"method": "phone", "received_on": "2026-11-20",
     "person": {"name": "盛岡 花子", "kana": "もりおか はなこ", "sex": "female", "birth_date": "S45.3.12",
                "address": {"postal_code": "020-0066", "line": "盛岡市上田三丁目2-1"},
                "phones": [{"kind": "mobile", "number": "090-1111-2222"}]},
     "requester": {"name": "盛岡 キヨ", "relationship": "母",
                   "address": {"postal_code": "020-0066", "line": "盛岡市上田三丁目2-1"},
                   "phones": [{"kind": "home", "number": "019-333-4444"}]},
     "concerns": [{"category": "介護のこと", "main": true}],
     "chief_complaint": "母の介護が心配",
     "household": [
       {"name": "盛岡 花子", "relationship": "本人", "consent": "yes"},
       {"name": "盛岡 キヨ", "relationship": "母", "consent": "yes"},
       {"name": "盛岡 一郎", "relationship": "弟", "consent": "no"}]})
}

/// Who acts in each column: an API token and a browser session with its
/// CSRF token (`None` for the signed-out column).
struct Who {
    token: Option<String>,
    session: Option<(String, String)>,
}

struct Fixture {
    app: TestApp,
    ids: BTreeMap<&'static str, i64>,
    who: Vec<Who>,
}

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    let r = app.post_json(path, Some(token), &body).await;
    assert!(r.status.is_success(), "{path}: {} {}", r.status, r.body);
    serde_json::from_str(&r.body).unwrap_or(Value::Null)
}

async fn fixture(backend: Backend) -> Fixture {
    let app = TestApp::new(backend).await;
    // The fixture's meetings and task deadlines are on dated days.
    app.state
        .clock
        .set(chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap());
    let secretariat = app.secretariat_id().await;
    let mut user_ids = BTreeMap::new();
    for (name, role, agencies) in [
        ("m-rc", "staff", vec![1]),
        ("m-co", "staff", vec![1]),
        ("m-rx", "staff", vec![2]),
        ("m-rw", "staff", vec![4]),
        ("m-un", "staff", vec![3]),
        ("m-se", "csw", vec![secretariat]),
        ("m-yo", "staff", vec![5]),
        ("m-sp", "staff", vec![6]),
        ("m-sq", "staff", vec![7]),
        ("m-ci", "city", vec![]),
        ("m-au", "auditor", vec![]),
        ("m-pr", "promoter", vec![8]),
    ] {
        user_ids.insert(name, app.create_user(name, role, &agencies).await);
    }
    let token = |name: &'static str| {
        let app = &app;
        async move { app.token(name, USER_PASSWORD).await }
    };
    let rc = token("m-rc").await;
    let rx = token("m-rx").await;
    let se = token("m-se").await;
    let sp_pledged = token("m-sq").await;
    // An outreach target at the same address, connected by the consultation:
    // once the person is protected, the target's address is protected too.
    let t = post(
        &app,
        &rc,
        "/api/v1/outreach",
        json!({"address": "盛岡市上田三丁目2-1", "description": "ひとり暮らしの高齢者", "found_via": "neighbour"}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let mut first = sheet();
    first["outreach_target_id"] = json!(t);
    let created = post(&app, &rc, "/api/v1/consultations", first).await;
    let (c, p) = (
        created["id"].as_i64().unwrap(),
        created["person_id"].as_i64().unwrap(),
    );
    // Another person of the 受付機関 (merges are refused on P itself).
    let mut other = sheet();
    other["person"] =
        json!({"name": "岩手 次郎", "kana": "いわて じろう", "birth_date": "S50.1.1"});
    other["requester"] = Value::Null;
    other["household"] = json!([{"name": "岩手 次郎", "relationship": "本人", "consent": "yes"}]);
    let q = post(&app, &rc, "/api/v1/consultations", other).await["person_id"]
        .as_i64()
        .unwrap();
    let send = |to: i64, purpose: &'static str| json!({"consultation_id": c, "to_agency_ids": [to], "purpose": purpose});
    let h2 = post(&app, &rc, "/api/v1/handoffs", send(2, "refer")).await["handoffs"][0]["id"]
        .as_i64()
        .unwrap();
    post(
        &app,
        &rx,
        &format!("/api/v1/handoffs/{h2}/receive"),
        json!({}),
    )
    .await;
    let h4 = post(&app, &rc, "/api/v1/handoffs", send(4, "refer")).await["handoffs"][0]["id"]
        .as_i64()
        .unwrap();
    post(
        &app,
        &rc,
        &format!("/api/v1/handoffs/{h4}/withdraw"),
        json!({"reason": "送り先の誤り"}),
    )
    .await;
    let hs =
        post(&app, &rc, "/api/v1/handoffs", send(0, "multi_agency")).await["handoffs"][0]["id"]
            .as_i64()
            .unwrap();
    post(
        &app,
        &se,
        &format!("/api/v1/handoffs/{hs}/receive"),
        json!({}),
    )
    .await;
    let k = post(&app, &se, "/api/v1/cases", json!({"consultation_id": c})).await["id"]
        .as_i64()
        .unwrap();
    let meeting = |kind: &'static str, members: Vec<i64>| json!({"kind": kind, "starts_at": "2026-12-10T13:30", "place": "会議室", "member_user_ids": members});
    let my = post(
        &app,
        &se,
        "/api/v1/meetings",
        meeting("case_conference", vec![user_ids["m-se"], user_ids["m-yo"]]),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let ms = post(
        &app,
        &se,
        "/api/v1/meetings",
        meeting(
            "support_conference",
            vec![
                user_ids["m-se"],
                user_ids["m-sp"],
                user_ids["m-sq"],
                user_ids["m-pr"],
            ],
        ),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    post(
        &app,
        &se,
        &format!("/api/v1/meetings/{my}/agenda"),
        json!({"case_id": k}),
    )
    .await;
    post(
        &app,
        &se,
        &format!("/api/v1/meetings/{ms}/pledge"),
        json!({}),
    )
    .await;
    for pledging in [&sp_pledged, &token("m-pr").await] {
        post(
            &app,
            pledging,
            &format!("/api/v1/meetings/{ms}/pledge"),
            json!({}),
        )
        .await;
    }
    post(
        &app,
        &se,
        &format!("/api/v1/meetings/{ms}/agenda"),
        json!({"case_id": k}),
    )
    .await;
    post(
        &app,
        &se,
        &format!("/api/v1/meetings/{ms}/decisions"),
        json!({"case_id": k, "text": "訪問する", "task_agency_id": 6, "task_title": "自宅を訪ねる", "task_due_on": "2026-12-20"}),
    )
    .await;
    let ts = app
        .repo()
        .tasks_of_meeting(ms)
        .await
        .unwrap()
        .first()
        .expect("the 支援会議 gave a task")
        .id;
    let menus = app
        .get("/api/v1/participation/menus", Some(&rc))
        .await
        .json();
    let menu = menus["menus"][0]["id"].as_i64().unwrap();
    let matched = post(
        &app,
        &rc,
        "/api/v1/participation/matches",
        json!({"menu_id": menu, "person_id": p, "reasons": "畑の作業なら続けられそう"}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let e = post(
        &app,
        &rc,
        "/api/v1/events",
        json!({"kind": "pop_up_consultation", "title": "出前相談会", "held_on": "令和8年11月15日", "place": "上田公民館"}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    post(
        &app,
        &rc,
        &format!("/api/v1/events/{e}/consultations"),
        json!({"consultation_id": c}),
    )
    .await;
    let resources = app.get("/api/v1/resources", Some(&rc)).await.json();
    let res = resources["resources"][0]["id"].as_i64().unwrap();
    // Last: P is protected, naming only Rc.
    let protected = app
        .post_json(
            &format!("/api/v1/persons/{p}/protection"),
            Some(&rc),
            &json!({"protected": true, "viewer_user_ids": [user_ids["m-rc"]]}),
        )
        .await;
    assert_eq!(
        protected.status,
        StatusCode::NO_CONTENT,
        "{}",
        protected.body
    );

    let mut who = Vec::new();
    for name in [
        "m-rc", "m-co", "m-rx", "m-rw", "m-un", "m-se", "m-yo", "m-sp", "m-sq", "m-ci", "m-au",
        "admin", "m-pr",
    ] {
        let password = if name == "admin" {
            common::ADMIN_PASSWORD
        } else {
            USER_PASSWORD
        };
        who.push(Who {
            token: Some(app.token(name, password).await),
            session: Some(app.browser_sign_in(name, password).await),
        });
    }
    who.push(Who {
        token: None,
        session: None,
    });
    let ids = BTreeMap::from([
        ("P", p),
        ("C", c),
        ("Q", q),
        ("H2", h2),
        ("H4", h4),
        ("HS", hs),
        ("K", k),
        ("MY", my),
        ("MS", ms),
        ("TS", ts),
        ("T", t),
        ("MENU", menu),
        ("MATCH", matched),
        ("E", e),
        ("RES", res),
        ("AG", 1),
        ("U", user_ids["m-co"]),
    ]);
    // The table is called on the meetings' day (minutes are recorded from then).
    app.state
        .clock
        .set(chrono::NaiveDate::from_ymd_opt(2026, 12, 10).unwrap());
    Fixture { app, ids, who }
}

impl Fixture {
    fn fill(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for (k, v) in &self.ids {
            out = out.replace(&format!("{{{k}}}"), &v.to_string());
        }
        out
    }

    /// Makes the row's request as one role: the API with its token, pages
    /// with its session (and the CSRF token on a form).
    async fn call(&self, row: &Row, who: &Who) -> (StatusCode, String) {
        use axum::body::Body;
        use axum::http::{Request, header};
        let path = self.fill(row.path);
        let body = self.fill(row.body);
        let api = row.route.starts_with("/api/");
        let mut request = Request::builder().method(row.method).uri(path.replace(
            "盛岡市本宮五丁目",
            "%E7%9B%9B%E5%B2%A1%E5%B8%82%E6%9C%AC%E5%AE%AE%E4%BA%94%E4%B8%81%E7%9B%AE",
        ));
        if api {
            if let Some(token) = &who.token {
                request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
            }
            if row.method != "GET" {
                request = request.header(header::CONTENT_TYPE, "application/json");
            }
            let r = self
                .app
                .request(request.body(Body::from(body)).unwrap())
                .await;
            return (r.status, r.body);
        }
        if let Some((session, _)) = &who.session {
            request = request.header(header::COOKIE, format!("tsunagaru_session={session}"));
        }
        if row.method == "GET" {
            let r = self.app.request(request.body(Body::empty()).unwrap()).await;
            return (r.status, r.body);
        }
        let csrf = who.session.as_ref().map(|(_, c)| c.as_str()).unwrap_or("");
        let mut form = format!("csrf_token={csrf}");
        if !body.is_empty() {
            form.push('&');
            form.push_str(&body);
        }
        let r = self
            .app
            .request(
                request
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from(form))
                    .unwrap(),
            )
            .await;
        // A failed form is kept and shown at GET /forms/failed/{id}.
        let r = match &who.session {
            Some((session, _)) => self.app.follow_failed_form(r, session).await,
            None => r,
        };
        (r.status, r.body)
    }
}

/// The routes as the router declares them: `(METHOD, path)` read from the
/// adapters' sources (`.route("…", get(…).post(…))`): the pages in
/// `crates/web/src/pages/`, the API in `crates/web/src/api/` with its paths
/// under `/api/v1`.
fn declared_routes() -> BTreeSet<(String, String)> {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut sources = Vec::new();
    for (dir, prefix) in [("pages", ""), ("api", "/api/v1")] {
        for entry in std::fs::read_dir(src.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            sources.push((std::fs::read_to_string(&path).unwrap(), prefix));
        }
    }
    let mut routes = BTreeSet::new();
    for (source, prefix) in &sources {
        let mut rest = source.as_str();
        while let Some(at) = rest.find(".route(") {
            rest = &rest[at + ".route(".len()..];
            let Some(open) = rest.find('"') else { break };
            let Some(close) = rest[open + 1..].find('"') else {
                break;
            };
            let route = &rest[open + 1..open + 1 + close];
            // The method routers: up to the `.route(`'s closing parenthesis.
            let args = &rest[open + 1 + close..];
            let mut depth = 1;
            let mut end = args.len();
            for (i, ch) in args.char_indices() {
                match ch {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            end = i;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let args = &args[..end];
            for method in ["get", "post", "put", "delete", "patch"] {
                let call = format!("{method}(");
                let found = args.match_indices(&call).any(|(i, _)| {
                    i == 0 || !args[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_')
                });
                if found {
                    // Declared at the API's root (/api/openapi.json) or under /api/v1.
                    let full = if route.starts_with("/api/") {
                        route.to_owned()
                    } else {
                        format!("{prefix}{route}")
                    };
                    routes.insert((method.to_uppercase(), full));
                }
            }
        }
    }
    routes
}

#[test]
fn the_table_has_one_row_for_every_declared_route() {
    let declared = declared_routes();
    assert!(declared.len() > 100, "the routes were read: {declared:?}");
    let mut rows = BTreeSet::new();
    for row in TABLE {
        assert!(
            rows.insert((row.method.to_owned(), row.route.to_owned())),
            "two rows for {} {}",
            row.method,
            row.route
        );
        assert_eq!(
            row.expect.split_whitespace().count(),
            ROLES.len(),
            "{} {}: one status per role",
            row.method,
            row.route
        );
    }
    let missing: Vec<_> = declared.difference(&rows).collect();
    let stale: Vec<_> = rows.difference(&declared).collect();
    assert!(missing.is_empty(), "routes without a row: {missing:?}");
    assert!(
        stale.is_empty(),
        "rows for routes that do not exist: {stale:?}"
    );
}

/// Every string of a JSON value that starts as a date-time (`2026-12-10T…`).
fn date_times(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => {
            let b = s.as_bytes();
            let looks = b.len() > 11
                && b[..4].iter().all(u8::is_ascii_digit)
                && b[4] == b'-'
                && b[7] == b'-'
                && b[10] == b'T';
            if looks { vec![s.clone()] } else { Vec::new() }
        }
        Value::Array(items) => items.iter().flat_map(date_times).collect(),
        Value::Object(map) => map.values().flat_map(date_times).collect(),
        _ => Vec::new(),
    }
}

async fn every_route_answers_every_role_as_the_table_says(backend: Backend) {
    let f = fixture(backend).await;
    let mut wrong = Vec::new();
    for row in TABLE {
        let expected: Vec<&str> = row.expect.split_whitespace().collect();
        for (i, who) in f.who.iter().enumerate() {
            // Signing out ends the session: do it with throwaway sign-ins.
            let (status, body) = if row.route.ends_with("logout") && who.token.is_some() {
                let name = [
                    "m-rc", "m-co", "m-rx", "m-rw", "m-un", "m-se", "m-yo", "m-sp", "m-sq", "m-ci",
                    "m-au", "admin", "m-pr",
                ][i];
                let password = if name == "admin" {
                    common::ADMIN_PASSWORD
                } else {
                    USER_PASSWORD
                };
                let fresh = Who {
                    token: Some(f.app.token(name, password).await),
                    session: Some(f.app.browser_sign_in(name, password).await),
                };
                f.call(row, &fresh).await
            } else {
                f.call(row, who).await
            };
            if status.as_str() != expected[i] {
                wrong.push(format!(
                    "{} {} as {}: {} (table: {})",
                    row.method,
                    row.path,
                    ROLES[i],
                    status.as_u16(),
                    expected[i]
                ));
            }
            if ROLES[i] != "Rc" {
                for value in WHEREABOUTS {
                    if body.contains(value) {
                        wrong.push(format!(
                            "{} {} as {}: the protected value {value} is in the body",
                            row.method, row.path, ROLES[i]
                        ));
                    }
                }
            }
            // Every date-time the API answers is RFC 3339 in Japan's time.
            if row.path.starts_with("/api/")
                && status.is_success()
                && let Ok(json) = serde_json::from_str::<Value>(&body)
            {
                for at in date_times(&json) {
                    if !at.ends_with("+09:00") {
                        wrong.push(format!(
                            "{} {} as {}: the date-time {at} is not RFC 3339 in +09:00",
                            row.method, row.path, ROLES[i]
                        ));
                    }
                }
            }
            if !matches!(ROLES[i], "Rc" | "Co") && body.contains(NOT_CONSENTING) {
                wrong.push(format!(
                    "{} {} as {}: the member without consent is in the body",
                    row.method, row.path, ROLES[i]
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} differences:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// A withdrawal of consent takes effect at once for a よりそい会議 member:
/// the case is gone for them and the meeting no longer shows it; the
/// 受付機関 and the 事務局 keep it.
async fn a_withdrawal_of_consent_ends_what_the_case_conference_showed(backend: Backend) {
    let f = fixture(backend).await;
    let token = |i: usize| f.who[i].token.clone().unwrap();
    let (rc, se, yo) = (token(0), token(5), token(6));
    let (c, k, my) = (f.ids["C"], f.ids["K"], f.ids["MY"]);
    let case = format!("/api/v1/cases/{k}");
    let meeting = format!("/api/v1/meetings/{my}");
    assert_eq!(f.app.get(&case, Some(&yo)).await.status, StatusCode::OK);
    let before = f.app.get(&meeting, Some(&yo)).await.json();
    assert_eq!(before["agenda"].as_array().unwrap().len(), 1);
    let withdrawn = f
        .app
        .post_json(
            &format!("/api/v1/consultations/{c}/consent"),
            Some(&rc),
            &json!({"position": 1, "consent": "no"}),
        )
        .await;
    assert_eq!(withdrawn.status, StatusCode::OK, "{}", withdrawn.body);
    assert_eq!(
        f.app.get(&case, Some(&yo)).await.status,
        StatusCode::NOT_FOUND
    );
    let after = f.app.get(&meeting, Some(&yo)).await;
    assert_eq!(after.status, StatusCode::OK);
    let after = after.json();
    assert!(after["agenda"].as_array().unwrap().is_empty(), "{after}");
    assert_eq!(after["withheld"], 1);
    assert!(!after.to_string().contains("母の介護が心配"));
    // In the browser too.
    let (session, _) = f.who[6].session.clone().unwrap();
    let page = f
        .app
        .get_with_cookie(&format!("/meetings/{my}"), &session)
        .await;
    assert!(page.body.contains("agenda-withheld"), "{}", page.body);
    assert!(!page.body.contains("母の介護が心配"));
    assert_eq!(
        f.app
            .get_with_cookie(&format!("/cases/{k}"), &session)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    for keeper in [&rc, &se] {
        assert_eq!(f.app.get(&case, Some(keeper)).await.status, StatusCode::OK);
    }
}

/// A task a 支援会議 gave is done only by a member who pledged: the
/// agency's unpledged member neither sees nor completes it.
async fn a_support_conference_task_is_done_only_after_the_pledge(backend: Backend) {
    let f = fixture(backend).await;
    let sp = f.who[7].token.clone().unwrap();
    let ts = f.ids["TS"];
    let tasks = f.app.get("/api/v1/tasks", Some(&sp)).await.json();
    assert!(tasks["tasks"].as_array().unwrap().is_empty(), "{tasks}");
    let done = f
        .app
        .post_json(&format!("/api/v1/tasks/{ts}/done"), Some(&sp), &json!({}))
        .await;
    assert_eq!(done.status, StatusCode::NOT_FOUND);
    let task = f.app.repo().task(ts).await.unwrap().unwrap();
    assert!(task.done_on.is_none(), "the task stays open");
}

/// Whether a concrete path fits a declared route (`{id}` fits any segment).
fn fits(route: &str, path: &str) -> bool {
    let r: Vec<&str> = route.split('/').collect();
    let p: Vec<&str> = path.split('/').collect();
    r.len() == p.len()
        && r.iter()
            .zip(&p)
            .all(|(r, p)| (r.starts_with('{') && r.ends_with('}')) || r == p)
}

/// Every address a user can see in the bar answers GET: a page form's
/// address (POST only) sends the browser, with 303, to a page the router
/// declares for GET, and that page opens for a user who may use the form;
/// other methods get 405. Reloading /consultations after a refused sheet
/// lands on a fresh sheet.
async fn every_form_address_answers_get(backend: Backend) {
    use axum::http::header;
    let f = fixture(backend).await;
    let routes = declared_routes();
    let gets: Vec<&str> = routes
        .iter()
        .filter(|(m, r)| m == "GET" && !r.starts_with("/api/"))
        .map(|(_, r)| r.as_str())
        .collect();
    let rc = f.who[0].session.clone().unwrap();
    let mut wrong = Vec::new();
    let mut checked = 0;
    let mut opened = 0;
    for row in TABLE {
        if row.method != "POST"
            || row.route.starts_with("/api/")
            || routes.contains(&("GET".to_owned(), row.route.to_owned()))
        {
            continue;
        }
        checked += 1;
        let path = f.fill(row.path);
        // A role the form is for: the first whose POST the table lets
        // through (its page must open); else the 受付機関's staff.
        let expected: Vec<&str> = row.expect.split_whitespace().collect();
        let user = (0..ROLES.len() - 1)
            .find(|i| matches!(expected[*i], "200" | "201" | "303" | "409" | "422"));
        let session = &f.who[user.unwrap_or(0)].session.as_ref().unwrap().0;
        let r = f.app.get_with_cookie(&path, session).await;
        let to = r
            .headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        if r.status != StatusCode::SEE_OTHER || !gets.iter().any(|g| fits(g, &to)) {
            wrong.push(format!("GET {path}: {} → {to:?}", r.status));
            continue;
        }
        let page = f.app.get_with_cookie(&to, session).await;
        opened += usize::from(user.is_some());
        if user.is_some() && !matches!(page.status, StatusCode::OK | StatusCode::FORBIDDEN) {
            wrong.push(format!("GET {path} → {to}: {}", page.status));
        }
    }
    assert!(checked > 20, "{checked} form addresses");
    assert!(opened > 10, "{opened} pages opened");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // A refused sheet, then a reload of the address in the bar.
    let refused = f
        .app
        .post_form_with_cookie(
            "/consultations",
            &rc.0,
            &[("csrf_token", &rc.1), ("chief_complaint", "相談")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let reload = f.app.get_with_cookie("/consultations", &rc.0).await;
    assert_eq!(reload.status, StatusCode::SEE_OTHER);
    assert_eq!(reload.headers[header::LOCATION], "/consultations/new");
    // Signed out, the form's address leads to sign-in through its page.
    let out = f.app.get("/cases/1/close", None).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
}

on_both_backends!(
    every_form_address_answers_get,
    every_route_answers_every_role_as_the_table_says,
    a_withdrawal_of_consent_ends_what_the_case_conference_showed,
    a_support_conference_task_is_done_only_after_the_pledge
);
