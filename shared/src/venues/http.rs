//! HTTP for venue clients: one request helper with timeouts, retries
//! (timeouts, connection errors, 429 and 5xx, with exponential backoff and
//! jitter, honouring `Retry-After`; other 4xx fail at once) and a body size
//! cap so that a hostile server cannot exhaust memory. A response body keeps
//! where it came from ([`Body::endpoint`]) so every message names it.

use std::fmt;
use std::time::Duration;

use crate::domain::Venue;

/// Largest response body read, in bytes (after decompression).
pub const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

/// Longest `Retry-After` the helper honours; longer values are capped.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);

/// Longest backoff between two attempts.
pub const MAX_BACKOFF: Duration = Duration::from_secs(10);

/// A response body and where it came from (an endpoint or a file), for messages.
#[derive(Debug, Clone)]
pub struct Body {
    /// `POST https://api.hyperliquid.xyz/info (metaAndAssetCtxs)` or `file /path`.
    pub endpoint: String,
    pub bytes: Vec<u8>,
}

impl Body {
    #[must_use]
    pub fn new(endpoint: impl Into<String>, bytes: Vec<u8>) -> Body {
        Body {
            endpoint: endpoint.into(),
            bytes,
        }
    }
}

/// Why a venue response could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cause {
    /// A non-2xx status (after `attempts` attempts), with the start of the body.
    Status {
        status: u16,
        reason: String,
        body: String,
        attempts: u32,
    },
    /// Timeout, refused connection, reset… (after `attempts` attempts).
    Transport { message: String, attempts: u32 },
    /// The body was larger than [`MAX_BODY_BYTES`].
    TooLarge { limit: usize },
    /// The body is not the JSON shape expected (malformed, truncated, wrong types).
    Json(String),
    /// Valid JSON whose content is rejected (empty list, NaN, duplicates, …).
    Rejected(String),
    /// A local problem (bad URL, unreadable file, HTTP client setup).
    Local(String),
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = |n: u32| if n == 1 { "" } else { "s" };
        match self {
            Cause::Status {
                status,
                reason,
                body,
                attempts,
            } => {
                write!(f, "HTTP {status}")?;
                if !reason.is_empty() {
                    write!(f, " {reason}")?;
                }
                if !body.is_empty() {
                    write!(f, ": {body}")?;
                }
                write!(f, " ({attempts} attempt{})", plural(*attempts))
            }
            Cause::Transport { message, attempts } => {
                write!(f, "{message} ({attempts} attempt{})", plural(*attempts))
            }
            Cause::TooLarge { limit } => {
                write!(f, "response body larger than {} MiB", limit / (1024 * 1024))
            }
            Cause::Json(m) => write!(f, "invalid response: {m}"),
            Cause::Rejected(m) => write!(f, "response rejected: {m}"),
            Cause::Local(m) => f.write_str(m),
        }
    }
}

/// A failed fetch or a rejected response: venue, endpoint and cause, one line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{venue} `{endpoint}`: {cause}")]
pub struct VenueError {
    pub venue: Venue,
    pub endpoint: String,
    pub cause: Cause,
}

impl VenueError {
    #[must_use]
    pub fn new(venue: Venue, endpoint: impl Into<String>, cause: Cause) -> VenueError {
        VenueError {
            venue,
            endpoint: endpoint.into(),
            cause,
        }
    }

    pub(crate) fn rejected(venue: Venue, body: &Body, message: impl Into<String>) -> VenueError {
        VenueError::new(venue, &body.endpoint, Cause::Rejected(message.into()))
    }

    pub(crate) fn json(venue: Venue, body: &Body, e: &serde_json::Error) -> VenueError {
        VenueError::new(
            venue,
            &body.endpoint,
            Cause::Json(one_line(&e.to_string(), 200)),
        )
    }
}

/// Timeouts and retry policy of the HTTP helper.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    pub connect_timeout: Duration,
    /// Whole request, body included.
    pub timeout: Duration,
    /// Retries after the first attempt (so `retries + 1` attempts at most).
    pub retries: u32,
    /// First backoff; doubled per retry, with ±50 % jitter, capped at [`MAX_BACKOFF`].
    pub retry_delay: Duration,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            retries: 3,
            retry_delay: Duration::from_millis(500),
        }
    }
}

/// An HTTP client for one venue with the retry policy applied.
#[derive(Debug, Clone)]
pub struct Fetcher {
    venue: Venue,
    client: reqwest::Client,
    options: HttpOptions,
}

/// A URL as it may be shown and stored: without user info, query or
/// fragment (they may carry keys).
#[must_use]
pub fn public_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.set_query(None);
            u.set_fragment(None);
            u.to_string()
        }
        Err(_) => url.split(['?', '#']).next().unwrap_or_default().to_owned(),
    }
}

