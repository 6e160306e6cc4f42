//! The pages: server-rendered Japanese screens, one module per screen or
//! resource. Handlers are short: read the request, call the application
//! layer, render a template. Nothing here is imported by the API.

mod address;
pub(crate) mod assets;
mod audit;
mod cases;
mod consultation;
mod consultations;
mod directory;
mod form_address;
mod genogram;
mod handoffs;
pub(crate) mod intake_form;
mod meetings;
mod persons;
pub(crate) mod print;
mod reach;
mod reports;
mod session;
pub(crate) mod templates;
mod users;

use crate::AppState;
use axum::Router;
use axum::routing::{get, post};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(directory::home))
        .route("/forms/failed/{id}", get(crate::failed_forms::show))
        .route("/login", get(session::login_form).post(session::login))
        .route("/logout", post(session::logout))
        .route("/agencies", get(directory::agencies))
        .route("/agencies/{id}", get(directory::agency))
        .route("/agencies/{id}/contact", post(directory::agency_contact))
        .route("/departments", get(directory::departments))
        .route("/consultations/new", get(consultations::new_form))
        .route("/consultations", post(consultations::create))
        .route(
            "/consultations/{id}",
            get(consultation::page).post(consultation::correct),
        )
        .route("/consultations/{id}/void", post(consultation::void))
        .route("/consultations/{id}/print", get(consultations::print))
        .route("/consultations/{id}/consent", post(persons::change_consent))
        .route(
            "/consultations/{id}/handoffs",
            get(handoffs::new_form).post(handoffs::send),
        )
        .route("/handoffs", get(handoffs::list))
        .route("/handoffs/{id}", get(handoffs::page))
        .route("/handoffs/{id}/print", get(handoffs::print))
        .route("/handoffs/{id}/{step}", post(handoffs::step))
        .route("/cases", get(cases::list).post(cases::open))
        .route("/cases/{id}", get(cases::page))
        .route("/cases/{id}/plan/print", get(cases::plan_print))
        .route("/cases/{id}/{action}", post(cases::act))
        .route("/meetings", get(meetings::list).post(meetings::schedule))
        .route("/meetings/agenda", post(meetings::add_agenda_from_case))
        .route("/meetings/{id}", get(meetings::page))
        .route("/meetings/{id}/agenda", post(meetings::add_agenda))
        .route("/meetings/{id}/pledge", post(meetings::pledge))
        .route("/meetings/{id}/attendance", post(meetings::attendance))
        .route("/meetings/{id}/attendees", post(meetings::attendee))
        .route("/meetings/{id}/links", post(meetings::link))
        .route("/meetings/{id}/minutes", post(meetings::minutes))
        .route("/meetings/{id}/decisions", post(meetings::decision))
        .route("/meetings/{id}/print", get(meetings::print))
        .route("/tasks/{id}/done", post(meetings::task_done))
        .route("/tasks/{id}/undo", post(meetings::task_undo))
        .route("/outreach", get(reach::outreach).post(reach::create_target))
        .route("/outreach/{id}", get(reach::target))
        .route("/outreach/{id}/attempts", post(reach::attempt))
        .route("/participation", get(reach::participation))
        .route("/participation/menus", post(reach::create_menu))
        .route("/participation/menus/{id}", get(reach::menu))
        .route(
            "/participation/menus/{id}/host-supports",
            post(reach::host_support),
        )
        .route("/participation/matches", post(reach::create_match))
        .route(
            "/participation/matches/{id}",
            get(reach::participation_match),
        )
        .route(
            "/participation/matches/{id}/follow-ups",
            post(reach::follow_up),
        )
        .route(
            "/resources",
            get(reach::resources).post(reach::create_resource),
        )
        .route("/resources/{id}/close", post(reach::close_resource))
        .route("/resources/export.csv", get(reach::export_csv))
        .route("/resources/hsds.json", get(reach::export_hsds))
        .route("/events", get(reach::events).post(reach::create_event))
        .route("/events/{id}", get(reach::event))
        .route("/persons", get(persons::search_page))
        .route("/persons/{id}", get(persons::page))
        .route(
            "/persons/{id}/edit",
            get(persons::edit_form).post(persons::edit),
        )
        .route("/persons/{id}/notes", post(persons::add_note))
        .route("/persons/{id}/protection", post(persons::protection))
        .route("/persons/{id}/merge", post(persons::merge))
        .route("/persons/{id}/unmerge/{merged}", post(persons::unmerge))
        .route("/address", get(address::page))
        .route("/address/route.json", get(address::route_json))
        .route("/address/postal.json", get(address::postal_json))
        .route("/network", get(directory::network))
        .route("/admin/users", get(users::list).post(users::create))
        .route("/admin/users/new", get(users::new_form))
        .route("/admin/users/{id}/active", post(users::set_active))
        .route("/admin/users/{id}/sessions", get(users::sessions))
        .route("/admin/users/{id}/sessions/end", post(users::end_sessions))
        .route("/admin/locks/lift", post(users::lift_lock))
        .route(
            "/admin/users/{id}/password-change",
            post(users::require_password_change),
        )
        .route(
            "/me/password",
            get(users::password_form).post(users::change_password),
        )
        .route("/me/totp", get(users::totp_form).post(users::begin_totp))
        .route("/me/totp/confirm", post(users::confirm_totp))
        .route("/me/reauthenticate", post(crate::reauth::reauthenticate))
        .route("/admin/users/{id}/totp/reset", post(users::reset_totp))
        .route("/audit", get(audit::page))
        .route("/reports", get(reports::page))
        .route("/reports/annual.csv", get(reports::csv))
        .route("/reports/annual.xlsx", get(reports::xlsx))
        .route(
            "/trainings",
            get(reports::trainings).post(reports::record_training),
        )
        .route("/assets/app.css", get(assets::css))
        .route("/assets/address.js", get(assets::address_js))
        .route("/assets/picker.js", get(assets::picker_js))
        .route("/assets/forms.js", get(assets::forms_js))
        .route("/assets/print.css", get(assets::print_css))
        .route("/healthz", get(assets::health))
        .method_not_allowed_fallback(form_address::fallback)
}
