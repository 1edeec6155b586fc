//! The one typed configuration of every `abstat` process.
//!
//! Sources, later ones winning: built-in defaults, an optional TOML file
//! (`--config FILE` or `ABSTAT_CONFIG`), then `ABSTAT_*` environment
//! variables (plus `TELEGRAM_BOT_TOKEN`). Everything is validated once at
//! start-up; a bad value is a [`ConfigError`] that names the variable and
//! says how to fix it. Secrets never have a silent default: only an explicit
//! dev mode (`--dev` / `ABSTAT_DEV=1`) may generate a JWT secret.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// A value that must not appear in logs or `Debug` output.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// The secret itself, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Secret(s)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Readable lines for a terminal.
    #[default]
    Human,
    /// One JSON object per line, for log shippers.
    Json,
}

/// The validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where the HTTP API listens (`ABSTAT_HTTP_ADDR`).
    pub http_addr: SocketAddr,
    /// Local data directory: datasets, SQLite metadata, dev secret (`ABSTAT_DATA_DIR`).
    pub data_dir: PathBuf,
    /// Metadata database: `sqlite://…` (default) or `postgres://…` (`ABSTAT_DATABASE_URL`).
    pub database_url: String,
    /// Kafka bootstrap servers; unset means the in-process queue (`ABSTAT_KAFKA_BROKERS`).
    pub kafka_brokers: Option<String>,
    /// Topics, group and topic layout, used when `kafka_brokers` is set.
    pub kafka: KafkaSettings,
    /// Redis URL; unset means the in-memory cache (`ABSTAT_REDIS_URL`).
    pub redis_url: Option<String>,
    /// ClickHouse HTTP URL; unset means local Parquet files (`ABSTAT_CLICKHOUSE_URL`).
    pub clickhouse_url: Option<String>,
    /// Secret that signs JWTs (`ABSTAT_JWT_SECRET`); `None` only until
    /// [`Config::jwt_secret`] resolves it.
    pub jwt_secret: Option<Secret>,
    /// Telegram bot token; unset means no bot (`TELEGRAM_BOT_TOKEN`).
    pub telegram_bot_token: Option<Secret>,
    /// Bot API base URL (`ABSTAT_TELEGRAM_API_URL`).
    pub telegram_api_url: String,
    /// Base URL of the abstat HTTP API for the bot (`ABSTAT_SERVER_URL`);
    /// defaults to this process's own `http_addr`.
    pub server_url: String,
    /// Explicit development mode (`ABSTAT_DEV`).
    pub dev: bool,
    /// Log format (`ABSTAT_LOG_FORMAT`).
    pub log_format: LogFormat,
    /// Concurrent jobs of the in-process worker (`ABSTAT_WORKER_TASKS`);
    /// 0 (allowed only with Kafka) runs `abstat serve` as an API that only
    /// submits, leaving the jobs to `abstat worker` processes.
    pub worker_tasks: usize,
    /// Where `abstat worker` serves `/metrics` and `/healthz`
    /// (`ABSTAT_WORKER_METRICS_ADDR`).
    pub worker_metrics_addr: SocketAddr,
    /// Limits and cross-origin policy of the HTTP API.
    pub http: HttpSettings,
    /// How `abstat bot` runs: webhook, dialogue state, metrics address.
    pub bot: BotSettings,
}

/// Limits and the cross-origin policy of the HTTP API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpSettings {
    /// Largest upload body in bytes (`ABSTAT_MAX_UPLOAD_BYTES`).
    pub max_upload_bytes: u64,
    /// Requests per minute one user (or one address, before logging in)
    /// may make; 0 turns the limit off (`ABSTAT_RATE_LIMIT`).
    pub rate_limit_per_minute: u32,
    /// Analyses one user may have queued or running at once
    /// (`ABSTAT_MAX_JOBS_PER_USER`).
    pub max_jobs_per_user: u32,
    /// Origins allowed to call the API from a browser; empty = no CORS
    /// headers, `["*"]` = any origin (`ABSTAT_CORS_ORIGINS`).
    pub cors_origins: Vec<String>,
    /// The credential the Telegram bot presents to `POST /auth/telegram/`;
    /// unset = that route is closed (`ABSTAT_BOT_SERVICE_TOKEN`).
    pub bot_service_token: Option<Secret>,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            max_upload_bytes: 512 * 1024 * 1024,
            rate_limit_per_minute: 600,
            max_jobs_per_user: 4,
            cors_origins: Vec::new(),
            bot_service_token: None,
        }
    }
}

/// A configuration value that cannot be used, with the fix.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{source_name}: {problem}. {fix}")]
pub struct ConfigError {
    /// The variable or file key (e.g. `ABSTAT_HTTP_ADDR`).
    pub source_name: String,
    /// What is wrong.
    pub problem: String,
    /// How to fix it.
    pub fix: String,
}

impl ConfigError {
    fn new(source_name: &str, problem: impl Into<String>, fix: impl Into<String>) -> Self {
        ConfigError {
            source_name: source_name.to_string(),
            problem: problem.into(),
            fix: fix.into(),
        }
    }
}

/// The keys a TOML file may hold: the environment variables' names without
/// the `ABSTAT_` prefix, in lower case.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    http_addr: Option<String>,
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    kafka_brokers: Option<String>,
    kafka_topic_prefix: Option<String>,
    kafka_group: Option<String>,
    kafka_partitions: Option<i32>,
    kafka_replication: Option<i32>,
    redis_url: Option<String>,
    clickhouse_url: Option<String>,
    jwt_secret: Option<String>,
    telegram_bot_token: Option<String>,
    telegram_api_url: Option<String>,
    server_url: Option<String>,
    dev: Option<bool>,
    log_format: Option<LogFormat>,
    max_upload_bytes: Option<toml::Value>,
    rate_limit: Option<u32>,
    max_jobs_per_user: Option<u32>,
    cors_origins: Option<String>,
    bot_service_token: Option<String>,
    worker_tasks: Option<usize>,
    worker_metrics_addr: Option<String>,
    bot_webhook_url: Option<String>,
    bot_webhook_listen: Option<String>,
    bot_webhook_secret: Option<String>,
    bot_state: Option<String>,
    bot_metrics_addr: Option<String>,
}

