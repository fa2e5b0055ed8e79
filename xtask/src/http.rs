//! Fetching Discovery documents over HTTP, with timeouts and errors a person can act on.

use std::time::Duration;

/// What a GET brought back, or why it brought nothing.
pub fn get(url: &str, timeout: Duration) -> Result<Vec<u8>, String> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::blocking::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .user_agent(concat!(
            "discovery-codegen-xtask/",
            env!("CARGO_PKG_VERSION")
        ))
        .build()
        .map_err(|error| format!("could not build an HTTP client: {error}"))?;
    let response = client.get(url).send().map_err(|error| {
        if error.is_timeout() {
            format!("{url}: no answer within {} s", timeout.as_secs_f64())
        } else if error.is_connect() {
            format!("{url}: could not connect (no network, or the host is unreachable)")
        } else {
            format!("{url}: {error}")
        }
    })?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("{url}: HTTP {}", status.as_u16()));
    }
    let body = response.bytes().map_err(|error| {
        if error.is_timeout() {
            format!(
                "{url}: the body did not arrive within {} s",
                timeout.as_secs_f64()
            )
        } else {
            format!("{url}: reading the body failed: {error}")
        }
    })?;
    Ok(body.to_vec())
}
