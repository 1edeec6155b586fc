//! `POST /datasets/upload/`, `GET /datasets/list/`, `GET /datasets/{id}/`,
//! `DELETE /datasets/{id}/`. Every dataset belongs to one user; another
//! user's dataset answers 404, exactly like a missing one.

use abstat_api::{Column, Dataset, ErrorBody, UploadResponse};
use abstat_core::profile::ProfileOptions;
use abstat_io::ReadOptions;
use abstat_io::ingest::ingest_path;
use abstat_io::store::DatasetInfo;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Path, Request, State};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::routing::{get, post};
use serde::Deserialize;

use super::{AppState, Json, Query};
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::store::DatasetRow;

pub(super) fn router(max_upload_bytes: u64) -> Router<AppState> {
    // The handler counts bytes itself (raw bodies are streamed, not
    // buffered); the layer bounds what multipart parsing may read.
    let layer_limit =
        usize::try_from(max_upload_bytes.saturating_add(64 * 1024)).unwrap_or(usize::MAX);
    Router::new()
        .route(
            "/datasets/upload/",
            post(upload).layer(DefaultBodyLimit::max(layer_limit)),
        )
        .route("/datasets/list/", get(list))
        .route("/datasets/{id}/", get(describe).delete(delete))
}

pub(super) fn not_found(id: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("there is no dataset '{id}' among yours; GET /datasets/list/ shows them"),
    )
}

/// The API's view of a stored dataset.
fn to_api(row: &DatasetRow, info: &DatasetInfo) -> Dataset {
    let latest = info.latest();
    Dataset {
        id: row.id.clone(),
        name: row.name.clone(),
        version: latest.map_or(0, |v| v.version),
        versions: info.versions.len() as u32,
        rows: latest.map_or(0, |v| v.rows),
        columns: latest
            .map(|v| {
                v.columns
                    .iter()
                    .map(|c| Column {
                        name: c.name.clone(),
                        data_type: c.data_type.clone(),
                        label: c.label.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        created_at: row.created_at,
    }
}

/// Reading mistakes are the client's (4xx, with the reader's advice);
/// storage failures are ours (500, logged).
pub(super) fn io_error(e: abstat_io::Error) -> ApiError {
    use abstat_io::Error as E;
    match e {
        E::Io { .. } | E::BadManifest { .. } => ApiError::internal("dataset store", e),
        E::LimitExceeded { .. } | E::ArchiveBomb { .. } => {
            ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", e.to_string())
        }
        E::NotFound { .. } => ApiError::new(StatusCode::NOT_FOUND, "not_found", e.to_string()),
        _ => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unreadable_dataset",
            e.to_string(),
        ),
    }
}

/// Query of `POST /datasets/upload/`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub(super) struct UploadQuery {
    /// The file name: names the dataset and helps detect the format
    /// (`.csv`, `.tsv`, `.xlsx`, `.parquet`, `.json` …). Required for a raw
    /// body; for multipart it defaults to the file part's file name.
    name: Option<String>,
}

fn too_large(limit: u64) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "too_large",
        format!(
            "the upload is larger than this server accepts ({} MiB, ABSTAT_MAX_UPLOAD_BYTES); \
             send a smaller file, e.g. only the columns you need or as Parquet",
            limit >> 20
        ),
    )
    .with_details(serde_json::json!({ "max_upload_bytes": limit }))
}

/// Write a stream of chunks to `file`, refusing more than `limit` bytes.
async fn spool<S, E>(mut chunks: S, file: &mut tokio::fs::File, limit: u64) -> Result<u64, ApiError>
where
    S: futures_util::Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    use futures_util::StreamExt;
    use tokio::io::AsyncWriteExt;
    let mut total = 0u64;
    while let Some(chunk) = chunks.next().await {
        let chunk =
            chunk.map_err(|e| ApiError::bad_request(format!("the upload was interrupted: {e}")))?;
        total += chunk.len() as u64;
        if total > limit {
            return Err(too_large(limit));
        }
        file.write_all(&chunk)
            .await
            .map_err(|e| ApiError::internal("spooling an upload", e))?;
    }
    file.flush()
        .await
        .map_err(|e| ApiError::internal("spooling an upload", e))?;
    Ok(total)
}

