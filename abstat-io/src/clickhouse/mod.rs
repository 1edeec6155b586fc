//! The ClickHouse dataset store: the [`DatasetStore`] contract on a
//! ClickHouse server (18.16 or newer) over its HTTP interface, with the A/B
//! sufficient statistics computed by the server.
//!
//! ## Layout
//! - **One MergeTree table per dataset version**, `<prefix><id>_v<N>`
//!   (default prefix `abstat_`), with the dataset's columns (types in
//!   [`schema`]) after a hidden row number `_abstat_row` that is the sorting
//!   key, so reads return rows in the order they were written and a batch is
//!   a primary-key range. One table per version rather than one per dataset
//!   with a version column because versions differ in columns and types
//!   (cleaning drops and casts columns), and deleting a version or a dataset
//!   is then a `DROP TABLE`, which 18.16 does at once (its `ALTER … DELETE`
//!   is an asynchronous mutation).
//! - **A metadata table** `<prefix>datasets (seq, id, version, deleted,
//!   manifest)`, append-only: a row per version (its [`VersionInfo`] and
//!   Arrow schema as JSON) and a tombstone row per delete. A dataset is what
//!   its rows say after the last tombstone. As in the local store, the
//!   metadata is the truth: the version table is filled first and the
//!   version exists once its row is written, so a failed upload leaves no
//!   visible version (and its table is dropped).
//!
//! ## Concurrency
//! The trait is synchronous; the `clickhouse` client is async, so the store
//! owns a one-thread tokio runtime and blocks on it. Never call the store
//! from inside an async task: from async code use
//! `tokio::task::spawn_blocking`. One process owns a prefix: writers in the
//! process are serialised, other processes are not locked out.
//!
//! ## Values
//! Data travel as RowBinary ([`rowbinary`]); every statement is built by
//! [`sql::Sql`], which quotes all identifiers and values. `bytes` in
//! [`VersionInfo`] is the size of the RowBinary data sent, not of the
//! compressed parts on the server's disk.

mod rowbinary;
mod schema;
mod sql;

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use abstat_core::ab::JointMoments;
use arrow_array::{RecordBatch, RecordBatchOptions};
use arrow_schema::{Schema, SchemaRef};
use bytes::Bytes;
use clickhouse::Client;

use crate::store::{
    DatasetInfo, DatasetStore, StoredBatches, VersionInfo, check_id, id_taken, next_version,
    no_such_column, now, pick_version,
};
use crate::variant_moments::{MomentsQuery, VariantMoments};
use crate::{Error, Result};
use schema::{ROW_COLUMN, StoredField, StoredVersion};
use sql::Sql;

/// The environment variable [`ClickHouseStore::from_env`] reads.
pub const URL_VAR: &str = "ABSTAT_CLICKHOUSE_URL";

/// Datasets in ClickHouse tables; see the [module docs](self).
pub struct ClickHouseStore {
    client: Client,
    runtime: Arc<tokio::runtime::Runtime>,
    /// The URL for messages, password redacted.
    url: String,
    prefix: String,
    writing: Mutex<()>,
}

impl std::fmt::Debug for ClickHouseStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClickHouseStore")
            .field("url", &self.url)
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

/// The parts of `http://user:password@host:port/database`.
struct Address {
    base: String,
    user: Option<String>,
    password: Option<String>,
    database: Option<String>,
    redacted: String,
}

fn parse_url(url: &str) -> Result<Address> {
    let bad = |why: &str| Error::InvalidOption {
        name: "ClickHouse URL",
        value: redact(url),
        expected: format!("http(s)://[user[:password]@]host:port[/database] ({why})"),
    };
    let (scheme, rest) = url
        .split_once("://")
        .filter(|(s, _)| *s == "http" || *s == "https")
        .ok_or_else(|| bad("the scheme must be http or https"))?;
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let (userinfo, host) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, authority),
    };
    if host.is_empty() {
        return Err(bad("no host"));
    }
    let (user, password) = match userinfo {
        None => (None, None),
        Some(u) => match u.split_once(':') {
            Some((u, p)) => (Some(u.to_string()), Some(p.to_string())),
            None => (Some(u.to_string()), None),
        },
    };
    let database = path.trim_end_matches('/');
    Ok(Address {
        base: format!("{scheme}://{host}"),
        user,
        password,
        database: (!database.is_empty()).then(|| database.to_string()),
        redacted: redact(url),
    })
}

