//! The accept loop and what all connections share.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use anyhow::Context;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;

use crate::acl::AclLog;
use crate::blocking::BlockedClients;
use crate::clients::Clients;
use crate::connection::Connection;
use crate::latency::LatencyMonitor;
use crate::monitor::Monitors;
use crate::pause::Pause;
use crate::resp::Limits;
use crate::router::Router;
use crate::settings::{Bootstrap, InitialSettings, Settings, settings_loop};
use crate::slowlog::SlowLog;
use crate::stats::{self, Stats};

/// What a connection over `maxclients` gets before it is closed, as Redis sends it.
const MAX_CLIENTS_REACHED: &[u8] = b"-ERR max number of clients reached\r\n";

/// Default RESP listen address.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:6379";

/// How a gateway is configured.
#[derive(Debug, Clone)]
pub struct GatewayConfig {
    /// RESP listen address.
    pub listen: String,
    /// Seed storage node addresses.
    pub nodes: Vec<String>,
    /// How long a command may wait for a leader before `CLUSTERDOWN`.
    pub failover_timeout: Duration,
    /// Request size limits (`max_bulk_len` is the initial `proto-max-bulk-len`).
    pub limits: Limits,
    /// Where to serve `/metrics`, `/livez` and `/readyz` (none: not served).
    pub metrics_listen: Option<std::net::SocketAddr>,
    /// Initial values of the settings CONFIG SET can change in this gateway.
    pub settings: InitialSettings,
    /// `requirepass` and users this gateway offers the cluster if it has none yet.
    pub bootstrap: Bootstrap,
}

impl Default for GatewayConfig {
    fn default() -> GatewayConfig {
        GatewayConfig {
            listen: DEFAULT_LISTEN.into(),
            nodes: vec!["127.0.0.1:7001".into()],
            failover_timeout: Duration::from_secs(10),
            limits: Limits::default(),
            metrics_listen: None,
            settings: InitialSettings::default(),
            bootstrap: Bootstrap::default(),
        }
    }
}

/// State shared by every connection of a gateway.
pub struct Shared {
    /// Routes commands to the leader.
    pub router: Router,
    /// Runtime settings: CONFIG GET/SET, limits, the cluster-wide settings.
    pub settings: Arc<Settings>,
    /// Open client connections.
    pub clients: Clients,
    /// The connections waiting in a blocking command (BLPOP, …).
    pub blocked: BlockedClients,
    /// Command, error and traffic counters (INFO stats, commandstats, LATENCY HISTOGRAM).
    pub stats: Stats,
    /// Commands slower than `slowlog-log-slower-than` (SLOWLOG).
    pub slowlog: SlowLog,
    /// Latency spikes above `latency-monitor-threshold` (LATENCY LATEST/HISTORY).
    pub latency: LatencyMonitor,
    /// ACL denials and failed authentications of this gateway's clients (ACL LOG).
    pub acl_log: AclLog,
    /// Clients in MONITOR mode and the lines they receive.
    pub monitors: Arc<Monitors>,
    /// CLIENT PAUSE of this gateway's clients.
    pub pause: Pause,
    /// When the gateway started.
    pub started: Instant,
    /// The TCP port clients connect to.
    pub port: u16,
    /// A random id of this process, as Redis's `run_id`.
    pub run_id: String,
    /// Becomes true when the gateway shuts down: connections close after their current batch.
    pub shutting_down: tokio::sync::watch::Receiver<bool>,
}

/// How long a shutting-down gateway waits for connections to finish their in-flight pipelines.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

