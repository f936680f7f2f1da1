use super::*;
use ConfigSource::{Agent, AgentToken, Default as Dflt, Global, GlobalToken};
use Strategy::{BestLiquidity, FirstAvailable, LowestFees};
use Venue::{Gmx, Hyperliquid as HL, Ostium as OS, Spot};

const AGENT: Uuid = Uuid::from_u128(0xA);
const OTHER: Uuid = Uuid::from_u128(0xB);

fn row(list: Option<&[&str]>, strategy: &str, failover: bool) -> StoredConfig {
    StoredConfig {
        venue_priority: list.map(|l| l.iter().map(|s| (*s).to_owned()).collect()),
        routing_strategy: strategy.to_owned(),
        failover_enabled: failover,
        assumed_notional_usd: None,
        allow_venues_without_executor: false,
    }
}

fn list(l: &[&str]) -> Vec<String> {
    l.iter().map(|s| (*s).to_owned()).collect()
}

/// A set with every level populated (and valid): agent+SPX override,
/// agent row, global+SPX and global+ETH overrides, global row.
fn full() -> ConfigSet {
    let mut set = ConfigSet {
        global: Some(row(Some(&["HYPERLIQUID", "OSTIUM"]), "LOWEST_FEES", true)),
        ..ConfigSet::default()
    };
    set.agents.insert(
        AGENT,
        row(Some(&["OSTIUM", "HYPERLIQUID"]), "BEST_LIQUIDITY", false),
    );
    set.agent_overrides
        .insert((AGENT, "SPX".to_owned()), list(&["OSTIUM"]));
    set.global_overrides
        .insert("SPX".to_owned(), list(&["HYPERLIQUID"]));
    set.global_overrides
        .insert("ETH".to_owned(), list(&["OSTIUM", "GMX"]));
    set
}

struct Case {
    name: &'static str,
    set: ConfigSet,
    agent: Uuid,
    symbol: &'static str,
    priority: Vec<Venue>,
    strategy: Strategy,
    failover: bool,
    source: ConfigSource,
    notes: Vec<&'static str>,
}

