//! `abstat probe URL`: the health check of the compose file and of any
//! orchestrator whose image has no curl. One GET with a short timeout;
//! success is a 2xx answer.

use std::time::Duration;

use anyhow::bail;

/// The default time allowed for the whole request.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// GET `url` within `timeout`: `Ok` on a 2xx status, else an error naming
/// the URL and what went wrong (refused, timed out, the status and the
/// start of the body).
pub async fn probe(url: &str, timeout: Duration) -> anyhow::Result<()> {
    let client = reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .build()?;
    let response = match client.get(url).send().await {
        Ok(r) => r,
        Err(e) if e.is_timeout() => {
            bail!("GET {url}: no answer within {} s", timeout.as_secs_f64())
        }
        Err(e) if e.is_connect() => {
            bail!("GET {url}: cannot connect (is the process running and listening there?)")
        }
        Err(e) if e.is_builder() => bail!("{url:?} is not a URL abstat can probe: {e}"),
        Err(e) => bail!("GET {url}: {e}"),
    };
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    let body = response.text().await.unwrap_or_default();
    let body: String = body.chars().take(200).collect();
    bail!("GET {url} answered {status}: {}", body.trim())
}