/// Every environment variable the configuration reads, with its meaning,
/// for `--help` and the README.
pub const ENV_VARS: &[(&str, &str)] = &[
    (
        "ABSTAT_CONFIG",
        "TOML file with these settings (keys lower case, no prefix)",
    ),
    (
        "ABSTAT_HTTP_ADDR",
        "address of the HTTP API [default: 127.0.0.1:8080]",
    ),
    (
        "ABSTAT_DATA_DIR",
        "local data directory [default: ~/.local/share/abstat]",
    ),
    (
        "ABSTAT_DATABASE_URL",
        "sqlite://FILE or postgres://… [default: SQLite in data dir]",
    ),
    (
        "ABSTAT_KAFKA_BROKERS",
        "Kafka host:port,…; unset = in-process job queue",
    ),
    (
        "ABSTAT_KAFKA_TOPIC_PREFIX",
        "prefix of every Kafka topic name [default: abstat.]",
    ),
    (
        "ABSTAT_KAFKA_GROUP",
        "consumer group of the workers [default: abstat-workers]",
    ),
    (
        "ABSTAT_KAFKA_PARTITIONS",
        "partitions of topics abstat creates [default: 6]",
    ),
    (
        "ABSTAT_KAFKA_REPLICATION",
        "replicas of topics abstat creates [default: 1]",
    ),
    (
        "ABSTAT_REDIS_URL",
        "redis://host:port; unset = in-memory result cache",
    ),
    (
        "ABSTAT_CLICKHOUSE_URL",
        "http://host:8123; unset = Parquet files in the data dir",
    ),
    (
        "ABSTAT_JWT_SECRET",
        "signs access tokens, 32+ characters (required unless --dev)",
    ),
    (
        "TELEGRAM_BOT_TOKEN",
        "token from @BotFather; set it to run the bot",
    ),
    (
        "ABSTAT_TELEGRAM_API_URL",
        "Bot API server [default: https://api.telegram.org]",
    ),
    (
        "ABSTAT_SERVER_URL",
        "API the bot calls [default: http://ABSTAT_HTTP_ADDR]",
    ),
    (
        "ABSTAT_DEV",
        "1 = dev mode: generate and keep a local JWT secret",
    ),
    ("ABSTAT_LOG_FORMAT", "human or json [default: human]"),
    (
        "ABSTAT_MAX_UPLOAD_BYTES",
        "largest upload, e.g. 512M or 2G [default: 512M]",
    ),
    (
        "ABSTAT_RATE_LIMIT",
        "requests per minute per user, 0 = off [default: 600]",
    ),
    (
        "ABSTAT_MAX_JOBS_PER_USER",
        "analyses queued or running per user [default: 4]",
    ),
    (
        "ABSTAT_CORS_ORIGINS",
        "browser origins allowed, comma-separated, or * [default: none]",
    ),
    (
        "ABSTAT_BOT_SERVICE_TOKEN",
        "credential the bot shows to /auth/telegram/, 32+ characters",
    ),
    (
        "ABSTAT_WORKER_TASKS",
        "jobs the in-process worker runs at once; 0 = none, API only (needs Kafka) [default: 2]",
    ),
    (
        "ABSTAT_WORKER_METRICS_ADDR",
        "where `abstat worker` serves /metrics and /healthz [default: 127.0.0.1:9187]",
    ),
    (
        "ABSTAT_BOT_WEBHOOK_URL",
        "public https URL Telegram posts updates to; unset = polling",
    ),
    (
        "ABSTAT_BOT_WEBHOOK_LISTEN",
        "address the bot's webhook server binds [default: 127.0.0.1:8443]",
    ),
    (
        "ABSTAT_BOT_WEBHOOK_SECRET",
        "webhook secret token, A-Z a-z 0-9 _ - [default: random per start]",
    ),
    (
        "ABSTAT_BOT_STATE",
        "dialogues: memory, sqlite[:PATH] or redis [default: redis if ABSTAT_REDIS_URL, else memory]",
    ),
    (
        "ABSTAT_BOT_METRICS_ADDR",
        "where the bot serves /metrics, or off [default: 127.0.0.1:9188]",
    ),
];

const MIN_SECRET_LEN: usize = 32;

impl Config {
    /// Load from the process environment and the optional file named by
    /// `config_path` (or `ABSTAT_CONFIG`).
    pub fn load(config_path: Option<&Path>) -> Result<Config, ConfigError> {
        let env = |name: &str| std::env::var(name).ok();
        let path = config_path
            .map(Path::to_path_buf)
            .or_else(|| env("ABSTAT_CONFIG").map(PathBuf::from));
        let file = match path {
            None => None,
            Some(p) => Some((
                std::fs::read_to_string(&p).map_err(|e| {
                    ConfigError::new(
                        "ABSTAT_CONFIG",
                        format!("cannot read {}: {e}", p.display()),
                        "Point --config or ABSTAT_CONFIG at a readable TOML file, or unset it.",
                    )
                })?,
                p,
            )),
        };
        Config::from_sources(
            file.as_ref().map(|(text, p)| (text.as_str(), p.as_path())),
            env,
        )
    }

