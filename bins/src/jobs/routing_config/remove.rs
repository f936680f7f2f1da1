//! `routing-config remove`: remove an agent's config row or a per-token
//! override (the global row cannot be removed).

use agent_where::db::config as db;
use anyhow::Result;

use super::{ConfigFormat, Target};
use crate::cli::{CommonArgs, Outcome};
use crate::output;

pub(crate) async fn run(
    common: &CommonArgs,
    target: &Target,
    format: ConfigFormat,
) -> Result<Outcome> {
    let (_, mut client) = common.connect_checked().await?;
    let removed = db::remove(&mut client, target.agent, target.token.as_deref()).await?;
    if format == ConfigFormat::Json {
        output::print_json(&serde_json::json!({
            "removed": removed,
            "level": target.level(),
            "agent_id": target.agent,
            "token_symbol": target.token,
        }))?;
    } else if removed {
        output::print_text(&format!("removed {}\n", target.describe()))?;
    } else {
        output::print_text(&format!(
            "nothing to remove: there is no {}\n",
            target.describe()
        ))?;
    }
    Ok(Outcome::Success)
}
