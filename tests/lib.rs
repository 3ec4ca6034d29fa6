//! End-to-end test harness for tinyredis: real `tinyredis-node` and `tinyredis-gateway` processes
//! on real sockets, in a temporary directory.
//!
//! [`TestCluster`] starts a Raft cluster (node 1 bootstraps, the others join through it) with a
//! gateway in front, waits until it is usable, and offers the fault-injection operations the tests
//! need (kill -9 and restart of nodes, adding nodes, snapshots). Every process writes its output to
//! a log file in the cluster's temporary directory; when a test panics, the tail of each log is
//! printed. Dropping the cluster kills every process it started (SIGKILL), panic or not; on Linux
//! the processes also die with the test thread that spawned them, so an aborted test run does not
//! leave nodes behind.
//!
//! The binaries are looked up in `$TINYREDIS_BIN_DIR`, else in the cargo target directory this
//! test binary was built into; build them first with `cargo build --workspace --bins`.
//! Set `TINYREDIS_KEEP_DATA=1` to keep the temporary directory (data dirs and logs) of every test.

use std::collections::{BTreeMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, Once};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use tinyredis_proto::pb::admin_client::AdminClient;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub use redis;
pub use tinyredis_proto::pb;

/// Raft timing used by test clusters: faster than the defaults so failovers are quick.
pub const HEARTBEAT_MS: u64 = 50;
/// Lower bound of the election timeout of test clusters.
pub const ELECTION_TIMEOUT_MIN_MS: u64 = 300;
/// Upper bound of the election timeout of test clusters.
pub const ELECTION_TIMEOUT_MAX_MS: u64 = 600;

/// How long a single Admin RPC may take before the harness gives up on it.
const ADMIN_RPC_TIMEOUT: Duration = Duration::from_secs(3);
/// How long starting a cluster may take, from spawning node 1 to a working SET/GET.
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// Lines of each log printed when a test fails.
const LOG_TAIL_LINES: usize = 60;

/// Installs a `tracing` subscriber that writes through the test harness's capture (once per
/// process). `RUST_LOG` overrides the default filter (`info`).
pub fn init_tracing() {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        let filter = tracing_subscriber::EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_test_writer()
            .with_ansi(false)
            .try_init();
    });
}

// -------------------------------------------------------------------------------------------------
// Binaries and ports
// -------------------------------------------------------------------------------------------------

/// The directory holding `tinyredis-node` and `tinyredis-gateway`.
pub fn bin_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("TINYREDIS_BIN_DIR") {
        return PathBuf::from(dir);
    }
    // target/<profile>/deps/it-<hash> -> target/<profile>
    let exe = std::env::current_exe().expect("current_exe");
    let mut dir = exe
        .parent()
        .expect("test binary has a parent dir")
        .to_path_buf();
    if dir.file_name().is_some_and(|n| n == "deps") {
        dir.pop();
    }
    dir
}

/// The path of one of the tinyredis binaries; panics with build instructions if it is missing.
pub fn binary(name: &str) -> PathBuf {
    let path = bin_dir().join(name);
    if !path.is_file() {
        panic!(
            "binary {} not found; build the binaries first with `cargo build --workspace --bins` \
             (or point TINYREDIS_BIN_DIR at the directory holding them)",
            path.display()
        );
    }
    path
}

/// Ports handed out by this process, so parallel tests never get the same one.
static USED_PORTS: Mutex<Option<HashSet<u16>>> = Mutex::new(None);

/// Picks a free TCP port on 127.0.0.1: binds port 0, notes the port, drops the listener.
/// A port is never handed out twice by one test process.
pub fn free_port() -> u16 {
    let mut used = USED_PORTS.lock().unwrap_or_else(|e| e.into_inner());
    let used = used.get_or_insert_with(HashSet::new);
    for _ in 0..1000 {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let port = listener.local_addr().expect("local_addr").port();
        if used.insert(port) {
            return port;
        }
    }
    panic!("no free port found");
}

/// A fresh `127.0.0.1:<port>` address.
pub fn free_addr() -> String {
    format!("127.0.0.1:{}", free_port())
}

// -------------------------------------------------------------------------------------------------
// Processes
// -------------------------------------------------------------------------------------------------

/// Opens (appending) the log file a process writes its stdout and stderr to.
fn log_stdio(path: &Path) -> Result<(Stdio, Stdio)> {
    let f = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("opening {}", path.display()))?;
    let g = f.try_clone()?;
    Ok((Stdio::from(f), Stdio::from(g)))
}

