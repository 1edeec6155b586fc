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
use abstat_server::store::Metadata;
use abstat_server::{AppState, app};
use teloxide::types::{InlineKeyboardButtonKind, Message};
use teloxide_tests::{MockBot, MockCallbackQuery, MockMessageDocument, MockMessageText, MockUser};

const SERVICE_TOKEN: &str = "0123456789abcdef0123456789abcdef-bot";
const TG_ID: i64 = MockUser::ID as i64;

/// A real server on a free loopback port; returns its base URL.
async fn start_server(dir: &std::path::Path) -> String {
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
    tokio::spawn(async move {
        axum::serve(
            listener,
            app(state).into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    format!("http://{addr}")
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

/// The text of the last message the bot sent.
fn last_sent<K>(bot: &Bot<K>) -> String
where
    K: std::hash::Hash + Eq + Clone + Send + 'static,
{
    let responses = bot.get_responses();
    let m = responses
        .sent_messages
        .last()
        .expect("the bot sent nothing");
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
