//! The emulator speaks the Bot API as teloxide expects it: a real teloxide
//! `Bot` calls every emulated method over HTTP, and a test user's messages,
//! files and button presses arrive through long polling and webhooks.

use std::time::{Duration, Instant};

use abstat_tg_emulator::{Emulator, EventKind, TestUser};
use teloxide::net::Download;
use teloxide::payloads::{GetUpdatesSetters, SendMessageSetters, SetWebhookSetters};
use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, InputFile, UpdateKind};
use teloxide::{ApiError, RequestError};

const TOKEN: &str = "123456789:emulator-test-token";
const WAIT: Duration = Duration::from_secs(5);

async fn start() -> (Emulator, Bot) {
    let tg = Emulator::start(TOKEN).await.unwrap();
    let bot = Bot::new(TOKEN).set_api_url(tg.url().parse().unwrap());
    (tg, bot)
}

#[tokio::test]
async fn get_me_is_a_bot_and_a_wrong_token_is_refused() {
    let (tg, bot) = start().await;
    let me = bot.get_me().await.unwrap();
    assert!(me.user.is_bot);
    assert_eq!(me.user.id.0, 123_456_789);
    let wrong = Bot::new("1:wrong-token-xxxxxxxx").set_api_url(tg.url().parse().unwrap());
    let e = wrong.get_me().await.unwrap_err();
    assert!(
        matches!(e, RequestError::Api(ApiError::InvalidToken)),
        "{e:?}"
    );
}

