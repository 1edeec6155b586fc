//! End to end across processes: the real `abstat bot` binary talks HTTP to
//! the Bot API emulator (`abstat-tg-emulator`, in this test process) and to
//! a real `abstat serve --dev` (another process, temporary data dir). The
//! test plays Telegram users through the emulator and reads what the bot
//! sends back; expected texts come from `abstat_bot::texts`, the one place
//! they live.
//!
//! The [`Chat`] helpers (`say`, `send_file`, `press`, `expect_text`,
//! `expect_photo`) are what a new dialogue's test needs: the A/B dialogue
//! is `press("A/B test")`, a few more presses on column buttons, then
//! `expect_text(verdict)` and `expect_photo()`.

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use abstat_bot::texts::{Lang, T};
use abstat_tg_emulator::{BotEvent, Emulator, EventKind, TestUser};

const TOKEN: &str = "123456789:emulator-e2e-token-abcdef";
const SERVICE_TOKEN: &str = "0123456789abcdef0123456789abcdef-e2e";
/// Generous: the debug binaries share two cores with other builds.
const WAIT: Duration = Duration::from_secs(60);

const CSV: &str =
    "variant,revenue,converted\nA,10.5,1\nB,12.0,0\nA,9.0,1\nB,14.5,1\nA,11.0,0\nB,13.0,1\n";

fn free_addr() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

/// A child process killed when the test ends, however it ends.
struct Process {
    child: Child,
    name: &'static str,
    log: PathBuf,
}

impl Process {
    fn spawn(name: &'static str, args: &[&str], env: &[(&str, String)], dir: &Path) -> Process {
        let log = dir.join(format!("{name}-{}.log", free_addr().port()));
        let out = std::fs::File::create(&log).unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_abstat"));
        cmd.args(args)
            .stdin(Stdio::null())
            .stdout(out.try_clone().unwrap())
            .stderr(out);
        for var in [
            "TELEGRAM_BOT_TOKEN",
            "ABSTAT_REDIS_URL",
            "ABSTAT_KAFKA_BROKERS",
            "ABSTAT_DATABASE_URL",
            "ABSTAT_CLICKHOUSE_URL",
            "ABSTAT_CONFIG",
            "ABSTAT_BOT_STATE",
            "ABSTAT_BOT_WEBHOOK_URL",
        ] {
            cmd.env_remove(var);
        }
        cmd.env("RUST_LOG", "info");
        for (k, v) in env {
            cmd.env(k, v);
        }
        Process {
            child: cmd.spawn().unwrap(),
            name,
            log,
        }
    }

    /// What the process logged, for failure messages.
    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
        if std::thread::panicking() {
            eprintln!("---- {} log ----\n{}", self.name, self.log());
        }
    }
}

/// The emulator, a server process, and a temporary directory.
struct Stack {
    tg: Emulator,
    server_url: String,
    dir: tempfile::TempDir,
    _server: Process,
}

impl Stack {
    async fn start() -> Stack {
        let tg = Emulator::start(TOKEN).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let addr = free_addr();
        let server = Process::spawn(
            "server",
            &["serve", "--dev"],
            &[
                ("ABSTAT_HTTP_ADDR", addr.to_string()),
                (
                    "ABSTAT_DATA_DIR",
                    dir.path().join("server").display().to_string(),
                ),
                ("ABSTAT_BOT_SERVICE_TOKEN", SERVICE_TOKEN.into()),
                ("ABSTAT_RATE_LIMIT", "0".into()),
            ],
            dir.path(),
        );
        let server_url = format!("http://{addr}");
        let http = reqwest::Client::new();
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            if let Ok(r) = http.get(format!("{server_url}/healthz")).send().await
                && r.status().is_success()
            {
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the server did not come up:\n{}",
                server.log()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Stack {
            tg,
            server_url,
            dir,
            _server: server,
        }
    }

    /// Start an `abstat bot` process against the emulator; `env` adds or
    /// overrides settings. Returns it and its metrics address.
    fn bot(&self, env: &[(&str, String)]) -> (Process, SocketAddr) {
        self.bot_on(&self.tg, env)
    }

    fn bot_on(&self, tg: &Emulator, env: &[(&str, String)]) -> (Process, SocketAddr) {
        let metrics = free_addr();
        let mut all = vec![
            ("TELEGRAM_BOT_TOKEN", TOKEN.to_string()),
            ("ABSTAT_TELEGRAM_API_URL", tg.url()),
            ("ABSTAT_SERVER_URL", self.server_url.clone()),
            ("ABSTAT_BOT_SERVICE_TOKEN", SERVICE_TOKEN.into()),
            ("ABSTAT_BOT_METRICS_ADDR", metrics.to_string()),
            (
                "ABSTAT_DATA_DIR",
                self.dir.path().join("bot").display().to_string(),
            ),
        ];
        all.extend(env.iter().cloned());
        (
            Process::spawn("bot", &["bot"], &all, self.dir.path()),
            metrics,
        )
    }

    fn chat(&self, id: i64, lang: Lang) -> Chat<'_> {
        chat_on(&self.tg, id, lang)
    }
}