/// `url` with any password replaced by `***`.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
            let hidden = if userinfo.contains(':') { ":***" } else { "" };
            format!("{scheme}://{user}{hidden}@{host}{path}")
        }
        None => url.to_string(),
    }
}

/// A metadata row.
struct MetaRow {
    seq: u64,
    id: String,
    deleted: bool,
    manifest: String,
}

impl ClickHouseStore {
    /// Connect to the server at `url` (`http://[user[:password]@]host:port[/database]`),
    /// with tables named `abstat_…`, and create the metadata table if
    /// missing. An unreachable server is [`Error::Unreachable`].
    pub fn connect(url: &str) -> Result<Self> {
        Self::connect_with_prefix(url, "abstat_")
    }

    /// Connect to the server named by `ABSTAT_CLICKHOUSE_URL`.
    pub fn from_env() -> Result<Self> {
        let url = std::env::var(URL_VAR).map_err(|_| Error::InvalidOption {
            name: "ABSTAT_CLICKHOUSE_URL",
            value: "(unset)".into(),
            expected: "the URL of a ClickHouse server's HTTP port, e.g. http://127.0.0.1:8123"
                .into(),
        })?;
        Self::connect(&url)
    }

    /// As [`connect`](Self::connect), with table names starting with
    /// `prefix` (1 to 48 of a-z, 0-9 and '_', starting with a letter): one
    /// prefix is one independent store.
    pub fn connect_with_prefix(url: &str, prefix: &str) -> Result<Self> {
        let ok = (1..=48).contains(&prefix.len())
            && prefix.as_bytes()[0].is_ascii_lowercase()
            && prefix
                .bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_');
        if !ok {
            return Err(Error::InvalidOption {
                name: "table prefix",
                value: prefix.into(),
                expected: "1 to 48 of a-z, 0-9 and '_', starting with a letter".into(),
            });
        }
        let address = parse_url(url)?;
        // ClickHouse 18.16 predates RowBinaryWithNamesAndTypes, which the
        // client's schema validation uses.
        let mut client = Client::default()
            .with_url(&address.base)
            .with_validation(false);
        if let Some(u) = &address.user {
            client = client.with_user(u);
        }
        if let Some(p) = &address.password {
            client = client.with_password(p);
        }
        if let Some(d) = &address.database {
            client = client.with_database(d);
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("abstat-clickhouse")
            .enable_all()
            .build()
            .map_err(|e| Error::io("a runtime for the ClickHouse client", e))?;
        let store = ClickHouseStore {
            client,
            runtime: Arc::new(runtime),
            url: address.redacted,
            prefix: prefix.into(),
            writing: Mutex::new(()),
        };
        store.execute(
            Sql::default()
                .text("CREATE TABLE IF NOT EXISTS ")
                .ident(&store.meta_table())
                .text(
                    " (seq UInt64, id String, version UInt32, deleted UInt8, manifest String) \
                     ENGINE = MergeTree ORDER BY (id, seq)",
                ),
        )?;
        Ok(store)
    }

    /// The server's URL with the password redacted.
    pub fn url(&self) -> &str {
        &self.url
    }

    fn meta_table(&self) -> String {
        format!("{}datasets", self.prefix)
    }

    fn table(&self, id: &str, version: u32) -> String {
        format!("{}{id}_v{version}", self.prefix)
    }

    fn error(&self, e: clickhouse::error::Error) -> Error {
        error_for(&self.url, e)
    }

    fn block_on<F: Future>(&self, f: F) -> F::Output {
        self.runtime.block_on(f)
    }

    fn execute(&self, sql: Sql) -> Result<()> {
        self.block_on(query(&self.client, sql).execute())
            .map_err(|e| self.error(e))
    }

    fn fetch(&self, sql: Sql) -> Result<Bytes> {
        fetch(&self.client, &self.runtime, &self.url, sql)
    }

    /// Send RowBinary `chunks` as one INSERT into `columns` of `table`.
    /// Returns the bytes sent.
    fn insert(
        &self,
        table: &str,
        columns: &[&str],
        chunks: &mut dyn Iterator<Item = Result<Vec<u8>>>,
    ) -> Result<u64> {
        let statement = Sql::default()
            .text("INSERT INTO ")
            .ident(table)
            .text(" (")
            .idents(columns.iter().copied())
            .text(") FORMAT RowBinary")
            .finish();
        let mut insert = None;
        let mut sent = 0u64;
        for chunk in chunks {
            let chunk = chunk?;
            if chunk.is_empty() {
                continue;
            }
            sent += chunk.len() as u64;
            let ins =
                insert.get_or_insert_with(|| self.client.insert_formatted_with(statement.clone()));
            self.block_on(ins.send(Bytes::from(chunk)))
                .map_err(|e| self.error(e))?;
        }
        if let Some(ins) = insert {
            self.block_on(ins.end()).map_err(|e| self.error(e))?;
        }
        Ok(sent)
    }

    fn meta_rows(&self, id: Option<&str>) -> Result<Vec<MetaRow>> {
        let mut sql = Sql::default()
            .text("SELECT seq, id, deleted, manifest FROM ")
            .ident(&self.meta_table());
        if let Some(id) = id {
            sql = sql.text(" WHERE id = ").string(id);
        }
        let bytes = self.fetch(sql.text(" ORDER BY id, seq"))?;
        let mut r = rowbinary::Reader::new(&bytes);
        let mut rows = Vec::new();
        while !r.is_empty() {
            rows.push(MetaRow {
                seq: r.u64()?,
                id: r.string()?.to_string(),
                deleted: r.u8()? != 0,
                manifest: r.string()?.to_string(),
            });
        }
        Ok(rows)
    }

    /// Datasets as their metadata rows say (`id` alone, or all).
    fn load_all(&self, id: Option<&str>) -> Result<BTreeMap<String, Vec<StoredVersion>>> {
        let mut out: BTreeMap<String, Vec<StoredVersion>> = BTreeMap::new();
        for row in self.meta_rows(id)? {
            let versions = out.entry(row.id.clone()).or_default();
            if row.deleted {
                versions.clear();
                continue;
            }
            let v: StoredVersion =
                serde_json::from_str(&row.manifest).map_err(|e| Error::BadManifest {
                    id: row.id.clone(),
                    detail: format!("metadata row {}: {e}", row.seq),
                })?;
            versions.push(v);
        }
        out.retain(|_, v| !v.is_empty());
        Ok(out)
    }

    fn load(&self, id: &str) -> Result<Vec<StoredVersion>> {
        check_id(id)?;
        self.load_all(Some(id))?
            .remove(id)
            .ok_or_else(|| Error::NotFound {
                id: id.into(),
                version: None,
            })
    }

    fn append_meta(&self, id: &str, version: u32, deleted: bool, manifest: &str) -> Result<()> {
        // Rows are ordered by seq: the clock in nanoseconds, but always past
        // the last row, so a clock set back cannot reorder a delete and a
        // re-create. (One writer per prefix at a time.)
        let last = self.fetch(
            Sql::default()
                .text("SELECT max(seq) FROM ")
                .ident(&self.meta_table()),
        )?;
        let last = rowbinary::Reader::new(&last).u64()?;
        let clock = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        let seq = clock.max(last + 1);
        let mut row = Vec::new();
        row.extend_from_slice(&seq.to_le_bytes());
        rowbinary::put_string(id, &mut row);
        row.extend_from_slice(&version.to_le_bytes());
        row.push(u8::from(deleted));
        rowbinary::put_string(manifest, &mut row);
        self.insert(
            &self.meta_table(),
            &["seq", "id", "version", "deleted", "manifest"],
            &mut std::iter::once(Ok(row)),
        )
        .map(|_| ())
    }

    fn drop_table(&self, table: &str) -> Result<()> {
        self.execute(Sql::default().text("DROP TABLE IF EXISTS ").ident(table))
    }

    /// Fill the table of a new version and describe it (not yet visible).
    fn write_version(
        &self,
        id: &str,
        version: u32,
        parent: Option<u32>,
        note: &str,
        schema: &Schema,
        batches: &mut dyn Iterator<Item = Result<RecordBatch>>,
    ) -> Result<StoredVersion> {
        let fields = schema::stored_fields(schema)?;
        let table = self.table(id, version);
        // A table left by a crash before its metadata row is not a version.
        self.drop_table(&table)?;
        self.execute(Sql::create_version_table(&table, &fields))?;
        let mut rows = 0u64;
        let mut columns = vec![ROW_COLUMN];
        columns.extend(fields.iter().map(|f| f.name.as_str()));
        let mut chunks = batches.map(|b| {
            let b = b?;
            let mut buf = Vec::with_capacity(b.num_rows() * (8 + 9 * fields.len()));
            rowbinary::encode(&b, &fields, rows, &mut buf)?;
            rows += b.num_rows() as u64;
            Ok(buf)
        });
        let sent = self.insert(&table, &columns, &mut chunks);
        drop(chunks);
        let bytes = match sent {
            Ok(bytes) => bytes,
            Err(e) => {
                let _ = self.drop_table(&table);
                return Err(e);
            }
        };
        Ok(StoredVersion {
            info: VersionInfo {
                version,
                parent,
                note: note.into(),
                rows,
                bytes,
                created_at: now(),
                columns: schema::column_infos(&fields),
            },
            fields,
        })
    }

    /// Make a written version visible, or drop its table if that fails.
    fn publish(&self, id: &str, v: &StoredVersion) -> Result<()> {
        let manifest = serde_json::to_string(v).expect("manifest serialises");
        let published = self.append_meta(id, v.info.version, false, &manifest);
        if published.is_err() {
            let _ = self.drop_table(&self.table(id, v.info.version));
        }
        published
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ()> {
        self.writing.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn info(id: &str, versions: Vec<StoredVersion>) -> DatasetInfo {
    DatasetInfo {
        id: id.into(),
        versions: versions.into_iter().map(|v| v.info).collect(),
    }
}

fn pick(id: &str, versions: Vec<StoredVersion>, version: Option<u32>) -> Result<StoredVersion> {
    pick_version(id, versions, version, |v| v.info.version)
}

/// The only way statements reach the client: `?` is the client's
/// placeholder, so a literal one (inside a quoted name) is doubled.
fn query(client: &Client, sql: Sql) -> clickhouse::query::Query {
    client.query(&sql.finish().replace('?', "??"))
}

fn fetch(client: &Client, runtime: &tokio::runtime::Runtime, url: &str, sql: Sql) -> Result<Bytes> {
    runtime
        .block_on(async { query(client, sql).fetch_bytes("RowBinary")?.collect().await })
        .map_err(|e| error_for(url, e))
}

fn error_for(url: &str, e: clickhouse::error::Error) -> Error {
    match e {
        clickhouse::error::Error::Network(_) | clickhouse::error::Error::TimedOut => {
            Error::Unreachable {
                url: url.into(),
                detail: error_chain(&e),
            }
        }
        e => Error::Database {
            url: url.into(),
            detail: error_chain(&e).trim().to_string(),
        },
    }
}

/// The error and its sources ("network error: … : connection refused").
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let s_text = s.to_string();
        if !text.contains(&s_text) {
            text.push_str(": ");
            text.push_str(&s_text);
        }
        source = s.source();
    }
    text
}

/// Batches of a version, one primary-key range query per batch.
struct Pages {
    client: Client,
    runtime: Arc<tokio::runtime::Runtime>,
    url: String,
    table: String,
    fields: Vec<StoredField>,
    schema: SchemaRef,
    next: u64,
    rows: u64,
    batch_size: u64,
}

impl Iterator for Pages {
    type Item = Result<RecordBatch>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.next >= self.rows {
            return None;
        }
        let (start, end) = (
            self.next,
            self.next.saturating_add(self.batch_size).min(self.rows),
        );
        self.next = end;
        let n = (end - start) as usize;
        if self.fields.is_empty() {
            let options = RecordBatchOptions::new().with_row_count(Some(n));
            return Some(
                RecordBatch::try_new_with_options(self.schema.clone(), vec![], &options)
                    .map_err(|e| Error::format("Arrow", e)),
            );
        }
        let sql = Sql::default()
            .text("SELECT ")
            .idents(self.fields.iter().map(|f| f.name.as_str()))
            .text(" FROM ")
            .ident(&self.table)
            .text(" WHERE ")
            .ident(ROW_COLUMN)
            .text(" >= ")
            .number(start)
            .text(" AND ")
            .ident(ROW_COLUMN)
            .text(" < ")
            .number(end)
            .text(" ORDER BY ")
            .ident(ROW_COLUMN);
        Some((|| {
            let bytes = fetch(&self.client, &self.runtime, &self.url, sql)?;
            let columns = rowbinary::decode(&bytes, &self.fields, n)?;
            RecordBatch::try_new(self.schema.clone(), columns)
                .map_err(|e| Error::format("Arrow", e))
        })())
    }
}

impl DatasetStore for ClickHouseStore {
    fn create(
        &self,
        id: &str,
        schema: SchemaRef,
        batches: &mut dyn Iterator<Item = Result<RecordBatch>>,
    ) -> Result<DatasetInfo> {
        check_id(id)?;
        let _guard = self.lock();
        if self.load_all(Some(id))?.contains_key(id) {
            return Err(id_taken(id));
        }
        let v = self.write_version(id, 1, None, "upload", &schema, batches)?;
        self.publish(id, &v)?;
        Ok(info(id, vec![v]))
    }