#[tokio::test]
async fn long_polling_waits_for_the_next_update_and_offsets_confirm() {
    let (tg, bot) = start().await;
    let alice = TestUser::new(42, "ru");
    let started = Instant::now();
    let none = bot.get_updates().timeout(1).await.unwrap();
    assert!(none.is_empty());
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "returned at once"
    );

    let poll = tokio::spawn({
        let bot = bot.clone();
        async move { bot.get_updates().timeout(10).await.unwrap() }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    tg.send_text(&alice, "/start").unwrap();
    let updates = tokio::time::timeout(WAIT, poll).await.unwrap().unwrap();
    assert_eq!(updates.len(), 1);
    let UpdateKind::Message(m) = &updates[0].kind else {
        panic!("not a message: {:?}", updates[0])
    };
    assert_eq!(m.text(), Some("/start"));
    assert_eq!(m.chat.id.0, 42);
    assert_eq!(
        m.from.as_ref().unwrap().language_code.as_deref(),
        Some("ru")
    );
    // Not confirmed yet: the same update again; confirmed: gone.
    assert_eq!(bot.get_updates().await.unwrap().len(), 1);
    let next = updates[0].id.0 as i32 + 1;
    assert!(bot.get_updates().offset(next).await.unwrap().is_empty());
}

#[tokio::test]
async fn messages_buttons_edits_and_answers_are_recorded() {
    let (tg, bot) = start().await;
    let bob = TestUser::new(7, "en");
    tg.send_text(&bob, "hi").unwrap();
    let kb = InlineKeyboardMarkup::new(vec![vec![InlineKeyboardButton::callback("Yes", "y:1")]]);
    let after = tg.last_seq();
    let sent = bot
        .send_message(ChatId(7), "Sure?")
        .reply_markup(kb)
        .await
        .unwrap();
    let e = tg.next_event(7, after, WAIT).await.unwrap();
    assert_eq!(e.text(), Some("Sure?"));
    assert_eq!(e.buttons(), vec!["Yes".to_string()]);

    tg.press(&bob, "Yes").unwrap();
    let err = tg.press(&bob, "No").unwrap_err();
    assert!(err.to_string().contains("Yes"), "{err}");
    let updates = bot.get_updates().await.unwrap();
    let UpdateKind::CallbackQuery(q) = &updates.last().unwrap().kind else {
        panic!("not a callback: {updates:?}")
    };
    assert_eq!(q.data.as_deref(), Some("y:1"));
    bot.answer_callback_query(q.id.clone())
        .text("ok")
        .await
        .unwrap();
    bot.edit_message_text(ChatId(7), sent.id, "Done")
        .await
        .unwrap();
    // The same edit again is what Telegram calls "message is not modified".
    let same = bot
        .edit_message_text(ChatId(7), sent.id, "Done")
        .await
        .unwrap_err();
    assert!(
        matches!(same, RequestError::Api(ApiError::MessageNotModified)),
        "{same:?}"
    );
    bot.delete_message(ChatId(7), sent.id).await.unwrap();

    let kinds: Vec<_> = tg.events(7, after).into_iter().map(|e| e.kind).collect();
    assert!(
        matches!(kinds[1], EventKind::CallbackAnswered { ref text, .. } if text.as_deref() == Some("ok"))
    );
    let EventKind::Edited { message } = &kinds[2] else {
        panic!("{kinds:?}")
    };
    assert_eq!(message.text(), Some("Done"));
    assert!(
        message.reply_markup().is_none(),
        "an edit without a keyboard drops it"
    );
    assert!(matches!(kinds[3], EventKind::Deleted { .. }));
    let e = bot.send_message(ChatId(999), "x").await.unwrap_err();
    assert!(
        matches!(e, RequestError::Api(ApiError::ChatNotFound)),
        "{e:?}"
    );
}

#[tokio::test]
async fn files_go_both_ways() {
    let (tg, bot) = start().await;
    let carol = TestUser::new(9, "en");
    tg.send_document(&carol, "data.csv", &b"a,b\n1,2\n"[..])
        .unwrap();
    let updates = bot.get_updates().await.unwrap();
    let UpdateKind::Message(m) = &updates[0].kind else {
        panic!()
    };
    let doc = m.document().unwrap();
    assert_eq!(doc.file_name.as_deref(), Some("data.csv"));
    let file = bot.get_file(doc.file.id.clone()).await.unwrap();
    let mut bytes = Vec::new();
    bot.download_file(&file.path, &mut bytes).await.unwrap();
    assert_eq!(bytes, b"a,b\n1,2\n");

    // a 3 × 2 PNG header is enough for the size
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend_from_slice(&3u32.to_be_bytes());
    png.extend_from_slice(&2u32.to_be_bytes());
    let photo = bot
        .send_photo(
            ChatId(9),
            InputFile::memory(png.clone()).file_name("chart.png"),
        )
        .await
        .unwrap();
    let size = &photo.photo().unwrap()[0];
    assert_eq!((size.width, size.height), (3, 2));
    assert_eq!(tg.file(&size.file.id.0).unwrap(), png);
    let sent = bot
        .send_document(
            ChatId(9),
            InputFile::memory(b"x,y\n".to_vec()).file_name("result.csv"),
        )
        .await
        .unwrap();
    assert_eq!(
        sent.document().unwrap().file_name.as_deref(),
        Some("result.csv")
    );
    assert_eq!(
        tg.file(&sent.document().unwrap().file.id.0).unwrap(),
        &b"x,y\n"[..]
    );
}

#[tokio::test]
async fn webhooks_receive_updates_with_the_secret_and_block_polling() {
    let (tg, bot) = start().await;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let hook = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
            let tx = tx.clone();
            async move {
                let secret = headers
                    .get("x-telegram-bot-api-secret-token")
                    .map(|v| v.to_str().unwrap().to_string());
                tx.send((secret, body)).unwrap();
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, hook).await.unwrap() });
    bot.set_webhook(format!("http://{addr}/hook").parse().unwrap())
        .secret_token("s3cret_-".to_string())
        .await
        .unwrap();
    let info = bot.get_webhook_info().await.unwrap();
    assert_eq!(info.url.unwrap().path(), "/hook");
    let e = bot.get_updates().await.unwrap_err();
    assert!(matches!(e, RequestError::Api(_)), "{e:?}");

    tg.send_text(&TestUser::new(5, "en"), "hello").unwrap();
    let (secret, body) = tokio::time::timeout(WAIT, rx.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(secret.as_deref(), Some("s3cret_-"));
    let update: Update = serde_json::from_str(&body).unwrap();
    assert!(matches!(update.kind, UpdateKind::Message(_)));
    bot.delete_webhook().await.unwrap();
    assert!(tg.webhook().is_none());
}
