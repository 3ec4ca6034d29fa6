//! `tinyredis-admin`: inspect and change a tinyredis cluster through the nodes' Admin gRPC API.
//!
//! ```text
//! tinyredis-admin --nodes 127.0.0.1:7001 status
//! tinyredis-admin --nodes 127.0.0.1:7001 add-node --id 4 --addr 127.0.0.1:7004
//! tinyredis-admin --nodes 127.0.0.1:7001 remove-node --id 4
//! tinyredis-admin --nodes 127.0.0.1:7001 transfer-leader --to 2
//! tinyredis-admin --nodes 127.0.0.1:7001 snapshot
//! ```

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use serde_json::json;
use tinyredis_proto::pb;
use tinyredis_proto::pb::admin_client::AdminClient;
use tinyredis_proto::pb::admin_response::Outcome;
use tonic::transport::{Channel, Endpoint};

/// Inspect and manage a tinyredis cluster.
#[derive(Debug, Parser)]
#[command(name = "tinyredis-admin", version)]
struct Cli {
    /// Any storage nodes of the cluster (gRPC addresses); the rest is learned from them.
    #[arg(long, value_delimiter = ',', default_value = "127.0.0.1:7001")]
    nodes: Vec<String>,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Show every node: id, address, role, term, last log, applied index, lag, reachability.
    Status,
    /// Add a node: as a learner, then (unless --learner) as a voter once it has caught up.
    AddNode {
        /// The new node's id.
        #[arg(long)]
        id: u64,
        /// The new node's advertised gRPC address.
        #[arg(long)]
        addr: String,
        /// Keep it a learner (a non-voting replica).
        #[arg(long)]
        learner: bool,
    },
    /// Remove a node from the cluster.
    RemoveNode {
        /// The node's id.
        #[arg(long)]
        id: u64,
    },
    /// Hand leadership to another voter.
    TransferLeader {
        /// The voter that should lead.
        #[arg(long)]
        to: u64,
    },
    /// Build a snapshot on the leader now (or on --node).
    Snapshot {
        /// The node to snapshot (default: the leader).
        #[arg(long)]
        node: Option<u64>,
    },
}

fn client(addr: &str) -> anyhow::Result<AdminClient<Channel>> {
    let ch = Endpoint::from_shared(format!("http://{addr}"))
        .with_context(|| format!("bad address {addr}"))?
        .connect_timeout(Duration::from_secs(2))
        .connect_lazy();
    Ok(AdminClient::new(ch))
}

async fn status_of(addr: &str) -> Result<pb::NodeStatus, String> {
    let mut c = client(addr).map_err(|e| e.to_string())?;
    let mut req = tonic::Request::new(pb::Empty {});
    req.set_timeout(Duration::from_secs(2));
    c.status(req)
        .await
        .map(|r| r.into_inner())
        .map_err(|s| s.message().to_string())
}

/// Queries the seeds, then every member they know of. Returns statuses by address.
async fn survey(seeds: &[String]) -> BTreeMap<String, Result<pb::NodeStatus, String>> {
    let mut out = BTreeMap::new();
    let mut queue: Vec<String> = seeds.to_vec();
    while let Some(addr) = queue.pop() {
        if out.contains_key(&addr) {
            continue;
        }
        let st = status_of(&addr).await;
        if let Ok(s) = &st {
            for m in &s.members {
                if !out.contains_key(&m.addr) {
                    queue.push(m.addr.clone());
                }
            }
        }
        out.insert(addr, st);
    }
    out
}

/// Finds the leader's address from any reachable node.
async fn leader_addr(seeds: &[String]) -> anyhow::Result<String> {
    for st in survey(seeds).await.into_values().flatten() {
        if !st.leader_addr.is_empty() {
            return Ok(st.leader_addr);
        }
    }
    bail!("no leader known to any reachable node of {seeds:?}")
}

