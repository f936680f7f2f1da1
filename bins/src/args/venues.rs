//! Venue source flags, built from the registry of venues so that each is
//! defined once, by its venue module ([`VenueInfo`]): the endpoints (with their environment
//! variables and mainnet/testnet defaults), the venue's options and switches
//! and the file flags that read saved responses, plus `--testnet` and
//! run-pipeline's `--venues`.
//!
//! `sync-<venue>-markets` takes them as the venue spells them (`--api-url`);
//! run-pipeline takes every venue's, prefixed with its key
//! (`--hyperliquid-api-url`; an option also by its plain name when no other
//! venue has one so named: `--dexes`). Both resolve them with
//! [`VenueFlags::resolve`].

use std::path::PathBuf;

use agent_where::venues::registry::{self, SOURCES};
use agent_where::venues::{SourceSettings, VenueInfo, VenueSource, check_http_url};
use anyhow::{Result, anyhow, bail};
use clap::parser::ValueSource;
use clap::{Arg, ArgAction, ArgMatches, Command, FromArgMatches};

/// Id and flag of `--testnet`.
pub const TESTNET: &str = "testnet";
/// Environment variable of `--testnet`.
pub const TESTNET_ENV: &str = "AGENT_WHERE_TESTNET";
/// Id and flag of run-pipeline's `--venues`.
pub const VENUES: &str = "venues";

fn long(info: &VenueInfo, flag: &str, prefixed: bool) -> String {
    if prefixed {
        format!("{}-{flag}", info.key)
    } else {
        flag.to_owned()
    }
}

/// Adds `--testnet`.
#[must_use]
pub fn augment_testnet(cmd: Command) -> Command {
    cmd.arg(
        Arg::new(TESTNET)
            .long(TESTNET)
            .env(TESTNET_ENV)
            .action(ArgAction::SetTrue)
            .help("Use the venues' testnets (endpoints that have one). Default: mainnet."),
    )
}

/// Whether no other registered venue has an option or switch named `flag`
/// (run-pipeline then also takes it unprefixed).
fn unique_flag(flag: &str) -> bool {
    SOURCES
        .iter()
        .filter(|s| {
            s.info().options.iter().any(|o| o.flag == flag)
                || s.info().switches.iter().any(|o| o.flag == flag)
        })
        .count()
        == 1
}

/// Adds one venue's endpoint, option, switch and (unprefixed only) file flags.
#[must_use]
pub fn augment(mut cmd: Command, info: &VenueInfo, prefixed: bool) -> Command {
    for e in info.endpoints {
        let mut help = format!("{} Default: {}", e.help, e.mainnet);
        if let Some(testnet) = e.testnet {
            help.push_str(&format!(" (testnet: {testnet})"));
        }
        cmd = cmd.arg(
            Arg::new(long(info, e.flag, prefixed))
                .long(long(info, e.flag, prefixed))
                .env(e.env)
                .value_name("URL")
                .help(help),
        );
    }
    // An option or a switch: its flag (prefixed in run-pipeline, where a
    // flag only one venue has is also taken unprefixed), environment, help.
    let flag = |name: &'static str, env: Option<&'static str>, help: &'static str| {
        let mut arg = Arg::new(long(info, name, prefixed))
            .long(long(info, name, prefixed))
            .help(help);
        if let Some(env) = env {
            arg = arg.env(env);
        }
        if prefixed && unique_flag(name) {
            arg = arg.visible_alias(name);
        }
        arg
    };
    for o in info.options {
        cmd = cmd.arg(flag(o.flag, o.env, o.help).value_name(o.value_name));
    }
    for o in info.switches {
        cmd = cmd.arg(flag(o.flag, o.env, o.help).action(ArgAction::SetTrue));
    }
    if !prefixed {
        for f in info.files {
            let mut arg = Arg::new(f.flag)
                .long(f.flag)
                .value_name(f.value_name)
                .value_parser(clap::value_parser!(PathBuf))
                .help(f.help);
            if let Some(other) = f.requires {
                arg = arg.requires(other);
            }
            cmd = cmd.arg(arg);
        }
    }
    cmd
}

