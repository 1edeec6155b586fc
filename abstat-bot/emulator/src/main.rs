//! `abstat-tg-emulator --port N`: a Telegram Bot API emulator for tests.

use std::net::{IpAddr, SocketAddr};

use clap::Parser;

/// A Telegram Bot API emulator for abstat's end-to-end tests.
///
/// Point the bot at it with ABSTAT_TELEGRAM_API_URL=http://HOST:PORT and
/// drive it through the control API under /control/ (see the crate docs).
#[derive(Debug, Parser)]
#[command(name = "abstat-tg-emulator", version)]
struct Args {
    /// Port to listen on (0 = any free port).
    #[arg(long, default_value_t = 8081)]
    port: u16,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// The bot token the emulator accepts.
    #[arg(
        long,
        env = "TELEGRAM_BOT_TOKEN",
        default_value = "123456789:emulator-test-token"
    )]
    token: String,
}

#[tokio::main]
async fn main() -> Result<(), abstat_tg_emulator::EmulatorError> {
    let args = Args::parse();
    let emulator =
        abstat_tg_emulator::Emulator::bind(SocketAddr::new(args.host, args.port), &args.token)
            .await?;
    println!("Bot API emulator on {}", emulator.url());
    let _ = tokio::signal::ctrl_c().await;
    Ok(())
}