    fn add_version(
        &self,
        id: &str,
        parent: u32,
        note: &str,
        schema: SchemaRef,
        batches: &mut dyn Iterator<Item = Result<RecordBatch>>,
    ) -> Result<VersionInfo> {
        let _guard = self.lock();
        let versions = self.load(id)?;
        let existing: Vec<u32> = versions.iter().map(|v| v.info.version).collect();
        let version = next_version(id, parent, &existing)?;
        let v = self.write_version(id, version, Some(parent), note, &schema, batches)?;
        self.publish(id, &v)?;
        Ok(v.info)
    }

    fn read(
        &self,
        id: &str,
        version: Option<u32>,
        columns: Option<&[&str]>,
        batch_size: usize,
    ) -> Result<(SchemaRef, StoredBatches)> {
        let v = pick(id, self.load(id)?, version)?;
        let fields = match columns {
            None => v.fields.clone(),
            Some(cols) => cols
                .iter()
                .map(|c| {
                    v.fields
                        .iter()
                        .find(|f| f.name == *c)
                        .cloned()
                        .ok_or_else(|| {
                            no_such_column(id, c, v.fields.iter().map(|f| f.name.as_str()))
                        })
                })
                .collect::<Result<Vec<_>>>()?,
        };
        let schema = Arc::new(schema::arrow_schema(&fields));
        let pages = Pages {
            client: self.client.clone(),
            runtime: self.runtime.clone(),
            url: self.url.clone(),
            table: self.table(id, v.info.version),
            fields,
            schema: schema.clone(),
            next: 0,
            rows: v.info.rows,
            batch_size: batch_size.max(1) as u64,
        };
        Ok((schema, Box::new(pages)))
    }

