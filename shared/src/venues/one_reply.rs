//! A venue whose whole market list is one `GET` reply (Aevo, Lighter): the
//! [`VenueSource`] plumbing written once. The venue module gives its facts
//! ([`VenueInfo`], whose endpoint flag is [`API_URL`] and file flag
//! [`FROM_FILE`]), the path of the reply, the file name it is saved under,
//! its recorded copy, its parser and how it reads a stored market's canonical
//! symbol.

use chrono::{DateTime, Utc};
use futures_util::future::BoxFuture;

use super::http::{Body, Cause, Fetcher, VenueError, endpoint_label, read_body};
use super::source::{Fetched, Origin, Responses, SourceSettings, VenueInfo, VenueSource};
use crate::domain::Market;

/// The endpoint flag of a one-reply venue (`--api-url`).
pub const API_URL: &str = "api-url";
/// The file flag of a one-reply venue (`--from-file`).
pub const FROM_FILE: &str = "from-file";

/// A venue whose market list is one `GET` reply.
#[derive(Debug)]
pub struct OneReply {
    pub info: &'static VenueInfo,
    /// Appended to the API base URL (`/markets?instrument_type=PERPETUAL`).
    pub path: &'static str,
    /// The endpoint's name in errors and logs (`markets`).
    pub label: &'static str,
    /// The file `--save-response` writes and `--from-file` stands for.
    pub file: &'static str,
    /// The recorded reply built into the binary.
    pub recorded: &'static str,
    /// Validates the reply and maps it to markets, all or nothing.
    pub parse: fn(&Body) -> Result<Vec<Market>, VenueError>,
    /// The canonical symbol of a stored market (token symbol, market name).
    pub canonical_of_stored: fn(&str, &str) -> String,
}

impl OneReply {
    /// Fetches the reply from the API at `api_url`.
    pub async fn fetch(&self, fetcher: &Fetcher, api_url: &str) -> Result<Body, VenueError> {
        let url = format!("{}{}", api_url.trim_end_matches('/'), self.path);
        fetcher.get(&url, self.label).await
    }

    /// The recorded reply. Illustrative values only.
    #[must_use]
    pub fn recorded_body(&self) -> Body {
        Body::new(
            format!("recorded {}", self.file),
            self.recorded.as_bytes().to_vec(),
        )
    }

    fn responses(&self, body: Body) -> Responses {
        Responses {
            bodies: vec![(self.file.to_owned(), body)],
        }
    }
}

impl VenueSource for OneReply {
    fn info(&self) -> &'static VenueInfo {
        self.info
    }

    fn check(&self, _settings: &SourceSettings, _origin: Origin) -> Result<(), String> {
        Ok(())
    }

    fn source_label(&self, settings: &SourceSettings) -> String {
        match settings.file(FROM_FILE) {
            Some(path) => format!("file:{}", path.display()),
            None => endpoint_label("GET", settings.endpoint(API_URL), "")
                .trim_start_matches("GET ")
                .to_owned(),
        }
    }

    fn fetch<'a>(
        &'a self,
        fetcher: &'a Fetcher,
        settings: &'a SourceSettings,
    ) -> BoxFuture<'a, Result<Responses, VenueError>> {
        Box::pin(async move {
            self.fetch(fetcher, settings.endpoint(API_URL))
                .await
                .map(|body| self.responses(body))
        })
    }

    fn read_files(&self, settings: &SourceSettings) -> anyhow::Result<Responses> {
        let Some(path) = settings.file(FROM_FILE) else {
            anyhow::bail!("no `--{FROM_FILE}` given");
        };
        Ok(self.responses(read_body(path)?))
    }

    fn recorded(&self, _settings: &SourceSettings) -> Result<Responses, String> {
        Ok(self.responses(self.recorded_body()))
    }

    fn parse(
        &self,
        responses: &Responses,
        _settings: &SourceSettings,
        _origin: Origin,
        _observed_at: DateTime<Utc>,
    ) -> Result<Fetched, VenueError> {
        let body = responses.get(self.file).ok_or_else(|| {
            VenueError::new(
                self.info.venue,
                self.file,
                Cause::Local(format!("no `{}` response", self.file)),
            )
        })?;
        Ok(Fetched {
            markets: (self.parse)(body)?,
            scope: None,
        })
    }

    fn canonical_of_stored(&self, token_symbol: &str, market_name: &str) -> String {
        (self.canonical_of_stored)(token_symbol, market_name)
    }
}