    /// Build from a TOML text (with its path, for messages) and an
    /// environment lookup. Pure, so tests need not touch the process env.
    pub fn from_sources(
        file: Option<(&str, &Path)>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let file: FileConfig = match file {
            None => FileConfig::default(),
            Some((text, path)) => toml::from_str(text).map_err(|e| {
                ConfigError::new(
                    "ABSTAT_CONFIG",
                    format!(
                        "{} is not a valid abstat config: {}",
                        path.display(),
                        e.message()
                    ),
                    format!(
                        "Allowed keys: {}.",
                        ENV_VARS
                            .iter()
                            .filter(|(n, _)| *n != "ABSTAT_CONFIG")
                            .map(|(n, _)| n.trim_start_matches("ABSTAT_").to_lowercase())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
            })?,
        };
        // An empty variable counts as unset, as shells often export VAR=.
        let var = |name: &str| env(name).filter(|v| !v.trim().is_empty());
        let http = http_settings(&var, &file)?;

        let http_addr_text = var("ABSTAT_HTTP_ADDR")
            .or(file.http_addr)
            .unwrap_or_else(|| "127.0.0.1:8080".to_string());
        let http_addr: SocketAddr = http_addr_text.parse().map_err(|_| {
            ConfigError::new(
                "ABSTAT_HTTP_ADDR",
                format!("'{http_addr_text}' is not an address"),
                "Use IP:PORT, e.g. 127.0.0.1:8080 (or 0.0.0.0:8080 to listen on all interfaces).",
            )
        })?;

        let metrics_text = var("ABSTAT_WORKER_METRICS_ADDR")
            .or(file.worker_metrics_addr)
            .unwrap_or_else(|| "127.0.0.1:9187".to_string());
        let worker_metrics_addr: SocketAddr = metrics_text.parse().map_err(|_| {
            ConfigError::new(
                "ABSTAT_WORKER_METRICS_ADDR",
                format!("'{metrics_text}' is not an address"),
                "Use IP:PORT, e.g. 127.0.0.1:9187 (0.0.0.0:9187 for Prometheus on another machine).",
            )
        })?;

        let data_dir = var("ABSTAT_DATA_DIR")
            .map(PathBuf::from)
            .or(file.data_dir)
            .unwrap_or_else(|| default_data_dir(&var));

        let database_url = var("ABSTAT_DATABASE_URL")
            .or(file.database_url)
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("abstat.db").display()));
        if !["sqlite:", "postgres://", "postgresql://"]
            .iter()
            .any(|p| database_url.starts_with(p))
        {
            return Err(ConfigError::new(
                "ABSTAT_DATABASE_URL",
                format!(
                    "'{}' is neither SQLite nor PostgreSQL",
                    redact_url(&database_url)
                ),
                "Use sqlite://PATH (the default) or postgres://USER:PASSWORD@HOST:PORT/DB.",
            ));
        }

        let kafka_brokers = var("ABSTAT_KAFKA_BROKERS").or(file.kafka_brokers);
        if let Some(brokers) = &kafka_brokers {
            for b in brokers.split(',') {
                let b = b.trim();
                let ok = b
                    .rsplit_once(':')
                    .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok());
                if !ok {
                    return Err(ConfigError::new(
                        "ABSTAT_KAFKA_BROKERS",
                        format!("'{b}' is not HOST:PORT"),
                        "List bootstrap servers as host:port separated by commas, e.g. kafka1:9092,kafka2:9092; unset it to use the in-process queue.",
                    ));
                }
            }
        }

        let kafka = KafkaSettings::load(
            &var,
            [file.kafka_topic_prefix, file.kafka_group],
            [file.kafka_partitions, file.kafka_replication],
        )?;

        let redis_url = var("ABSTAT_REDIS_URL").or(file.redis_url);
        check_scheme(
            "ABSTAT_REDIS_URL",
            redis_url.as_deref(),
            &["redis://", "rediss://", "redis+unix://", "unix://"],
            "Use redis://HOST:PORT[/DB]; unset it to use the in-memory cache.",
        )?;
        let clickhouse_url = var("ABSTAT_CLICKHOUSE_URL").or(file.clickhouse_url);
        check_scheme(
            "ABSTAT_CLICKHOUSE_URL",
            clickhouse_url.as_deref(),
            &["http://", "https://"],
            "Use the HTTP interface, e.g. http://HOST:8123; unset it to keep datasets in local Parquet files.",
        )?;

        let jwt_secret = var("ABSTAT_JWT_SECRET").or(file.jwt_secret);
        if let Some(s) = &jwt_secret
            && s.len() < MIN_SECRET_LEN
        {
            return Err(ConfigError::new(
                "ABSTAT_JWT_SECRET",
                format!(
                    "the secret is {} characters long, at least {MIN_SECRET_LEN} are needed",
                    s.len()
                ),
                "Generate one with `openssl rand -hex 32`.",
            ));
        }

