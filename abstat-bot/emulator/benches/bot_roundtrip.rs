//! Round trips through the real bot: the `abstat` binary (`ABSTAT_BIN`,
//! default `target/release/abstat`) runs as `abstat serve --dev` and
//! `abstat bot`, polling this process's Bot API emulator.
//!
//! 1. `/start` → greeting, one user, sequential: p50 / p99 of the time from
//!    the update being queued to the bot's message arriving.
//! 2. 100 users at once each send a CSV, then `/datasets`, tap the dataset
//!    to open its menu, and run a frequentist A/B test through the dialogue
//!    (A/B test → variant → control → metric → Done → Skip CUPED →
//!    engine → no breakdown) to its verdict: p50 / p99 per step (the A/B
//!    step from the last tap to the "Done" message, which includes the
//!    job on the server's in-process queue) and the wall time.
//!
//! There is no Python peer for a Telegram bot round trip, so this bench
//! prints absolute figures only. Run: `cargo bench -p abstat-tg-emulator
//! --bench bot_roundtrip` after `cargo build --release -p abstat-server`.

use std::net::{SocketAddr, TcpListener};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use abstat_bot::texts::{Lang, T};
use abstat_tg_emulator::{Emulator, TestUser};

const TOKEN: &str = "123456789:bench-token-abcdefghijkl";
const SERVICE: &str = "0123456789abcdef0123456789abcdef-bench";
const WAIT: Duration = Duration::from_secs(120);
const CSV: &str =
    "variant,revenue,converted\nA,10.5,1\nB,12.0,0\nA,9.0,1\nB,14.5,1\nA,11.0,0\nB,13.0,1\n";

fn en(t: T) -> &'static str {
    t.get(Lang::En)
}

struct Kill(Child);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_addr() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn report(name: &str, mut times: Vec<Duration>) {
    times.sort();
    println!(
        "{name:<28} n={:<4} p50 {:>8.2} ms  p99 {:>8.2} ms  max {:>8.2} ms",
        times.len(),
        percentile(&times, 0.5).as_secs_f64() * 1e3,
        percentile(&times, 0.99).as_secs_f64() * 1e3,
        times.last().unwrap().as_secs_f64() * 1e3
    );
}

/// Send, then wait for a bot message (new or edited) containing `needle`.
async fn round_trip(tg: &Emulator, user: &TestUser, act: impl FnOnce(), needle: &str) -> Duration {
    let after = tg.last_seq();
    let started = Instant::now();
    act();
    let mut seen = after;
    loop {
        let e = tg
            .next_event(user.id, seen, WAIT)
            .await
            .unwrap_or_else(|| panic!("user {}: no {needle:?}", user.id));
        seen = e.seq;
        if e.text().is_some_and(|t| t.contains(needle)) {
            return started.elapsed();
        }
    }
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let bin = std::env::var("ABSTAT_BIN").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/release/abstat").to_string()
    });
    let tg = Arc::new(Emulator::start(TOKEN).await.unwrap());
    let dir = std::env::temp_dir().join(format!("abstat-bot-bench-{}", std::process::id()));
    let http = free_addr();
    let spawn = |args: &[&str], env: &[(&str, String)]| {
        let mut cmd = Command::new(&bin);
        cmd.args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .env_remove("ABSTAT_REDIS_URL")
            .env_remove("ABSTAT_KAFKA_BROKERS")
            .env("ABSTAT_DATA_DIR", dir.display().to_string())
            .env("ABSTAT_BOT_SERVICE_TOKEN", SERVICE)
            .env("ABSTAT_RATE_LIMIT", "0")
            .env("ABSTAT_LOG_FORMAT", "json")
            .env("RUST_LOG", "warn");
        for (k, v) in env {
            cmd.env(k, v);
        }
        Kill(
            cmd.spawn()
                .unwrap_or_else(|e| panic!("cannot run {bin}: {e}")),
        )
    };
    let _server = spawn(
        &["serve", "--dev"],
        &[("ABSTAT_HTTP_ADDR", http.to_string())],
    );
    let client = reqwest::Client::new();
    while client
        .get(format!("http://{http}/healthz"))
        .send()
        .await
        .map_or(true, |r| !r.status().is_success())
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _bot = spawn(
        &["bot"],
        &[
            ("TELEGRAM_BOT_TOKEN", TOKEN.into()),
            ("ABSTAT_TELEGRAM_API_URL", tg.url()),
            ("ABSTAT_SERVER_URL", format!("http://{http}")),
            ("ABSTAT_BOT_METRICS_ADDR", "off".into()),
        ],
    );

    let one = TestUser::new(1, "en");
    // warm-up: the first call also fetches the user's API token
    round_trip(&tg, &one, || drop(tg.send_text(&one, "/start")), "abstat").await;
    let mut times = Vec::new();
    for _ in 0..200 {
        times.push(round_trip(&tg, &one, || drop(tg.send_text(&one, "/start")), "abstat").await);
    }
    report("/start round trip", times);

    let started = Instant::now();
    let users = (0..100).map(|i| {
        let tg = Arc::clone(&tg);
        tokio::spawn(async move {
            let u = TestUser::new(10_000 + i, "en");
            let upload = round_trip(
                &tg,
                &u,
                || drop(tg.send_document(&u, "bench.csv", CSV.as_bytes().to_vec())),
                "✅",
            )
            .await;
            let list =
                round_trip(&tg, &u, || drop(tg.send_text(&u, "/datasets")), "datasets").await;
            let title = tg
                .events(u.id, 0)
                .last()
                .and_then(|e| e.buttons().first().cloned())
                .expect("a dataset button");
            let menu = round_trip(&tg, &u, || drop(tg.press(&u, &title)), "bench").await;
            let mut taps = Vec::new();
            for (tap, next) in [
                (en(T::BtnAbTest), en(T::AskVariant)),
                ("variant", en(T::AskControl)),
                ("A", en(T::AskMetrics)),
                ("revenue", en(T::AskMetrics)),
                (en(T::BtnDone), en(T::AskCovariate)),
                (en(T::BtnSkip), en(T::AskEngine)),
                (en(T::EngineFrequentist), en(T::AskSegment)),
            ] {
                taps.push(round_trip(&tg, &u, || drop(tg.press(&u, tap)), next).await);
            }
            let ab = round_trip(
                &tg,
                &u,
                || drop(tg.press(&u, en(T::NoBreakdown))),
                en(T::JobDone),
            )
            .await;
            (upload, list, menu, taps, ab)
        })
    });
    let mut uploads = Vec::new();
    let mut lists = Vec::new();
    let mut menus = Vec::new();
    let mut taps = Vec::new();
    let mut abs = Vec::new();
    for u in users {
        let (a, b, c, d, e) = u.await.unwrap();
        uploads.push(a);
        lists.push(b);
        menus.push(c);
        taps.extend(d);
        abs.push(e);
    }
    let wall = started.elapsed();
    report("100 users: CSV → profile", uploads);
    report("100 users: /datasets", lists);
    report("100 users: tap → menu", menus);
    report("100 users: dialogue taps", taps);
    report("100 users: A/B → verdict", abs);
    println!(
        "100 users, upload to A/B verdict: {:.2} s wall",
        wall.as_secs_f64()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
