//! Micro-benchmark of routing's batch step (`routing::decide_batch`, the
//! function production calls for every batch): token parsing, config lookup,
//! availability checks, strategy choice and rendering of the reason and the
//! availability JSON, on one core, over the recorded markets and the demo
//! token mix.
//!
//! `cargo bench -p agent-where --bench decide` prints decisions per second
//! (criterion's throughput, elements/s).

use std::hint::black_box;

use agent_where::config::{ConfigSet, StoredConfig};
use agent_where::db::demo::DEMO_TOKENS;
use agent_where::domain::Usd;
use agent_where::domain::{Strategy, Venue};
use agent_where::routing::{
    self, MarketRow, MarketSnapshot, OpenPositions, PendingSignal, RoutingOptions, SizeModel,
};
use agent_where::venues::{hyperliquid, ostium};
use chrono::{TimeDelta, Utc};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use uuid::Uuid;

fn snapshot() -> MarketSnapshot {
    let now = Utc::now();
    let mut rows: Vec<MarketRow> = Vec::new();
    let hl = hyperliquid::parse(&hyperliquid::recorded(true)).expect("recorded Hyperliquid parses");
    let os = ostium::parse(&ostium::recorded(), now).expect("recorded Ostium parses");
    rows.extend(hl.iter().map(MarketRow::from));
    rows.extend(os.iter().map(MarketRow::from));
    MarketSnapshot::new(rows, &[(Venue::Hyperliquid, now), (Venue::Ostium, now)])
}

fn signals(n: usize) -> Vec<PendingSignal> {
    let now = Utc::now();
    (0..n)
        .map(|i| PendingSignal {
            id: Uuid::from_u128(i as u128),
            agent_id: Uuid::from_u128(1),
            token_symbol: DEMO_TOKENS[i % DEMO_TOKENS.len()].to_owned(),
            side: if i % 3 == 0 { "SHORT" } else { "LONG" }.to_owned(),
            leverage: Ok(Some(1.0 + (i % 5) as f64)),
            created_at: now - TimeDelta::seconds((i % 600) as i64),
            size: SizeModel {
                kind: Some("balance-percentage".to_owned()),
                value: Some(5.0),
                ..SizeModel::default()
            },
            deployment: None,
        })
        .collect()
}

fn bench_decide(c: &mut Criterion) {
    let snapshot = snapshot();
    let signals = signals(10_000);
    let options = RoutingOptions::defaults_at(Utc::now());
    let positions = OpenPositions::default();
    let mut group = c.benchmark_group("decide");
    group.throughput(Throughput::Elements(signals.len() as u64));
    for strategy in Strategy::ALL {
        let configs = ConfigSet {
            global: Some(StoredConfig {
                venue_priority: Some(vec!["HYPERLIQUID".to_owned(), "OSTIUM".to_owned()]),
                routing_strategy: strategy.as_str().to_owned(),
                failover_enabled: true,
                // Relative sizes are priced at this notional (LOWEST_COST).
                assumed_notional_usd: Usd::new(25_000.0),
                allow_venues_without_executor: false,
            }),
            ..ConfigSet::default()
        };
        group.bench_function(strategy.as_str(), |b| {
            b.iter_batched(
                || signals.clone(),
                |batch| {
                    black_box(routing::decide_batch(
                        batch, &configs, &snapshot, &positions, &options,
                    ));
                },
                BatchSize::LargeInput,
            );
        });
    }
    group.finish();
}

criterion_group!(benches, bench_decide);
criterion_main!(benches);