fn outcome(resp: pb::AdminResponse) -> anyhow::Result<()> {
    match resp.outcome {
        Some(Outcome::Ok(_)) => Ok(()),
        Some(Outcome::NotLeader(h)) => bail!(
            "not the leader (leader: {:?} {})",
            h.leader_id,
            h.leader_addr
        ),
        Some(Outcome::Error(e)) => bail!("{e}"),
        None => bail!("empty response"),
    }
}

async fn status(cli: &Cli) -> anyhow::Result<()> {
    let all = survey(&cli.nodes).await;
    let leader_applied = all
        .values()
        .flatten()
        .find(|s| s.role == "leader")
        .and_then(|s| s.applied_index);
    if cli.json {
        let nodes: Vec<_> = all
            .iter()
            .map(|(addr, st)| match st {
                Ok(s) => json!({
                    "id": s.node_id, "addr": addr, "role": s.role, "term": s.term,
                    "leader_id": s.leader_id, "last_log_index": s.last_log_index,
                    "committed_index": s.committed_index, "applied_index": s.applied_index,
                    "snapshot_index": s.snapshot_index,
                    "lag": leader_applied.zip(s.applied_index).map(|(l, a)| l.saturating_sub(a)),
                    "reachable": true,
                }),
                Err(e) => json!({"addr": addr, "reachable": false, "error": e}),
            })
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&json!({ "nodes": nodes }))?
        );
        return Ok(());
    }
    println!(
        "{:<4} {:<22} {:<10} {:>6} {:>10} {:>10} {:>8}  REACHABLE",
        "ID", "ADDRESS", "ROLE", "TERM", "LAST LOG", "APPLIED", "LAG"
    );
    let opt = |v: Option<u64>| v.map_or("-".to_string(), |v| v.to_string());
    for (addr, st) in &all {
        match st {
            Ok(s) => println!(
                "{:<4} {:<22} {:<10} {:>6} {:>10} {:>10} {:>8}  yes",
                s.node_id,
                addr,
                s.role,
                s.term,
                opt(s.last_log_index),
                opt(s.applied_index),
                opt(leader_applied
                    .zip(s.applied_index)
                    .map(|(l, a)| l.saturating_sub(a))),
            ),
            Err(e) => println!(
                "{:<4} {:<22} {:<10} {:>6} {:>10} {:>10} {:>8}  no ({e})",
                "?", addr, "-", "-", "-", "-", "-"
            ),
        }
    }
    Ok(())
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match &cli.command {
        Command::Status => status(&cli).await,
        Command::AddNode { id, addr, learner } => {
            let mut c = client(&leader_addr(&cli.nodes).await?)?;
            let req = pb::AddNodeRequest {
                node_id: *id,
                addr: addr.clone(),
                voter: !learner,
            };
            outcome(c.add_node(req).await?.into_inner())?;
            println!(
                "node {id} added as a {}",
                if *learner { "learner" } else { "voter" }
            );
            Ok(())
        }
        Command::RemoveNode { id } => {
            let mut c = client(&leader_addr(&cli.nodes).await?)?;
            outcome(
                c.remove_node(pb::RemoveNodeRequest { node_id: *id })
                    .await?
                    .into_inner(),
            )?;
            println!("node {id} removed");
            Ok(())
        }
        Command::TransferLeader { to } => {
            let mut c = client(&leader_addr(&cli.nodes).await?)?;
            outcome(
                c.transfer_leader(pb::TransferLeaderRequest { node_id: *to })
                    .await?
                    .into_inner(),
            )?;
            println!("node {to} is now the leader");
            Ok(())
        }
        Command::Snapshot { node } => {
            let addr = match node {
                None => leader_addr(&cli.nodes).await?,
                Some(id) => survey(&cli.nodes)
                    .await
                    .into_iter()
                    .find(|(_, st)| st.as_ref().is_ok_and(|s| s.node_id == *id))
                    .map(|(a, _)| a)
                    .with_context(|| format!("node {id} is not reachable"))?,
            };
            let mut c = client(&addr)?;
            outcome(c.trigger_snapshot(pb::Empty {}).await?.into_inner())?;
            println!("snapshot built on {addr}");
            Ok(())
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tinyredis-admin: {e:#}");
            ExitCode::FAILURE
        }
    }
}
