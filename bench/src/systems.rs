//! Starting the systems under test on this machine: redis-server (two configurations), a
//! tinyredis cluster (three nodes and one gateway) and a three-member etcd cluster. Every data
//! directory sits under one temporary directory, so all of them share the same disk.

use std::path::Path;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;
use std::time::Instant;

use anyhow::Context;
use anyhow::Result;
use anyhow::bail;
use serde::Deserialize;
use tinyredis_proto::pb;

use crate::procs::Proc;
use crate::procs::wait_tcp;
use crate::resp_client::Reply;
use crate::resp_client::RespConn;

/// How long a system may take to become usable.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// A running redis-server.
pub struct Redis {
    pub port: u16,
    pub proc: Proc,
}

/// Starts redis-server on 127.0.0.1:`port` with its files in `dir`: persistence off, or (`aof`)
/// `appendonly yes` with `appendfsync always`, so that every write is fsynced before its reply.
pub async fn start_redis(name: &str, dir: &Path, port: u16, aof: bool) -> Result<Redis> {
    std::fs::create_dir_all(dir)?;
    let mut args: Vec<String> = [
        "--port",
        &port.to_string(),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--daemonize",
        "no",
        "--dir",
        &dir.display().to_string(),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    if aof {
        args.extend(["--appendonly", "yes", "--appendfsync", "always"].map(String::from));
    } else {
        args.extend(["--appendonly", "no"].map(String::from));
    }
    let proc = Proc::spawn(name, "redis-server", &args, &dir.join("redis.log"))?;
    wait_tcp(&format!("127.0.0.1:{port}"), START_TIMEOUT).await?;
    Ok(Redis { port, proc })
}

/// `used_memory_rss` of the redis-server at `port`, from `INFO memory`.
pub fn redis_used_memory_rss(port: u16) -> Result<u64> {
    let out = Command::new("redis-cli")
        .args(["-h", "127.0.0.1", "-p", &port.to_string(), "info", "memory"])
        .output()
        .context("running redis-cli")?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find_map(|l| l.strip_prefix("used_memory_rss:"))
        .and_then(|v| v.trim().parse().ok())
        .with_context(|| format!("no used_memory_rss in INFO memory: {text}"))
}

/// One tinyredis storage node.
pub struct Node {
    pub id: u64,
    /// Its gRPC address.
    pub addr: String,
    pub proc: Option<Proc>,
}

/// A running tinyredis: three storage nodes and one gateway.
pub struct TinyCluster {
    pub nodes: Vec<Node>,
    pub gateway_port: u16,
    pub gateway: Proc,
    bin_dir: PathBuf,
}

/// Starts nodes 1..=3 (node 1 bootstraps, the others join it) on `node_ports` with data dirs under
/// `dir`, waits until all three are voters, then starts a gateway on `gateway_port` and waits until
/// a SET through it succeeds. Every flag is the binaries' default.
pub async fn start_tinyredis(
    bin_dir: &Path,
    dir: &Path,
    gateway_port: u16,
    node_ports: [u16; 3],
) -> Result<TinyCluster> {
    std::fs::create_dir_all(dir)?;
    let node_bin = bin_dir.join("tinyredis-node").display().to_string();
    let mut nodes = Vec::new();
    for (i, port) in node_ports.iter().enumerate() {
        let id = i as u64 + 1;
        let addr = format!("127.0.0.1:{port}");
        let mut args: Vec<String> = vec![
            "--node-id".into(),
            id.to_string(),
            "--data-dir".into(),
            dir.join(format!("node{id}")).display().to_string(),
            "--listen".into(),
            addr.clone(),
        ];
        if id == 1 {
            args.push("--bootstrap".into());
        } else {
            args.extend(["--join".into(), nodes_addr(&nodes, 1)]);
        }
        let log = dir.join(format!("node{id}.log"));
        let proc = Proc::spawn(&format!("node{id}"), &node_bin, &args, &log)?;
        wait_tcp(&addr, START_TIMEOUT).await?;
        nodes.push(Node {
            id,
            addr,
            proc: Some(proc),
        });
    }
    wait_voters(&nodes).await?;
    let all: Vec<&str> = nodes.iter().map(|n| n.addr.as_str()).collect();
    let gateway = Proc::spawn(
        "gateway",
        &bin_dir.join("tinyredis-gateway").display().to_string(),
        &[
            "--listen".into(),
            format!("127.0.0.1:{gateway_port}"),
            "--nodes".into(),
            all.join(","),
        ],
        &dir.join("gateway.log"),
    )?;
    let cluster = TinyCluster {
        nodes,
        gateway_port,
        gateway,
        bin_dir: bin_dir.to_path_buf(),
    };
    cluster.wait_gateway().await?;
    Ok(cluster)
}

fn nodes_addr(nodes: &[Node], id: u64) -> String {
    nodes
        .iter()
        .find(|n| n.id == id)
        .map(|n| n.addr.clone())
        .unwrap_or_default()
}

/// Waits until node 1's view shows a leader whose membership has all `nodes` as voters.
async fn wait_voters(nodes: &[Node]) -> Result<()> {
    let deadline = Instant::now() + START_TIMEOUT;
    let mut last = String::from("no status yet");
    while Instant::now() < deadline {
        for n in nodes {
            if let Ok(st) = admin_status(&n.addr).await
                && st.role == "leader"
            {
                let voters = st.members.iter().filter(|m| m.kind == "voter").count();
                if voters == nodes.len() {
                    return Ok(());
                }
                last = format!("leader {} has {voters} voters", st.node_id);
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    bail!("tinyredis did not get {} voters: {last}", nodes.len())
}

/// The Admin API's status of the node at `addr`.
pub async fn admin_status(addr: &str) -> Result<pb::NodeStatus> {
    let mut client = pb::admin_client::AdminClient::connect(format!("http://{addr}")).await?;
    Ok(client.status(pb::Empty {}).await?.into_inner())
}

/// The part of `tinyredis-admin status --json` the benchmark reads.
#[derive(Debug, Deserialize)]
struct AdminStatus {
    nodes: Vec<AdminNode>,
}

#[derive(Debug, Deserialize)]
struct AdminNode {
    id: Option<u64>,
    role: Option<String>,
    lag: Option<u64>,
    #[serde(default)]
    reachable: bool,
}

impl TinyCluster {
    /// The gateway's RESP address.
    pub fn gateway_addr(&self) -> String {
        format!("127.0.0.1:{}", self.gateway_port)
    }

    async fn wait_gateway(&self) -> Result<()> {
        let deadline = Instant::now() + START_TIMEOUT;
        let mut last = String::new();
        while Instant::now() < deadline {
            match RespConn::connect(&self.gateway_addr()).await {
                Ok(mut c) => match c.command(&[b"SET", b"bench:ready", b"1"]).await {
                    Ok(Reply::Simple(_)) => return Ok(()),
                    Ok(other) => last = format!("{other:?}"),
                    Err(e) => last = e.to_string(),
                },
                Err(e) => last = e.to_string(),
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        bail!("the tinyredis gateway did not accept a SET: {last}")
    }

    /// Runs `tinyredis-admin status --json` against the live nodes.
    fn admin_status_json(&self) -> Result<AdminStatus> {
        let live: Vec<&str> = self
            .nodes
            .iter()
            .filter(|n| n.proc.is_some())
            .map(|n| n.addr.as_str())
            .collect();
        let admin = self.bin_dir.join("tinyredis-admin");
        let out = Command::new(&admin)
            .args(["--nodes", &live.join(","), "--json", "status"])
            .output()
            .with_context(|| format!("running {}", admin.display()))?;
        if !out.status.success() {
            bail!(
                "tinyredis-admin status failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        serde_json::from_slice(&out.stdout).context("parsing tinyredis-admin status --json")
    }

    /// The current leader's id, as `tinyredis-admin status --json` reports it.
    pub fn leader_id(&self) -> Result<u64> {
        let st = self.admin_status_json()?;
        st.nodes
            .iter()
            .find(|n| n.reachable && n.role.as_deref() == Some("leader"))
            .and_then(|n| n.id)
            .context("tinyredis-admin status shows no leader")
    }

    /// Waits until every node reports a lag of zero (all applied what the leader applied).
    pub async fn wait_caught_up(&self, timeout: Duration) -> Result<()> {
        let deadline = Instant::now() + timeout;
        loop {
            let st = self.admin_status_json()?;
            let done = st.nodes.len() == self.nodes.len()
                && st.nodes.iter().all(|n| n.reachable && n.lag == Some(0));
            if done {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!("tinyredis nodes did not catch up: {st:?}");
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// Kills node `id` with SIGKILL.
    pub fn kill_node(&mut self, id: u64) -> Result<()> {
        let node = self
            .nodes
            .iter_mut()
            .find(|n| n.id == id)
            .with_context(|| format!("no node {id}"))?;
        let mut proc = node.proc.take().context("node already stopped")?;
        proc.kill();
        Ok(())
    }
}

/// A running etcd cluster.
pub struct Etcd {
    /// Client URLs (`http://127.0.0.1:<port>`), one per member.
    pub endpoints: Vec<String>,
    /// The member processes (dropping them stops etcd).
    members: Vec<Proc>,
}

/// Starts a three-member etcd cluster with data dirs under `dir`, client ports `client_ports`
/// and peer ports `peer_ports`, all with etcd's default settings otherwise.
pub async fn start_etcd(dir: &Path, client_ports: [u16; 3], peer_ports: [u16; 3]) -> Result<Etcd> {
    std::fs::create_dir_all(dir)?;
    let initial: Vec<String> = (0..3)
        .map(|i| format!("etcd{i}=http://127.0.0.1:{}", peer_ports[i]))
        .collect();
    let mut members = Vec::new();
    let mut endpoints = Vec::new();
    for i in 0..3 {
        let client = format!("http://127.0.0.1:{}", client_ports[i]);
        let peer = format!("http://127.0.0.1:{}", peer_ports[i]);
        let args: Vec<String> = [
            "--name",
            &format!("etcd{i}"),
            "--data-dir",
            &dir.join(format!("etcd{i}")).display().to_string(),
            "--listen-client-urls",
            &client,
            "--advertise-client-urls",
            &client,
            "--listen-peer-urls",
            &peer,
            "--initial-advertise-peer-urls",
            &peer,
            "--initial-cluster",
            &initial.join(","),
            "--initial-cluster-state",
            "new",
            "--initial-cluster-token",
            "tinyredis-bench",
            "--logger",
            "zap",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let log = dir.join(format!("etcd{i}.log"));
        members.push(Proc::spawn(&format!("etcd{i}"), "etcd", &args, &log)?);
        endpoints.push(client);
    }
    for p in client_ports {
        wait_tcp(&format!("127.0.0.1:{p}"), START_TIMEOUT).await?;
    }
    Ok(Etcd { endpoints, members })
}

/// The part of `etcdctl endpoint status -w json` the benchmark reads.
#[derive(Debug, Deserialize)]
struct EndpointStatus {
    #[serde(rename = "Endpoint")]
    endpoint: String,
    #[serde(rename = "Status")]
    status: EtcdStatus,
}

#[derive(Debug, Deserialize)]
struct EtcdStatus {
    header: EtcdHeader,
    #[serde(default)]
    leader: u64,
}

#[derive(Debug, Deserialize)]
struct EtcdHeader {
    #[serde(default)]
    member_id: u64,
}

impl Etcd {
    /// Fails if a member has exited.
    pub fn check_running(&mut self) -> Result<()> {
        self.members.iter_mut().try_for_each(Proc::check_running)
    }

    /// The client URL of the current leader (from `etcdctl endpoint status`), so that puts are
    /// not forwarded by a follower: etcd's best case.
    pub async fn leader_endpoint(&self) -> Result<String> {
        let deadline = Instant::now() + START_TIMEOUT;
        let mut last = String::new();
        while Instant::now() < deadline {
            let out = Command::new("etcdctl")
                .env("ETCDCTL_API", "3")
                .args(["--endpoints", &self.endpoints.join(",")])
                .args(["endpoint", "status", "-w", "json"])
                .output()
                .context("running etcdctl (is etcd-client installed?)")?;
            match serde_json::from_slice::<Vec<EndpointStatus>>(&out.stdout) {
                Ok(all) => {
                    if let Some(l) = all.iter().find(|e| {
                        e.status.leader != 0 && e.status.header.member_id == e.status.leader
                    }) {
                        return Ok(l.endpoint.clone());
                    }
                    last = "no leader yet".into();
                }
                Err(e) => {
                    last = format!("{e}: {}", String::from_utf8_lossy(&out.stderr));
                }
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        bail!("etcd has no leader: {last}")
    }
}
