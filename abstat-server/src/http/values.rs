//! `GET /datasets/{id}/values/`: each column's distinct count and most
//! frequent values, labelled exactly as the analyses label them (so a
//! client can offer an A/B control value or a class the server will
//! recognise). Clients such as the bot build their column pickers from it.

use std::collections::HashMap;

use abstat_api::{ColumnValues, ErrorBody, LabelCount};
use axum::Router;
use axum::extract::{Path, State};
use axum::routing::get;
use serde::Deserialize;

use super::datasets::{io_error, not_found};
use super::{AppState, Json, Query};
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::jobs::analysis::labels;

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/datasets/{id}/values/", get(values))
}

/// Query of `GET /datasets/{id}/values/`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub(super) struct ValuesQuery {
    /// Most frequent values per column (default 20, at most 100).
    limit: Option<usize>,
    /// Stop counting distinct values of a column here (default 1000, at
    /// most 100000): enough to tell a grouping column from a measurement.
    distinct_cap: Option<usize>,
}

/// Counts of one column's labels, with at most `cap` distinct keys.
#[derive(Default)]
struct Tally {
    counts: HashMap<String, u64>,
    capped: bool,
    missing: u64,
}

impl Tally {
    fn add(&mut self, label: Option<String>, cap: usize) {
        let Some(label) = label else {
            self.missing += 1;
            return;
        };
        if let Some(c) = self.counts.get_mut(&label) {
            *c += 1;
        } else if self.counts.len() < cap {
            self.counts.insert(label, 1);
        } else {
            self.capped = true;
        }
    }

    fn finish(self, name: String, limit: usize) -> ColumnValues {
        let mut top: Vec<LabelCount> = self
            .counts
            .into_iter()
            .map(|(value, count)| LabelCount { value, count })
            .collect();
        top.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
        let distinct = top.len() as u64;
        top.truncate(limit);
        ColumnValues {
            name,
            distinct,
            distinct_capped: self.capped,
            missing: self.missing,
            top,
        }
    }
}

/// Every column of the newest version of one of the caller's datasets: its
/// distinct count and most frequent values. Columns whose values cannot be
/// labelled (dates, nested types) come back without values.
#[utoipa::path(get, path = "/datasets/{id}/values/", tag = "datasets", security(("bearer" = [])),
    params(("id" = String, Path, description = "dataset id"), ValuesQuery),
    responses((status = 200, body = Vec<ColumnValues>), (status = 404, body = ErrorBody)))]
pub(super) async fn values(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    Query(q): Query<ValuesQuery>,
) -> Result<Json<Vec<ColumnValues>>, ApiError> {
    let limit = q.limit.unwrap_or(20).min(100);
    let cap = q.distinct_cap.unwrap_or(1000).clamp(1, 100_000);
    state
        .metadata()
        .dataset(&user.id, &id)
        .await?
        .ok_or_else(|| not_found(&id))?;
    let store = state.datasets();
    let out = tokio::task::spawn_blocking(move || {
        let (schema, batches) = store.read(&id, None, None, 65_536)?;
        let names: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
        let mut tallies: Vec<Option<Tally>> =
            names.iter().map(|_| Some(Tally::default())).collect();
        for batch in batches {
            let batch = batch?;
            for (name, tally) in names.iter().zip(tallies.iter_mut()) {
                let Some(t) = tally else { continue };
                match labels(&batch, name) {
                    Ok(values) => values.into_iter().for_each(|v| t.add(v, cap)),
                    // not labellable (a date, a list): reported without values
                    Err(_) => *tally = None,
                }
            }
        }
        Ok::<_, abstat_io::Error>(
            names
                .into_iter()
                .zip(tallies)
                .map(|(name, t)| match t {
                    Some(t) => t.finish(name, limit),
                    None => ColumnValues {
                        name,
                        distinct: 0,
                        distinct_capped: false,
                        missing: 0,
                        top: Vec::new(),
                    },
                })
                .collect::<Vec<_>>(),
        )
    })
    .await
    .map_err(|e| ApiError::internal("counting values", e))?
    .map_err(io_error)?;
    Ok(Json(out))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use axum::body::Body;
    use axum::http::{Request, StatusCode};

    #[tokio::test]
    async fn values_are_counted_per_column_labelled_as_the_analyses_do_and_owned() {
        let dir = tempfile::tempdir().unwrap();
        let (app, state) = test_app(dir.path()).await;
        let (alice, bob) = (
            user_token(&state, "alice").await,
            user_token(&state, "bob").await,
        );
        let csv = "variant,converted,arm,revenue\nB,1,2,1.5\nA,0,1,\nB,1,2,2.5\nC,0,1,3\n";
        let req = Request::post("/datasets/upload/?name=x.csv")
            .header("authorization", format!("Bearer {alice}"))
            .body(Body::from(csv))
            .unwrap();
        let (status, body) = send(&app, req).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let id = body["dataset"]["id"].as_str().unwrap();
        let uri = format!("/datasets/{id}/values/?limit=2&distinct_cap=2");
        let (status, cols) = send(&app, get(&uri, Some(&alice))).await;
        assert_eq!(status, StatusCode::OK, "{cols}");
        let variant = &cols[0];
        assert_eq!(variant["name"], "variant");
        // A and C are tied at 1: by value; the cap stopped counting at 2 keys
        assert_eq!(
            variant["top"][0],
            serde_json::json!({"value": "B", "count": 2})
        );
        assert_eq!(
            variant["top"][1],
            serde_json::json!({"value": "A", "count": 1})
        );
        assert_eq!(variant["distinct"], 2);
        assert_eq!(variant["distinct_capped"], true);
        // integers are labelled as the A/B and class columns label them
        assert_eq!(cols[2]["top"][0]["value"], "1");
        assert_eq!(cols[2]["top"][1]["value"], "2");
        assert_eq!(cols[3]["missing"], 1);
        assert_eq!(cols[3]["distinct_capped"], true);
        let (status, err) = send(&app, get(&uri, Some(&bob))).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{err}");
    }
}
