//! The `abstat` command: see `abstat --help`.

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = abstat_server::cli::Cli::parse();
    match abstat_server::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // Configuration mistakes exit with 2, like a usage error.
            let code = if e.is::<abstat_server::config::ConfigError>() {
                2
            } else {
                1
            };
            eprintln!("error: {e:#}");
            std::process::ExitCode::from(code)
        }
    }
}