        let telegram_bot_token = var("TELEGRAM_BOT_TOKEN").or(file.telegram_bot_token);
        if let Some(t) = &telegram_bot_token {
            // Tokens look like 123456789:AAE…; catching a pasted chat id or URL early saves a confusing 401 later.
            let ok = t.split_once(':').is_some_and(|(id, rest)| {
                !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) && rest.len() >= 10
            });
            if !ok {
                return Err(ConfigError::new(
                    "TELEGRAM_BOT_TOKEN",
                    "this does not look like a bot token (expected 123456789:ABC…)",
                    "Copy the token that @BotFather sent you, or unset the variable to run without the bot.",
                ));
            }
        }

        let telegram_api_url = var("ABSTAT_TELEGRAM_API_URL")
            .or(file.telegram_api_url)
            .unwrap_or_else(|| "https://api.telegram.org".to_string());
        check_scheme(
            "ABSTAT_TELEGRAM_API_URL",
            Some(&telegram_api_url),
            &["http://", "https://"],
            "Use the base URL of a Bot API server, e.g. https://api.telegram.org.",
        )?;
        let server_url = var("ABSTAT_SERVER_URL")
            .or(file.server_url)
            .unwrap_or_else(|| format!("http://{http_addr}"));
        check_scheme(
            "ABSTAT_SERVER_URL",
            Some(&server_url),
            &["http://", "https://"],
            "Use the base URL of the abstat HTTP API, e.g. http://127.0.0.1:8080.",
        )?;

        let dev = match var("ABSTAT_DEV") {
            None => file.dev.unwrap_or(false),
            Some(v) => parse_bool(&v).ok_or_else(|| {
                ConfigError::new(
                    "ABSTAT_DEV",
                    format!("'{v}' is not a yes/no value"),
                    "Use 1 or 0.",
                )
            })?,
        };
        let log_format = match var("ABSTAT_LOG_FORMAT") {
            None => file.log_format.unwrap_or_default(),
            Some(v) => match v.to_lowercase().as_str() {
                "human" | "text" => LogFormat::Human,
                "json" => LogFormat::Json,
                _ => {
                    return Err(ConfigError::new(
                        "ABSTAT_LOG_FORMAT",
                        format!("'{v}' is not a log format"),
                        "Use human or json.",
                    ));
                }
            },
        };

        let worker_tasks = match var("ABSTAT_WORKER_TASKS") {
            None => file.worker_tasks.unwrap_or(2),
            Some(v) => v.trim().parse().map_err(|_| {
                ConfigError::new(
                    "ABSTAT_WORKER_TASKS",
                    format!("'{v}' is not a number of tasks"),
                    "Use a whole number, e.g. 2 (0 only with ABSTAT_KAFKA_BROKERS).",
                )
            })?,
        };
        if worker_tasks == 0 && kafka_brokers.is_none() {
            // Nothing else would ever run the in-process queue's jobs.
            return Err(ConfigError::new(
                "ABSTAT_WORKER_TASKS",
                "0 (no in-process worker), but jobs stay in this process without ABSTAT_KAFKA_BROKERS",
                "Use at least 1, or set ABSTAT_KAFKA_BROKERS and run `abstat worker` processes.",
            ));
        }

        let bot = BotSettings::load(
            &var,
            [
                file.bot_webhook_url,
                file.bot_webhook_listen,
                file.bot_webhook_secret,
                file.bot_state,
                file.bot_metrics_addr,
            ],
            &data_dir,
            redis_url.as_deref(),
        )?;

        Ok(Config {
            bot,
            http_addr,
            data_dir,
            database_url,
            kafka_brokers,
            kafka,
            redis_url,
            clickhouse_url,
            jwt_secret: jwt_secret.map(Secret),
            telegram_bot_token: telegram_bot_token.map(Secret),
            telegram_api_url,
            server_url,
            dev,
            log_format,
            http,
            worker_tasks,
            worker_metrics_addr,
        })
    }

    /// The JWT secret: the configured one, or in dev mode one generated once
    /// and kept in the data directory so that tokens survive restarts.
    pub fn jwt_secret(&self) -> Result<Secret, ConfigError> {
        if let Some(s) = &self.jwt_secret {
            return Ok(s.clone());
        }
        if !self.dev {
            return Err(ConfigError::new(
                "ABSTAT_JWT_SECRET",
                "not set, and abstat does not invent secrets outside dev mode",
                "Set it to a random string of at least 32 characters (`openssl rand -hex 32`), or pass --dev (ABSTAT_DEV=1) for a local trial.",
            ));
        }
        let path = self.data_dir.join("dev-jwt-secret");
        let io_err = |e: std::io::Error| {
            ConfigError::new(
                "ABSTAT_DATA_DIR",
                format!("cannot keep the dev JWT secret in {}: {e}", path.display()),
                "Point ABSTAT_DATA_DIR at a writable directory.",
            )
        };
        match std::fs::read_to_string(&path) {
            Ok(s) if s.trim().len() >= MIN_SECRET_LEN => return Ok(Secret(s.trim().to_string())),
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_err(e)),
        }
        std::fs::create_dir_all(&self.data_dir).map_err(io_err)?;
        let secret: String = {
            use rand::Rng;
            let bytes: [u8; 32] = rand::rng().random();
            bytes.iter().map(|b| format!("{b:02x}")).collect()
        };
        write_private(&path, &secret).map_err(io_err)?;
        Ok(Secret(secret))
    }
}

fn http_settings(
    var: &impl Fn(&str) -> Option<String>,
    file: &FileConfig,
) -> Result<HttpSettings, ConfigError> {
    let defaults = HttpSettings::default();
    let file_size = file.max_upload_bytes.as_ref().map(|v| match v {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    });
    let max_upload_bytes = match var("ABSTAT_MAX_UPLOAD_BYTES").or(file_size) {
        None => defaults.max_upload_bytes,
        Some(text) => parse_size(&text).filter(|&n| n > 0).ok_or_else(|| {
            ConfigError::new(
                "ABSTAT_MAX_UPLOAD_BYTES",
                format!("'{text}' is not a size"),
                "Use bytes or a number with K, M or G (powers of 1024), e.g. 512M or 2G.",
            )
        })?,
    };
    let count = |name: &str, from_file: Option<u32>, default: u32| -> Result<u32, ConfigError> {
        match var(name) {
            None => Ok(from_file.unwrap_or(default)),
            Some(v) => v.trim().parse::<u32>().map_err(|_| {
                ConfigError::new(
                    name,
                    format!("'{v}' is not a whole number"),
                    "Use a non-negative whole number, e.g. 600.",
                )
            }),
        }
    };
    let rate_limit_per_minute = count(
        "ABSTAT_RATE_LIMIT",
        file.rate_limit,
        defaults.rate_limit_per_minute,
    )?;
    let max_jobs_per_user = count(
        "ABSTAT_MAX_JOBS_PER_USER",
        file.max_jobs_per_user,
        defaults.max_jobs_per_user,
    )?;
    if max_jobs_per_user == 0 {
        return Err(ConfigError::new(
            "ABSTAT_MAX_JOBS_PER_USER",
            "0 would refuse every analysis",
            "Use 1 or more (the default is 4).",
        ));
    }
    let cors_origins: Vec<String> = var("ABSTAT_CORS_ORIGINS")
        .or(file.cors_origins.clone())
        .map(|v| {
            v.split(',')
                .map(|o| o.trim().trim_end_matches('/').to_string())
                .filter(|o| !o.is_empty())
                .collect()
        })
        .unwrap_or_default();
    for origin in &cors_origins {
        let ok = origin == "*"
            || ((origin.starts_with("http://") || origin.starts_with("https://"))
                && origin
                    .split("://")
                    .nth(1)
                    .is_some_and(|h| !h.is_empty() && !h.contains('/')));
        if !ok {
            return Err(ConfigError::new(
                "ABSTAT_CORS_ORIGINS",
                format!("'{origin}' is not an origin"),
                "List origins as scheme://host[:port] separated by commas (e.g. https://dash.example.com), or * for any.",
            ));
        }
    }
    if cors_origins.len() > 1 && cors_origins.iter().any(|o| o == "*") {
        return Err(ConfigError::new(
            "ABSTAT_CORS_ORIGINS",
            "* cannot be combined with other origins",
            "Use * alone, or list the origins.",
        ));
    }
    let bot_service_token = var("ABSTAT_BOT_SERVICE_TOKEN").or(file.bot_service_token.clone());
    if let Some(t) = &bot_service_token
        && t.len() < MIN_SECRET_LEN
    {
        return Err(ConfigError::new(
            "ABSTAT_BOT_SERVICE_TOKEN",
            format!(
                "the token is {} characters long, at least {MIN_SECRET_LEN} are needed",
                t.len()
            ),
            "Generate one with `openssl rand -hex 32` and give the same value to the bot.",
        ));
    }
    Ok(HttpSettings {
        max_upload_bytes,
        rate_limit_per_minute,
        max_jobs_per_user,
        cors_origins,
        bot_service_token: bot_service_token.map(Secret),
    })
}

