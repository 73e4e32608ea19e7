//! Durable mode's rule for the control API: actions that change queue state
//! outside the command log (a global or per-queue reset, moving the clock) are
//! refused, because a restart would silently undo them.

/// Middleware on the control routes in durable mode: refuses the actions that
/// change queue state behind the command log's back (a global or per-queue reset,
/// moving the clock), which a restart would silently undo.
pub(crate) async fn refuse_unlogged(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let path = request.uri().path();
    let unlogged = request.method() == axum::http::Method::POST
        && (path == "/_fifowin/reset"
            || path == "/_fifowin/clock/advance"
            || (path.starts_with("/_fifowin/queues/") && path.ends_with("/reset")));
    if unlogged {
        let error = format!(
            "POST {path} is not available in durable mode (--data-dir): the command log does not record it, so a restart would undo it"
        );
        return (
            axum::http::StatusCode::CONFLICT,
            axum::Json(serde_json::json!({ "error": error })),
        )
            .into_response();
    }
    next.run(request).await
}