    fn list(&self) -> Result<Vec<DatasetInfo>> {
        Ok(self
            .load_all(None)?
            .into_iter()
            .map(|(id, versions)| info(&id, versions))
            .collect())
    }

    fn describe(&self, id: &str) -> Result<DatasetInfo> {
        Ok(info(id, self.load(id)?))
    }

    fn delete(&self, id: &str) -> Result<()> {
        let _guard = self.lock();
        let versions = self.load(id)?;
        // The tombstone goes first: a failure midway leaves unlisted
        // tables, never a listed dataset with missing versions.
        self.append_meta(id, 0, true, "")?;
        for v in versions {
            self.drop_table(&self.table(id, v.info.version))?;
        }
        Ok(())
    }

    /// One `SELECT label, count(), countIf(ok), sumKahanIf(y, ok), … GROUP BY
    /// label` on the server, with the rules of [`crate::variant_moments`].
    fn variant_moments(
        &self,
        id: &str,
        version: Option<u32>,
        query: &MomentsQuery,
    ) -> Result<Vec<VariantMoments>> {
        let v = pick(id, self.load(id)?, version)?;
        query.check(id, &schema::arrow_schema(&v.fields))?;
        let field = |name: &str| {
            v.fields
                .iter()
                .find(|f| f.name == name)
                .expect("checked above")
        };
        let covariate = query.covariate.as_deref().map(field);
        let sql = Sql::variant_moments(
            &self.table(id, v.info.version),
            field(&query.variant),
            field(&query.metric),
            covariate,
        );
        let bytes = self.fetch(sql)?;
        let mut r = rowbinary::Reader::new(&bytes);
        let mut out = Vec::new();
        while !r.is_empty() {
            let variant = r.string()?.to_string();
            let rows = r.u64()?;
            let n = r.u64()?;
            let (sum, sum_squares) = (r.f64()?, r.f64()?);
            let (sum_x, sum_x_squares, sum_xy) = match covariate {
                Some(_) => (r.f64()?, r.f64()?, r.f64()?),
                None => (0.0, 0.0, 0.0),
            };
            out.push(VariantMoments {
                variant,
                rows,
                moments: JointMoments::new(n, sum, sum_squares, sum_x, sum_x_squares, sum_xy),
            });
        }
        // Rust's byte order of labels, whatever the server's collation.
        out.sort_by(|a, b| a.variant.cmp(&b.variant));
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(redact("http://u:p@w@h:8123/db"), "http://u:***@h:8123/db");
        assert_eq!(redact("http://u@h:8123"), "http://u@h:8123");
        assert_eq!(redact("http://h:8123"), "http://h:8123");
        let a = parse_url("https://me:secret@host:8443/analytics/").unwrap();
        assert_eq!(a.base, "https://host:8443");
        assert_eq!(
            (
                a.user.as_deref(),
                a.password.as_deref(),
                a.database.as_deref()
            ),
            (Some("me"), Some("secret"), Some("analytics"))
        );
        assert!(!a.redacted.contains("secret"));
    }

    #[test]
    fn strings_of_any_length_survive_row_binary() {
        for len in [0usize, 1, 127, 128, 300, 20_000] {
            let s = "я".repeat(len);
            let mut buf = Vec::new();
            rowbinary::put_string(&s, &mut buf);
            buf.extend_from_slice(&7u64.to_le_bytes());
            let mut r = rowbinary::Reader::new(&buf);
            assert_eq!(r.string().unwrap(), s);
            assert_eq!(r.u64().unwrap(), 7);
            assert!(r.is_empty());
            let mut cut = rowbinary::Reader::new(&buf[..buf.len() - 1]);
            cut.string().unwrap();
            assert!(matches!(cut.u64(), Err(Error::Format { .. })));
        }
    }
}