/// `123`, `64K`, `512M`, `2G`, `1.5G` (powers of 1024; a trailing `B`/`iB`
/// is accepted).
fn parse_size(text: &str) -> Option<u64> {
    let t = text.trim().to_ascii_uppercase();
    let t = t
        .strip_suffix("IB")
        .or_else(|| t.strip_suffix('B'))
        .unwrap_or(&t);
    let (number, unit) = match t.char_indices().last()? {
        (i, 'K') => (&t[..i], 1u64 << 10),
        (i, 'M') => (&t[..i], 1 << 20),
        (i, 'G') => (&t[..i], 1 << 30),
        (i, 'T') => (&t[..i], 1 << 40),
        _ => (t, 1),
    };
    let value: f64 = number.trim().parse().ok()?;
    if !(value.is_finite() && value >= 0.0) {
        return None;
    }
    let bytes = value * unit as f64;
    (bytes < u64::MAX as f64).then_some(bytes.round() as u64)
}

/// How `abstat bot` runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BotSettings {
    /// Webhook mode (`ABSTAT_BOT_WEBHOOK_URL`, `…_LISTEN`, `…_SECRET`);
    /// `None` = long polling.
    pub webhook: Option<abstat_bot::webhook::WebhookConfig>,
    /// Where dialogues live (`ABSTAT_BOT_STATE`, `ABSTAT_REDIS_URL`).
    pub state: abstat_bot::storage::StateBackend,
    /// Where the bot serves `/metrics`; `None` = off (`ABSTAT_BOT_METRICS_ADDR`).
    pub metrics_addr: Option<SocketAddr>,
}

/// The default address of the bot's `/metrics`.
pub const DEFAULT_BOT_METRICS_ADDR: &str = "127.0.0.1:9188";

impl BotSettings {
    /// `file`: the file's webhook URL, listen address, secret, state and
    /// metrics address.
    fn load(
        var: &impl Fn(&str) -> Option<String>,
        file: [Option<String>; 5],
        data_dir: &Path,
        redis_url: Option<&str>,
    ) -> Result<Self, ConfigError> {
        use abstat_bot::storage::StateBackend;
        let [file_url, file_listen, file_secret, file_state, file_metrics] = file;
        let addr = |name: &str, text: &str| -> Result<SocketAddr, ConfigError> {
            text.trim().parse().map_err(|_| {
                ConfigError::new(
                    name,
                    format!("'{text}' is not an address"),
                    "Use IP:PORT, e.g. 127.0.0.1:9188.",
                )
            })
        };
        let webhook = match var("ABSTAT_BOT_WEBHOOK_URL").or(file_url) {
            None => None,
            Some(url_text) => {
                let url = abstat_bot::webhook::parse_url(&url_text).ok_or_else(|| {
                    ConfigError::new(
                        "ABSTAT_BOT_WEBHOOK_URL",
                        format!("'{url_text}' is not an http(s) URL"),
                        "Use the public URL Telegram should post to, e.g. https://bot.example.com/telegram; unset it to poll.",
                    )
                })?;
                let listen_text = var("ABSTAT_BOT_WEBHOOK_LISTEN")
                    .or(file_listen)
                    .unwrap_or_else(|| "127.0.0.1:8443".into());
                let listen = addr("ABSTAT_BOT_WEBHOOK_LISTEN", &listen_text)?;
                let secret = var("ABSTAT_BOT_WEBHOOK_SECRET").or(file_secret);
                if let Some(s) = &secret
                    && !abstat_bot::webhook::valid_secret(s)
                {
                    return Err(ConfigError::new(
                        "ABSTAT_BOT_WEBHOOK_SECRET",
                        "Telegram accepts 1 to 256 characters of A-Z, a-z, 0-9, _ and - only",
                        "Generate one with `openssl rand -hex 32`, or unset it to get a random one at each start.",
                    ));
                }
                Some(abstat_bot::webhook::WebhookConfig {
                    url,
                    listen,
                    secret,
                })
            }
        };
        let state = match var("ABSTAT_BOT_STATE").or(file_state) {
            None => redis_url.map_or(StateBackend::Memory, |u| StateBackend::Redis(u.into())),
            Some(text) => match text.trim() {
                "memory" => StateBackend::Memory,
                "sqlite" => StateBackend::Sqlite(data_dir.join("bot-state.db")),
                "redis" => StateBackend::Redis(redis_url.map(str::to_string).ok_or_else(|| {
                    ConfigError::new(
                        "ABSTAT_BOT_STATE",
                        "redis needs ABSTAT_REDIS_URL",
                        "Set ABSTAT_REDIS_URL=redis://HOST:PORT, or use memory or sqlite.",
                    )
                })?),
                t => match t.strip_prefix("sqlite:") {
                    Some(path) if !path.is_empty() => StateBackend::Sqlite(PathBuf::from(path)),
                    _ => {
                        return Err(ConfigError::new(
                            "ABSTAT_BOT_STATE",
                            format!("'{t}' is not a dialogue storage"),
                            "Use memory, sqlite (a file in the data directory), sqlite:PATH, or redis.",
                        ));
                    }
                },
            },
        };
        let metrics_text = var("ABSTAT_BOT_METRICS_ADDR")
            .or(file_metrics)
            .unwrap_or_else(|| DEFAULT_BOT_METRICS_ADDR.into());
        let metrics_addr = if metrics_text.trim().eq_ignore_ascii_case("off") {
            None
        } else {
            Some(addr("ABSTAT_BOT_METRICS_ADDR", &metrics_text)?)
        };
        Ok(BotSettings {
            webhook,
            state,
            metrics_addr,
        })
    }
}