fn cases() -> Vec<Case> {
    let mut v = Vec::new();
    let mut c = |name, set, agent, symbol, priority, strategy, failover, source, notes| {
        v.push(Case {
            name,
            set,
            agent,
            symbol,
            priority,
            strategy,
            failover,
            source,
            notes,
        });
    };
    // --- each precedence level wins when present and valid
    c(
        "agent+token override beats everything; strategy from agent row",
        full(),
        AGENT,
        "SPX",
        vec![OS],
        BestLiquidity,
        false,
        AgentToken,
        vec![],
    );
    c(
        "agent row beats global+token override",
        full(),
        AGENT,
        "ETH",
        vec![OS, HL],
        BestLiquidity,
        false,
        Agent,
        vec![],
    );
    c(
        "agent row for a token without any override",
        full(),
        AGENT,
        "BTC",
        vec![OS, HL],
        BestLiquidity,
        false,
        Agent,
        vec![],
    );
    c(
        "global+token override for an agent without a row; strategy from global row",
        full(),
        OTHER,
        "SPX",
        vec![HL],
        LowestFees,
        true,
        GlobalToken,
        vec![],
    );
    c(
        "global override keeps GMX (the router marks it unavailable)",
        full(),
        OTHER,
        "ETH",
        vec![OS, Gmx],
        LowestFees,
        true,
        GlobalToken,
        vec![],
    );
    c(
        "global row when nothing more specific exists",
        full(),
        OTHER,
        "BTC",
        vec![HL, OS],
        LowestFees,
        true,
        Global,
        vec![],
    );
    c(
        "no token: overrides never apply",
        full(),
        AGENT,
        "",
        vec![OS, HL],
        BestLiquidity,
        false,
        Agent,
        vec![],
    );
    c(
        "empty set: built-in default",
        ConfigSet::default(),
        AGENT,
        "BTC",
        vec![HL, OS],
        FirstAvailable,
        true,
        Dflt,
        vec![],
    );
    c(
        "override of another agent does not apply",
        {
            let mut s = ConfigSet::default();
            s.agent_overrides
                .insert((OTHER, "SPX".into()), list(&["OSTIUM"]));
            s
        },
        AGENT,
        "SPX",
        vec![HL, OS],
        FirstAvailable,
        true,
        Dflt,
        vec![],
    );
    c(
        "agent+token override without any row: default strategy and failover",
        {
            let mut s = ConfigSet::default();
            s.agent_overrides
                .insert((AGENT, "SPX".into()), list(&["OSTIUM"]));
            s
        },
        AGENT,
        "SPX",
        vec![OS],
        FirstAvailable,
        true,
        AgentToken,
        vec![],
    );
    c(
        "global+token override without a global row: default strategy",
        {
            let mut s = ConfigSet::default();
            s.global_overrides
                .insert("SPX".into(), list(&["OSTIUM", "HYPERLIQUID"]));
            s
        },
        AGENT,
        "SPX",
        vec![OS, HL],
        FirstAvailable,
        true,
        GlobalToken,
        vec![],
    );
    c(
        "agent+token override with only a global row: strategy from global row",
        {
            let mut s = full();
            s.agents.clear();
            s
        },
        AGENT,
        "SPX",
        vec![OS],
        LowestFees,
        true,
        AgentToken,
        vec![],
    );
    c(
        "symbol match is exact (canonical symbols only)",
        full(),
        OTHER,
        "spx",
        vec![HL, OS],
        LowestFees,
        true,
        Global,
        vec![],
    );
    // --- unusable stored values fall through, with a note
    c(
        "agent override NULL-free but empty list falls to agent row",
        {
            let mut s = full();
            s.agent_overrides.insert((AGENT, "SPX".into()), vec![]);
            s
        },
        AGENT,
        "SPX",
        vec![OS, HL],
        BestLiquidity,
        false,
        Agent,
        vec!["agent override for `SPX` ignored: venue_priority is empty"],
    );
    c(
        "agent override with MULTI falls to agent row",
        {
            let mut s = full();
            s.agent_overrides
                .insert((AGENT, "SPX".into()), list(&["MULTI", "OSTIUM"]));
            s
        },
        AGENT,
        "SPX",
        vec![OS, HL],
        BestLiquidity,
        false,
        Agent,
        vec!["agent override for `SPX` ignored: `MULTI` in venue_priority"],
    );
    c(
        "agent row with unknown venue: global+token override and global row",
        {
            let mut s = full();
            s.agents.insert(
                AGENT,
                row(Some(&["HYPERLIQUID", "FOO"]), "FIRST_AVAILABLE", true),
            );
            s
        },
        AGENT,
        "SPX",
        vec![OS],
        LowestFees,
        true,
        AgentToken,
        vec!["agent config ignored: unknown venue `FOO`"],
    );
    c(
        "agent row with unknown venue, no agent override: global+token override",
        {
            let mut s = full();
            s.agents
                .insert(AGENT, row(Some(&["FOO"]), "FIRST_AVAILABLE", true));
            s.agent_overrides.clear();
            s
        },
        AGENT,
        "SPX",
        vec![HL],
        LowestFees,
        true,
        GlobalToken,
        vec!["agent config ignored: unknown venue `FOO`"],
    );
    c(
        "agent row with NULL priority falls to the global row",
        {
            let mut s = full();
            s.agents.insert(AGENT, row(None, "FIRST_AVAILABLE", true));
            s
        },
        AGENT,
        "BTC",
        vec![HL, OS],
        LowestFees,
        true,
        Global,
        vec!["agent config ignored: venue_priority is NULL"],
    );
    c(
        "agent row with empty priority falls to the global row",
        {
            let mut s = full();
            s.agents
                .insert(AGENT, row(Some(&[]), "FIRST_AVAILABLE", true));
            s
        },
        AGENT,
        "BTC",
        vec![HL, OS],
        LowestFees,
        true,
        Global,
        vec!["agent config ignored: venue_priority is empty"],
    );
    c(
        "agent row with unknown strategy falls to the global row",
        {
            let mut s = full();
            s.agents
                .insert(AGENT, row(Some(&["OSTIUM"]), "CHEAPEST", true));
            s
        },
        AGENT,
        "BTC",
        vec![HL, OS],
        LowestFees,
        true,
        Global,
        vec!["agent config ignored: unknown routing_strategy `CHEAPEST`"],
    );
    c(
        "agent row with MULTI falls to the global row",
        {
            let mut s = full();
            s.agents
                .insert(AGENT, row(Some(&["MULTI"]), "FIRST_AVAILABLE", true));
            s
        },
        AGENT,
        "BTC",
        vec![HL, OS],
        LowestFees,
        true,
        Global,
        vec!["agent config ignored: `MULTI` in venue_priority"],
    );
    c(
        "broken global override falls to the global row",
        {
            let mut s = full();
            s.global_overrides.insert("SPX".into(), list(&["BINANCE"]));
            s
        },
        OTHER,
        "SPX",
        vec![HL, OS],
        LowestFees,
        true,
        Global,
        vec!["global override for `SPX` ignored: unknown venue `BINANCE`"],
    );
    c(
        "broken global row falls to the default",
        ConfigSet {
            global: Some(row(Some(&["OSTIUM"]), "ROUND_ROBIN", true)),
            ..ConfigSet::default()
        },
        AGENT,
        "BTC",
        vec![HL, OS],
        FirstAvailable,
        true,
        Dflt,
        vec!["global config ignored: unknown routing_strategy `ROUND_ROBIN`"],
    );
    c(
        "global override with broken global row: priority from override, strategy default",
        {
            let mut s = full();
            s.agents.clear();
            s.agent_overrides.clear();
            s.global = Some(row(None, "FIRST_AVAILABLE", false));
            s
        },
        AGENT,
        "SPX",
        vec![HL],
        FirstAvailable,
        true,
        GlobalToken,
        vec!["global config ignored: venue_priority is NULL"],
    );
    c(
        "every level broken: default, four notes in precedence order",
        {
            let mut s = ConfigSet {
                global: Some(row(Some(&[]), "FIRST_AVAILABLE", true)),
                ..ConfigSet::default()
            };
            s.agents
                .insert(AGENT, row(Some(&["X"]), "FIRST_AVAILABLE", true));
            s.agent_overrides.insert((AGENT, "SPX".into()), vec![]);
            s.global_overrides.insert("SPX".into(), list(&["MULTI"]));
            s
        },
        AGENT,
        "SPX",
        vec![HL, OS],
        FirstAvailable,
        true,
        Dflt,
        vec![
            "agent override for `SPX` ignored: venue_priority is empty",
            "agent config ignored: unknown venue `X`",
            "global override for `SPX` ignored: `MULTI` in venue_priority",
            "global config ignored: venue_priority is empty",
        ],
    );
    c(
        "broken global row not noted when the agent row applies",
        {
            let mut s = full();
            s.global = Some(row(None, "FIRST_AVAILABLE", true));
            s
        },
        AGENT,
        "BTC",
        vec![OS, HL],
        BestLiquidity,
        false,
        Agent,
        vec![],
    );
    // --- list interpretation
    c(
        "duplicates keep their first position",
        ConfigSet {
            global: Some(row(
                Some(&["OSTIUM", "HYPERLIQUID", "OSTIUM", "SPOT", "HYPERLIQUID"]),
                "FIRST_AVAILABLE",
                true,
            )),
            ..ConfigSet::default()
        },
        AGENT,
        "BTC",
        vec![OS, HL, Spot],
        FirstAvailable,
        true,
        Global,
        vec![],
    );
    c(
        "lower-case venue names are not venue_t values",
        ConfigSet {
            global: Some(row(Some(&["hyperliquid"]), "FIRST_AVAILABLE", true)),
            ..ConfigSet::default()
        },
        AGENT,
        "BTC",
        vec![HL, OS],
        FirstAvailable,
        true,
        Dflt,
        vec!["global config ignored: unknown venue `hyperliquid`"],
    );
    v
}