fn chat_on(tg: &Emulator, id: i64, lang: Lang) -> Chat<'_> {
    Chat {
        tg,
        user: TestUser::new(id, lang.code()),
        lang,
        seen: tg.last_seq(),
        transcript: Vec::new(),
        transcript_file: None,
    }
}

/// One user's private chat with the bot.
struct Chat<'a> {
    tg: &'a Emulator,
    user: TestUser,
    /// The language texts are expected in.
    lang: Lang,
    /// The bot events already looked at.
    seen: u64,
    /// What the user did and what the bot sent, in order.
    transcript: Vec<String>,
    /// Where the transcript is written (after every bot event).
    transcript_file: Option<PathBuf>,
}

impl Drop for Chat<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() && !self.transcript.is_empty() {
            eprintln!(
                "---- chat {} transcript ({}) ----\n{}",
                self.user.id,
                self.transcript_file
                    .as_ref()
                    .map_or("not written".into(), |p| p.display().to_string()),
                self.transcript.join("\n")
            );
        }
    }
}

impl Chat<'_> {
    fn text(&self, t: T) -> &'static str {
        t.get(self.lang)
    }

    /// Add a line to the transcript (and its file, if one is set).
    fn note(&mut self, line: String) {
        self.transcript.push(line);
        if let Some(path) = &self.transcript_file {
            std::fs::write(path, self.transcript.join("\n") + "\n").unwrap();
        }
    }

    /// A bot event as a transcript line.
    fn note_event(&mut self, e: &BotEvent) {
        let line = match &e.kind {
            EventKind::Sent { message } | EventKind::Edited { message } => {
                let how = if matches!(e.kind, EventKind::Sent { .. }) {
                    "bot"
                } else {
                    "bot (edits)"
                };
                let what = if let Some(sizes) = message.photo() {
                    let p = &sizes[0];
                    format!("[photo {}×{}, {} bytes]", p.width, p.height, p.file.size)
                } else if let Some(d) = message.document() {
                    format!(
                        "[document {}, {} bytes]",
                        d.file_name.as_deref().unwrap_or("?"),
                        d.file.size
                    )
                } else {
                    message.text().unwrap_or_default().to_string()
                };
                let buttons = e.buttons();
                if buttons.is_empty() {
                    format!("{how}: {what}")
                } else {
                    format!("{how}: {what} {buttons:?}")
                }
            }
            _ => return,
        };
        self.note(line);
    }

    fn say(&mut self, text: &str) {
        self.note(format!("user: {text}"));
        self.tg.send_text(&self.user, text).unwrap();
    }

    fn send_file(&mut self, name: &str, bytes: &[u8]) {
        self.note(format!("user: [document {name}, {} bytes]", bytes.len()));
        self.tg
            .send_document(&self.user, name, bytes.to_vec())
            .unwrap();
    }

    /// Tap the button labelled `label` on the newest bot message with it.
    fn press(&mut self, label: &str) {
        self.note(format!("user: [taps {label}]"));
        self.tg.press(&self.user, label).unwrap();
    }

    /// Wait for a document from the bot; returns its name and bytes.
    async fn expect_document(&mut self) -> (String, Vec<u8>) {
        loop {
            let e = self
                .tg
                .next_event(self.user.id, self.seen, WAIT)
                .await
                .expect("no document from the bot");
            self.seen = e.seq;
            self.note_event(&e);
            if let EventKind::Sent { message } = &e.kind
                && let Some(doc) = message.document()
            {
                let bytes = self.tg.file(&doc.file.id.0).unwrap().to_vec();
                return (doc.file_name.clone().unwrap_or_default(), bytes);
            }
        }
    }

    /// Wait for a bot message (new or edited) containing `needle`; skips
    /// other events, and fails with the transcript if none comes.
    async fn expect_text(&mut self, needle: &str) -> BotEvent {
        let deadline = tokio::time::Instant::now() + WAIT;
        let mut transcript = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let Some(e) = self.tg.next_event(self.user.id, self.seen, left).await else {
                panic!(
                    "chat {}: no bot message containing {needle:?}; the bot said:\n{}",
                    self.user.id,
                    transcript.join("\n")
                );
            };
            self.seen = e.seq;
            self.note_event(&e);
            if let Some(text) = e.text() {
                transcript.push(format!("  {text:?} {:?}", e.buttons()));
                if text.contains(needle) {
                    return e;
                }
            }
        }
    }

    /// Wait for a photo from the bot; returns its bytes.
    async fn expect_photo(&mut self) -> Vec<u8> {
        loop {
            let e = self
                .tg
                .next_event(self.user.id, self.seen, WAIT)
                .await
                .expect("no photo from the bot");
            self.seen = e.seq;
            self.note_event(&e);
            if let EventKind::Sent { message } = &e.kind
                && let Some(sizes) = message.photo()
            {
                return self.tg.file(&sizes[0].file.id.0).unwrap().to_vec();
            }
        }
    }
}