/// Kafka settings besides the brokers. They matter only when
/// `ABSTAT_KAFKA_BROKERS` is set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KafkaSettings {
    /// Prefix of every topic name (`ABSTAT_KAFKA_TOPIC_PREFIX`), checked by
    /// [`Topics::new`](crate::jobs::topics::Topics::new).
    pub topic_prefix: String,
    /// The workers' consumer group (`ABSTAT_KAFKA_GROUP`).
    pub group: String,
    /// Partitions and replication of topics abstat creates
    /// (`ABSTAT_KAFKA_PARTITIONS`, `ABSTAT_KAFKA_REPLICATION`).
    pub layout: crate::jobs::topics::TopicLayout,
}

/// The default consumer group of `abstat worker` processes.
pub const DEFAULT_KAFKA_GROUP: &str = "abstat-workers";

impl Default for KafkaSettings {
    fn default() -> Self {
        KafkaSettings {
            topic_prefix: crate::jobs::topics::DEFAULT_PREFIX.to_string(),
            group: DEFAULT_KAFKA_GROUP.to_string(),
            layout: crate::jobs::topics::TopicLayout::default(),
        }
    }
}

impl KafkaSettings {
    /// `names`: the file's topic prefix and group; `counts`: its partitions
    /// and replication.
    fn load(
        var: &impl Fn(&str) -> Option<String>,
        names: [Option<String>; 2],
        counts: [Option<i32>; 2],
    ) -> Result<Self, ConfigError> {
        let [file_prefix, file_group] = names;
        let [file_partitions, file_replication] = counts;
        let defaults = KafkaSettings::default();
        let topic_prefix = var("ABSTAT_KAFKA_TOPIC_PREFIX")
            .or(file_prefix)
            .unwrap_or(defaults.topic_prefix);
        crate::jobs::topics::Topics::new(&topic_prefix).map_err(|e| {
            ConfigError::new(
                "ABSTAT_KAFKA_TOPIC_PREFIX",
                e.to_string(),
                "Use a short prefix of letters, digits, '.', '_' or '-', e.g. abstat.",
            )
        })?;
        let group = var("ABSTAT_KAFKA_GROUP")
            .or(file_group)
            .unwrap_or(defaults.group);
        let count = |name: &str, from_file: Option<i32>, default: i32, fix: &str| {
            let value = match var(name) {
                None => from_file.unwrap_or(default),
                Some(v) => v.trim().parse::<i32>().map_err(|_| {
                    ConfigError::new(name, format!("'{v}' is not a whole number"), fix)
                })?,
            };
            if value < 1 {
                return Err(ConfigError::new(
                    name,
                    format!("{value} is less than 1"),
                    fix,
                ));
            }
            Ok(value)
        };
        let partitions = count(
            "ABSTAT_KAFKA_PARTITIONS",
            file_partitions,
            defaults.layout.partitions,
            "Use a whole number of at least 1: the most workers that can share the job topic (default 6).",
        )?;
        let replication = count(
            "ABSTAT_KAFKA_REPLICATION",
            file_replication,
            defaults.layout.replication,
            "Use 1 for a single broker, and at most the number of brokers otherwise (3 is usual).",
        )?;
        Ok(KafkaSettings {
            topic_prefix,
            group,
            layout: crate::jobs::topics::TopicLayout {
                partitions,
                replication,
            },
        })
    }
}

fn default_data_dir(var: &impl Fn(&str) -> Option<String>) -> PathBuf {
    if let Some(x) = var("XDG_DATA_HOME") {
        return PathBuf::from(x).join("abstat");
    }
    match var("HOME") {
        Some(h) => PathBuf::from(h).join(".local/share/abstat"),
        None => PathBuf::from("abstat-data"),
    }
}

fn check_scheme(
    name: &str,
    value: Option<&str>,
    schemes: &[&str],
    fix: &str,
) -> Result<(), ConfigError> {
    match value {
        Some(v) if !schemes.iter().any(|s| v.starts_with(s)) => Err(ConfigError::new(
            name,
            format!(
                "'{}' does not start with {}",
                redact_url(v),
                schemes.join(" or ")
            ),
            fix,
        )),
        _ => Ok(()),
    }
}

