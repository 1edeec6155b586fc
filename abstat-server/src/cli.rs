//! The `abstat` command line: one binary, one subcommand per role.

use std::io::Read;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};

use crate::auth::{Tokens, hash_password};
use crate::config::{Config, ConfigError, LogFormat};
use crate::http::{AppState, app};
use crate::store::Metadata;

const AFTER_HELP: &str = "\
Quick start:
  abstat serve --dev          HTTP API on http://127.0.0.1:8080 with local storage
  curl http://127.0.0.1:8080/healthz

Every setting is an environment variable (or a key in the --config TOML file);
`abstat serve --help` lists them. Without Kafka, Redis, PostgreSQL or
ClickHouse configured, abstat keeps everything in its data directory and runs
jobs in-process: one machine, no services needed.";

/// abstat: statistics for A/B tests and data analysis.
///
/// Send a dataset, get t-tests, Mann-Whitney, A/B results with power and MDE,
/// regressions and charts, over an HTTP API or a Telegram bot.
#[derive(Debug, Parser)]
#[command(name = "abstat", version, after_help = AFTER_HELP)]
pub struct Cli {
    /// TOML configuration file (keys as the environment variables, lower case, no ABSTAT_ prefix).
    #[arg(
        long,
        short = 'c',
        global = true,
        value_name = "FILE",
        env = "ABSTAT_CONFIG"
    )]
    pub config: Option<PathBuf>,
    /// Log as JSON lines instead of human-readable text (same as ABSTAT_LOG_FORMAT=json).
    #[arg(long, global = true)]
    pub log_json: bool,
    /// What to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The roles one `abstat` binary can play.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP API with an in-process job worker, and the Telegram bot when TELEGRAM_BOT_TOKEN is set.
    ///
    /// This is the whole product in one process: datasets in the data
    /// directory, metadata in SQLite, jobs on an in-process queue, results
    /// cached in memory. Point ABSTAT_KAFKA_BROKERS, ABSTAT_REDIS_URL,
    /// ABSTAT_DATABASE_URL or ABSTAT_CLICKHOUSE_URL at real services to scale out.
    #[command(after_help = env_help())]
    Serve(ServeArgs),
    /// Run a job worker that takes analyses from Kafka (needs ABSTAT_KAFKA_BROKERS).
    #[command(after_help = env_help())]
    Worker,
    /// Run only the Telegram bot (needs TELEGRAM_BOT_TOKEN); it talks to an abstat server over HTTP.
    ///
    /// It polls the Bot API, or serves a webhook when ABSTAT_BOT_WEBHOOK_URL
    /// is set; keeps dialogues in memory, SQLite or Redis (ABSTAT_BOT_STATE);
    /// and serves Prometheus metrics on ABSTAT_BOT_METRICS_ADDR
    /// (default 127.0.0.1:9188, `off` to disable).
    #[command(after_help = env_help())]
    Bot,
    /// Manage the users who may log in to the HTTP API.
    #[command(subcommand)]
    User(UserCommand),
    /// GET a URL and exit 0 on a 2xx answer, 1 otherwise: a health check for images without curl.
    ///
    /// Example: `abstat probe http://127.0.0.1:8080/readyz`
    Probe(ProbeArgs),
}

/// Options of `abstat probe`.
#[derive(Debug, Args)]
pub struct ProbeArgs {
    /// The URL to GET, e.g. http://127.0.0.1:8080/readyz.
    pub url: String,
    /// Seconds to wait for the answer.
    #[arg(long, default_value_t = crate::probe::DEFAULT_TIMEOUT.as_secs_f64(), value_parser = seconds)]
    pub timeout: f64,
}

fn seconds(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v > 0.0 && v <= 3600.0 => Ok(v),
        _ => Err(format!(
            "{s:?} is not a number of seconds between 0 and 3600"
        )),
    }
}

/// Options of `abstat serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Development mode: generate and keep a local JWT secret instead of requiring ABSTAT_JWT_SECRET.
    #[arg(long)]
    pub dev: bool,
}