#[test]
fn precedence_table() {
    for case in cases() {
        let prepared = case.set.prepare();
        for (how, got) in [
            ("direct", case.set.effective(case.agent, case.symbol)),
            ("prepared", prepared.effective(case.agent, case.symbol)),
        ] {
            let want = EffectiveConfig {
                config: RoutingConfig {
                    venue_priority: case.priority.clone(),
                    routing_strategy: case.strategy,
                    failover_enabled: case.failover,
                },
                source: case.source,
                notes: case.notes.iter().map(|s| (*s).to_owned()).collect(),
                assumed_notional_usd: None,
                allow_venues_without_executor: false,
            };
            assert_eq!(got, want, "{} ({how})", case.name);
        }
    }
}

#[test]
fn stored_config_to_config_reports_the_reason() {
    assert_eq!(
        row(Some(&["OSTIUM", "OSTIUM"]), "LOWEST_FEES", false).to_config(),
        Ok(RoutingConfig {
            venue_priority: vec![OS],
            routing_strategy: LowestFees,
            failover_enabled: false,
        })
    );
    assert_eq!(
        row(Some(&["OSTIUM", "FOO"]), "LOWEST_FEES", false).to_config(),
        Err("unknown venue `FOO`".to_owned())
    );
}

/// The prepared set resolves many agents by lookups and agrees with the
/// stored rows (speed is measured by the routing benchmark, not here).
#[test]
fn prepared_effective_resolves_many_agents() {
    let mut set = full();
    for i in 0..1000_u128 {
        set.agents.insert(
            Uuid::from_u128(0x1000 + i),
            row(Some(&["OSTIUM", "HYPERLIQUID"]), "FIRST_AVAILABLE", true),
        );
    }
    let prepared = set.prepare();
    for i in 0..2000_u128 {
        let agent = Uuid::from_u128(0x1000 + i % 1000);
        let e = prepared.effective(agent, "BTC");
        assert_eq!(e.source, Agent);
        assert_eq!(
            e.config.venue_priority,
            vec![Venue::Ostium, Venue::Hyperliquid]
        );
        assert_eq!(e, set.effective(agent, "BTC"));
    }
}