fn parse_bool(v: &str) -> Option<bool> {
    match v.to_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// Hide a password in `scheme://user:password@host` before it reaches a message.
pub(crate) fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let userinfo = &url[s + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn load(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_sources(None, |k| map.get(k).cloned())
    }

    #[test]
    fn defaults_are_the_embedded_setup() {
        let c = load(&[("HOME", "/home/u")]).unwrap();
        assert_eq!(c.http_addr.to_string(), "127.0.0.1:8080");
        assert_eq!(c.data_dir, PathBuf::from("/home/u/.local/share/abstat"));
        assert_eq!(
            c.database_url,
            "sqlite:///home/u/.local/share/abstat/abstat.db"
        );
        assert!(c.kafka_brokers.is_none() && c.redis_url.is_none() && c.clickhouse_url.is_none());
        assert_eq!(c.kafka, KafkaSettings::default());
        assert_eq!(c.kafka.group, "abstat-workers");
        assert_eq!(c.server_url, "http://127.0.0.1:8080");
        assert!(!c.dev);
    }

    #[test]
    fn each_bad_value_names_its_variable_and_the_fix() {
        let cases = [
            ("ABSTAT_HTTP_ADDR", "localhost", "IP:PORT"),
            ("ABSTAT_DATABASE_URL", "mysql://u:pw@h/db", "sqlite://"),
            ("ABSTAT_KAFKA_BROKERS", "kafka1", "host:port"),
            ("ABSTAT_REDIS_URL", "localhost:6379", "redis://"),
            ("ABSTAT_CLICKHOUSE_URL", "tcp://h:9000", "http://"),
            ("ABSTAT_JWT_SECRET", "short", "openssl rand"),
            ("TELEGRAM_BOT_TOKEN", "https://t.me/mybot", "@BotFather"),
            ("ABSTAT_DEV", "maybe", "1 or 0"),
            ("ABSTAT_LOG_FORMAT", "xml", "human or json"),
            ("ABSTAT_MAX_UPLOAD_BYTES", "lots", "512M"),
            ("ABSTAT_RATE_LIMIT", "-1", "whole number"),
            ("ABSTAT_MAX_JOBS_PER_USER", "0", "1 or more"),
            ("ABSTAT_CORS_ORIGINS", "example.com", "scheme://host"),
            ("ABSTAT_CORS_ORIGINS", "*,https://a.b", "* alone"),
            ("ABSTAT_BOT_SERVICE_TOKEN", "short", "openssl rand"),
            (
                "ABSTAT_KAFKA_TOPIC_PREFIX",
                "abstat jobs",
                "letters, digits",
            ),
            ("ABSTAT_KAFKA_PARTITIONS", "six", "at least 1"),
            ("ABSTAT_KAFKA_PARTITIONS", "0", "at least 1"),
            ("ABSTAT_KAFKA_REPLICATION", "-1", "single broker"),
        ];
        for (var, value, fix) in cases {
            let err = load(&[(var, value)]).unwrap_err();
            assert_eq!(err.source_name, var);
            let msg = err.to_string();
            assert!(msg.starts_with(var) && msg.contains(fix), "{var}: {msg}");
        }
    }

    #[test]
    fn passwords_never_reach_error_messages() {
        let err = load(&[("ABSTAT_DATABASE_URL", "mysql://admin:hunter2@db/x")]).unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
        let c = load(&[("ABSTAT_JWT_SECRET", &"s".repeat(40))]).unwrap();
        assert!(!format!("{c:?}").contains("ssss"));
    }

    #[test]
    fn limits_parse_sizes_and_origins() {
        assert_eq!(parse_size("512M"), Some(512 << 20));
        assert_eq!(parse_size("2g"), Some(2 << 30));
        assert_eq!(parse_size("1.5GiB"), Some(3 << 29));
        assert_eq!(parse_size("1000"), Some(1000));
        assert_eq!(parse_size("64kb"), Some(64 << 10));
        assert_eq!(parse_size("x"), None);
        let c = load(&[
            ("ABSTAT_MAX_UPLOAD_BYTES", "10M"),
            (
                "ABSTAT_CORS_ORIGINS",
                "https://a.example, http://localhost:3000/",
            ),
            ("ABSTAT_RATE_LIMIT", "0"),
        ])
        .unwrap();
        assert_eq!(c.http.max_upload_bytes, 10 << 20);
        assert_eq!(
            c.http.cors_origins,
            ["https://a.example", "http://localhost:3000"]
        );
        assert_eq!(c.http.rate_limit_per_minute, 0);
        assert_eq!(c.http.max_jobs_per_user, 4);
        let toml = "max_upload_bytes = 2048\nrate_limit = 5\n";
        let c = Config::from_sources(Some((toml, Path::new("a.toml"))), |_| None).unwrap();
        assert_eq!(
            (c.http.max_upload_bytes, c.http.rate_limit_per_minute),
            (2048, 5)
        );
    }

    #[test]
    fn environment_overrides_the_file() {
        let toml = "http_addr = \"0.0.0.0:9000\"\nredis_url = \"redis://file:6379\"\n";
        let env: HashMap<&str, &str> = [("ABSTAT_REDIS_URL", "redis://env:6379")].into();
        let c = Config::from_sources(Some((toml, Path::new("a.toml"))), |k| {
            env.get(k).map(|v| v.to_string())
        })
        .unwrap();
        assert_eq!(c.http_addr.to_string(), "0.0.0.0:9000");
        assert_eq!(c.redis_url.as_deref(), Some("redis://env:6379"));
    }

    #[test]
    fn no_in_process_worker_only_when_kafka_runs_the_jobs() {
        let c = load(&[
            ("ABSTAT_WORKER_TASKS", "0"),
            ("ABSTAT_KAFKA_BROKERS", "127.0.0.1:9092"),
        ])
        .unwrap();
        assert_eq!(c.worker_tasks, 0);
        let e = load(&[("ABSTAT_WORKER_TASKS", "0")]).unwrap_err();
        assert_eq!(e.source_name, "ABSTAT_WORKER_TASKS");
        assert!(e.fix.contains("ABSTAT_KAFKA_BROKERS"), "{e}");
        let e = load(&[("ABSTAT_WORKER_TASKS", "two")]).unwrap_err();
        assert!(e.problem.contains("'two'"), "{e}");
    }

    #[test]
    fn kafka_settings_come_from_the_file_and_the_environment() {
        let toml = "kafka_topic_prefix = \"staging.\"\nkafka_partitions = 12\nkafka_group = \"file-group\"\n";
        let env: HashMap<&str, &str> = [("ABSTAT_KAFKA_GROUP", "env-group")].into();
        let c = Config::from_sources(Some((toml, Path::new("a.toml"))), |k| {
            env.get(k).map(|v| v.to_string())
        })
        .unwrap();
        assert_eq!(c.kafka.topic_prefix, "staging.");
        assert_eq!(c.kafka.layout.partitions, 12);
        assert_eq!(c.kafka.layout.replication, 1);
        assert_eq!(c.kafka.group, "env-group");
    }

    #[test]
    fn unknown_file_keys_are_refused_with_the_allowed_list() {
        let err = Config::from_sources(Some(("http_adr = \"x\"", Path::new("a.toml"))), |_| None)
            .unwrap_err();
        assert!(err.to_string().contains("http_addr"), "{err}");
    }

    #[test]
    fn jwt_secret_is_required_outside_dev_mode_and_kept_in_dev_mode() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().to_str().unwrap();
        let err = load(&[("ABSTAT_DATA_DIR", d)])
            .unwrap()
            .jwt_secret()
            .unwrap_err();
        assert_eq!(err.source_name, "ABSTAT_JWT_SECRET");
        let dev = load(&[("ABSTAT_DATA_DIR", d), ("ABSTAT_DEV", "1")]).unwrap();
        let first = dev.jwt_secret().unwrap();
        assert!(first.expose().len() >= MIN_SECRET_LEN);
        assert_eq!(
            dev.jwt_secret().unwrap(),
            first,
            "the dev secret survives a restart"
        );
    }
}