/// `abstat user …`
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user, reading the password from standard input.
    ///
    /// Example: `echo 'correct horse battery staple' | abstat user add alice --password-stdin`
    Add {
        /// The user name to log in with.
        name: String,
        /// Read the password from standard input (required: passwords never go on the command line).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

fn env_help() -> String {
    let mut s = String::from("Environment variables:\n");
    for (name, what) in crate::config::ENV_VARS {
        s.push_str(&format!("  {name:<24} {what}\n"));
    }
    s
}

/// Run the parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    // A probe needs no configuration: it must work in any container.
    if let Command::Probe(args) = &cli.command {
        let timeout = std::time::Duration::from_secs_f64(args.timeout);
        return crate::probe::probe(&args.url, timeout).await;
    }
    let mut config = Config::load(cli.config.as_deref())?;
    if cli.log_json {
        config.log_format = LogFormat::Json;
    }
    crate::logging::init(config.log_format);
    match cli.command {
        Command::Serve(args) => {
            config.dev |= args.dev;
            serve(config).await
        }
        Command::Worker => worker(config).await,
        Command::Bot => bot(config).await,
        Command::User(UserCommand::Add { name, .. }) => user_add(&config, &name).await,
        // answered above, before the configuration is read
        Command::Probe(_) => Ok(()),
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let jwt = config.jwt_secret()?;
    let mut config = config;
    if config.telegram_bot_token.is_some() && config.http.bot_service_token.is_none() {
        // The bot runs in this process: it and the API share a credential
        // made up for this run, so a single-process setup needs no extra
        // variable. A separate `abstat bot` needs ABSTAT_BOT_SERVICE_TOKEN.
        use rand::Rng;
        let bytes: [u8; 32] = rand::rng().random();
        let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        config.http.bot_service_token = Some(token.into());
    }
    if config.dev && config.jwt_secret.is_none() {
        tracing::warn!(
            path = %config.data_dir.join("dev-jwt-secret").display(),
            "dev mode: using a generated JWT secret; set ABSTAT_JWT_SECRET for anything but a local trial"
        );
    }
    std::fs::create_dir_all(&config.data_dir).with_context(|| {
        format!(
            "cannot create the data directory {} (ABSTAT_DATA_DIR)",
            config.data_dir.display()
        )
    })?;
    let metadata = Metadata::connect(&config.database_url).await?;
    let jobs = jobs_for(&config, &metadata).await?;
    let datasets = datasets_for(&config, jobs.metrics()).await?;
    let state = AppState::new(config.data_dir.clone(), metadata, Tokens::new(jwt.expose()))
        .context("cannot open the dataset store in the data directory (ABSTAT_DATA_DIR)")?
        .with_jobs(jobs)
        .with_datasets(datasets)
        .with_settings(config.http.clone());
    if state.rate_limit().is_some() {
        tracing::info!(
            per_minute = config.http.rate_limit_per_minute,
            "rate limit on (ABSTAT_RATE_LIMIT)"
        );
        let state = state.clone();
        // Idle keys are dropped once a minute, so the limiter's table stays
        // as small as the set of active users.
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
            loop {
                tick.tick().await;
                if let Some(limit) = state.rate_limit() {
                    limit.forget_idle();
                }
            }
        });
    }
    let listener = tokio::net::TcpListener::bind(config.http_addr)
        .await
        .with_context(|| {
            format!(
                "cannot listen on {} (ABSTAT_HTTP_ADDR): is another server running there? Choose a free port.",
                config.http_addr
            )
        })?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, data_dir = %config.data_dir.display(), "abstat is serving: GET http://{addr}/healthz");
    let bot = match &config.telegram_bot_token {
        Some(_) => Some(tokio::spawn(bot(config.clone()))),
        None => {
            tracing::info!("Telegram bot off: set TELEGRAM_BOT_TOKEN to turn it on");
            None
        }
    };
    let worker = crate::jobs::worker::Worker::new(
        state.jobs().clone(),
        state.metadata().clone(),
        state.datasets(),
    );
    // ABSTAT_WORKER_TASKS=0 (Kafka only): an API that submits, and leaves
    // the jobs to `abstat worker` processes.
    let workers = (config.worker_tasks > 0).then(|| worker.spawn(config.worker_tasks));
    match &workers {
        Some(_) => tracing::info!(tasks = config.worker_tasks, "in-process job worker started"),
        None => tracing::info!(
            "no in-process job worker (ABSTAT_WORKER_TASKS=0): `abstat worker` processes run the jobs"
        ),
    }
    let service = app(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, service)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("the HTTP server stopped with an error")?;
    // let running jobs finish; queued ones stay persisted for the next start
    if let Some(workers) = workers {
        workers.stop().await;
    }
    if let Some(handle) = bot {
        handle.abort();
    }
    tracing::info!("abstat stopped");
    Ok(())
}