/// Stream the request's file into a temporary file in the data directory:
/// the raw body, or the first file part of a `multipart/form-data` body.
/// Returns the file, the user's file name and the byte count.
async fn receive_file(
    state: &AppState,
    query_name: Option<String>,
    request: Request,
) -> Result<(tempfile::NamedTempFile, String, u64), ApiError> {
    let limit = state.settings().max_upload_bytes;
    let spool_dir = state.data_dir().join("uploads");
    let temp = tokio::task::spawn_blocking(move || {
        std::fs::create_dir_all(&spool_dir)?;
        tempfile::Builder::new()
            .prefix("upload-")
            .tempfile_in(&spool_dir)
    })
    .await
    .map_err(|e| ApiError::internal("upload spool", e))?
    .map_err(|e| ApiError::internal("upload spool", e))?;
    let mut file = tokio::fs::File::from_std(
        temp.reopen()
            .map_err(|e| ApiError::internal("upload spool", e))?,
    );
    let is_multipart = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    let (name, bytes) = if is_multipart {
        let mut form = Multipart::from_request(request, state).await.map_err(|e| {
            ApiError::bad_request(format!("not a valid multipart form: {}", e.body_text()))
        })?;
        loop {
            let field = form
                .next_field()
                .await
                .map_err(|e| multipart_error(e, limit))?;
            let Some(field) = field else {
                return Err(ApiError::bad_request(
                    "the multipart form has no file part: send the file as a part named `file` with a file name",
                ));
            };
            let file_name = field.file_name().map(str::to_string);
            if file_name.is_none() && field.name() != Some("file") {
                continue;
            }
            let name = query_name.clone().or(file_name).ok_or_else(|| {
                ApiError::bad_request("give the file name as ?name=FILE or as the part's filename")
            })?;
            let chunks = futures_util::stream::unfold(field, |mut f| async move {
                match f.chunk().await {
                    Ok(Some(c)) => Some((Ok(c), f)),
                    Ok(None) => None,
                    Err(e) => Some((Err(e), f)),
                }
            });
            let bytes = spool(Box::pin(chunks), &mut file, limit).await?;
            break (name, bytes);
        }
    } else {
        let name = query_name.ok_or_else(|| {
            ApiError::bad_request("give the file name as ?name=FILE (1 to 255 characters)")
        })?;
        let bytes = spool(request.into_body().into_data_stream(), &mut file, limit).await?;
        (name, bytes)
    };
    Ok((temp, name, bytes))
}

fn multipart_error(e: axum::extract::multipart::MultipartError, limit: u64) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        too_large(limit)
    } else {
        ApiError::bad_request(format!("the multipart form is broken: {}", e.body_text()))
    }
}

/// Upload a file — the raw request body, or the file part of a
/// `multipart/form-data` form — streamed to disk, then read, profiled and
/// stored as version 1 of a new dataset.
#[utoipa::path(post, path = "/datasets/upload/", tag = "datasets", security(("bearer" = [])),
    params(UploadQuery),
    request_body(content(
        (Vec<u8> = "application/octet-stream"),
        (Vec<u8> = "multipart/form-data")
    )),
    responses((status = 201, body = UploadResponse),
        (status = 400, description = "no file name, or a broken form", body = ErrorBody),
        (status = 413, description = "over a size limit", body = ErrorBody),
        (status = 422, description = "the file cannot be read, and why", body = ErrorBody)))]