#[cfg(test)]
mod bot_settings_tests {
    use super::*;
    use abstat_bot::storage::StateBackend;
    use std::collections::HashMap;

    fn load(env: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let env: HashMap<String, String> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .chain([("ABSTAT_DATA_DIR".to_string(), "/data".to_string())])
            .collect();
        Config::from_sources(None, |k| env.get(k).cloned())
    }

    #[test]
    fn the_bot_polls_with_memory_state_and_metrics_on_9188_by_default() {
        let b = load(&[]).unwrap().bot;
        assert_eq!(b.webhook, None);
        assert_eq!(b.state, StateBackend::Memory);
        assert_eq!(
            b.metrics_addr,
            Some(DEFAULT_BOT_METRICS_ADDR.parse().unwrap())
        );
    }

    #[test]
    fn dialogue_state_follows_abstat_bot_state_then_redis() {
        let state = |env: &[(&str, &str)]| load(env).unwrap().bot.state;
        assert_eq!(
            state(&[("ABSTAT_BOT_STATE", "sqlite")]),
            StateBackend::Sqlite("/data/bot-state.db".into())
        );
        assert_eq!(
            state(&[("ABSTAT_BOT_STATE", "sqlite:/tmp/s.db")]),
            StateBackend::Sqlite("/tmp/s.db".into())
        );
        assert_eq!(
            state(&[("ABSTAT_REDIS_URL", "redis://r:6379")]),
            StateBackend::Redis("redis://r:6379".into())
        );
        assert_eq!(
            state(&[
                ("ABSTAT_REDIS_URL", "redis://r:6379"),
                ("ABSTAT_BOT_STATE", "memory")
            ]),
            StateBackend::Memory
        );
    }

    #[test]
    fn bad_bot_settings_name_the_variable_and_the_fix() {
        for (env, name, fix) in [
            (
                vec![("ABSTAT_BOT_STATE", "postgres")],
                "ABSTAT_BOT_STATE",
                "sqlite:PATH",
            ),
            (
                vec![("ABSTAT_BOT_STATE", "redis")],
                "ABSTAT_BOT_STATE",
                "ABSTAT_REDIS_URL",
            ),
            (
                vec![("ABSTAT_BOT_WEBHOOK_URL", "bot.example.com")],
                "ABSTAT_BOT_WEBHOOK_URL",
                "unset it to poll",
            ),
            (
                vec![
                    ("ABSTAT_BOT_WEBHOOK_URL", "https://b.example/t"),
                    ("ABSTAT_BOT_WEBHOOK_SECRET", "no spaces"),
                ],
                "ABSTAT_BOT_WEBHOOK_SECRET",
                "openssl rand",
            ),
            (
                vec![("ABSTAT_BOT_METRICS_ADDR", "9188")],
                "ABSTAT_BOT_METRICS_ADDR",
                "IP:PORT",
            ),
        ] {
            let e = load(&env).unwrap_err();
            assert_eq!(e.source_name, name);
            assert!(e.fix.contains(fix), "{e}");
        }
    }

    #[test]
    fn a_webhook_takes_its_listen_address_and_secret_and_metrics_can_be_off() {
        let b = load(&[
            ("ABSTAT_BOT_WEBHOOK_URL", "https://bot.example.com/tg"),
            ("ABSTAT_BOT_WEBHOOK_LISTEN", "0.0.0.0:9000"),
            ("ABSTAT_BOT_WEBHOOK_SECRET", "abc-123_XYZ"),
            ("ABSTAT_BOT_METRICS_ADDR", "off"),
        ])
        .unwrap()
        .bot;
        let hook = b.webhook.unwrap();
        assert_eq!(hook.url.path(), "/tg");
        assert_eq!(hook.listen, "0.0.0.0:9000".parse().unwrap());
        assert_eq!(hook.secret.as_deref(), Some("abc-123_XYZ"));
        assert!(!format!("{hook:?}").contains("abc-123_XYZ"));
        assert_eq!(b.metrics_addr, None);
    }
}