/// The job machinery the configuration names: Kafka queue and events when
/// `ABSTAT_KAFKA_BROKERS` is set (else the in-process queue and bus), and
/// the result cache in Redis when `ABSTAT_REDIS_URL` is set (else memory).
async fn jobs_for(config: &Config, metadata: &Metadata) -> anyhow::Result<crate::jobs::Jobs> {
    use std::sync::Arc;
    let embedded = crate::jobs::Jobs::in_process(metadata);
    let (queue, events, collector) = match &config.kafka_brokers {
        None => (
            Arc::clone(embedded.queue()),
            Arc::clone(embedded.events()),
            None,
        ),
        Some(brokers) => kafka_transport(config, brokers).await?,
    };
    let cache: Arc<dyn crate::cache::ResultCache> = match &config.redis_url {
        None => Arc::new(crate::cache::MemoryCache::default()),
        #[cfg(feature = "redis")]
        Some(url) => {
            Arc::new(crate::cache::RedisCache::connect(url, crate::cache::DEFAULT_TTL).await?)
        }
        #[cfg(not(feature = "redis"))]
        Some(url) => {
            return Err(ConfigError {
                source_name: "ABSTAT_REDIS_URL".into(),
                problem: format!(
                    "set to {}, but this build has no Redis client",
                    crate::config::redact_url(url)
                ),
                fix: "Rebuild with `--features redis`, or unset it to cache results in memory."
                    .into(),
            }
            .into());
        }
    };
    let jobs = crate::jobs::Jobs::new(queue, events, cache, embedded.retry_policy());
    if let Some(collector) = collector {
        jobs.metrics().register_collector(collector);
    }
    Ok(jobs)
}

/// The dataset store the configuration names: ClickHouse when
/// `ABSTAT_CLICKHOUSE_URL` is set (metadata stays in SQLite/PostgreSQL),
/// else Parquet files under the data directory, which the server and its
/// workers must then share. Its reads are timed into `metrics`
/// ([`crate::timed_store`]).
async fn datasets_for(
    config: &Config,
    metrics: &std::sync::Arc<crate::metrics::Metrics>,
) -> anyhow::Result<crate::jobs::worker::Datasets> {
    use crate::timed_store::TimedStore;
    use std::sync::Arc;
    let Some(url) = config.clickhouse_url.clone() else {
        let local = abstat_io::store::LocalStore::open(config.data_dir.join("datasets"))
            .context(
                "cannot open the dataset store in the data directory (ABSTAT_DATA_DIR); workers and the server must share it",
            )?;
        return Ok(TimedStore::wrap(
            Arc::new(local),
            "local",
            Arc::clone(metrics),
        ));
    };
    let store = clickhouse_store(url).await?;
    Ok(TimedStore::wrap(store, "clickhouse", Arc::clone(metrics)))
}

#[cfg(feature = "clickhouse")]
async fn clickhouse_store(url: String) -> anyhow::Result<crate::jobs::worker::Datasets> {
    // The store blocks on its own runtime: connect off the async threads.
    let store = tokio::task::spawn_blocking(move || abstat_io::ClickHouseStore::connect(&url))
        .await
        .context("connecting to ClickHouse")?
        .context("cannot use ClickHouse for datasets (ABSTAT_CLICKHOUSE_URL)")?;
    tracing::info!(url = %store.url(), "datasets in ClickHouse");
    let store: crate::jobs::worker::Datasets = std::sync::Arc::new(store);
    // Its runtime must not be dropped on an async thread: the store lives
    // as long as the process.
    std::mem::forget(std::sync::Arc::clone(&store));
    Ok(store)
}