/// Runs a gateway on a bound listener until `shutdown` resolves.
pub async fn serve(
    listener: TcpListener,
    config: GatewayConfig,
    shutdown: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    let port = listener.local_addr()?.port();
    let router = Router::new(&config.nodes, config.failover_timeout);
    let (stop_tx, shutting_down) = tokio::sync::watch::channel(false);
    tokio::spawn(router.clone().discover_loop());
    let settings = Arc::new(Settings::new(&config.settings, &config.limits));
    tokio::spawn(settings_loop(
        settings.clone(),
        router.clone(),
        config.bootstrap.clone(),
    ));
    let shared = Arc::new(Shared {
        router,
        settings: settings.clone(),
        clients: Clients::default(),
        blocked: BlockedClients::default(),
        stats: Stats::default(),
        slowlog: SlowLog::default(),
        latency: LatencyMonitor::default(),
        acl_log: AclLog::default(),
        monitors: Arc::default(),
        pause: Pause::default(),
        started: Instant::now(),
        port,
        shutting_down,
        run_id: format!(
            "{:016x}{:016x}{:08x}",
            rand::random::<u64>(),
            rand::random::<u64>(),
            rand::random::<u32>()
        ),
    });
    tokio::spawn(sample_stats(Arc::downgrade(&shared)));
    tokio::spawn(close_deleted_users(
        Arc::downgrade(&shared),
        settings.watch_acl(),
    ));
    tokio::spawn(crate::blocking::renew_loop(Arc::downgrade(&shared)));
    if let Some(addr) = config.metrics_listen {
        let http = tinyredis_common::telemetry::metrics::bind(addr)
            .await
            .with_context(|| format!("listening on metrics-listen {addr}"))?;
        crate::metrics::describe();
        let probes = Arc::new(crate::metrics::GatewayProbes {
            shared: shared.clone(),
        });
        let mut stop = shared.shutting_down.clone();
        tracing::info!(%addr, "serving /metrics, /livez, /readyz");
        tokio::spawn(tinyredis_common::telemetry::metrics::serve(
            http,
            probes,
            async move {
                let _ = stop.wait_for(|s| *s).await;
            },
        ));
    }
    shared
        .slowlog
        .set_slower_than_usec(config.settings.slowlog_log_slower_than);
    shared
        .slowlog
        .set_max_len(usize::try_from(config.settings.slowlog_max_len).unwrap_or(usize::MAX));
    tracing::info!(listen = %listener.local_addr()?, nodes = ?config.nodes, "gateway accepting RESP connections");
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => {
                tracing::info!(clients = shared.clients.len(), "gateway shutting down: no new connections, draining");
                drop(listener);
                let _ = stop_tx.send(true);
                let deadline = Instant::now() + DRAIN_TIMEOUT;
                while !shared.clients.is_empty() && Instant::now() < deadline {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                return Ok(());
            }
            accepted = listener.accept() => {
                match accepted {
                    Ok((mut stream, peer)) => {
                        if shared.clients.len() as u64 >= shared.settings.maxclients() {
                            shared
                                .stats
                                .rejected_connections
                                .fetch_add(1, Ordering::Relaxed);
                            tokio::spawn(async move {
                                let _ = stream.write_all(MAX_CLIENTS_REACHED).await;
                                let _ = stream.shutdown().await;
                            });
                            continue;
                        }
                        shared.stats.connections_received.fetch_add(1, Ordering::Relaxed);
                        let local = stream.local_addr().map(|a| a.to_string()).unwrap_or_default();
                        let client = shared.clients.register(peer.to_string(), local);
                        let conn = Connection::new(stream, shared.clone(), client);
                        tokio::spawn(conn.run());
                    }
                    Err(e) => {
                        // Out of file descriptors and the like: wait instead of spinning.
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                }
            }
        }
    }
}

/// Samples the traffic counters for INFO's instantaneous rates until the gateway is gone.
async fn sample_stats(shared: std::sync::Weak<Shared>) {
    let mut tick = tokio::time::interval(stats::SAMPLE_INTERVAL);
    loop {
        tick.tick().await;
        let Some(shared) = shared.upgrade() else {
            return;
        };
        shared.stats.sample();
    }
}

/// Closes the connections authenticated as users that were deleted (on any gateway), as Redis
/// does on ACL DELUSER, whenever the users change.
async fn close_deleted_users(
    shared: std::sync::Weak<Shared>,
    mut changes: tokio::sync::watch::Receiver<u64>,
) {
    while changes.changed().await.is_ok() {
        let Some(shared) = shared.upgrade() else {
            return;
        };
        let acl = shared.settings.acl();
        for client in shared.clients.list() {
            let (name, created) = {
                let meta = client.meta();
                (meta.user.clone(), meta.user_created)
            };
            if acl.user(&name).is_none_or(|u| u.created != created) {
                tracing::debug!(
                    client = client.id,
                    "closing a client whose user was deleted"
                );
                client.kill.notify_one();
            }
        }
    }
}

/// Binds `config.listen` and runs the gateway until `shutdown` resolves.
pub async fn run(config: GatewayConfig, shutdown: impl Future<Output = ()>) -> anyhow::Result<()> {
    let listener = TcpListener::bind(&config.listen)
        .await
        .with_context(|| format!("listening on {}", config.listen))?;
    serve(listener, config, shutdown).await
}
