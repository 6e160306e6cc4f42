//! Every address a user can see in the bar answers GET. A form posts to its
//! own address (`/cases/5/close`); when the form comes back with an error,
//! that address is in the bar, and a reload or a bookmark asks it with GET.
//! Instead of 405, GET sends the browser to the page the form lives on. The
//! destination is built from the path's shape and its numeric ids only, so it
//! is always a page of this site.

use crate::AppState;
use crate::auth::WebUser;
use crate::error::PageError;
use axum::extract::State;
use axum::http::{Method, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Redirect, Response};

/// Where a form's address leads on GET.
#[derive(Debug, PartialEq, Eq)]
enum Landing {
    Page(String),
    /// The person page of a consultation (its consent form lives there).
    PersonOf(i64),
}

fn landing(path: &str) -> Landing {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let id = |s: &str| s.parse::<i64>().ok().filter(|n| *n > 0);
    let page = |p: String| Landing::Page(p);
    let home = || Landing::Page("/".to_owned());
    match segments.as_slice() {
        ["consultations"] => page("/consultations/new".into()),
        ["consultations", c, "consent"] => id(c).map_or_else(home, Landing::PersonOf),
        ["consultations", c, "void"] => {
            id(c).map_or_else(home, |c| page(format!("/consultations/{c}")))
        }
        ["handoffs", h, _] => id(h).map_or_else(home, |h| page(format!("/handoffs/{h}"))),
        ["cases", k, _] => id(k).map_or_else(home, |k| page(format!("/cases/{k}"))),
        ["meetings", "agenda"] => page("/meetings".into()),
        ["meetings", m, _] => id(m).map_or_else(home, |m| page(format!("/meetings/{m}"))),
        ["outreach", t, _] => id(t).map_or_else(home, |t| page(format!("/outreach/{t}"))),
        ["participation", "menus" | "matches"] => page("/participation".into()),
        ["participation", kind @ ("menus" | "matches"), n, _] => id(n).map_or_else(
            || page("/participation".into()),
            |n| page(format!("/participation/{kind}/{n}")),
        ),
        ["resources", ..] => page("/resources".into()),
        ["persons", p, ..] => id(p).map_or_else(home, |p| page(format!("/persons/{p}"))),
        ["admin", "users", ..] => page("/admin/users".into()),
        // /logout, /tasks/{id}/done and anything else: the home page (the desk).
        _ => home(),
    }
}

/// The pages' answer to a method their address does not take: GET (and
/// HEAD) go to the page of the form; other methods get 405 in Japanese.
pub async fn fallback(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
    user: Result<WebUser, PageError>,
) -> Result<Response, PageError> {
    if method != Method::GET && method != Method::HEAD {
        return Ok((
            StatusCode::METHOD_NOT_ALLOWED,
            Html(
                "<!DOCTYPE html><html lang=\"ja\"><head><meta charset=\"utf-8\"><title>この操作はできません | つながる</title></head>\
                 <body><h1>この操作はできません</h1><p>このアドレスでは、この方法の操作を受け付けていません。</p><p><a href=\"/\">ホームへ</a></p></body></html>",
            ),
        )
            .into_response());
    }
    let to = match landing(uri.path()) {
        Landing::Page(to) => to,
        Landing::PersonOf(consultation) => {
            // Signed out: the sign-in page; out of scope: 404.
            let WebUser(user) = user?;
            let person = state
                .app
                .consultation_person_id(&user.actor(), consultation)
                .await?;
            format!("/persons/{person}")
        }
    };
    let mut response = Redirect::to(&to).into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_address_leads_to_the_page_of_its_form() {
        let cases = [
            ("/consultations", "/consultations/new"),
            ("/logout", "/"),
            ("/handoffs/7/receive", "/handoffs/7"),
            ("/cases/5/close", "/cases/5"),
            ("/meetings/agenda", "/meetings"),
            ("/meetings/3/decisions", "/meetings/3"),
            ("/tasks/9/done", "/"),
            ("/outreach/2/attempts", "/outreach/2"),
            ("/participation/menus", "/participation"),
            (
                "/participation/menus/4/host-supports",
                "/participation/menus/4",
            ),
            (
                "/participation/matches/6/follow-ups",
                "/participation/matches/6",
            ),
            ("/resources/8/close", "/resources"),
            ("/persons/1/notes", "/persons/1"),
            ("/persons/1/unmerge/2", "/persons/1"),
            ("/admin/users/3/active", "/admin/users"),
            // Only numeric ids make it into the address.
            ("/cases/%2F%2Fevil.example/close", "/"),
            ("/persons/-1/notes", "/"),
        ];
        for (from, to) in cases {
            assert_eq!(landing(from), Landing::Page(to.to_owned()), "{from}");
        }
        assert_eq!(landing("/consultations/12/consent"), Landing::PersonOf(12));
    }
}