async fn scrape(addr: SocketAddr) -> String {
    reqwest::get(format!("http://{addr}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// The value of the sample `series` (the full name with labels) in `text`.
fn sample(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.trim().parse().ok())
        .unwrap_or_else(|| panic!("{series} not in\n{text}"))
}

/// `/start`, `/lang`, a CSV → profile and menu, `/datasets` → menu →
/// delete with confirmation, in the given language.
async fn walk_through(chat: &mut Chat<'_>, other: Lang) {
    chat.say("/start");
    chat.expect_text(chat.text(T::Greeting)).await;
    // /lang: switch to the other language and back
    chat.say("/lang");
    chat.expect_text(chat.text(T::ChooseLanguage)).await;
    let (here, there) = (chat.lang, other);
    let label = |l: Lang| {
        if l == Lang::Ru {
            "Русский"
        } else {
            "English"
        }
    };
    chat.press(label(there));
    chat.expect_text(T::LanguageSet.get(there)).await;
    chat.say("/lang");
    chat.expect_text(T::ChooseLanguage.get(there)).await;
    chat.press(label(here));
    chat.expect_text(chat.text(T::LanguageSet)).await;

    chat.send_file("sales.csv", CSV.as_bytes());
    let profile = chat.expect_text("✅").await;
    let text = profile.text().unwrap();
    assert!(text.contains("sales"), "{text}");
    assert!(text.contains("revenue"), "{text}");
    assert!(
        profile
            .buttons()
            .contains(&chat.text(T::BtnDelete).to_string()),
        "{:?}",
        profile.buttons()
    );

    chat.say("/datasets");
    let list = chat.expect_text(chat.text(T::YourDatasets)).await;
    let title = list.buttons()[0].clone();
    chat.press(&title);
    chat.expect_text(chat.text(T::DatasetMenu)).await;
    chat.press(chat.text(T::BtnDelete));
    chat.expect_text(chat.text(T::ConfirmDelete)).await;
    chat.press(chat.text(T::BtnConfirmDelete));
    chat.expect_text(chat.text(T::Deleted)).await;
    chat.say("/datasets");
    chat.expect_text(chat.text(T::NoDatasets)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_in_both_languages_talk_to_the_real_bot_binary_and_metrics_move() {
    let stack = Stack::start().await;
    let (bot, metrics) = stack.bot(&[]);
    let mut en = stack.chat(1001, Lang::En);
    let mut ru = stack.chat(1002, Lang::Ru);
    // Both users at once, as they would be.
    tokio::join!(
        walk_through(&mut en, Lang::Ru),
        walk_through(&mut ru, Lang::En)
    );
    assert!(stack.tg.webhook().is_none(), "polling mode set a webhook");

    let text = scrape(metrics).await;
    assert_eq!(
        sample(&text, "abstat_bot_commands_total{command=\"start\"}"),
        2.0
    );
    assert_eq!(
        sample(&text, "abstat_bot_commands_total{command=\"datasets\"}"),
        4.0
    );
    assert_eq!(
        sample(&text, "abstat_bot_updates_total{kind=\"document\"}"),
        2.0
    );
    assert!(sample(&text, "abstat_bot_updates_total{kind=\"callback_query\"}") >= 10.0);
    assert!(
        sample(
            &text,
            "abstat_bot_handler_duration_seconds_count{kind=\"message\"}"
        ) >= 10.0
    );
    assert_eq!(sample(&text, "abstat_bot_active_users"), 2.0);
    assert_eq!(
        sample(
            &text,
            "abstat_bot_api_request_duration_seconds_count{method=\"POST\",endpoint=\"/datasets/upload/\"}"
        ),
        2.0
    );
    assert_eq!(
        sample(&text, "abstat_bot_errors_total{kind=\"handler\"}"),
        0.0
    );
    drop(bot);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_server_is_counted_as_api_errors_and_told_in_plain_words() {
    let tg = Emulator::start(TOKEN).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let metrics = free_addr();
    let _bot = Process::spawn(
        "bot",
        &["bot"],
        &[
            ("TELEGRAM_BOT_TOKEN", TOKEN.to_string()),
            ("ABSTAT_TELEGRAM_API_URL", tg.url()),
            ("ABSTAT_SERVER_URL", format!("http://{}", free_addr())),
            ("ABSTAT_BOT_SERVICE_TOKEN", SERVICE_TOKEN.into()),
            ("ABSTAT_BOT_METRICS_ADDR", metrics.to_string()),
        ],
        dir.path(),
    );
    let mut chat = chat_on(&tg, 5, Lang::En);
    chat.say("/datasets");
    chat.expect_text(chat.text(T::ServerDown)).await;
    let text = scrape(metrics).await;
    assert_eq!(
        sample(
            &text,
            "abstat_bot_api_errors_total{endpoint=\"/auth/telegram/\",kind=\"unreachable\"}"
        ),
        1.0
    );
    assert_eq!(
        sample(&text, "abstat_bot_errors_total{kind=\"server_api\"}"),
        1.0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_mode_takes_updates_from_the_emulator_and_refuses_a_wrong_secret() {
    let stack = Stack::start().await;
    let listen = free_addr();
    let secret = "e2e-webhook-secret_0123456789";
    let (_bot, _) = stack.bot(&[
        (
            "ABSTAT_BOT_WEBHOOK_URL",
            format!("http://{listen}/telegram"),
        ),
        ("ABSTAT_BOT_WEBHOOK_LISTEN", listen.to_string()),
        ("ABSTAT_BOT_WEBHOOK_SECRET", secret.into()),
    ]);
    let deadline = tokio::time::Instant::now() + WAIT;
    while stack.tg.webhook().is_none() {
        assert!(tokio::time::Instant::now() < deadline, "no setWebhook");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let hook = stack.tg.webhook().unwrap();
    assert_eq!(hook.url, format!("http://{listen}/telegram"));
    assert_eq!(hook.secret_token.as_deref(), Some(secret));

    let mut chat = stack.chat(2001, Lang::En);
    chat.say("/start");
    chat.expect_text(chat.text(T::Greeting)).await;
    chat.send_file("w.csv", CSV.as_bytes());
    chat.expect_text("✅").await;

    // Someone who is not Telegram posts an update: refused, and not handled.
    let forged = serde_json::json!({
        "update_id": 999_999,
        "message": {
            "message_id": 1, "date": 0,
            "chat": { "id": 2001, "type": "private", "first_name": "x" },
            "from": { "id": 2001, "is_bot": false, "first_name": "x" },
            "text": "/start",
        }
    });
    let http = reqwest::Client::new();
    for header in [Some("wrong-secret"), None] {
        let mut req = http.post(format!("http://{listen}/telegram")).json(&forged);
        if let Some(h) = header {
            req = req.header("x-telegram-bot-api-secret-token", h);
        }
        let status = req.send().await.unwrap().status();
        assert_eq!(status.as_u16(), 401, "secret {header:?}");
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        stack
            .tg
            .events(2001, chat.seen)
            .iter()
            .all(|e| e.text().is_none()),
        "a forged update was handled"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bot_restarted_mid_dialogue_continues_from_sqlite() {
    let stack = Stack::start().await;
    let state = [(
        "ABSTAT_BOT_STATE",
        format!("sqlite:{}", stack.dir.path().join("state/bot.db").display()),
    )];
    let (mut first, _) = stack.bot(&state);
    // The user's Telegram speaks English; they choose Russian in the bot.
    let mut chat = stack.chat(3001, Lang::En);
    chat.say("/lang");
    chat.expect_text(chat.text(T::ChooseLanguage)).await;
    chat.press("Русский");
    chat.expect_text(T::LanguageSet.get(Lang::Ru)).await;
    chat.lang = Lang::Ru;
    chat.send_file("s.csv", CSV.as_bytes());
    chat.expect_text("✅").await;
    first.kill();

    let (_second, _) = stack.bot(&state);
    chat.say("/start");
    chat.expect_text(T::Greeting.get(Lang::Ru)).await;
    // …and the dataset menu shown before the restart still works.
    chat.press(chat.text(T::BtnDelete));
    chat.expect_text(chat.text(T::ConfirmDelete)).await;
}

/// Two bot replicas (each on its own Bot API endpoint, as behind a load
/// balancer) share dialogues through the real Redis from
/// `scripts/services.sh`.
#[cfg(feature = "redis")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_bot_processes_sharing_redis_see_the_same_users_state() {
    let redis = std::env::var("ABSTAT_TEST_REDIS").expect(
        "ABSTAT_TEST_REDIS is not set: start Redis with scripts/services.sh start redis and eval \"$(scripts/services.sh env)\"",
    );
    let stack = Stack::start().await;
    let other = Emulator::start(TOKEN).await.unwrap();
    let env = [("ABSTAT_REDIS_URL", redis)];
    let (_a, _) = stack.bot(&env);
    let (_b, _) = stack.bot_on(&other, &env);
    // A unique user id: the Redis server outlives test runs.
    let id = 4_000_000 + i64::from(std::process::id() % 1_000_000);
    let mut on_a = stack.chat(id, Lang::En);
    on_a.say("/lang");
    on_a.expect_text(on_a.text(T::ChooseLanguage)).await;
    on_a.press("Русский");
    on_a.expect_text(T::LanguageSet.get(Lang::Ru)).await;

    let mut on_b = chat_on(&other, id, Lang::Ru);
    on_b.say("/start");
    on_b.expect_text(T::Greeting.get(Lang::Ru)).await;
}

/// The real bot and server run a whole A/B test for a user: a CSV in, the
/// dialogue tapped through, the verdict (the bot's rendering of the
/// server's own answer), the forest chart as a PNG photo, the result as a
/// CSV document and, on the button under it, as an XLSX workbook. The transcript is written to `transcript.txt` in the
/// test's directory and printed if anything fails.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ab_test_runs_through_the_real_binaries_to_its_chart_and_document() {
    use abstat_api::{AbEngine, AbMetric, AbMetricKind, AbTestRequest, ChartType};
    use abstat_bot::api::{Analysis, ApiClient};
    use abstat_bot::handlers::{attachments, jobs};
    use abstat_core::{Alternative, NanPolicy};

    let stack = Stack::start().await;
    let (_bot, _) = stack.bot(&[]);
    let mut chat = stack.chat(6001, Lang::En);
    let path = stack.dir.path().join("transcript.txt");
    chat.transcript_file = Some(path.clone());

    chat.say("/start");
    chat.expect_text(chat.text(T::Greeting)).await;
    chat.send_file("ab.csv", CSV.as_bytes());
    chat.expect_text("✅").await;
    chat.press(chat.text(T::BtnAbTest));
    chat.expect_text(chat.text(T::AskVariant)).await;
    chat.press("variant");
    chat.expect_text(chat.text(T::AskControl)).await;
    chat.press("A");
    chat.expect_text(chat.text(T::AskMetrics)).await;
    chat.press("revenue");
    // the same question, edited with the tick and Done
    let ticked = chat.expect_text(chat.text(T::AskMetrics)).await;
    assert!(ticked.buttons().contains(&"✅ revenue".to_string()));
    chat.press(chat.text(T::BtnDone));
    chat.expect_text(chat.text(T::AskCovariate)).await;
    chat.press(chat.text(T::BtnSkip));
    chat.expect_text(chat.text(T::AskEngine)).await;
    chat.press(chat.text(T::EngineFrequentist));
    chat.expect_text(chat.text(T::AskSegment)).await;
    chat.press(chat.text(T::NoBreakdown));
    chat.expect_text(chat.text(T::JobDone)).await;

    // The server's own answer to the request the dialogue stands for.
    let api = ApiClient::new(&stack.server_url, SERVICE_TOKEN);
    let dataset = api.datasets(chat.user.id).await.unwrap()[0].id.clone();
    let request = Analysis::AbTest(AbTestRequest {
        dataset_id: dataset,
        version: None,
        variant_column: "variant".into(),
        control: "A".into(),
        metrics: vec![AbMetric {
            column: "revenue".into(),
            kind: AbMetricKind::Mean,
            name: Some("revenue".into()),
            denominator: None,
            covariate: None,
            higher_is_better: true,
        }],
        engine: AbEngine::Frequentist,
        alpha: 0.05,
        alternative: Alternative::TwoSided,
        correction: None,
        weights: None,
        nan_policy: NanPolicy::Omit,
        segment: None,
    });
    let job = api.submit(chat.user.id, &request, 60.0).await.unwrap();
    let verdict = jobs::result_text(&job, Lang::En);
    let shown = chat.expect_text(&verdict).await;
    assert_eq!(shown.text(), Some(verdict.as_str()));

    let photo = chat.expect_photo().await;
    let query = attachments::result_chart_query(&job, ChartType::Forest, Lang::En);
    let served = api.chart(chat.user.id, &query).await.unwrap();
    assert_eq!(&photo[..8], b"\x89PNG\r\n\x1a\n", "a PNG");
    assert_eq!(&photo[12..16], b"IHDR");
    assert_eq!(
        photo[16..24],
        served.bytes[16..24],
        "the size the server draws"
    );
    assert_eq!(photo.len(), served.bytes.len());

    let (name, document) = chat.expect_document().await;
    assert!(
        name.starts_with("ab_test-") && name.ends_with(".csv"),
        "{name}"
    );
    let text = String::from_utf8(document).unwrap();
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let lines: Vec<&str> = text.lines().filter(|l| !l.is_empty()).collect();
    // a header and one row: one metric, one treatment
    assert_eq!(lines.len(), 2, "{text}");
    let fields = |l: &str| l.split(',').count();
    assert_eq!(fields(lines[0]), fields(lines[1]), "{text}");
    assert!(lines[1].contains("revenue"), "{text}");

    // on request, the same result as an Excel workbook: the server's bytes
    chat.press(chat.text(T::BtnXlsx));
    let (name, workbook) = chat.expect_document().await;
    assert!(name.ends_with(".xlsx"), "{name}");
    let served = api.export(chat.user.id, &job.job_id, "xlsx").await.unwrap();
    assert_eq!(workbook.len(), served.bytes.len(), "the server's workbook");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(workbook)).expect("an XLSX is a ZIP");
    assert!(
        zip.by_name("xl/workbook.xml").is_ok(),
        "a workbook inside: {:?}",
        zip.file_names().collect::<Vec<_>>()
    );

    let written = std::fs::read_to_string(&path).unwrap();
    assert!(written.contains("A/B test]"), "{written}");
    assert!(written.contains("[photo "), "{written}");
    assert!(written.contains("[document ab_test-"), "{written}");
    assert!(written.contains("Excel (XLSX)]"), "{written}");
    println!("{written}");
}