/// The endpoint as shown in messages: method, [`public_url`] and a label
/// (the request type).
#[must_use]
pub fn endpoint_label(method: &str, url: &str, label: &str) -> String {
    let shown = public_url(url);
    if label.is_empty() {
        format!("{method} {shown}")
    } else {
        format!("{method} {shown} ({label})")
    }
}

/// Checks that a venue URL is an absolute http(s) URL.
pub fn check_http_url(raw: &str) -> Result<(), String> {
    let url =
        url::Url::parse(raw).map_err(|e| format!("not a URL ({e}): `{}`", one_line(raw, 80)))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "expected an http(s) URL, got scheme `{}`",
            url.scheme()
        ));
    }
    Ok(())
}

/// Reads a saved response (`--from-file` and the other file flags), with the
/// same size cap as a fetched body.
pub fn read_body(path: &std::path::Path) -> anyhow::Result<Body> {
    use anyhow::Context;
    let meta =
        std::fs::metadata(path).with_context(|| format!("cannot read `{}`", path.display()))?;
    if meta.len() > MAX_BODY_BYTES as u64 {
        anyhow::bail!(
            "`{}` is larger than {} MiB",
            path.display(),
            MAX_BODY_BYTES / (1024 * 1024)
        );
    }
    let bytes = std::fs::read(path).with_context(|| format!("cannot read `{}`", path.display()))?;
    Ok(Body::new(format!("file {}", path.display()), bytes))
}

/// Collapses whitespace, drops control characters and cuts to `max` chars.
#[must_use]
pub fn one_line(text: &str, max: usize) -> String {
    let cleaned: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let joined = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    if joined.chars().count() > max {
        let cut: String = joined.chars().take(max).collect();
        format!("{cut}…")
    } else {
        joined
    }
}

enum Attempt {
    Done(Vec<u8>),
    Retry {
        cause: Cause,
        wait: Option<Duration>,
    },
    Fail(Cause),
}

impl Fetcher {
    /// Builds the client (rustls, gzip) with the connect timeout.
    pub fn new(venue: Venue, options: HttpOptions) -> Result<Fetcher, VenueError> {
        let client = reqwest::Client::builder()
            .connect_timeout(options.connect_timeout)
            .timeout(options.timeout)
            .user_agent(concat!("agent-where/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| {
                VenueError::new(
                    venue,
                    "http client",
                    Cause::Local(format!("cannot build the HTTP client: {e}")),
                )
            })?;
        Ok(Fetcher {
            venue,
            client,
            options,
        })
    }

    #[must_use]
    pub fn venue(&self) -> Venue {
        self.venue
    }

    /// `POST url` with a JSON body; `label` names the request in messages.
    pub async fn post_json(
        &self,
        url: &str,
        label: &str,
        body: &serde_json::Value,
    ) -> Result<Body, VenueError> {
        let endpoint = endpoint_label("POST", url, label);
        self.send(&endpoint, || self.client.post(url).json(body))
            .await
            .map(|bytes| Body::new(endpoint.clone(), bytes))
    }

    /// `GET url`.
    pub async fn get(&self, url: &str, label: &str) -> Result<Body, VenueError> {
        let endpoint = endpoint_label("GET", url, label);
        self.send(&endpoint, || self.client.get(url))
            .await
            .map(|bytes| Body::new(endpoint.clone(), bytes))
    }

