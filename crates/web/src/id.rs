//! Record ids in paths. Anything that is not a number names no record, so it
//! answers 404 like an absent record — as JSON under `/api`, as a page
//! elsewhere — rather than the framework's plain-text 400.

use crate::error::{ApiError, PageError};
use axum::extract::{FromRequestParts, OriginalUri, Path};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};

/// The `{id}` of a path.
pub struct Id(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<i64>::from_request_parts(parts, state).await {
            Ok(Path(id)) => Ok(Id(id)),
            Err(_) => {
                let path = parts
                    .extensions
                    .get::<OriginalUri>()
                    .map(|u| u.0.path().to_owned())
                    .unwrap_or_else(|| parts.uri.path().to_owned());
                Err(if path.starts_with("/api/") {
                    ApiError::not_found().into_response()
                } else {
                    PageError::NotFound.into_response()
                })
            }
        }
    }
}