#[cfg(not(feature = "clickhouse"))]
async fn clickhouse_store(url: String) -> anyhow::Result<crate::jobs::worker::Datasets> {
    Err(ConfigError {
        source_name: "ABSTAT_CLICKHOUSE_URL".into(),
        problem: format!(
            "set to {}, but this build has no ClickHouse client",
            crate::config::redact_url(&url)
        ),
        fix: "Rebuild with `--features clickhouse`, or unset it to keep datasets in the data directory."
            .into(),
    }
    .into())
}

/// A queue, its event bus, and the collector of its metrics.
type Transport = (
    std::sync::Arc<dyn crate::jobs::queue::JobQueue>,
    std::sync::Arc<dyn crate::jobs::events::EventBus>,
    Option<Box<dyn prometheus_client::collector::Collector>>,
);

/// What [`jobs_for`] connected to, in words.
fn describe_transport(config: &Config) -> String {
    match &config.kafka_brokers {
        None => "the in-process job queue".to_string(),
        Some(brokers) => format!(
            "Kafka brokers {brokers}, consumer group {}, topics {}jobs…",
            config.kafka.group, config.kafka.topic_prefix
        ),
    }
}

/// Connect to Kafka, create or check the topics, and report readiness.
#[cfg(feature = "kafka")]
async fn kafka_transport(config: &Config, brokers: &str) -> anyhow::Result<Transport> {
    use crate::jobs::kafka::{KafkaCollector, KafkaEvents, KafkaOptions, KafkaQueue};

    let options = KafkaOptions::from_settings(brokers, &config.kafka)?;
    let events = KafkaEvents::new(&options)?;
    let queue = KafkaQueue::connect(options).await?;
    let created = queue.topic_status().iter().filter(|t| t.created).count();
    let options = queue.options();
    tracing::info!(
        brokers,
        group = %options.group,
        topics = %options.topics,
        created,
        "connected to Kafka"
    );
    let collector = KafkaCollector {
        queue: queue.metrics(),
        events: Some(events.shared_metrics()),
    };
    Ok((
        std::sync::Arc::new(queue),
        std::sync::Arc::new(events),
        Some(Box::new(collector)),
    ))
}

#[cfg(not(feature = "kafka"))]
async fn kafka_transport(_config: &Config, brokers: &str) -> anyhow::Result<Transport> {
    bail!(
        "this abstat was built without Kafka support, so it cannot use the brokers {brokers}: \
         build it with `cargo build --features kafka`, or unset ABSTAT_KAFKA_BROKERS to run jobs in-process"
    )
}

async fn worker(config: Config) -> anyhow::Result<()> {
    let Some(brokers) = &config.kafka_brokers else {
        return Err(ConfigError {
            source_name: "ABSTAT_KAFKA_BROKERS".into(),
            problem: "not set, and a separate worker needs a shared job queue".into(),
            fix: "Set it to your Kafka bootstrap servers (host:port,…), or use `abstat serve`, which runs a worker in-process.".into(),
        }
        .into());
    };
    let _ = brokers;
    let metadata = Metadata::connect(&config.database_url).await?;
    let jobs = jobs_for(&config, &metadata).await?;
    let datasets = datasets_for(&config, jobs.metrics()).await?;
    let listener = tokio::net::TcpListener::bind(config.worker_metrics_addr)
        .await
        .with_context(|| {
            format!(
                "cannot listen on {} (ABSTAT_WORKER_METRICS_ADDR): give each worker on one machine its own port",
                config.worker_metrics_addr
            )
        })?;
    let metrics_addr = listener.local_addr()?;
    let metrics = crate::metrics::worker_router(std::sync::Arc::clone(jobs.metrics()));
    let (stop_metrics, metrics_stopped) = tokio::sync::oneshot::channel::<()>();
    let metrics_server = tokio::spawn(async move {
        axum::serve(listener, metrics)
            .with_graceful_shutdown(async {
                let _ = metrics_stopped.await;
            })
            .await
    });
    let tasks = config.worker_tasks.max(1);
    let shutdown = shutdown_signal();
    println!(
        "abstat worker ready: {}, {tasks} task(s), metrics on http://{metrics_addr}/metrics",
        describe_transport(&config)
    );
    let running = crate::jobs::worker::Worker::new(jobs, metadata, datasets).spawn(tasks);
    shutdown.await;
    let _ = stop_metrics.send(());
    let _ = metrics_server.await;
    // Jobs in progress finish; the rest stay on the queue for other workers.
    running.stop().await;
    tracing::info!("abstat worker stopped");
    Ok(())
}