pub(super) async fn upload(
    State(state): State<AppState>,
    user: AuthUser,
    Query(q): Query<UploadQuery>,
    request: Request,
) -> Result<(StatusCode, Json<UploadResponse>), ApiError> {
    let (spooled, name, bytes) = receive_file(&state, q.name, request).await?;
    let name = name.trim().to_string();
    if name.is_empty() || name.chars().count() > 255 {
        return Err(ApiError::bad_request(
            "give the file name as ?name=FILE (1 to 255 characters)",
        ));
    }
    let id = uuid::Uuid::new_v4().simple().to_string();
    let store = state.datasets();
    let (task_id, task_name) = (id.clone(), name.clone());
    let ingested = tokio::task::spawn_blocking(move || {
        let read = ReadOptions::default();
        // The spooled file is removed when `spooled` drops, here.
        ingest_path(
            &*store,
            &task_id,
            spooled.path(),
            &task_name,
            &read,
            ProfileOptions::default(),
        )
    })
    .await
    .map_err(|e| ApiError::internal("ingest task", e))?
    .map_err(io_error)?;
    let row = match state.metadata().create_dataset(&id, &user.id, &name).await {
        Ok(row) => row,
        Err(e) => {
            // Without its metadata row nobody could reach the files: remove them.
            let _ = state.datasets().delete(&id);
            return Err(e.into());
        }
    };
    state.metrics().ingested(bytes);
    let to_json = |v: serde_json::Result<serde_json::Value>| {
        v.map_err(|e| ApiError::internal("serialising a profile", e))
    };
    Ok((
        StatusCode::CREATED,
        Json(UploadResponse {
            dataset: to_api(&row, &ingested.info),
            profile: to_json(serde_json::to_value(&ingested.profile))?,
            report: to_json(serde_json::to_value(&ingested.report))?,
        }),
    ))
}

/// The caller's datasets, newest first.
#[utoipa::path(get, path = "/datasets/list/", tag = "datasets", security(("bearer" = [])),
    responses((status = 200, body = Vec<Dataset>)))]
pub(super) async fn list(
    State(state): State<AppState>,
    user: AuthUser,
) -> Result<Json<Vec<Dataset>>, ApiError> {
    let rows = state.metadata().datasets_of(&user.id).await?;
    let store = state.datasets();
    let out = tokio::task::spawn_blocking(move || {
        rows.iter()
            .map(|row| store.describe(&row.id).map(|info| to_api(row, &info)))
            .collect::<Result<Vec<_>, _>>()
    })
    .await
    .map_err(|e| ApiError::internal("listing datasets", e))?
    .map_err(io_error)?;
    Ok(Json(out))
}

/// One of the caller's datasets.
#[utoipa::path(get, path = "/datasets/{id}/", tag = "datasets", security(("bearer" = [])),
    params(("id" = String, Path, description = "dataset id")),
    responses((status = 200, body = Dataset), (status = 404, body = ErrorBody)))]
pub(super) async fn describe(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> Result<Json<Dataset>, ApiError> {
    let row = state
        .metadata()
        .dataset(&user.id, &id)
        .await?
        .ok_or_else(|| not_found(&id))?;
    let store = state.datasets();
    let info = tokio::task::spawn_blocking(move || store.describe(&id))
        .await
        .map_err(|e| ApiError::internal("describing a dataset", e))?
        .map_err(io_error)?;
    Ok(Json(to_api(&row, &info)))
}

/// Delete one of the caller's datasets with all its versions.
#[utoipa::path(delete, path = "/datasets/{id}/", tag = "datasets", security(("bearer" = [])),
    params(("id" = String, Path, description = "dataset id")),
    responses((status = 204, description = "deleted"), (status = 404, body = ErrorBody)))]
