//! One module per screen or resource; handlers are short: extract, call the
//! store, render.

pub(crate) mod address;
mod api;
mod assets;
mod audit;
pub(crate) mod cases_api;
pub(crate) mod cases_web;
mod consultations;
mod directory;
pub(crate) mod handoffs_api;
mod handoffs_web;
mod meetings_web;
pub(crate) mod persons;
pub(crate) mod persons_api;
mod reach_api;
mod reach_web;
mod session;
mod users;

use crate::AppState;
use axum::Router;
use axum::routing::{get, post};

pub fn router(_state: AppState) -> Router<AppState> {
    Router::new()
        .route("/", get(directory::home))
        .route("/login", get(session::login_form).post(session::login))
        .route("/logout", post(session::logout))
        .route("/agencies", get(directory::agencies))
        .route("/agencies/{id}", get(directory::agency))
        .route("/departments", get(directory::departments))
        .route("/consultations/new", get(consultations::new_form))
        .route("/consultations", post(consultations::create))
        .route("/consultations/{id}/print", get(consultations::print))
        .route("/consultations/{id}/consent", post(persons::change_consent))
        .route(
            "/consultations/{id}/handoffs",
            get(handoffs_web::new_form).post(handoffs_web::send),
        )
        .route("/handoffs", get(handoffs_web::list))
        .route("/handoffs/{id}", get(handoffs_web::page))
        .route("/handoffs/{id}/print", get(handoffs_web::print))
        .route("/handoffs/{id}/{step}", post(handoffs_web::step))
        .route("/cases", get(cases_web::list).post(cases_web::open))
        .route("/cases/{id}", get(cases_web::page))
        .route("/cases/{id}/{action}", post(cases_web::act))
        .route(
            "/meetings",
            get(meetings_web::list).post(meetings_web::schedule),
        )
        .route("/meetings/agenda", post(meetings_web::add_agenda_from_case))
        .route("/meetings/{id}", get(meetings_web::page))
        .route("/meetings/{id}/agenda", post(meetings_web::add_agenda))
        .route("/meetings/{id}/pledge", post(meetings_web::pledge))
        .route("/meetings/{id}/minutes", post(meetings_web::minutes))
        .route("/meetings/{id}/decisions", post(meetings_web::decision))
        .route("/meetings/{id}/print", get(meetings_web::print))
        .route("/tasks/{id}/done", post(meetings_web::task_done))
        .route(
            "/outreach",
            get(reach_web::outreach).post(reach_web::create_target),
        )
        .route("/outreach/{id}", get(reach_web::target))
        .route("/outreach/{id}/attempts", post(reach_web::attempt))
        .route("/participation", get(reach_web::participation))
        .route("/participation/menus", post(reach_web::create_menu))
        .route("/participation/menus/{id}", get(reach_web::menu))
        .route(
            "/participation/menus/{id}/host-supports",
            post(reach_web::host_support),
        )
        .route("/participation/matches", post(reach_web::create_match))
        .route(
            "/participation/matches/{id}",
            get(reach_web::participation_match),
        )
        .route(
            "/participation/matches/{id}/follow-ups",
            post(reach_web::follow_up),
        )
        .route(
            "/resources",
            get(reach_web::resources).post(reach_web::create_resource),
        )
        .route("/resources/export.csv", get(reach_web::export_csv))
        .route("/resources/hsds.json", get(reach_web::export_hsds))
        .route(
            "/events",
            get(reach_web::events).post(reach_web::create_event),
        )
        .route("/events/{id}", get(reach_web::event))
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
        .route("/audit", get(audit::page))
        .route("/assets/app.css", get(assets::css))
        .route("/assets/address.js", get(assets::address_js))
        .route("/assets/print.css", get(assets::print_css))
        .route("/healthz", get(assets::health))
        .route("/api/openapi.json", get(api::openapi))
        .nest(
            "/api/v1",
            api::v1()
                .merge(persons_api::router())
                .merge(handoffs_api::router())
                .merge(cases_api::router())
                .merge(reach_api::router()),
        )
        .fallback(assets::not_found)
}