    async fn send<F>(&self, endpoint: &str, request: F) -> Result<Vec<u8>, VenueError>
    where
        F: Fn() -> reqwest::RequestBuilder,
    {
        if let Err(e) = request().build() {
            return Err(VenueError::new(
                self.venue,
                endpoint,
                Cause::Local(format!(
                    "invalid request: {}",
                    one_line(&e.to_string(), 200)
                )),
            ));
        }
        let attempts = self.options.retries.saturating_add(1);
        let mut attempt = 1;
        loop {
            let outcome = self.attempt(request(), attempt).await;
            match outcome {
                Attempt::Done(bytes) => return Ok(bytes),
                Attempt::Fail(cause) => return Err(VenueError::new(self.venue, endpoint, cause)),
                Attempt::Retry { cause, wait } => {
                    if attempt >= attempts {
                        return Err(VenueError::new(self.venue, endpoint, cause));
                    }
                    let wait = wait.unwrap_or_else(|| self.backoff(attempt));
                    tracing::warn!(
                        venue = %self.venue,
                        endpoint,
                        attempt,
                        wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                        cause = %cause,
                        "request failed, retrying"
                    );
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
            }
        }
    }

    /// Exponential backoff with ±50 % jitter.
    fn backoff(&self, attempt: u32) -> Duration {
        let base = self
            .options
            .retry_delay
            .saturating_mul(1_u32 << attempt.saturating_sub(1).min(16));
        let jitter: f64 = rand::random_range(0.5..1.5);
        base.mul_f64(jitter).min(MAX_BACKOFF)
    }

    async fn attempt(&self, request: reqwest::RequestBuilder, attempt: u32) -> Attempt {
        let response = match request.send().await {
            Ok(r) => r,
            Err(e) => {
                return Attempt::Retry {
                    cause: Cause::Transport {
                        message: describe_reqwest(&e),
                        attempts: attempt,
                    },
                    wait: None,
                };
            }
        };
        let status = response.status();
        if !status.is_success() {
            let retry_after = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(|s| Duration::from_secs(s).min(MAX_RETRY_AFTER));
            let body = read_capped(response, 16 * 1024)
                .await
                .map(|b| one_line(&String::from_utf8_lossy(&b), 200))
                .unwrap_or_default();
            let cause = Cause::Status {
                status: status.as_u16(),
                reason: status.canonical_reason().unwrap_or_default().to_owned(),
                body,
                attempts: attempt,
            };
            return if status.as_u16() == 429 || status.is_server_error() {
                Attempt::Retry {
                    cause,
                    wait: retry_after,
                }
            } else {
                Attempt::Fail(cause)
            };
        }
        if response
            .content_length()
            .is_some_and(|n| n > MAX_BODY_BYTES as u64)
        {
            return Attempt::Fail(Cause::TooLarge {
                limit: MAX_BODY_BYTES,
            });
        }
        match read_capped(response, MAX_BODY_BYTES).await {
            Ok(bytes) => Attempt::Done(bytes),
            Err(ReadError::TooLarge) => Attempt::Fail(Cause::TooLarge {
                limit: MAX_BODY_BYTES,
            }),
            Err(ReadError::Transport(e)) => Attempt::Retry {
                cause: Cause::Transport {
                    message: format!("reading the body: {}", describe_reqwest(&e)),
                    attempts: attempt,
                },
                wait: None,
            },
        }
    }
}

enum ReadError {
    TooLarge,
    Transport(reqwest::Error),
}

async fn read_capped(mut response: reqwest::Response, cap: usize) -> Result<Vec<u8>, ReadError> {
    let mut out = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if out.len() + chunk.len() > cap {
                    return Err(ReadError::TooLarge);
                }
                out.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(out),
            Err(e) => return Err(ReadError::Transport(e)),
        }
    }
}

/// reqwest errors on one line, with the kind first (`timed out`, `connection refused`).
fn describe_reqwest(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "cannot connect"
    } else if e.is_body() || e.is_decode() {
        "broken response body"
    } else {
        "request failed"
    };
    let chain = crate::errors::source_texts(e);
    if chain.is_empty() {
        kind.to_owned()
    } else {
        one_line(&format!("{kind}: {}", chain.join(": ")), 300)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_hide_query_and_user_info() {
        assert_eq!(
            endpoint_label(
                "GET",
                "https://u:secret@host.example/p?api_key=k#x",
                "prices"
            ),
            "GET https://host.example/p (prices)"
        );
    }

    #[test]
    fn one_line_folds_and_cuts() {
        assert_eq!(one_line("a\n b\t\u{7}c", 10), "a b c");
        assert_eq!(one_line(&"x".repeat(300), 5), "xxxxx…");
    }

    #[test]
    fn status_cause_reads_as_one_line() {
        let e = VenueError::new(
            Venue::Hyperliquid,
            "POST http://h/info (metaAndAssetCtxs)",
            Cause::Status {
                status: 422,
                reason: "Unprocessable Entity".into(),
                body: "Failed to deserialize the JSON body into the target type".into(),
                attempts: 1,
            },
        );
        assert_eq!(
            e.to_string(),
            "HYPERLIQUID `POST http://h/info (metaAndAssetCtxs)`: HTTP 422 Unprocessable Entity: Failed to deserialize the JSON body into the target type (1 attempt)"
        );
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let f = Fetcher::new(
            Venue::Ostium,
            HttpOptions {
                retry_delay: Duration::from_millis(100),
                ..HttpOptions::default()
            },
        )
        .expect("client");
        let first = f.backoff(1);
        assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(150));
        let third = f.backoff(3);
        assert!(third >= Duration::from_millis(200) && third <= Duration::from_millis(600));
        assert!(f.backoff(30) <= MAX_BACKOFF);
    }
}
