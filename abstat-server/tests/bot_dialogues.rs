//! The bot's dialogues, step by step, through teloxide_tests' fake Bot API,
//! against a real abstat server (the HTTP API on a loopback port, SQLite and
//! local storage in a temporary directory): every server call the bot makes
//! is a real HTTP request.

use std::net::SocketAddr;

use abstat_bot::BotConfig;
use abstat_bot::api::ApiClient;
use abstat_bot::handlers::{Session, Step, schema};
use abstat_bot::texts::{Lang, T};
use abstat_server::auth::Tokens;
use abstat_server::config::HttpSettings;
use abstat_server::jobs::worker::Worker;
use abstat_server::store::Metadata;
use abstat_server::{AppState, app};
use teloxide::types::{InlineKeyboardButtonKind, Message};
use teloxide_tests::{MockBot, MockCallbackQuery, MockMessageDocument, MockMessageText, MockUser};

const SERVICE_TOKEN: &str = "0123456789abcdef0123456789abcdef-bot";
const TG_ID: i64 = MockUser::ID as i64;

/// A real server on a free loopback port with its job worker; returns its
/// base URL.
async fn start_server(dir: &std::path::Path) -> String {
    let (url, state) = start_server_without_worker(dir).await;
    // the worker runs for the rest of the test
    std::mem::forget(
        Worker::new(
            state.jobs().clone(),
            state.metadata().clone(),
            state.datasets(),
        )
        .spawn(2),
    );
    url
}