pub(super) async fn delete(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    if !state.metadata().delete_dataset(&user.id, &id).await? {
        return Err(not_found(&id));
    }
    let store = state.datasets();
    tokio::task::spawn_blocking(move || store.delete(&id))
        .await
        .map_err(|e| ApiError::internal("deleting a dataset", e))?
        .map_err(io_error)?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::auth::Tokens;
    use axum::body::Body;
    use axum::http::{Request, StatusCode};

    fn upload(name: &str, token: &str, body: Vec<u8>) -> Request<Body> {
        Request::post(format!("/datasets/upload/?name={name}"))
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "application/octet-stream")
            .body(Body::from(body))
            .unwrap()
    }

    fn delete(uri: &str, token: &str) -> Request<Body> {
        Request::delete(uri)
            .header("authorization", format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap()
    }

    async fn user(state: &super::AppState, name: &str) -> String {
        let u = state
            .metadata()
            .create_user(name, None, None)
            .await
            .unwrap();
        Tokens::new(&"t".repeat(32)).issue(&u.id).unwrap().access
    }

    #[tokio::test]
    async fn a_cp1251_csv_is_uploaded_profiled_listed_and_deleted_by_its_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let (app, state) = test_app(dir.path()).await;
        let alice = user(&state, "alice").await;
        let bob = user(&state, "bob").await;

        // Windows-1251, semicolons, decimal commas: what Excel in Russia saves.
        let (text, _, _) =
            encoding_rs::WINDOWS_1251.encode("группа;выручка\nA;1,5\nB;2,5\nA;3,0\n");
        let (status, body) = send(&app, upload("опыт.csv", &alice, text.into_owned())).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let id = body["dataset"]["id"].as_str().unwrap().to_string();
        assert_eq!(body["dataset"]["rows"], 3);
        assert_eq!(body["dataset"]["columns"][1]["data_type"], "Float64");
        assert_eq!(body["dataset"]["columns"][1]["label"], "выручка");
        assert_eq!(body["profile"]["rows"], 3);
        assert!(body["report"].is_object());

        let (status, list) = send(&app, get("/datasets/list/", Some(&alice))).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(list.as_array().unwrap().len(), 1);
        assert_eq!(list[0]["id"], id.as_str());

        // Bob sees nothing of it: an empty list, and 404 like a missing dataset.
        let (_, list) = send(&app, get("/datasets/list/", Some(&bob))).await;
        assert_eq!(list.as_array().unwrap().len(), 0);
        let uri = format!("/datasets/{id}/");
        let (status, err) = send(&app, get(&uri, Some(&bob))).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(err["code"], "not_found");
        assert_eq!(
            send(&app, delete(&uri, &bob)).await.0,
            StatusCode::NOT_FOUND
        );

        let (status, one) = send(&app, get(&uri, Some(&alice))).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(one["name"], "опыт.csv");
        assert_eq!(
            send(&app, delete(&uri, &alice)).await.0,
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            send(&app, get(&uri, Some(&alice))).await.0,
            StatusCode::NOT_FOUND
        );
        assert!(
            state.datasets().list().unwrap().is_empty(),
            "the files are gone too"
        );
    }

    #[tokio::test]
    async fn bad_uploads_are_4xx_with_a_reason_and_store_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let (app, state) = test_app(dir.path()).await;
        let alice = user(&state, "alice").await;

        let (status, err) = send(&app, upload("empty.csv", &alice, Vec::new())).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
        assert_eq!(err["code"], "unreadable_dataset");
        assert!(!err["message"].as_str().unwrap().is_empty());

        let req = Request::post("/datasets/upload/")
            .header("authorization", format!("Bearer {alice}"))
            .body(Body::from("a,b\n1,2\n"))
            .unwrap();
        let (status, err) = send(&app, req).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
        assert_eq!(err["code"], "invalid_request");
        assert!(err["message"].as_str().unwrap().contains("name"), "{err}");

        let req = Request::post("/datasets/upload/?name=x.csv")
            .body(Body::from("a,b\n1,2\n"))
            .unwrap();
        assert_eq!(send(&app, req).await.0, StatusCode::UNAUTHORIZED);
        assert!(state.datasets().list().unwrap().is_empty());
        let (_, list) = send(&app, get("/datasets/list/", Some(&alice))).await;
        assert_eq!(list.as_array().unwrap().len(), 0);
    }

    fn multipart(token: &str, uri: &str, parts: &[(&str, Option<&str>, &[u8])]) -> Request<Body> {
        let boundary = "XabstatBoundary42";
        let mut body = Vec::new();
        for (name, file_name, data) in parts {
            body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
            let disposition = match file_name {
                Some(f) => {
                    format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\n")
                }
                None => format!("Content-Disposition: form-data; name=\"{name}\"\r\n"),
            };
            body.extend_from_slice(disposition.as_bytes());
            body.extend_from_slice(b"Content-Type: application/octet-stream\r\n\r\n");
            body.extend_from_slice(data);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        Request::post(uri)
            .header("authorization", format!("Bearer {token}"))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(Body::from(body))
            .unwrap()
    }

    #[tokio::test]
    async fn a_multipart_form_upload_is_stored_under_the_part_s_file_name() {
        let dir = tempfile::tempdir().unwrap();
        let (app, state) = test_app(dir.path()).await;
        let alice = user(&state, "alice").await;
        let req = multipart(
            &alice,
            "/datasets/upload/",
            &[
                ("comment", None, b"ignored field"),
                ("file", Some("sales.tsv"), b"region\tamount\nN\t1.5\nS\t2\n"),
            ],
        );
        let (status, body) = send(&app, req).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["dataset"]["name"], "sales.tsv");
        assert_eq!(body["dataset"]["rows"], 2);
        assert_eq!(body["dataset"]["columns"][1]["data_type"], "Float64");
        // ?name= wins over the part's file name.
        let req = multipart(
            &alice,
            "/datasets/upload/?name=renamed.csv",
            &[("file", Some("x.csv"), b"a,b\n1,2\n")],
        );
        let (status, body) = send(&app, req).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["dataset"]["name"], "renamed.csv");

        let req = multipart(
            &alice,
            "/datasets/upload/",
            &[("comment", None, b"no file here")],
        );
        let (status, err) = send(&app, req).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
        assert!(err["message"].as_str().unwrap().contains("file"), "{err}");
        let text = state.metrics().render();
        assert!(text.contains("abstat_datasets_uploaded_total 2"), "{text}");
        assert!(
            std::fs::read_dir(dir.path().join("uploads"))
                .unwrap()
                .next()
                .is_none(),
            "spooled files are removed"
        );
    }

    #[tokio::test]
    async fn an_upload_over_the_configured_limit_is_413_and_stores_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let settings = crate::config::HttpSettings {
            max_upload_bytes: 1024,
            rate_limit_per_minute: 0,
            ..Default::default()
        };
        let (app, state) = test_app_with(dir.path(), settings).await;
        let alice = user(&state, "alice").await;
        let big: Vec<u8> = "a,b\n"
            .bytes()
            .chain((0..400).flat_map(|i| format!("{i},{i}\n").into_bytes()))
            .collect();
        assert!(big.len() > 1024);
        let (status, err) = send(&app, upload("big.csv", &alice, big.clone())).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{err}");
        assert_eq!(err["code"], "too_large");
        assert_eq!(err["details"]["max_upload_bytes"], 1024);
        assert!(
            err["message"]
                .as_str()
                .unwrap()
                .contains("ABSTAT_MAX_UPLOAD_BYTES")
        );
        let req = multipart(
            &alice,
            "/datasets/upload/",
            &[("file", Some("big.csv"), &big)],
        );
        let (status, err) = send(&app, req).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{err}");
        assert!(state.datasets().list().unwrap().is_empty());
        let (status, _) = send(&app, upload("small.csv", &alice, b"a,b\n1,2\n".to_vec())).await;
        assert_eq!(status, StatusCode::CREATED);
    }
}
