//! Hyperliquid's sync settings, read once from the flags ([`Settings`]),
//! and the sync they drive.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use futures_util::future::BoxFuture;

use super::files::{MAIN_FILE, PERP_DEXS_FILE, RECORDED_DEX, read_files, recorded};
use super::{
    API_URL, BOOKS, BookPlan, DEFAULT_MAX_BOOKS, DEXES, DexSelection, Extras, FROM_FILE,
    HyperliquidResponses, INFO, MAX_BOOKS, MAX_BOOKS_FLAG, OI_CAPS, VENUE, WEIGHT_BUDGET, fetch,
    info_url, market_symbol, parse,
};
use crate::venues::http::{HttpOptions, VenueError, one_line, public_url};
use crate::venues::source::{
    Fetched, Input, Origin, Responses, SourceError, SourceSettings, VenueInfo, VenueSource,
    VenueSync,
};

/// Hyperliquid as a [`VenueSource`].
#[derive(Debug)]
pub struct Hyperliquid;

/// The registry's Hyperliquid.
pub static SOURCE: Hyperliquid = Hyperliquid;

/// A Hyperliquid sync's settings, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// `{--api-url}/info`.
    pub info_url: String,
    /// `--dexes`.
    pub dexes: DexSelection,
    /// `--oi-caps`.
    pub oi_caps: bool,
    /// `--books`, with `--max-books` (default [`DEFAULT_MAX_BOOKS`]).
    pub max_books: Option<usize>,
    /// The API, `--from-file` (a file, or with `--dexes` a directory), or the
    /// recorded capture (with the `xyz` dex or not).
    pub input: Input<PathBuf>,
}

impl Settings {
    /// Reads and checks the flags: `--dexes` must parse, `--from-file` be a
    /// directory when builder dexes are synced, `--max-books` go with
    /// `--books`; offline, only what the recorded capture holds.
    pub fn read(settings: &SourceSettings, origin: Origin) -> Result<Settings, String> {
        let dexes = match settings.option(DEXES) {
            Some(raw) => DexSelection::parse(raw).map_err(|e| format!("`--dexes`: {e}"))?,
            None => DexSelection::MainOnly,
        };
        if let Some(path) = settings.file(FROM_FILE)
            && dexes != DexSelection::MainOnly
            && !path.is_dir()
        {
            return Err(format!(
                "with `--dexes`, `--from-file` must be a directory holding {PERP_DEXS_FILE}, {MAIN_FILE} and metaAndAssetCtxs.<dex>.json; `{}` is not one",
                path.display()
            ));
        }
        let books = settings.switch(BOOKS);
        if settings.option(MAX_BOOKS_FLAG).is_some() && !books {
            return Err("`--max-books` limits `--books`: give `--books` too".to_owned());
        }
        let max_books = max_books(settings.option(MAX_BOOKS_FLAG))?;
        let oi_caps = settings.switch(OI_CAPS);
        if origin == Origin::Recorded {
            recorded_with_xyz(&dexes)?;
            if books || oi_caps {
                return Err(
                    "`--books` and `--oi-caps` with `--offline`: the recorded capture holds no order books or open-interest caps".to_owned(),
                );
            }
        }
        Ok(Settings {
            info_url: info_url(settings.endpoint(API_URL)),
            dexes,
            oi_caps,
            max_books: books.then_some(max_books),
            input: Input::of(origin, settings.file(FROM_FILE).map(PathBuf::from)),
        })
    }

    /// The dexes whose missing markets the sync deactivates. The recorded
    /// capture holds the `xyz` dex only: never other dexes' markets from it.
    fn scope(&self, typed: &HyperliquidResponses) -> Option<Vec<String>> {
        match &self.input {
            Input::Recorded if !typed.dexes.is_empty() => {
                DexSelection::Only(vec![RECORDED_DEX.to_owned()]).scope()
            }
            Input::Recorded => DexSelection::MainOnly.scope(),
            _ => self.dexes.scope(),
        }
    }
}

/// `--max-books`, checked (default [`DEFAULT_MAX_BOOKS`]).
fn max_books(raw: Option<&str>) -> Result<usize, String> {
    match raw {
        None => Ok(DEFAULT_MAX_BOOKS),
        Some(raw) => raw
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_BOOKS).contains(n))
            .ok_or_else(|| {
                format!(
                    "`--max-books {}`: expected a number of books from 1 to {MAX_BOOKS} (2 weight each within Hyperliquid's {WEIGHT_BUDGET} per minute)",
                    one_line(raw, 20)
                )
            }),
    }
}

/// Whether the recorded capture serves a selection with its `xyz` dex.
fn recorded_with_xyz(selection: &DexSelection) -> Result<bool, String> {
    match selection {
        DexSelection::MainOnly => Ok(false),
        DexSelection::All => Ok(true),
        DexSelection::Only(names) if names.iter().all(|n| n == RECORDED_DEX) => Ok(true),
        DexSelection::Only(names) => Err(format!(
            "`--dexes {}` with `--offline`: the recorded capture holds only the main dex and `{RECORDED_DEX}`",
            names.join(",")
        )),
    }
}

impl VenueSource for Hyperliquid {
    fn info(&self) -> &'static VenueInfo {
        &INFO
    }

    fn configure(
        &self,
        settings: &SourceSettings,
        origin: Origin,
    ) -> Result<Box<dyn VenueSync>, SourceError> {
        let settings = Settings::read(settings, origin).map_err(SourceError::Settings)?;
        Ok(Box::new(settings))
    }

    fn canonical_of_stored(&self, token_symbol: &str, _market_name: &str) -> String {
        market_symbol(token_symbol).base_symbol
    }
}

impl VenueSync for Settings {
    fn source_label(&self) -> String {
        match &self.input {
            Input::Api => public_url(&self.info_url),
            Input::Files(path) => format!("file:{}", path.display()),
            Input::Recorded => INFO.recorded_source.to_owned(),
        }
    }

    fn demand_wanted(&self) -> Option<usize> {
        // Tokens, not books: many name no Hyperliquid market.
        (self.max_books.is_some() && self.input == Input::Api).then_some(1000)
    }

    fn load<'a>(
        &'a self,
        http: &'a HttpOptions,
        demand: &'a [String],
    ) -> BoxFuture<'a, Result<Responses, SourceError>> {
        let extras = Extras {
            oi_caps: self.oi_caps,
            books: self.max_books.map(|max| BookPlan {
                max,
                demand: demand.to_vec(),
            }),
        };
        Box::pin(
            self.input.load(
                VENUE,
                http,
                move || recorded(recorded_with_xyz(&self.dexes).unwrap_or(false)),
                move |path| read_files(path, &self.dexes, self.oi_caps),
                move |fetcher| async move {
                    fetch(&fetcher, &self.info_url, &self.dexes, &extras).await
                },
            ),
        )
    }

    fn parse(
        &self,
        responses: &Responses,
        _observed_at: DateTime<Utc>,
    ) -> Result<Fetched, VenueError> {
        let typed = HyperliquidResponses::from_named(responses)?;
        let markets = parse(&typed)?;
        Ok(Fetched {
            scope: self.scope(&typed),
            markets,
        })
    }
}