/// One venue's flags as given, before they are checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VenueFlags {
    pub key: &'static str,
    pub testnet: bool,
    /// Per endpoint: the flag as spelled here, its value when given by flag
    /// or environment.
    pub endpoints: Vec<(&'static str, String, Option<String>)>,
    pub options: Vec<(&'static str, String)>,
    pub files: Vec<(&'static str, PathBuf)>,
}

impl VenueFlags {
    /// Reads one venue's flags from parsed matches.
    #[must_use]
    pub fn from_matches(matches: &ArgMatches, info: &VenueInfo, prefixed: bool) -> VenueFlags {
        let given = |id: &str| {
            matches!(
                matches.value_source(id),
                Some(ValueSource::CommandLine | ValueSource::EnvVariable)
            )
        };
        VenueFlags {
            key: info.key,
            testnet: matches.get_flag(TESTNET),
            endpoints: info
                .endpoints
                .iter()
                .map(|e| {
                    let id = long(info, e.flag, prefixed);
                    let value = given(&id)
                        .then(|| matches.get_one::<String>(&id).cloned())
                        .flatten();
                    (e.flag, id, value)
                })
                .collect(),
            options: info
                .options
                .iter()
                .filter_map(|o| {
                    let id = long(info, o.flag, prefixed);
                    matches.get_one::<String>(&id).map(|v| (o.flag, v.clone()))
                })
                .chain(info.switches.iter().filter_map(|o| {
                    let id = long(info, o.flag, prefixed);
                    matches
                        .try_get_one::<bool>(&id)
                        .ok()
                        .flatten()
                        .copied()
                        .unwrap_or(false)
                        .then(|| (o.flag, "true".to_owned()))
                }))
                .collect(),
            files: if prefixed {
                Vec::new()
            } else {
                info.files
                    .iter()
                    .filter_map(|f| {
                        matches
                            .get_one::<PathBuf>(f.flag)
                            .map(|p| (f.flag, p.clone()))
                    })
                    .collect()
            },
        }
    }

    /// Checks the flags and resolves every endpoint's URL: the flag or its
    /// environment variable, else the testnet or the mainnet default. With
    /// `check_urls` off (offline runs) the given URLs are neither used nor checked.
    pub fn resolve(&self, info: &VenueInfo, check_urls: bool) -> Result<SourceSettings> {
        let mut endpoints = Vec::with_capacity(info.endpoints.len());
        for ((flag, spelled, value), e) in self.endpoints.iter().zip(info.endpoints) {
            let url = match (value, self.testnet, e.testnet) {
                (Some(_), true, Some(_)) => bail!(
                    "`--testnet` and `--{spelled}` / `{}` are both set: choose one",
                    e.env
                ),
                (Some(url), _, _) => {
                    if check_urls {
                        check_http_url(url).map_err(|m| anyhow!("`--{spelled}`: {m}"))?;
                    }
                    url.clone()
                }
                (None, true, Some(testnet)) => testnet.to_owned(),
                (None, _, _) => e.mainnet.to_owned(),
            };
            endpoints.push((*flag, url));
        }
        Ok(SourceSettings {
            testnet: self.testnet,
            endpoints,
            options: self.options.clone(),
            files: self.files.clone(),
        })
    }
}

/// run-pipeline's venue flags: `--venues`, `--testnet` and every registered
/// venue's prefixed flags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VenueSources {
    /// `--venues` as given (`None`: every registered venue).
    pub venues: Option<String>,
    pub flags: Vec<VenueFlags>,
}

/// A venue to sync, with its checked settings.
pub struct SelectedVenue {
    pub source: &'static dyn VenueSource,
    pub settings: SourceSettings,
}

impl VenueSources {
    /// The venues `--venues` selects, in registry order, each with its
    /// checked settings (URLs not checked offline).
    pub fn resolve(&self, check_urls: bool) -> Result<Vec<SelectedVenue>> {
        let wanted = parse_venue_list(self.venues.as_deref())?;
        let mut selected = Vec::with_capacity(wanted.len());
        for source in SOURCES.iter().copied() {
            if !wanted.iter().any(|w| w.info().venue == source.info().venue) {
                continue;
            }
            let info = source.info();
            let flags = self
                .flags
                .iter()
                .find(|f| f.key == info.key)
                .ok_or_else(|| anyhow!("no flags for venue `{}`", info.key))?;
            selected.push(SelectedVenue {
                source,
                settings: flags.resolve(info, check_urls)?,
            });
        }
        Ok(selected)
    }
}

/// Parses `--venues`: `all`, or venue keys / labels separated by commas, any case.
pub fn parse_venue_list(raw: Option<&str>) -> Result<Vec<&'static dyn VenueSource>> {
    let all = || SOURCES.to_vec();
    let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else {
        return Ok(all());
    };
    if raw.eq_ignore_ascii_case("all") {
        return Ok(all());
    }
    let mut venues: Vec<&'static dyn VenueSource> = Vec::new();
    for part in raw.split(',').map(str::trim) {
        let source = registry::by_key(part).ok_or_else(|| {
            anyhow!(
                "`--venues`: unknown venue `{part}` (expected `all` or some of {})",
                SOURCES
                    .iter()
                    .map(|s| s.info().key)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })?;
        if !venues.iter().any(|v| v.info().venue == source.info().venue) {
            venues.push(source);
        }
    }
    Ok(venues)
}

impl FromArgMatches for VenueSources {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        Ok(VenueSources {
            venues: matches.get_one::<String>(VENUES).cloned(),
            flags: SOURCES
                .iter()
                .map(|s| VenueFlags::from_matches(matches, s.info(), true))
                .collect(),
        })
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = VenueSources::from_arg_matches(matches)?;
        Ok(())
    }
}

impl clap::Args for VenueSources {
    fn augment_args(cmd: Command) -> Command {
        let keys: Vec<&str> = SOURCES.iter().map(|s| s.info().key).collect();
        let mut cmd = cmd.arg(
            Arg::new(VENUES)
                .long(VENUES)
                .env("AGENT_WHERE_VENUES")
                .value_name("LIST")
                .help(format!(
                    "Venues to sync, comma-separated: {} (or `all`). Default: all.",
                    keys.join(", ")
                )),
        );
        cmd = augment_testnet(cmd);
        for source in &SOURCES {
            cmd = augment(cmd, source.info(), true);
        }
        cmd
    }

    fn augment_args_for_update(cmd: Command) -> Command {
        Self::augment_args(cmd)
    }
}