/// A real server whose jobs wait until a worker is started on `AppState`.
async fn start_server_without_worker(dir: &std::path::Path) -> (String, AppState) {
    let metadata = Metadata::connect("sqlite::memory:").await.unwrap();
    let settings = HttpSettings {
        bot_service_token: Some(SERVICE_TOKEN.to_string().into()),
        rate_limit_per_minute: 0,
        ..HttpSettings::default()
    };
    let state = AppState::new(dir.to_path_buf(), metadata, Tokens::new(&"k".repeat(32)))
        .unwrap()
        .with_settings(settings);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    let served = state.clone();
    tokio::spawn(async move {
        axum::serve(
            listener,
            app(served).into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    (format!("http://{addr}"), state)
}

fn config(server_url: &str) -> BotConfig {
    BotConfig {
        token: "1234567890:QWERTYUIOPASDFGHJKLZXCVBNMQWERTYUIO".into(),
        telegram_api_url: "http://unused.invalid".into(),
        server_url: server_url.into(),
        service_token: SERVICE_TOKEN.into(),
    }
}

fn user(lang: &str) -> teloxide::types::User {
    MockUser::new().language_code(lang).build()
}

type Bot<K> = MockBot<abstat_bot::handlers::HandlerError, K>;

/// The text of the last text message the bot sent (photos and documents
/// skipped).
fn last_sent<K>(bot: &Bot<K>) -> String
where
    K: std::hash::Hash + Eq + Clone + Send + 'static,
{
    let responses = bot.get_responses();
    let m = responses
        .sent_messages
        .iter()
        .rfind(|m| m.text().is_some())
        .expect("the bot sent no text");
    m.text().unwrap_or_default().to_string()
}

/// The new text of the last message the bot edited.
fn last_edit<K>(bot: &Bot<K>) -> String
where
    K: std::hash::Hash + Eq + Clone + Send + 'static,
{
    let responses = bot.get_responses();
    let e = responses
        .edited_messages_text
        .last()
        .expect("the bot edited nothing");
    e.message.text().unwrap_or_default().to_string()
}

fn buttons(message: &Message) -> Vec<(String, String)> {
    let Some(markup) = message.reply_markup() else {
        return Vec::new();
    };
    markup
        .inline_keyboard
        .iter()
        .flatten()
        .filter_map(|b| match &b.kind {
            InlineKeyboardButtonKind::CallbackData(d) => Some((b.text.clone(), d.clone())),
            _ => None,
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_and_help_speak_the_user_s_language_and_lang_switches_it() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(dir.path()).await;
    let mut bot = MockBot::new(
        MockMessageText::new().text("/start").from(user("ru")),
        schema(),
    );
    bot.dependencies(abstat_bot::dependencies(&config(&server)));
    bot.dispatch().await;
    assert_eq!(last_sent(&bot), T::Greeting.get(Lang::Ru));

    bot.update(MockMessageText::new().text("/help").from(user("en-GB")));
    bot.dispatch().await;
    assert_eq!(last_sent(&bot), T::Help.get(Lang::En));

    bot.update(MockMessageText::new().text("/lang").from(user("en")));
    bot.dispatch().await;
    let responses = bot.get_responses();
    let prompt = responses.sent_messages.last().unwrap().clone();
    let choices = buttons(&prompt);
    assert_eq!(
        choices.iter().map(|(_, d)| d.as_str()).collect::<Vec<_>>(),
        ["lang:ru", "lang:en"]
    );

    bot.update(
        MockCallbackQuery::new()
            .data("lang:ru")
            .from(user("en"))
            .message(prompt),
    );
    bot.dispatch().await;
    assert_eq!(last_edit(&bot), T::LanguageSet.get(Lang::Ru));
    let session: Session = bot.get_state().await;
    assert_eq!(session.lang, Some(Lang::Ru));

    // The chosen language wins over Telegram's from now on.
    bot.update(MockMessageText::new().text("hello?").from(user("en")));
    bot.dispatch().await;
    assert_eq!(last_sent(&bot), T::Unknown.get(Lang::Ru));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn datasets_are_listed_opened_and_deleted_with_confirmation() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(dir.path()).await;
    let cfg = config(&server);

    let mut bot = MockBot::new(
        MockMessageText::new().text("/datasets").from(user("en")),
        schema(),
    );
    bot.dependencies(abstat_bot::dependencies(&cfg));
    bot.dispatch().await;
    assert_eq!(last_sent(&bot), T::NoDatasets.get(Lang::En));

    // The same Telegram user uploads through the API (as a big file would go).
    let api = ApiClient::new(&server, SERVICE_TOKEN);
    let up = api
        .upload(
            TG_ID,
            "exp.csv",
            b"variant,revenue\nA,1.5\nB,2.5\nA,3\n".to_vec(),
        )
        .await
        .unwrap();
    let id = up.dataset.id.clone();
    // Another Telegram user's data never shows up.
    api.upload(TG_ID + 1, "other.csv", b"a\n1\n".to_vec())
        .await
        .unwrap();

    bot.update(MockMessageText::new().text("/datasets").from(user("en")));
    bot.dispatch().await;
    let list = bot.get_responses().sent_messages.last().unwrap().clone();
    assert_eq!(list.text(), Some(T::YourDatasets.get(Lang::En)));
    let entries = buttons(&list);
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0].1, format!("ds:{id}"));
    assert!(
        entries[0].0.contains("exp.csv") && entries[0].0.contains("3 rows"),
        "{entries:?}"
    );

    bot.update(
        MockCallbackQuery::new()
            .data(format!("ds:{id}"))
            .from(user("en"))
            .message(list),
    );
    bot.dispatch().await;
    let menu = bot.get_responses().sent_messages.last().unwrap().clone();
    assert!(
        menu.text()
            .unwrap()
            .starts_with(T::DatasetMenu.get(Lang::En)),
        "{:?}",
        menu.text()
    );
    let actions: Vec<String> = buttons(&menu).into_iter().map(|(_, d)| d).collect();
    for a in ["ab", "test", "reg", "clf", "clean", "charts", "delete"] {
        assert!(
            actions.contains(&format!("act:{a}:{id}")),
            "{a} missing from {actions:?}"
        );
    }
    let session: Session = bot.get_state().await;
    assert_eq!(
        session.step,
        Step::Menu {
            dataset: id.clone()
        }
    );

    bot.update(
        MockCallbackQuery::new()
            .data(format!("act:delete:{id}"))
            .from(user("en"))
            .message(menu.clone()),
    );
    bot.dispatch().await;
    assert_eq!(last_edit(&bot), T::ConfirmDelete.get(Lang::En));
    let session: Session = bot.get_state().await;
    assert_eq!(
        session.step,
        Step::ConfirmDelete {
            dataset: id.clone()
        }
    );
    assert_eq!(
        api.datasets(TG_ID).await.unwrap().len(),
        1,
        "nothing deleted before confirming"
    );

    bot.update(
        MockCallbackQuery::new()
            .data(format!("del:{id}"))
            .from(user("en"))
            .message(menu),
    );
    bot.dispatch().await;
    assert_eq!(last_edit(&bot), T::Deleted.get(Lang::En));
    assert!(api.datasets(TG_ID).await.unwrap().is_empty());
    assert_eq!(
        api.datasets(TG_ID + 1).await.unwrap().len(),
        1,
        "only the user's own dataset went"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_are_checked_uploaded_and_refusals_explained() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(dir.path()).await;
    let cfg = config(&server);

    let mut bot = MockBot::new(
        MockMessageDocument::new()
            .file_name("photo.jpg")
            .from(user("ru")),
        schema(),
    );
    bot.dependencies(abstat_bot::dependencies(&cfg));
    bot.dispatch().await;
    assert_eq!(last_sent(&bot), T::NotADataset.get(Lang::Ru));

    bot.update(
        MockMessageDocument::new()
            .file_name("huge.csv")
            .file_size(25 * 1024 * 1024)
            .from(user("ru")),
    );
    bot.dispatch().await;
    assert_eq!(last_sent(&bot), T::FileTooBig.get(Lang::Ru));

    // The fake Bot API serves every download as "Hello, world!": a header
    // line without a single data row. The server reads and stores it, and
    // the bot shows the profile with the dataset menu.
    bot.update(
        MockMessageDocument::new()
            .file_name("greeting.csv")
            .from(user("en")),
    );
    bot.dispatch().await;
    let text = last_edit(&bot);
    assert!(
        text.contains("greeting.csv") && text.contains("0 rows") && text.contains("2 columns"),
        "{text}"
    );
    let session: Session = bot.get_state().await;
    assert!(matches!(session.step, Step::Menu { .. }), "{session:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_server_is_reported_in_plain_words() {
    // Nothing listens on this port.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let cfg = config(&format!("http://127.0.0.1:{port}"));
    let mut bot = MockBot::new(
        MockMessageText::new().text("/datasets").from(user("ru")),
        schema(),
    );
    bot.dependencies(abstat_bot::dependencies(&cfg));
    bot.dispatch().await;
    assert_eq!(last_sent(&bot), T::ServerDown.get(Lang::Ru));
}

// ---------------------------------------------------------------------------
// Analysis dialogues. Each taps through a dialogue with the fake Bot API and
// compares the bot's result message with the server's own answer to the
// same request, rendered by the bot's renderer: no number is written here.

/// An experiment of 240 users: variant A/B (B a little better), revenue,
/// a pre-period revenue (CUPED), a 0/1 conversion and a three-level
/// segment. Deterministic (a fixed linear congruential sequence).
fn experiment_csv() -> Vec<u8> {
    let mut state: u64 = 42;
    let mut uniform = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut csv = String::from("variant,revenue,pre_revenue,converted,segment\n");
    for i in 0..240 {
        let variant = if i % 2 == 0 { "A" } else { "B" };
        let pre = 10.0 + 10.0 * uniform();
        let lift = if variant == "B" { 1.5 } else { 0.0 };
        let revenue = 0.8 * pre + lift + 4.0 * uniform();
        let converted = u8::from(uniform() < if variant == "B" { 0.35 } else { 0.25 });
        let segment = ["north", "south", "west"][i % 3];
        csv.push_str(&format!(
            "{variant},{revenue:.3},{pre:.3},{converted},{segment}\n"
        ));
    }
    csv.into_bytes()
}

/// A bot dialogue against a real server: the Telegram user `TG_ID`, one
/// uploaded dataset, and the message the dialogue edits.
struct Chat {
    bot: Bot<teloxide_tests::mock_bot::DistributionKey>,
    api: ApiClient,
    lang: &'static str,
    dataset: String,
    message: Message,
}

impl Chat {
    async fn open(server: &str, lang: &'static str) -> Chat {
        Chat::open_with(server, lang, "experiment.csv", experiment_csv()).await
    }

    /// A dialogue on the dataset uploaded from `csv`.
    async fn open_with(server: &str, lang: &'static str, name: &str, csv: Vec<u8>) -> Chat {
        let api = ApiClient::new(server, SERVICE_TOKEN);
        let up = api.upload(TG_ID, name, csv).await.unwrap();
        let dataset = up.dataset.id.clone();
        let menu = MockMessageText::new().text("menu").build();
        let mut bot = MockBot::new(MockMessageText::new().text("/start"), schema());
        let mut deps = abstat_bot::dependencies(&config(server));
        // results within the dispatch: the fake Bot API stops with it
        deps.insert(std::sync::Arc::new(
            ApiClient::new(server, SERVICE_TOKEN).with_quick_wait(60.0),
        ));
        bot.dependencies(deps);
        Chat {
            bot,
            api,
            lang,
            dataset,
            message: menu,
        }
    }

    /// Press the button with `data` on the dialogue's message.
    async fn press_data(&mut self, data: &str) {
        self.bot.update(
            MockCallbackQuery::new()
                .data(data)
                .from(user(self.lang))
                .message(self.message.clone()),
        );
        self.bot.dispatch().await;
        if let Some(e) = self.bot.get_responses().edited_messages_text.last() {
            self.message = e.message.clone();
        }
    }

    /// Press the button captioned `caption` on the dialogue's message.
    async fn press(&mut self, caption: &str) {
        let data = buttons(&self.message)
            .into_iter()
            .find(|(text, _)| text == caption)
            .unwrap_or_else(|| {
                panic!(
                    "no button {caption:?} in {:?}: {:?}",
                    self.message.text(),
                    buttons(&self.message)
                )
            })
            .1;
        self.press_data(&data).await;
    }

    fn captions(&self) -> Vec<String> {
        buttons(&self.message).into_iter().map(|(t, _)| t).collect()
    }

    fn text(&self) -> String {
        self.message.text().unwrap_or_default().to_string()
    }

    /// Type a message.
    async fn say(&mut self, text: &str) {
        self.bot
            .update(MockMessageText::new().text(text).from(user(self.lang)));
        self.bot.dispatch().await;
    }

    /// The last text message the bot sent (photos and documents skipped).
    fn last_sent(&self) -> Message {
        self.bot
            .get_responses()
            .sent_messages
            .iter()
            .rfind(|m| m.text().is_some())
            .expect("the bot sent no text")
            .clone()
    }

    /// The file name of the last photo the bot sent.
    fn last_photo_name(&self) -> String {
        let responses = self.bot.get_responses();
        let photo = responses.sent_messages_photo.last().expect("no photo");
        photo.bot_request.file_name.clone()
    }

    /// The server's answer to `analysis`, rendered as the bot renders it.
    async fn expected(&self, analysis: &Analysis) -> String {
        let job = self.expected_job(analysis).await;
        abstat_bot::handlers::jobs::result_text(&job, lang_of(self.lang))
    }

    /// The server's finished job for `analysis`.
    async fn expected_job(&self, analysis: &Analysis) -> JobResponse {
        let job = self.api.submit(TG_ID, analysis, 60.0).await.unwrap();
        assert_eq!(job.status, JobStatus::Succeeded, "{job:?}");
        job
    }

    /// The result message is followed by the chart `chart` of the result
    /// as a photo and by the result's table as a CSV document, both what
    /// the server serves for the same analysis (`job`, the test's own run
    /// of it).
    async fn assert_result_files(&self, job: &JobResponse, chart: ChartType) {
        let responses = self.bot.get_responses();
        let sent = &responses.sent_messages;
        let n = sent.len();
        assert!(n >= 3, "{sent:?}");
        assert!(sent[n - 3].text().is_some(), "the result text comes first");
        assert!(sent[n - 2].photo().is_some(), "then the chart");
        assert!(sent[n - 1].document().is_some(), "then the document");
        let photo = &responses.sent_messages_photo.last().unwrap().bot_request;
        assert!(
            photo.file_name.starts_with(&format!("{}-", chart.as_str()))
                && photo.file_name.ends_with(".png"),
            "{}",
            photo.file_name
        );
        // teloxide_tests keeps attachments as UTF-8 text only, so the PNG
        // bytes are checked on the server's answer to the chart query the
        // bot sends (the cross-process test checks the bytes the user gets).
        let query = attachments::result_chart_query(job, chart, lang_of(self.lang));
        let image = self.api.chart(TG_ID, &query).await.unwrap();
        let (w, h) = png_size(&image.bytes).expect("a PNG");
        assert!(w >= 200 && h >= 200, "{w}×{h}");

        let doc = &responses.sent_messages_document.last().unwrap().bot_request;
        assert!(
            doc.file_name.starts_with(&format!("{}-", job.kind)) && doc.file_name.ends_with(".csv"),
            "{}",
            doc.file_name
        );
        let served = self.api.export(TG_ID, &job.job_id, "csv").await.unwrap();
        let served = String::from_utf8(served.bytes.to_vec()).unwrap();
        assert_eq!(doc.file_data, served, "the document is the server's export");
        let rows = csv_rows(&doc.file_data);
        assert!(rows.len() >= 2, "a header and data rows: {rows:?}");
        assert!(
            rows.iter().all(|r| r.len() == rows[0].len()),
            "every row has the header's {} fields: {rows:?}",
            rows[0].len()
        );
    }
}

/// Width and height of a PNG image (its signature, then the IHDR chunk;
/// PNG spec §5.2, §11.2.2), or `None` if `bytes` is not a PNG.
fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
    if bytes.len() < 24 || &bytes[..8] != SIGNATURE || &bytes[12..16] != b"IHDR" {
        return None;
    }
    let be = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    Some((be(16), be(20)))
}

/// The rows of a CSV document (a UTF-8 byte-order mark skipped, quoted
/// fields with commas kept whole; enough for the server's exports).
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    text.lines()
        .filter(|l| !l.is_empty())
        .map(|line| {
            let mut fields = vec![String::new()];
            let mut quoted = false;
            for ch in line.chars() {
                match ch {
                    '"' => quoted = !quoted,
                    ',' if !quoted => fields.push(String::new()),
                    _ => fields.last_mut().unwrap().push(ch),
                }
            }
            fields
        })
        .collect()
}

fn lang_of(code: &str) -> Lang {
    Lang::from_code(Some(code))
}

use abstat_api::{
    AbEngine, AbMetric, AbMetricKind, AbSegment, AbTestRequest, AnalysisResult, ChartType,
    ClassificationRequest, ClassifierModel, JobResponse, JobStatus, RegressionModel,
    RegressionRequest, StatTestKind, StatTestRequest,
};
use abstat_bot::api::Analysis;
use abstat_bot::handlers::attachments;
use abstat_core::multitest::Correction;
use abstat_core::{Alternative, NanPolicy};

fn ab_request(dataset: &str, engine: AbEngine, covariate: Option<&str>) -> AbTestRequest {
    AbTestRequest {
        dataset_id: dataset.to_string(),
        version: None,
        variant_column: "variant".into(),
        control: "A".into(),
        metrics: vec![
            AbMetric {
                column: "revenue".into(),
                kind: AbMetricKind::Mean,
                name: Some("revenue".into()),
                denominator: None,
                covariate: covariate.map(str::to_string),
                higher_is_better: true,
            },
            AbMetric {
                column: "converted".into(),
                kind: AbMetricKind::Proportion,
                name: Some("converted".into()),
                denominator: None,
                covariate: None,
                higher_is_better: true,
            },
        ],
        engine,
        alpha: 0.05,
        alternative: Alternative::TwoSided,
        correction: (engine != AbEngine::Bayesian).then_some(Correction::Holm),
        weights: None,
        nan_policy: NanPolicy::Omit,
        segment: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ab_test_is_tapped_through_with_back_and_answered_verdict_first_in_english() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(dir.path()).await;
    let mut chat = Chat::open(&server, "en").await;
    let en = Lang::En;

    chat.press_data(&format!("act:ab:{}", chat.dataset)).await;
    assert!(
        chat.text().contains(T::AskVariant.get(en)),
        "{}",
        chat.text()
    );
    // only the low-cardinality columns can hold variants
    let captions = chat.captions();
    assert!(captions.contains(&"variant".to_string()), "{captions:?}");
    assert!(captions.contains(&"segment".to_string()), "{captions:?}");
    assert!(!captions.contains(&"revenue".to_string()), "{captions:?}");

    chat.press("segment").await;
    assert!(chat.text().contains(T::AskControl.get(en)));
    assert_eq!(
        chat.captions()[..3],
        ["north", "south", "west"],
        "the column's actual values"
    );
    // Back: the variant question again, the answer forgotten
    chat.press(T::BtnBack.get(en)).await;
    assert!(chat.text().contains(T::AskVariant.get(en)));
    let session: Session = chat.bot.get_state().await;
    let Step::Wizard(w) = &session.step else {
        panic!("{session:?}")
    };
    assert!(w.answers.is_empty());

    chat.press("variant").await;
    assert_eq!(chat.captions()[..2], ["A", "B"]);
    chat.press("A").await;
    assert!(chat.text().contains(T::AskMetrics.get(en)));
    assert!(!chat.captions().contains(&"variant".to_string()));
    chat.press("revenue").await;
    assert!(chat.captions().contains(&"✅ revenue".to_string()));
    assert!(chat.captions().contains(&T::BtnDone.get(en).to_string()));
    chat.press("converted").await;
    chat.press(T::BtnDone.get(en)).await;
    assert!(
        chat.text().contains(T::AskCovariate.get(en)),
        "{}",
        chat.text()
    );
    assert!(chat.captions().contains(&T::BtnSkip.get(en).to_string()));
    chat.press("pre_revenue").await;
    assert!(chat.text().contains(T::AskEngine.get(en)));
    assert!(
        chat.text().contains("revenue, converted"),
        "{}",
        chat.text()
    );
    chat.press(T::EngineFrequentist.get(en)).await;

    // the breakdown offers the text / few-valued columns not used yet
    assert!(
        chat.text().contains(T::AskSegment.get(en)),
        "{}",
        chat.text()
    );
    assert_eq!(
        chat.captions()[..2],
        ["segment".to_string(), T::NoBreakdown.get(en).to_string()]
    );
    chat.press("segment").await;

    // the status message says done, the result comes as a new message
    assert_eq!(chat.text(), T::JobDone.get(en));
    let result = chat.last_sent();
    let mut request = ab_request(&chat.dataset, AbEngine::Frequentist, Some("pre_revenue"));
    request.segment = Some(AbSegment {
        column: "segment".into(),
        top: abstat_bot::handlers::ab::SEGMENT_TOP,
        min_units: abstat_bot::handlers::ab::SEGMENT_MIN_UNITS,
    });
    let request = Analysis::AbTest(request);
    let job = chat.expected_job(&request).await;
    let expected = abstat_bot::handlers::jobs::result_text(&job, en);
    assert_eq!(result.text().unwrap(), expected);
    chat.assert_result_files(&job, ChartType::Forest).await;
    let text = result.text().unwrap();
    assert!(text.starts_with("B increases revenue by "), "{text}");
    assert!(text.contains("a significant win"), "{text}");
    assert!(text.contains(T::KeyNumbers.get(en)), "{text}");
    assert!(
        text.contains("(holm)"),
        "the correction is explained: {text}"
    );
    // one line per segment, units as the server counted them
    assert!(text.contains(T::BySegment.get(en)), "{text}");
    let Some(Ok(AnalysisResult::AbTest(r))) = job.analysis() else {
        panic!("{job:?}")
    };
    let segments = r.segments.as_ref().expect("segments");
    assert_eq!(segments.segments.len(), 3);
    for seg in &segments.segments {
        let units = en.count(seg.units.iter().sum());
        assert!(
            text.contains(&format!("{} · {units} users: ", seg.name)),
            "{text}"
        );
    }
    assert_eq!(
        buttons(&result),
        [(
            T::BtnMenu.get(en).to_string(),
            format!("ds:{}", chat.dataset)
        )]
    );
    let session: Session = chat.bot.get_state().await;
    assert_eq!(
        session.step,
        Step::Menu {
            dataset: chat.dataset.clone()
        }
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bayesian_ab_test_in_russian_skips_cuped_and_cancel_ends_a_dialogue() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(dir.path()).await;
    let mut chat = Chat::open(&server, "ru").await;
    let ru = Lang::Ru;

    chat.press_data(&format!("act:ab:{}", chat.dataset)).await;
    chat.press("variant").await;
    chat.press(T::BtnCancel.get(ru)).await;
    assert_eq!(chat.text(), T::Cancelled.get(ru));
    let session: Session = chat.bot.get_state().await;
    assert_eq!(session.step, Step::Idle);
    // a button of the cancelled dialogue is out of date
    chat.press_data("w:1:p0").await;
    let answered = chat.bot.get_responses().answered_callback_queries;
    assert_eq!(
        answered.last().unwrap().text.as_deref(),
        Some(T::Stale.get(ru))
    );

    chat.press_data(&format!("act:ab:{}", chat.dataset)).await;
    assert!(chat.text().contains(T::AskVariant.get(ru)));
    chat.press("variant").await;
    chat.press("A").await;
    chat.press("revenue").await;
    chat.press("converted").await;
    chat.press(T::BtnDone.get(ru)).await;
    chat.press(T::BtnSkip.get(ru)).await;
    assert!(chat.text().contains(T::Skipped.get(ru)), "{}", chat.text());
    chat.press(T::EngineBayesian.get(ru)).await;

    let result = chat.last_sent();
    let request = Analysis::AbTest(ab_request(&chat.dataset, AbEngine::Bayesian, None));
    let job = chat.expected_job(&request).await;
    let expected = abstat_bot::handlers::jobs::result_text(&job, ru);
    assert_eq!(result.text().unwrap(), expected);
    // the Bayesian engine has no forest: the posterior of the lift instead
    chat.assert_result_files(&job, ChartType::Posterior).await;
    assert!(
        expected.contains("шанс обыграть контроль") || expected.contains("шанс, что B"),
        "{expected}"
    );
}

/// Revenue with heavy tails: 400 users, variant A/B, revenue = exp(2·z)
/// (z standard normal, Box–Muller on a fixed linear congruential
/// sequence: skewness far above what 200 users per group can carry), and a
/// country column: four countries of 100 users, two of 20 (merged into
/// "other" by the bot's minimum segment size).
fn heavy_tailed_csv() -> Vec<u8> {
    let mut state: u64 = 7;
    let mut uniform = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    };
    let mut csv = String::from("variant,revenue,country\n");
    for i in 0..440 {
        let z = (-2.0 * uniform().ln()).sqrt() * (std::f64::consts::TAU * uniform()).cos();
        let variant = if i % 2 == 0 { "A" } else { "B" };
        let country = if i < 400 {
            ["DE", "FR", "US", "BR"][i % 4 / 2 + 2 * (i % 8 / 4)]
        } else {
            ["PL", "CZ"][i % 4 / 2]
        };
        csv.push_str(&format!("{variant},{:.4},{country}\n", (2.0 * z).exp()));
    }
    csv.into_bytes()
}

/// The heavy-tails warning and the segment step in both languages: the
/// server flags the skewed revenue (core's heavy-tails check), the bot
/// words it with the server's skewness; Russian breaks the result down by
/// country, English takes "No breakdown".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heavy_tails_are_warned_in_plain_words_and_segments_are_optional_in_both_languages() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(dir.path()).await;
    for code in ["ru", "en"] {
        let lang = lang_of(code);
        let mut chat = Chat::open_with(&server, code, "heavy.csv", heavy_tailed_csv()).await;
        chat.press_data(&format!("act:ab:{}", chat.dataset)).await;
        chat.press("variant").await;
        chat.press("A").await;
        chat.press("revenue").await;
        chat.press(T::BtnDone.get(lang)).await;
        // no covariate to offer: straight to the engine
        assert!(
            chat.text().contains(T::AskEngine.get(lang)),
            "{}",
            chat.text()
        );
        chat.press(T::EngineFrequentist.get(lang)).await;
        assert!(
            chat.text().contains(T::AskSegment.get(lang)),
            "{}",
            chat.text()
        );
        let segment = (code == "ru").then(|| AbSegment {
            column: "country".into(),
            top: abstat_bot::handlers::ab::SEGMENT_TOP,
            min_units: abstat_bot::handlers::ab::SEGMENT_MIN_UNITS,
        });
        match &segment {
            Some(_) => chat.press("country").await,
            None => chat.press(T::NoBreakdown.get(lang)).await,
        }
        assert_eq!(chat.text(), T::JobDone.get(lang));
        let result = chat.last_sent();

        let mut request = ab_request(&chat.dataset, AbEngine::Frequentist, None);
        request.metrics.truncate(1);
        request.correction = None;
        request.segment = segment.clone();
        let job = chat.expected_job(&Analysis::AbTest(request)).await;
        let text = result.text().unwrap();
        assert_eq!(text, abstat_bot::handlers::jobs::result_text(&job, lang));

        let Some(Ok(AnalysisResult::AbTest(r))) = job.analysis() else {
            panic!("{job:?}")
        };
        let exp = r.experiment.as_ref().unwrap();
        // the worst flagged variant: the one the rule asks most units of
        let skewness = exp
            .heavy_tail_warnings()
            .max_by(|a, b| a.required_n.total_cmp(&b.required_n))
            .map_or(f64::NAN, |t| t.skewness);
        assert!(
            skewness.is_finite(),
            "the server flags the revenue: {exp:?}"
        );
        let warning = T::WarnHeavyTails.fill(lang, &[("metric", "revenue")]);
        let (before, _) = warning.split_once("{skewness}").unwrap();
        assert!(
            text.contains(&format!("{before}{})", lang.number(skewness, 1))),
            "{text}"
        );
        assert_eq!(
            text.contains(T::BySegment.get(lang)),
            segment.is_some(),
            "{text}"
        );
        if let Some(segments) = &r.segments {
            // the small countries are merged into "other", marked as such
            let other = segments
                .segments
                .iter()
                .find(|s| s.kind == abstat_core::ab::SegmentKind::Other)
                .expect("an other segment");
            let name = T::SegmentOther.fill(lang, &[("n", &lang.count(other.values.len() as u64))]);
            let line = T::SegmentLine.fill(
                lang,
                &[
                    ("segment", &name),
                    ("units", &lang.count(other.units.iter().sum())),
                ],
            );
            assert!(text.contains(&format!("{line}: ")), "{line} in {text}");
        }
    }
}

/// A stat test request with the dialogue's defaults (α 0.05, missing
/// values omitted); the test and columns are filled in by each case.
fn stat_request(dataset: &str) -> StatTestRequest {
    StatTestRequest {
        dataset_id: dataset.to_string(),
        version: None,
        test: StatTestKind::Welch,
        column: String::new(),
        column_b: None,
        group_column: None,
        groups: None,
        popmean: None,
        alternative: Alternative::TwoSided,
        alpha: 0.05,
        nan_policy: NanPolicy::Omit,
    }
}

/// A regression request with the dialogue's defaults.
fn regression_request(dataset: &str) -> RegressionRequest {
    RegressionRequest {
        dataset_id: dataset.to_string(),
        version: None,
        model: RegressionModel::Ols,
        target: String::new(),
        predictors: Vec::new(),
        reference: Default::default(),
        intercept: true,
        weights: None,
        cov_type: Default::default(),
        alpha: 0.05,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stat_test_is_suggested_from_the_column_types_in_both_languages() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(dir.path()).await;
    for lang in ["ru", "en"] {
        let mut chat = Chat::open(&server, lang).await;
        let l = lang_of(lang);
        chat.press_data(&format!("act:test:{}", chat.dataset)).await;
        assert!(chat.text().contains(T::AskFirstColumn.get(l)));
        chat.press("revenue").await;
        assert!(!chat.captions().contains(&"revenue".to_string()));
        chat.press("variant").await;
        // a measurement by two groups: Welch's t-test first
        let welch = abstat_bot::texts::test_name(StatTestKind::Welch, l);
        assert_eq!(chat.captions()[0], welch);
        assert!(
            !chat
                .captions()
                .contains(&abstat_bot::texts::test_name(StatTestKind::Pearson, l).to_string())
        );
        chat.press(welch).await;
        assert!(chat.text().contains(T::AskAlternative.get(l)));
        assert!(chat.captions().contains(&"A < B".to_string()));
        chat.press("A < B").await;
        let request = StatTestRequest {
            test: StatTestKind::Welch,
            column: "revenue".into(),
            column_b: None,
            group_column: Some("variant".into()),
            alternative: Alternative::Less,
            ..stat_request(&chat.dataset)
        };
        let expected = chat.expected(&Analysis::StatTest(request)).await;
        assert_eq!(chat.last_sent().text().unwrap(), expected);

        // two categorical columns: chi-square, no alternative asked
        chat.press_data(&format!("act:test:{}", chat.dataset)).await;
        chat.press("segment").await;
        chat.press("converted").await;
        let chi2 = abstat_bot::texts::test_name(StatTestKind::Chi2Contingency, l);
        assert_eq!(chat.captions()[0], chi2);
        chat.press(chi2).await;
        let request = StatTestRequest {
            test: StatTestKind::Chi2Contingency,
            column: "segment".into(),
            column_b: Some("converted".into()),
            group_column: None,
            alternative: Alternative::TwoSided,
            ..stat_request(&chat.dataset)
        };
        let expected = chat.expected(&Analysis::StatTest(request)).await;
        assert_eq!(chat.last_sent().text().unwrap(), expected);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn regression_offers_logistic_only_for_a_binary_target_and_shows_the_coefficients() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(dir.path()).await;
    for lang in ["en", "ru"] {
        let mut chat = Chat::open(&server, lang).await;
        let l = lang_of(lang);
        chat.press_data(&format!("act:reg:{}", chat.dataset)).await;
        assert!(chat.text().contains(T::AskTarget.get(l)));
        chat.press("revenue").await;
        chat.press("pre_revenue").await;
        chat.press("variant").await;
        chat.press(T::BtnDone.get(l)).await;
        assert_eq!(
            chat.captions()[..1],
            [T::ModelLinear.get(l)],
            "no logistic model of revenue"
        );
        assert!(
            !chat
                .captions()
                .contains(&T::ModelLogistic.get(l).to_string())
        );
        chat.press(T::ModelLinear.get(l)).await;
        let request = RegressionRequest {
            model: RegressionModel::Ols,
            target: "revenue".into(),
            // in the order the dialogue lists the columns
            predictors: vec!["variant".into(), "pre_revenue".into()],
            ..regression_request(&chat.dataset)
        };
        let job = chat.expected_job(&Analysis::Regression(request)).await;
        let expected = abstat_bot::handlers::jobs::result_text(&job, l);
        let text = chat.last_sent().text().unwrap().to_string();
        assert_eq!(text, expected);
        chat.assert_result_files(&job, ChartType::Coefficients)
            .await;
        assert!(
            text.contains("<pre>") && text.contains("pre_revenue"),
            "{text}"
        );

        chat.press_data(&format!("act:reg:{}", chat.dataset)).await;
        chat.press("converted").await;
        chat.press("revenue").await;
        chat.press(T::BtnDone.get(l)).await;
        chat.press(T::ModelLogistic.get(l)).await;
        let request = RegressionRequest {
            model: RegressionModel::Logit,
            target: "converted".into(),
            predictors: vec!["revenue".into()],
            ..regression_request(&chat.dataset)
        };
        let expected = chat.expected(&Analysis::Regression(request)).await;
        assert_eq!(chat.last_sent().text().unwrap(), expected);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_classification_shows_metrics_and_the_confusion_matrix_in_both_languages() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(dir.path()).await;
    for lang in ["ru", "en"] {
        let mut chat = Chat::open(&server, lang).await;
        let l = lang_of(lang);
        chat.press_data(&format!("act:clf:{}", chat.dataset)).await;
        assert!(chat.text().contains(T::AskClassTarget.get(l)));
        assert!(!chat.captions().contains(&"revenue".to_string()));
        chat.press("segment").await;
        chat.press("revenue").await;
        chat.press("pre_revenue").await;
        chat.press(T::BtnDone.get(l)).await;
        assert!(chat.text().contains(T::AskClassifier.get(l)));
        let model = abstat_bot::texts::model_name(ClassifierModel::RandomForest, l);
        chat.press(model).await;
        let request = ClassificationRequest {
            dataset_id: chat.dataset.clone(),
            version: None,
            model: ClassifierModel::RandomForest,
            params: Default::default(),
            target: "segment".into(),
            features: vec!["revenue".into(), "pre_revenue".into()],
            test_size: 0.25,
            cv_folds: None,
            seed: 0,
        };
        let job = chat.expected_job(&Analysis::Classification(request)).await;
        let expected = abstat_bot::handlers::jobs::result_text(&job, l);
        let text = chat.last_sent().text().unwrap().to_string();
        assert_eq!(text, expected);
        chat.assert_result_files(&job, ChartType::Confusion).await;
        assert!(text.contains(T::ConfusionCaption.get(l)), "{text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn power_reads_both_decimal_styles_re_asks_bad_input_and_answers_from_the_server() {
    use abstat_api::{AbDesignRequest, DesignMetric, DesignPlan};
    use abstat_core::ab::design::{Baseline, Mde};
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(dir.path()).await;
    for (lang, rate, mde) in [("en", "0.05", "10%"), ("ru", "0,05", "0,1")] {
        let mut chat = Chat::open(&server, lang).await;
        let l = lang_of(lang);
        chat.say("/power").await;
        chat.message = chat.last_sent();
        assert_eq!(chat.text(), T::PowerAskMetric.get(l));
        chat.say("5").await;
        assert!(
            chat.last_sent()
                .text()
                .unwrap()
                .starts_with(T::UseButtons.get(l))
        );
        chat.press(T::PowerRate.get(l)).await;
        assert_eq!(chat.text(), T::PowerAskRate.get(l));
        chat.say("five percent").await;
        let again = chat.last_sent();
        assert!(again.text().unwrap().starts_with(T::PowerNotANumber.get(l)));
        assert!(again.text().unwrap().ends_with(T::PowerAskRate.get(l)));
        chat.say("1,5").await;
        assert!(
            chat.last_sent()
                .text()
                .unwrap()
                .starts_with(T::PowerBadRate.get(l))
        );
        chat.say(rate).await;
        chat.message = chat.last_sent();
        assert_eq!(chat.text(), T::PowerAskMdeKind.get(l));
        // Back forgets the rate
        chat.press(T::BtnBack.get(l)).await;
        assert_eq!(chat.text(), T::PowerAskRate.get(l));
        chat.say(rate).await;
        chat.message = chat.last_sent();
        chat.press(T::PowerRelative.get(l)).await;
        chat.say(mde).await;
        chat.message = chat.last_sent();
        assert_eq!(chat.text(), T::PowerAskAlpha.get(l));
        chat.press(&l.short(0.05)).await;
        chat.press(&l.percent(0.8)).await;
        chat.press(&l.short(3.0)).await;
        assert_eq!(chat.text(), T::PowerAskTraffic.get(l));
        chat.say("2 000").await;
        let answer = chat.last_sent();
        let request = AbDesignRequest {
            metric: DesignMetric::Proportion,
            baseline: None,
            effect_size: None,
            nobs_per_variant: None,
            power: Some(0.8),
            alpha: 0.05,
            ratio: None,
            alternative: Alternative::TwoSided,
            daily_units: Some(2000.0),
            plan: Some(DesignPlan {
                baseline: Baseline::Rate { rate: 0.05 },
                mde: Mde::Relative(0.1),
                variants: 3,
            }),
        };
        let design = chat.api.design(TG_ID, &request).await.unwrap();
        assert_eq!(
            answer.text().unwrap(),
            abstat_bot::results::render_design(&design, Some(2000.0), 0.8, l)
        );
        assert!(
            answer
                .text()
                .unwrap()
                .contains(&l.count(design.total_units.unwrap())),
            "{:?}",
            answer.text()
        );
        let session: Session = chat.bot.get_state().await;
        assert_eq!(session.step, Step::Idle);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_job_is_followed_from_queued_to_its_result_and_a_failed_one_says_why() {
    use abstat_bot::handlers::{Ctx, HandlerError, Place, jobs};
    use std::sync::Arc;
    use teloxide::dispatching::UpdateFilterExt;
    use teloxide::prelude::*;

    let dir = tempfile::tempdir().unwrap();
    let (server, state) = start_server_without_worker(dir.path()).await;
    let api = Arc::new(ApiClient::new(&server, SERVICE_TOKEN).with_quick_wait(0.0));
    let up = api
        .upload(TG_ID, "experiment.csv", experiment_csv())
        .await
        .unwrap();
    let good = Analysis::AbTest(ab_request(&up.dataset.id, AbEngine::Frequentist, None));
    let mut bad = ab_request(&up.dataset.id, AbEngine::Frequentist, None);
    bad.control = "Z".into();
    let bad = Analysis::AbTest(bad);

    /// A tree whose one handler runs `how` on the message it gets.
    fn tree(
        analysis: Analysis,
        follow: bool,
    ) -> teloxide::dispatching::UpdateHandler<HandlerError> {
        Update::filter_message().endpoint(move |bot: Bot, msg: Message, api: Arc<ApiClient>| {
            let analysis = analysis.clone();
            async move {
                let place = Place {
                    chat: msg.chat.id,
                    message: msg.id,
                };
                if follow {
                    let job = api.submit(TG_ID, &analysis, 0.0).await?;
                    jobs::follow(&bot, &api, TG_ID, place, job, Lang::En).await
                } else {
                    let ctx = Ctx {
                        bot: &bot,
                        api: &api,
                        tg: TG_ID,
                        lang: Lang::En,
                    };
                    jobs::start(&ctx, place, analysis).await
                }
            }
        })
    }

    // No worker yet: the submission returns at once, the status says queued.
    let mut bot = MockBot::new(MockMessageText::new().text("go"), tree(good.clone(), false));
    bot.dependencies(dptree::deps![Arc::clone(&api)]);
    bot.dispatch().await;
    assert_eq!(last_edit(&bot), T::JobQueued.get(Lang::En));
    // one MockBot at a time (they share a global lock)
    drop(bot);

    let worker = Worker::new(
        state.jobs().clone(),
        state.metadata().clone(),
        state.datasets(),
    )
    .spawn(1);
    let mut bot = MockBot::new(MockMessageText::new().text("go"), tree(good.clone(), true));
    bot.dependencies(dptree::deps![Arc::clone(&api)]);
    bot.dispatch().await;
    assert_eq!(last_edit(&bot), T::JobDone.get(Lang::En));
    let job = api.submit(TG_ID, &good, 60.0).await.unwrap();
    assert_eq!(last_sent(&bot), jobs::result_text(&job, Lang::En));
    drop(bot);

    let mut bot = MockBot::new(MockMessageText::new().text("go"), tree(bad.clone(), true));
    bot.dependencies(dptree::deps![Arc::clone(&api)]);
    bot.dispatch().await;
    let failed = api.submit(TG_ID, &bad, 60.0).await.unwrap();
    assert_eq!(failed.status, JobStatus::Failed, "{failed:?}");
    let error = failed.error.unwrap();
    assert!(
        error.contains('Z'),
        "the server names the missing control: {error}"
    );
    assert_eq!(
        last_edit(&bot),
        T::JobFailed.fill(Lang::En, &[("error", &error)])
    );
    assert!(
        bot.get_responses().sent_messages.is_empty(),
        "no result message"
    );
    worker.stop().await;
}

/// A small untidy dataset: spaces around text, a duplicate row, missing
/// values in every column type, one far outlier in revenue.
const MESSY_CSV: &str = "variant,revenue,visits,segment\n\
A,10.5,3, north\n\
B,12.0,4,south\n\
A,,2,north\n\
B,13.5,5,\n\
A,10.5,3, north\n\
B,250.0,4,south\n\
A,11.0,,west\n\
B,12.5,6,west \n\
A,9.5,2,north\n\
B,14.0,5,south\n";

/// The plan the dialogue's ticks stand for, written out: trim the text
/// columns, drop duplicates, fill float columns with the median and the
/// others with the most frequent value, cap revenue at Tukey's fences.
fn messy_plan() -> abstat_core::clean::CleanPlan {
    use abstat_core::clean::{CleanOp, CleanPlan, FillMethod, OutlierAction, TextCase};
    let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    CleanPlan {
        ops: vec![
            CleanOp::NormalizeText {
                columns: Some(names(&["variant", "segment"])),
                trim: true,
                collapse_spaces: false,
                case: TextCase::Keep,
                nfc: false,
            },
            CleanOp::DropDuplicates { columns: None },
            CleanOp::FillMissing {
                columns: names(&["revenue"]),
                method: FillMethod::Median,
                value: None,
            },
            CleanOp::FillMissing {
                columns: names(&["variant", "visits", "segment"]),
                method: FillMethod::Mode,
                value: None,
            },
            CleanOp::OutliersIqr {
                columns: names(&["revenue"]),
                k: 1.5,
                action: OutlierAction::Cap,
            },
        ],
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clean_previews_the_server_s_report_goes_back_and_applies_a_new_version() {
    use abstat_api::{AnalysisResult, CleanRequest};
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(dir.path()).await;
    for lang in ["en", "ru"] {
        let mut chat = Chat::open(&server, lang).await;
        let l = lang_of(lang);
        let up = chat
            .api
            .upload(TG_ID, "messy.csv", MESSY_CSV.as_bytes().to_vec())
            .await
            .unwrap();
        let id = up.dataset.id.clone();
        chat.press_data(&format!("act:clean:{id}")).await;
        assert!(
            chat.text().contains(T::AskCleanOps.get(l)),
            "{}",
            chat.text()
        );
        let ops = [
            T::CleanTrimText,
            T::CleanDropDuplicates,
            T::CleanDropMissing,
            T::CleanFillMissing,
            T::CleanCapOutliers,
        ];
        for op in ops {
            assert!(
                chat.captions().contains(&op.get(l).to_string()),
                "{op:?} in {:?}",
                chat.captions()
            );
        }
        let tick = [
            T::CleanTrimText,
            T::CleanDropDuplicates,
            T::CleanFillMissing,
            T::CleanCapOutliers,
        ];
        // ticked in another order than listed: applied in the listed one
        for op in tick.iter().rev() {
            chat.press(op.get(l)).await;
        }
        chat.press(T::BtnDone.get(l)).await;

        let request = CleanRequest {
            dataset_id: id.clone(),
            version: Some(1),
            plan: messy_plan(),
            preview: true,
        };
        let preview = chat.expected_job(&Analysis::Clean(request)).await;
        let expected = abstat_bot::handlers::jobs::result_text(&preview, l);
        assert!(
            chat.text().contains(&expected),
            "{}\n--- expected ---\n{expected}",
            chat.text()
        );
        assert!(chat.text().contains(T::CleanApplyHint.get(l)));
        let Some(Ok(AnalysisResult::Clean(report))) = preview.analysis() else {
            panic!("{preview:?}")
        };
        assert!(
            report.report.rows_out < report.report.rows_in,
            "the duplicate goes: {report:?}"
        );
        // every operation the server reports is named in the user's words
        for op in &report.report.ops {
            let label = abstat_bot::texts::clean_op_label(&op.op, l);
            assert_ne!(label, op.op, "{} has a label", op.op);
            assert!(chat.text().contains(label), "{label} in {}", chat.text());
            assert!(
                !chat.text().contains(&op.op),
                "no {} in {}",
                op.op,
                chat.text()
            );
        }
        assert_eq!(
            api_versions(&chat.api, &id).await,
            (1, up.dataset.rows),
            "a preview stores nothing"
        );

        // Back: the operations again; the same choice previews the same
        chat.press(T::BtnBack.get(l)).await;
        assert!(chat.text().contains(T::AskCleanOps.get(l)));
        for op in tick {
            chat.press(op.get(l)).await;
        }
        chat.press(T::BtnDone.get(l)).await;
        assert!(chat.text().contains(&expected));

        chat.press(T::BtnApply.get(l)).await;
        let (versions, rows) = api_versions(&chat.api, &id).await;
        assert_eq!(versions, 2);
        assert_eq!(rows, report.report.rows_out);
        // the stored run reports what the preview did, as version 2
        let done = AnalysisResult::Clean(abstat_api::CleanResult {
            version: Some(2),
            preview: false,
            sample: None,
            ..report.clone()
        });
        let expected = abstat_bot::results::render(&done, l);
        assert!(
            chat.text().contains(&expected),
            "{}\n--- expected ---\n{expected}",
            chat.text()
        );
        let actions: Vec<String> = buttons(&chat.message).into_iter().map(|(_, d)| d).collect();
        assert!(actions.contains(&format!("act:ab:{id}")), "{actions:?}");
        let session: Session = chat.bot.get_state().await;
        assert_eq!(
            session.step,
            Step::Menu {
                dataset: id.clone()
            }
        );

        // the menu's next analysis reads the cleaned version
        chat.press_data(&format!("act:ab:{id}")).await;
        chat.press("segment").await;
        assert_eq!(
            chat.captions()[..3],
            ["north", "south", "west"],
            "trimmed and filled"
        );
    }
}

/// Versions and rows of dataset `id`, as the server lists it.
async fn api_versions(api: &ApiClient, id: &str) -> (u32, u64) {
    let d = api.dataset(TG_ID, id).await.unwrap();
    (d.versions, d.rows)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn charts_offer_fitting_columns_send_the_server_s_image_and_explain_a_refusal() {
    use abstat_api::VisualizeQuery;
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(dir.path()).await;
    for lang in ["ru", "en"] {
        let mut chat = Chat::open(&server, lang).await;
        let l = lang_of(lang);
        let id = chat.dataset.clone();
        chat.press_data(&format!("act:charts:{id}")).await;
        assert!(chat.text().contains(T::AskChartKind.get(l)));
        let kinds = [
            T::ChartHistogram,
            T::ChartBox,
            T::ChartBars,
            T::ChartScatter,
            T::ChartCorrelation,
            T::ChartQq,
        ];
        assert_eq!(
            chat.captions()[..6],
            kinds.map(|k| k.get(l).to_string()),
            "{:?}",
            chat.captions()
        );

        // a histogram offers numbers only
        chat.press(T::ChartHistogram.get(l)).await;
        assert!(chat.text().contains(T::AskChartColumn.get(l)));
        let captions = chat.captions();
        assert!(captions.contains(&"revenue".to_string()), "{captions:?}");
        assert!(!captions.contains(&"variant".to_string()), "{captions:?}");
        assert!(!captions.contains(&"segment".to_string()), "{captions:?}");
        let photos = chat.bot.get_responses().sent_messages_photo.len();
        chat.press("revenue").await;
        assert!(chat.text().contains(T::ChartSent.get(l)), "{}", chat.text());
        let responses = chat.bot.get_responses();
        assert_eq!(responses.sent_messages_photo.len(), photos + 1);
        assert_eq!(
            responses
                .sent_messages_photo
                .last()
                .unwrap()
                .bot_request
                .file_name,
            "histogram.png"
        );
        // the query the bot sent is one the server draws as a PNG
        let query = VisualizeQuery {
            kind: "histogram".into(),
            dataset_id: Some(id.clone()),
            version: Some(1),
            column: Some("revenue".into()),
            lang: Some(lang.into()),
            ..VisualizeQuery::default()
        };
        let image = chat.api.chart(TG_ID, &query).await.unwrap();
        assert!(png_size(&image.bytes).is_some());
        let session: Session = chat.bot.get_state().await;
        assert_eq!(
            session.step,
            Step::Menu {
                dataset: id.clone()
            }
        );

        // Another chart: a box plot split by a grouping column (offered
        // with Skip), then bars of a category
        chat.press(T::BtnAnotherChart.get(l)).await;
        chat.press(T::ChartBox.get(l)).await;
        chat.press("revenue").await;
        assert!(chat.text().contains(T::AskChartGroup.get(l)));
        assert!(chat.captions().contains(&T::BtnSkip.get(l).to_string()));
        assert!(!chat.captions().contains(&"revenue".to_string()));
        chat.press("variant").await;
        assert!(chat.text().contains(T::ChartSent.get(l)), "{}", chat.text());
        assert_eq!(chat.last_photo_name(), "box.png");

        chat.press(T::BtnAnotherChart.get(l)).await;
        chat.press(T::ChartBars.get(l)).await;
        let captions = chat.captions();
        assert!(captions.contains(&"segment".to_string()), "{captions:?}");
        assert!(!captions.contains(&"revenue".to_string()), "{captions:?}");
        chat.press("segment").await;
        assert!(chat.text().contains(T::ChartSent.get(l)), "{}", chat.text());

        // scatter: y is asked among the other numeric columns
        chat.press(T::BtnAnotherChart.get(l)).await;
        chat.press(T::ChartScatter.get(l)).await;
        assert!(chat.text().contains(T::AskChartX.get(l)));
        chat.press("pre_revenue").await;
        assert!(chat.text().contains(T::AskChartY.get(l)));
        assert!(!chat.captions().contains(&"pre_revenue".to_string()));
        chat.press("revenue").await;
        assert!(chat.text().contains(T::ChartSent.get(l)), "{}", chat.text());

        // correlation of one column: the server refuses and says why, the
        // dialogue stays open with Back
        chat.press(T::BtnAnotherChart.get(l)).await;
        chat.press(T::ChartCorrelation.get(l)).await;
        assert!(chat.text().contains(T::AskChartColumns.get(l)));
        chat.press("revenue").await;
        let photos = chat.bot.get_responses().sent_messages_photo.len();
        chat.press(T::BtnDone.get(l)).await;
        let refused = chat
            .api
            .chart(
                TG_ID,
                &VisualizeQuery {
                    kind: "correlation".into(),
                    dataset_id: Some(id.clone()),
                    version: Some(1),
                    columns: Some("revenue".into()),
                    lang: Some(lang.into()),
                    ..VisualizeQuery::default()
                },
            )
            .await
            .unwrap_err();
        let why = T::ChartFailed.fill(
            l,
            &[("error", &abstat_bot::handlers::api_failure(&refused, l))],
        );
        assert!(
            chat.text().contains(&abstat_bot::texts::escape(&why)),
            "{}\n--- expected ---\n{why}",
            chat.text()
        );
        assert_eq!(chat.bot.get_responses().sent_messages_photo.len(), photos);
        chat.press(T::BtnBack.get(l)).await;
        chat.press("revenue").await;
        chat.press("pre_revenue").await;
        chat.press(T::BtnDone.get(l)).await;
        assert!(chat.text().contains(T::ChartSent.get(l)), "{}", chat.text());
        assert_eq!(chat.last_photo_name(), "correlation.png");
    }
}

/// A proxy in front of the server that passes every request on except
/// charts, which it answers `503` (a chart service down).
async fn start_proxy_without_charts(upstream: String) -> String {
    use axum::extract::Request;
    use axum::http::StatusCode;
    use axum::response::IntoResponse;
    let client = reqwest::Client::new();
    let app = axum::Router::new().fallback(move |req: Request| {
        let (client, upstream) = (client.clone(), upstream.clone());
        async move {
            let (parts, body) = req.into_parts();
            if parts.uri.path().starts_with("/analytics/visualize/") {
                return (StatusCode::SERVICE_UNAVAILABLE, "charts are down").into_response();
            }
            let target = format!(
                "{upstream}{}",
                parts.uri.path_and_query().map_or("/", |p| p.as_str())
            );
            let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
            let mut forward = client.request(parts.method.clone(), target).body(body);
            for (name, value) in &parts.headers {
                if name != "host" && name != "content-length" {
                    forward = forward.header(name, value);
                }
            }
            let answer = forward.send().await.unwrap();
            let (status, headers) = (answer.status(), answer.headers().clone());
            let mut response = (status, answer.bytes().await.unwrap()).into_response();
            for (name, value) in &headers {
                if name != "content-length" && name != "transfer-encoding" {
                    response.headers_mut().insert(name, value.clone());
                }
            }
            response
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chart_that_cannot_be_fetched_leaves_the_result_and_a_short_note() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(dir.path()).await;
    let proxy = start_proxy_without_charts(server).await;
    let mut chat = Chat::open(&proxy, "en").await;
    let en = Lang::En;
    chat.press_data(&format!("act:ab:{}", chat.dataset)).await;
    chat.press("variant").await;
    chat.press("A").await;
    chat.press("revenue").await;
    chat.press("converted").await;
    chat.press(T::BtnDone.get(en)).await;
    chat.press(T::BtnSkip.get(en)).await;
    chat.press(T::EngineFrequentist.get(en)).await;
    chat.press(T::NoBreakdown.get(en)).await;

    let request = Analysis::AbTest(ab_request(&chat.dataset, AbEngine::Frequentist, None));
    let expected = chat.expected(&request).await;
    let responses = chat.bot.get_responses();
    let sent = &responses.sent_messages;
    let n = sent.len();
    assert!(n >= 3, "{sent:?}");
    assert_eq!(
        sent[n - 3].text(),
        Some(expected.as_str()),
        "the result first"
    );
    let note = T::ResultChartFailed.fill(en, &[("error", T::Unexpected.get(en))]);
    assert_eq!(sent[n - 2].text(), Some(note.as_str()), "then the note");
    assert!(sent[n - 1].document().is_some(), "the document still comes");
    assert!(responses.sent_messages_photo.is_empty());
}
