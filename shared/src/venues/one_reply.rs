//! A venue whose whole market list is one `GET` reply (Aevo, Lighter): the
//! [`VenueSource`] plumbing written once. The venue module gives its facts
//! ([`VenueInfo`], whose endpoint flag is [`API_URL`] and file flag
//! [`FROM_FILE`]), the path of the reply, the file name it is saved under,
//! its recorded copy, its parser and how it reads a stored market's canonical
//! symbol.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use futures_util::future::BoxFuture;

use super::http::{Body, Fetcher, HttpOptions, VenueError, public_url, read_body};
use super::source::{
    Fetched, Input, Origin, Responses, SourceError, SourceSettings, VenueInfo, VenueSource,
    VenueSync,
};
use crate::domain::Market;

/// The endpoint flag of a one-reply venue (`--api-url`).
pub const API_URL: &str = "api-url";
/// The file flag of a one-reply venue (`--from-file`).
pub const FROM_FILE: &str = "from-file";

/// A venue whose market list is one `GET` reply.
#[derive(Debug, Clone, Copy)]
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
}

/// A one-reply venue's sync settings: `--api-url` and `--from-file`.
#[derive(Debug, Clone)]
pub struct Settings {
    pub venue: OneReply,
    pub api_url: String,
    pub input: Input<PathBuf>,
}

impl VenueSource for OneReply {
    fn info(&self) -> &'static VenueInfo {
        self.info
    }

    fn configure(
        &self,
        settings: &SourceSettings,
        origin: Origin,
    ) -> Result<Box<dyn VenueSync>, SourceError> {
        Ok(Box::new(Settings {
            venue: *self,
            api_url: settings.endpoint(API_URL).to_owned(),
            input: Input::of(origin, settings.file(FROM_FILE).map(PathBuf::from)),
        }))
    }

    fn canonical_of_stored(&self, token_symbol: &str, market_name: &str) -> String {
        (self.canonical_of_stored)(token_symbol, market_name)
    }
}

impl VenueSync for Settings {
    fn source_label(&self) -> String {
        match &self.input {
            Input::Api => public_url(&self.api_url),
            Input::Files(path) => format!("file:{}", path.display()),
            Input::Recorded => self.venue.info.recorded_source.to_owned(),
        }
    }

    fn load<'a>(
        &'a self,
        http: &'a HttpOptions,
        _demand: &'a [String],
    ) -> BoxFuture<'a, Result<Responses, SourceError>> {
        let named = |body: Body| Responses {
            bodies: vec![(self.venue.file.to_owned(), body)],
        };
        Box::pin(
            self.input.load(
                self.venue.info.venue,
                http,
                move || named(self.venue.recorded_body()),
                move |path| Ok(named(read_body(path)?)),
                move |fetcher| async move {
                    Ok(named(self.venue.fetch(&fetcher, &self.api_url).await?))
                },
            ),
        )
    }

    fn parse(
        &self,
        responses: &Responses,
        _observed_at: DateTime<Utc>,
    ) -> Result<Fetched, VenueError> {
        let body = responses.need(self.venue.info.venue, self.venue.file)?;
        Ok(Fetched {
            markets: (self.venue.parse)(body)?,
            scope: None,
        })
    }
}