/// Spawns a process whose output goes to `log`. On Linux it gets SIGKILL when the spawning thread
/// dies, so a crashed or aborted test run leaves nothing behind. (So spawn from the test's own
/// thread or a runtime worker, never from `spawn_blocking`, whose threads exit when idle.)
fn spawn(bin: &Path, args: &[String], log: &Path) -> Result<Child> {
    let (out, err) = log_stdio(log)?;
    let mut cmd = Command::new(bin);
    cmd.args(args).stdin(Stdio::null()).stdout(out).stderr(err);
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::process::CommandExt;
        // SAFETY: prctl is async-signal-safe; nothing else runs between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }
    cmd.spawn()
        .with_context(|| format!("spawning {}", bin.display()))
}

/// Kills (SIGKILL) and reaps a child, if it is running.
fn kill_child(child: &mut Option<Child>) {
    if let Some(mut c) = child.take() {
        let _ = c.kill();
        let _ = c.wait();
    }
}

/// Returns true if the child has exited (reaping it).
fn exited(child: &mut Option<Child>) -> bool {
    match child {
        Some(c) => !matches!(c.try_wait(), Ok(None)),
        None => true,
    }
}

/// The last `n` lines of a file (lossy UTF-8), reading at most the last 64 KB.
pub fn tail(path: &Path, n: usize) -> String {
    let Ok(mut f) = File::open(path) else {
        return String::from("<no log>");
    };
    let len = f.metadata().map(|m| m.len()).unwrap_or(0);
    let start = len.saturating_sub(64 * 1024);
    let _ = f.seek(SeekFrom::Start(start));
    let mut buf = Vec::new();
    let _ = f.read_to_end(&mut buf);
    let text = String::from_utf8_lossy(&buf);
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// One storage node process.
struct NodeProc {
    id: u64,
    addr: String,
    data_dir: PathBuf,
    log: PathBuf,
    /// `--bootstrap` or `--join ...`.
    start_args: Vec<String>,
    /// `--metrics-listen` address, if the cluster serves metrics.
    metrics_addr: Option<String>,
    child: Option<Child>,
}

impl NodeProc {
    fn args(&self, extra: &[String]) -> Vec<String> {
        let mut args = vec![
            "--node-id".to_string(),
            self.id.to_string(),
            "--data-dir".to_string(),
            self.data_dir.display().to_string(),
            "--listen".to_string(),
            self.addr.clone(),
            "--heartbeat-ms".to_string(),
            HEARTBEAT_MS.to_string(),
            "--election-timeout-min-ms".to_string(),
            ELECTION_TIMEOUT_MIN_MS.to_string(),
            "--election-timeout-max-ms".to_string(),
            ELECTION_TIMEOUT_MAX_MS.to_string(),
        ];
        args.extend(self.start_args.iter().cloned());
        if let Some(m) = &self.metrics_addr {
            args.extend(["--metrics-listen".to_string(), m.clone()]);
        }
        args.extend(extra.iter().cloned());
        args
    }
}

/// The gateway process.
struct GatewayProc {
    addr: String,
    /// `--metrics-listen` address, if the cluster serves metrics.
    metrics_addr: Option<String>,
    log: PathBuf,
    child: Option<Child>,
}

/// How a [`TestCluster`] is set up.
#[derive(Debug, Clone)]
pub struct ClusterOptions {
    /// Number of storage nodes started (ids 1..=nodes).
    pub nodes: usize,
    /// Extra flags for every storage node (e.g. `--keep-logs-after-snapshot 0`).
    pub node_args: Vec<String>,
    /// The gateway's `--failover-timeout`, in seconds.
    pub failover_timeout_secs: f64,
    /// Give every node and the gateway a `--metrics-listen` address.
    pub metrics: bool,
    /// Extra flags for the gateway (e.g. `--maxclients 5`).
    pub gateway_args: Vec<String>,
}

impl ClusterOptions {
    /// `nodes` nodes, no extra flags, a 20 s gateway failover timeout.
    pub fn new(nodes: usize) -> ClusterOptions {
        ClusterOptions {
            nodes,
            node_args: Vec::new(),
            failover_timeout_secs: 20.0,
            metrics: false,
            gateway_args: Vec::new(),
        }
    }

    /// Adds extra flags for every storage node.
    pub fn node_args<I, S>(mut self, args: I) -> ClusterOptions
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.node_args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Serves `/metrics`, `/livez` and `/readyz` from every process (see
    /// [`TestCluster::node_metrics_addr`]).
    pub fn metrics(mut self) -> ClusterOptions {
        self.metrics = true;
        self
    }

    /// Adds extra flags for the gateway.
    pub fn gateway_args<I, S>(mut self, args: I) -> ClusterOptions
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.gateway_args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Sets the gateway's `--failover-timeout`, in seconds.
    pub fn failover_timeout(mut self, secs: f64) -> ClusterOptions {
        self.failover_timeout_secs = secs;
        self
    }
}

// -------------------------------------------------------------------------------------------------
// The cluster
// -------------------------------------------------------------------------------------------------

/// A running tinyredis cluster (storage nodes and one gateway) in a temporary directory.
pub struct TestCluster {
    dir: Option<tempfile::TempDir>,
    opts: ClusterOptions,
    nodes: BTreeMap<u64, NodeProc>,
    gateway: GatewayProc,
}

impl TestCluster {
    /// Starts `n` nodes and a gateway and waits until a SET/GET through the gateway works.
    pub async fn start(n: usize) -> Result<TestCluster> {
        TestCluster::start_with(ClusterOptions::new(n)).await
    }

    /// Starts a cluster as `opts` says and waits until it is usable: the leader counts every node
    /// as a voter, every node knows the leader, and a SET/GET through the gateway works.
    pub async fn start_with(opts: ClusterOptions) -> Result<TestCluster> {
        init_tracing();
        assert!(opts.nodes >= 1, "a cluster needs at least one node");
        // Fail early, with build instructions, if a binary is missing.
        let _ = binary("tinyredis-node");
        let _ = binary("tinyredis-gateway");
        let dir = tempfile::Builder::new().prefix("tinyredis-it-").tempdir()?;
        let started = Instant::now();
        let gateway_log = dir.path().join("gateway.log");
        let mut cluster = TestCluster {
            dir: Some(dir),
            opts: opts.clone(),
            nodes: BTreeMap::new(),
            gateway: GatewayProc {
                addr: String::new(),
                metrics_addr: opts.metrics.then(free_addr),
                log: gateway_log,
                child: None,
            },
        };
        tracing::info!(nodes = opts.nodes, dir = %cluster.dir().display(), "starting test cluster");

        cluster
            .spawn_new_node(1, vec!["--bootstrap".into()])
            .await?;
        let seed = cluster.nodes[&1].addr.clone();
        for id in 2..=opts.nodes as u64 {
            cluster
                .spawn_new_node(id, vec!["--join".into(), seed.clone()])
                .await?;
        }
        let all: Vec<u64> = (1..=opts.nodes as u64).collect();
        cluster.wait_voters(&all, START_TIMEOUT).await?;
        cluster.start_gateway().await?;
        cluster.wait_gateway_ready(START_TIMEOUT).await?;
        tracing::info!(
            elapsed_ms = started.elapsed().as_millis() as u64,
            "test cluster ready"
        );
        Ok(cluster)
    }

    /// The cluster's temporary directory (data dirs and logs).
    pub fn dir(&self) -> &Path {
        self.dir.as_ref().expect("cluster dir").path()
    }

    /// The gateway's RESP address (`127.0.0.1:<port>`).
    pub fn gateway_addr(&self) -> String {
        self.gateway.addr.clone()
    }

    /// The gateway's process id, if it runs.
    pub fn gateway_pid(&self) -> Option<u32> {
        self.gateway.child.as_ref().map(|c| c.id())
    }

    /// The HTTP metrics address of node `id` (with [`ClusterOptions::metrics`]).
    pub fn node_metrics_addr(&self, id: u64) -> Option<String> {
        self.node(id).metrics_addr.clone()
    }

    /// The gateway's HTTP metrics address (with [`ClusterOptions::metrics`]).
    pub fn gateway_metrics_addr(&self) -> Option<String> {
        self.gateway.metrics_addr.clone()
    }

    /// The gRPC address of node `id`.
    pub fn node_addr(&self, id: u64) -> String {
        self.node(id).addr.clone()
    }

    /// Ids of every node the harness started (running or not).
    pub fn node_ids(&self) -> Vec<u64> {
        self.nodes.keys().copied().collect()
    }

    /// Ids of the nodes whose process is running.
    pub fn live_node_ids(&mut self) -> Vec<u64> {
        self.nodes
            .values_mut()
            .filter_map(|n| (!exited(&mut n.child)).then_some(n.id))
            .collect()
    }

    fn node(&self, id: u64) -> &NodeProc {
        self.nodes
            .get(&id)
            .unwrap_or_else(|| panic!("no node {id} in this cluster"))
    }

    /// Spawns a node with a new data dir, retrying with another port if its port was taken.
    async fn spawn_new_node(&mut self, id: u64, start_args: Vec<String>) -> Result<()> {
        assert!(!self.nodes.contains_key(&id), "node {id} already exists");
        let data_dir = self.dir().join(format!("node{id}"));
        let log = self.dir().join(format!("node{id}.log"));
        let mut last_err = None;
        for _attempt in 0..5 {
            // A failed attempt may have created the data dir; start from scratch.
            let _ = std::fs::remove_dir_all(&data_dir);
            let node = NodeProc {
                id,
                addr: free_addr(),
                data_dir: data_dir.clone(),
                log: log.clone(),
                start_args: start_args.clone(),
                metrics_addr: self.opts.metrics.then(free_addr),
                child: None,
            };
            self.nodes.insert(id, node);
            match self.launch_node(id).await {
                Ok(()) => return Ok(()),
                Err(e) if e.to_string().contains("address in use") => {
                    tracing::warn!(node = id, error = %e, "port taken, retrying with another one");
                    last_err = Some(e);
                }
                Err(e) => return Err(e),
            }
        }
        Err(last_err.unwrap_or_else(|| anyhow!("node {id} did not start")))
    }

    /// Spawns node `id` with its recorded flags and waits until its Admin API answers.
    async fn launch_node(&mut self, id: u64) -> Result<()> {
        let extra = self.opts.node_args.clone();
        let bin = binary("tinyredis-node");
        let node = self.nodes.get_mut(&id).expect("node");
        kill_child(&mut node.child);
        let args = node.args(&extra);
        tracing::info!(node = id, addr = %node.addr, "spawning node");
        node.child = Some(spawn(&bin, &args, &node.log)?);
        let addr = node.addr.clone();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if admin_status(&addr).await.is_ok() {
                return Ok(());
            }
            let node = self.nodes.get_mut(&id).expect("node");
            if exited(&mut node.child) {
                let log = tail(&node.log, 20);
                let in_use = log.contains("Address already in use") || log.contains("AddrInUse");
                bail!(
                    "node {id} exited during startup{}:\n{log}",
                    if in_use { " (address in use)" } else { "" }
                );
            }
            if Instant::now() > deadline {
                bail!(
                    "node {id} did not answer Admin status within 30 s:\n{}",
                    tail(&node.log, 20)
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Starts the gateway (on a new port if it never ran, else on its old port).
    async fn start_gateway(&mut self) -> Result<()> {
        let bin = binary("tinyredis-gateway");
        let nodes: Vec<String> = self.nodes.values().map(|n| n.addr.clone()).collect();
        let fresh = self.gateway.addr.is_empty();
        let mut last_err = None;
        for _attempt in 0..5 {
            if fresh {
                self.gateway.addr = free_addr();
            }
            kill_child(&mut self.gateway.child);
            let mut args = vec![
                "--listen".to_string(),
                self.gateway.addr.clone(),
                "--nodes".to_string(),
                nodes.join(","),
                "--failover-timeout".to_string(),
                self.opts.failover_timeout_secs.to_string(),
            ];
            if let Some(m) = &self.gateway.metrics_addr {
                args.extend(["--metrics-listen".to_string(), m.clone()]);
            }
            args.extend(self.opts.gateway_args.iter().cloned());
            tracing::info!(addr = %self.gateway.addr, "spawning gateway");
            self.gateway.child = Some(spawn(&bin, &args, &self.gateway.log)?);
            let res = wait_gateway_ping(
                &self.gateway.addr,
                &mut self.gateway.child,
                &self.gateway.log,
            )
            .await;
            match res {
                Ok(()) => return Ok(()),
                Err(e) => {
                    let retry = e.to_string().contains("Address already in use") || !fresh;
                    last_err = Some(e);
                    if !retry {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        }
        Err(last_err.unwrap_or_else(|| anyhow!("gateway did not start")))
    }

    /// Starts one more gateway in front of the same nodes, with extra flags; it is killed when
    /// the returned handle is dropped.
    pub async fn spawn_gateway(&self, extra_args: &[&str]) -> Result<ExtraGateway> {
        let bin = binary("tinyredis-gateway");
        let nodes: Vec<String> = self.nodes.values().map(|n| n.addr.clone()).collect();
        let mut last_err = None;
        for attempt in 0..5 {
            let addr = free_addr();
            let log = self.dir().join(format!(
                "gateway-extra-{}-{attempt}.log",
                addr.replace(':', "_")
            ));
            let mut args = vec![
                "--listen".to_string(),
                addr.clone(),
                "--nodes".to_string(),
                nodes.join(","),
                "--failover-timeout".to_string(),
                self.opts.failover_timeout_secs.to_string(),
            ];
            args.extend(extra_args.iter().map(|a| a.to_string()));
            let mut child = Some(spawn(&bin, &args, &log)?);
            match wait_gateway_ping(&addr, &mut child, &log).await {
                Ok(()) => return Ok(ExtraGateway { addr, child, log }),
                Err(e) => {
                    kill_child(&mut child);
                    last_err = Some(e);
                }
            }
        }
        Err(last_err.unwrap_or_else(|| anyhow!("gateway did not start")))
    }
}

/// A gateway started by [`TestCluster::spawn_gateway`]; killed on drop.
pub struct ExtraGateway {
    /// Its RESP address.
    pub addr: String,
    child: Option<Child>,
    log: PathBuf,
}

impl ExtraGateway {
    /// A new multiplexed async connection to this gateway.
    pub async fn redis_async(&self) -> Result<redis::aio::MultiplexedConnection> {
        let config =
            redis::AsyncConnectionConfig::new().set_connection_timeout(Duration::from_secs(5));
        Ok(redis::Client::open(format!("redis://{}/", self.addr))?
            .get_multiplexed_async_connection_with_config(&config)
            .await?)
    }
}

impl Drop for ExtraGateway {
    fn drop(&mut self) {
        kill_child(&mut self.child);
        if std::thread::panicking() {
            eprintln!(
                "----- extra gateway {}: last {LOG_TAIL_LINES} lines -----\n{}",
                self.addr,
                tail(&self.log, LOG_TAIL_LINES)
            );
        }
    }
}

/// Waits until a freshly spawned gateway answers PING (`+PONG`, or `-NOAUTH` when it requires a
/// password).
async fn wait_gateway_ping(addr: &str, child: &mut Option<Child>, log: &Path) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(Ok(mut s)) =
            tokio::time::timeout(Duration::from_secs(1), TcpStream::connect(addr)).await
        {
            let mut buf = [0u8; 7];
            let ok = async {
                s.write_all(b"PING\r\n").await?;
                s.read_exact(&mut buf).await?;
                std::io::Result::Ok(())
            };
            if let Ok(Ok(())) = tokio::time::timeout(Duration::from_secs(2), ok).await
                && (&buf == b"+PONG\r\n" || &buf == b"-NOAUTH")
            {
                return Ok(());
            }
        }
        if exited(child) {
            return Err(anyhow!("gateway exited during startup:\n{}", tail(log, 20)));
        }
        if Instant::now() > deadline {
            return Err(anyhow!("gateway did not answer PING within 20 s"));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

impl TestCluster {
    /// Kills (SIGKILL) and restarts the gateway on the same address.
    pub async fn restart_gateway(&mut self) -> Result<()> {
        kill_child(&mut self.gateway.child);
        self.start_gateway().await
    }

    /// Kills the gateway (SIGKILL).
    pub fn kill_gateway(&mut self) {
        kill_child(&mut self.gateway.child);
    }

    /// Waits until a SET/GET through the gateway works.
    async fn wait_gateway_ready(&self, timeout: Duration) -> Result<()> {
        let deadline = Instant::now() + timeout;
        let key = format!("__harness_ready_{}", std::process::id());
        loop {
            let attempt = async {
                let mut con = self.redis_async().await?;
                let _: () = redis::cmd("SET")
                    .arg(&key)
                    .arg("1")
                    .query_async(&mut con)
                    .await?;
                let v: Option<String> = redis::cmd("GET").arg(&key).query_async(&mut con).await?;
                let _: i64 = redis::cmd("DEL").arg(&key).query_async(&mut con).await?;
                anyhow::ensure!(v.as_deref() == Some("1"), "GET returned {v:?}");
                Ok(())
            };
            match tokio::time::timeout(Duration::from_secs(15), attempt).await {
                Ok(Ok(())) => return Ok(()),
                Ok(Err(e)) if Instant::now() > deadline => bail!("gateway not ready: {e:#}"),
                Err(_) if Instant::now() > deadline => {
                    bail!("gateway not ready: SET/GET timed out")
                }
                _ => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }

    /// Waits until the leader lists every id of `ids` as a voter and every running node among
    /// them knows that leader and has applied the leader's applied index.
    pub async fn wait_voters(&mut self, ids: &[u64], timeout: Duration) -> Result<u64> {
        let deadline = Instant::now() + timeout;
        loop {
            let mut last = String::new();
            if let Some(leader) = self.leader_id().await {
                match self.node_status(leader).await {
                    Ok(st) if st.role == "leader" => {
                        let voters: Vec<u64> = st
                            .members
                            .iter()
                            .filter(|m| m.kind == "voter")
                            .map(|m| m.id)
                            .collect();
                        let target = st.applied_index.unwrap_or(0);
                        let mut ok = ids.iter().all(|id| voters.contains(id));
                        last = format!("leader {leader} voters {voters:?} applied {target}");
                        if ok {
                            for id in self.live_node_ids() {
                                if !ids.contains(&id) {
                                    continue;
                                }
                                match self.node_status(id).await {
                                    Ok(s)
                                        if s.leader_id == Some(leader)
                                            && s.applied_index.unwrap_or(0) >= target => {}
                                    Ok(s) => {
                                        last = format!(
                                            "{last}; node {id} leader {:?} applied {:?}",
                                            s.leader_id, s.applied_index
                                        );
                                        ok = false;
                                    }
                                    Err(e) => {
                                        last = format!("{last}; node {id}: {e:#}");
                                        ok = false;
                                    }
                                }
                            }
                        }
                        if ok {
                            return Ok(leader);
                        }
                    }
                    Ok(st) => last = format!("node {leader} is {}", st.role),
                    Err(e) => last = format!("{e:#}"),
                }
            }
            if Instant::now() > deadline {
                bail!(
                    "nodes {ids:?} did not all become caught-up voters within {timeout:?} ({last})"
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The Admin status of node `id`.
    pub async fn node_status(&self, id: u64) -> Result<pb::NodeStatus> {
        admin_status(&self.node(id).addr)
            .await
            .with_context(|| format!("Admin status of node {id}"))
    }

    /// The leader as the running nodes report it right now: the node that says it is leader
    /// (the highest term wins if several do), or `None`.
    pub async fn leader_id(&mut self) -> Option<u64> {
        let mut best: Option<(u64, u64)> = None;
        for id in self.live_node_ids() {
            if let Ok(st) = self.node_status(id).await
                && st.role == "leader"
                && st.leader_id == Some(st.node_id)
                && best.is_none_or(|(term, _)| st.term > term)
            {
                best = Some((st.term, id));
            }
        }
        best.map(|(_, id)| id)
    }

    /// The applied log index node `id` reports (0 before anything was applied).
    pub async fn applied_index(&self, id: u64) -> Result<u64> {
        Ok(self.node_status(id).await?.applied_index.unwrap_or(0))
    }

    /// Waits (up to 30 s) until some running node is leader and returns it.
    pub async fn wait_for_leader(&mut self) -> Result<u64> {
        self.wait_for_leader_within(Duration::from_secs(30)).await
    }

    /// Waits until some running node is leader and returns it.
    pub async fn wait_for_leader_within(&mut self, timeout: Duration) -> Result<u64> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(id) = self.leader_id().await {
                return Ok(id);
            }
            if Instant::now() > deadline {
                bail!("no leader within {timeout:?}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until node `id` has applied at least `index`; returns its status.
    pub async fn wait_applied(
        &self,
        id: u64,
        index: u64,
        timeout: Duration,
    ) -> Result<pb::NodeStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            let res = self.node_status(id).await;
            if let Ok(st) = &res
                && st.applied_index.unwrap_or(0) >= index
            {
                return res;
            }
            if Instant::now() > deadline {
                let seen = res
                    .map(|s| format!("{:?}", s.applied_index))
                    .unwrap_or_else(|e| format!("{e:#}"));
                bail!("node {id} did not apply index {index} within {timeout:?} (applied: {seen})");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Asks node `id` to build a snapshot now; returns once the snapshot exists.
    pub async fn trigger_snapshot(&self, id: u64) -> Result<()> {
        let addr = self.node(id).addr.clone();
        let mut client = AdminClient::connect(format!("http://{addr}"))
            .await
            .with_context(|| format!("connecting to node {id}"))?;
        let resp = tokio::time::timeout(
            Duration::from_secs(70),
            client.trigger_snapshot(pb::Empty {}),
        )
        .await
        .context("TriggerSnapshot timed out")??
        .into_inner();
        match resp.outcome {
            Some(pb::admin_response::Outcome::Ok(_)) => Ok(()),
            other => bail!("TriggerSnapshot on node {id} failed: {other:?}"),
        }
    }

    /// Kills node `id` with SIGKILL.
    pub fn kill_node(&mut self, id: u64) {
        tracing::info!(node = id, "kill -9 node");
        let node = self
            .nodes
            .get_mut(&id)
            .unwrap_or_else(|| panic!("no node {id}"));
        kill_child(&mut node.child);
    }

    /// Restarts node `id` from its data dir with the same flags and address (after killing it if
    /// it still runs); returns once its Admin API answers.
    pub async fn restart_node(&mut self, id: u64) -> Result<()> {
        tracing::info!(node = id, "restarting node");
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            match self.launch_node(id).await {
                Ok(()) => return Ok(()),
                // The old port may briefly be unavailable; the address is part of the membership,
                // so wait for it rather than moving.
                Err(e) if e.to_string().contains("address in use") && Instant::now() < deadline => {
                    tracing::warn!(node = id, "port still in use, retrying");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Kills every node with SIGKILL.
    pub fn kill_all(&mut self) {
        let ids = self.node_ids();
        for id in ids {
            self.kill_node(id);
        }
    }

    /// Restarts every node that is not running.
    pub async fn restart_all(&mut self) -> Result<()> {
        let ids = self.node_ids();
        for id in ids {
            let node = self.nodes.get_mut(&id).expect("node");
            if exited(&mut node.child) {
                self.restart_node(id).await?;
            }
        }
        Ok(())
    }

    /// Starts a new node `id` that joins the cluster through the running nodes, and waits until it
    /// is a voter and has caught up with the leader.
    pub async fn add_node(&mut self, id: u64) -> Result<()> {
        let live = self.live_node_ids();
        let seeds: Vec<String> = live.iter().map(|i| self.node(*i).addr.clone()).collect();
        self.spawn_new_node(id, vec!["--join".into(), seeds.join(",")])
            .await?;
        self.wait_voters(&[id], Duration::from_secs(60)).await?;
        Ok(())
    }

    /// A `redis` client for the gateway.
    pub fn redis_client(&self) -> redis::Client {
        redis::Client::open(format!("redis://{}/", self.gateway.addr)).expect("redis client")
    }

    /// A new multiplexed async connection to the gateway (no response timeout).
    pub async fn redis_async(&self) -> Result<redis::aio::MultiplexedConnection> {
        let config =
            redis::AsyncConnectionConfig::new().set_connection_timeout(Duration::from_secs(5));
        Ok(self
            .redis_client()
            .get_multiplexed_async_connection_with_config(&config)
            .await?)
    }

    /// Prints the tail of every process's log to stderr.
    pub fn print_logs(&self) {
        let mut logs: Vec<(String, PathBuf)> = self
            .nodes
            .values()
            .map(|n| (format!("node {}", n.id), n.log.clone()))
            .collect();
        logs.push(("gateway".into(), self.gateway.log.clone()));
        for (name, path) in logs {
            eprintln!(
                "----- {name}: last {LOG_TAIL_LINES} lines of {} -----\n{}",
                path.display(),
                tail(&path, LOG_TAIL_LINES)
            );
        }
    }
}

impl Drop for TestCluster {
    fn drop(&mut self) {
        kill_child(&mut self.gateway.child);
        for node in self.nodes.values_mut() {
            kill_child(&mut node.child);
        }
        if std::thread::panicking() {
            self.print_logs();
        }
        let keep =
            std::env::var_os("TINYREDIS_KEEP_DATA").is_some_and(|v| !v.is_empty() && v != "0");
        if let Some(dir) = self.dir.take()
            && (keep || std::thread::panicking())
        {
            let path = dir.keep();
            eprintln!("test cluster data and logs kept in {}", path.display());
        }
    }
}

/// Calls Admin `Status` on a node.
pub async fn admin_status(addr: &str) -> Result<pb::NodeStatus> {
    let call = async {
        let mut client = AdminClient::connect(format!("http://{addr}")).await?;
        let st = client.status(pb::Empty {}).await?.into_inner();
        anyhow::Ok(st)
    };
    tokio::time::timeout(ADMIN_RPC_TIMEOUT, call)
        .await
        .map_err(|_| anyhow!("Admin status of {addr} timed out"))?
}

// -------------------------------------------------------------------------------------------------
// Raw RESP
// -------------------------------------------------------------------------------------------------

/// How long [`raw`] waits for more bytes once it has the expected number, to catch extra output.
const RAW_IDLE: Duration = Duration::from_millis(150);
/// The longest [`raw`] waits for the expected bytes.
const RAW_DEADLINE: Duration = Duration::from_secs(15);

/// Writes `bytes` to a new connection to `addr` and returns what comes back: reads until
/// `expected_len` bytes arrived (then a short idle period to catch extra bytes), the peer closes,
/// or a deadline passes.
pub async fn raw(addr: &str, bytes: &[u8], expected_len: usize) -> Vec<u8> {
    let mut conn = RawConn::connect(addr).await;
    conn.send(bytes).await;
    conn.read_reply(expected_len).await
}

/// Asserts that sending `request` on a new connection yields exactly `expected`.
pub async fn raw_expect(addr: &str, request: &[u8], expected: &[u8]) {
    let got = raw(addr, request, expected.len()).await;
    assert_eq!(
        escape(&got),
        escape(expected),
        "reply to {} differs",
        escape(request)
    );
}

/// Renders bytes with control characters escaped, for assertion messages.
pub fn escape(b: &[u8]) -> String {
    b.escape_ascii().to_string()
}

/// A raw RESP connection for exact wire assertions.
pub struct RawConn {
    stream: TcpStream,
    /// True once the peer closed the connection.
    pub closed: bool,
}

impl RawConn {
    /// Connects to `addr` (panics on failure).
    pub async fn connect(addr: &str) -> RawConn {
        let stream = tokio::time::timeout(Duration::from_secs(5), TcpStream::connect(addr))
            .await
            .expect("connect timed out")
            .unwrap_or_else(|e| panic!("connect to {addr}: {e}"));
        let _ = stream.set_nodelay(true);
        RawConn {
            stream,
            closed: false,
        }
    }

    /// Writes all of `bytes`.
    pub async fn send(&mut self, bytes: &[u8]) {
        self.stream
            .write_all(bytes)
            .await
            .expect("write to gateway");
    }

    /// Reads until `expected_len` bytes arrived (then waits briefly for extra bytes), the peer
    /// closes, or the deadline passes.
    pub async fn read_reply(&mut self, expected_len: usize) -> Vec<u8> {
        let deadline = tokio::time::Instant::now() + RAW_DEADLINE;
        let mut out = Vec::new();
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let wait_until = if out.len() >= expected_len {
                (tokio::time::Instant::now() + RAW_IDLE).min(deadline)
            } else {
                deadline
            };
            match tokio::time::timeout_at(wait_until, self.stream.read(&mut buf)).await {
                Ok(Ok(0)) | Ok(Err(_)) => {
                    self.closed = true;
                    return out;
                }
                Ok(Ok(n)) => out.extend_from_slice(&buf[..n]),
                Err(_) => return out,
            }
        }
    }

    /// Sends `request` and asserts the reply is exactly `expected`.
    pub async fn expect(&mut self, request: &[u8], expected: &[u8]) {
        self.send(request).await;
        let got = self.read_reply(expected.len()).await;
        assert_eq!(
            escape(&got),
            escape(expected),
            "reply to {} differs",
            escape(request)
        );
    }

    /// Waits (up to 5 s) for the peer to close the connection; returns true if it did, having
    /// received no further bytes.
    pub async fn wait_closed(&mut self) -> bool {
        if self.closed {
            return true;
        }
        let mut buf = [0u8; 1024];
        match tokio::time::timeout(Duration::from_secs(5), self.stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => {
                self.closed = true;
                true
            }
            _ => false,
        }
    }
}

/// Encodes a command as a RESP multibulk request.
pub fn resp_cmd(args: &[&[u8]]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for a in args {
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// Polls `f` every 50 ms until it returns `Ok(Some(v))` or `timeout` passes.
pub async fn poll_until<T, F, Fut>(what: &str, timeout: Duration, mut f: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Option<T>>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        let last = match f().await {
            Ok(Some(v)) => return Ok(v),
            Ok(None) => String::from("condition not met"),
            Err(e) => format!("{e:#}"),
        };
        if Instant::now() > deadline {
            bail!("timed out after {timeout:?} waiting for {what}: {last}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