async fn bot(config: Config) -> anyhow::Result<()> {
    let Some(token) = &config.telegram_bot_token else {
        return Err(ConfigError {
            source_name: "TELEGRAM_BOT_TOKEN".into(),
            problem: "not set".into(),
            fix: "Create a bot with @BotFather in Telegram and export the token it sends you."
                .into(),
        }
        .into());
    };
    let Some(service_token) = &config.http.bot_service_token else {
        return Err(ConfigError {
            source_name: "ABSTAT_BOT_SERVICE_TOKEN".into(),
            problem: "not set, and the bot needs it to act for Telegram users on the server".into(),
            fix: "Generate one with `openssl rand -hex 32` and set the same value for the bot and the server.".into(),
        }
        .into());
    };
    let bot_config = abstat_bot::BotConfig {
        token: token.expose().to_string(),
        telegram_api_url: config.telegram_api_url.clone(),
        server_url: config.server_url.clone(),
        service_token: service_token.expose().to_string(),
    };
    let options = abstat_bot::RunOptions {
        state: config.bot.state.clone(),
        webhook: config.bot.webhook.clone(),
        metrics_addr: config.bot.metrics_addr,
    };
    if let Err(e) = abstat_bot::run(bot_config, options).await {
        tracing::warn!(error = %e, "the Telegram bot is not running");
        return Err(e.into());
    }
    Ok(())
}

async fn user_add(config: &Config, name: &str) -> anyhow::Result<()> {
    let mut password = String::new();
    std::io::stdin()
        .read_to_string(&mut password)
        .context("cannot read the password from standard input")?;
    let password = password.trim_end_matches(['\r', '\n']);
    if name.trim().is_empty() {
        bail!("the user name is empty: give a name, e.g. `abstat user add alice --password-stdin`");
    }
    if password.len() < 8 {
        bail!(
            "the password is {} characters long; use at least 8",
            password.len()
        );
    }
    let hash =
        hash_password(password).map_err(|e| anyhow::anyhow!("cannot hash the password: {e}"))?;
    let metadata = Metadata::connect(&config.database_url).await?;
    let user = metadata.create_user(name.trim(), Some(&hash), None).await?;
    println!("created user '{}' (id {})", user.username, user.id);
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM so that in-flight requests finish. The
/// handlers are installed when this is called, not when it is first awaited,
/// so a signal sent right after a readiness line is never the default
/// "terminate at once".
fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    let streams = {
        use tokio::signal::unix::{SignalKind, signal};
        (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        )
    };
    async move {
        #[cfg(unix)]
        {
            async fn recv(s: std::io::Result<tokio::signal::unix::Signal>, name: &str) {
                match s {
                    Ok(mut s) => {
                        s.recv().await;
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot listen for {name}");
                        std::future::pending::<()>().await;
                    }
                }
            }
            let (term, int) = streams;
            tokio::select! {
                () = recv(term, "SIGTERM") => {},
                () = recv(int, "SIGINT") => {},
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
        tracing::info!("shutting down: finishing in-flight requests");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn user_add_requires_password_stdin() {
        assert!(Cli::try_parse_from(["abstat", "user", "add", "alice"]).is_err());
        assert!(
            Cli::try_parse_from(["abstat", "user", "add", "alice", "--password-stdin"]).is_ok()
        );
    }
}
