//! Prometheus metrics and health probes over HTTP, shared by both binaries.
//!
//! [`install_recorder`] makes the `metrics` facade record into a Prometheus registry (histogram
//! buckets below) and sets `tinyredis_build_info`; it is called only when `metrics-listen` is set,
//! so without it every `metrics::` call is a no-op. [`serve`] answers:
//!
//! - `GET /metrics`: the registry in Prometheus text format, plus what the binary's [`Probes`]
//!   renders itself from counters it already keeps;
//! - `GET /livez`: 200 while the process runs (local only: never depends on the cluster, so a
//!   partition does not get every pod restarted);
//! - `GET /readyz`: 200 when [`Probes::ready`] says the process can serve consistent requests,
//!   503 with the reason otherwise;
//! - `GET /debug/raft`: a storage node's Raft runtime statistics as text ([`Probes::raft_stats`]):
//!   batch sizes and the latency of each stage of a log entry (proposed, submitted, persisted,
//!   committed, applied), for finding where a write's time goes; 404 on a gateway.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Buckets of latency histograms of Redis commands and backend calls: 100 µs × 2ⁿ, 15 buckets
/// (up to about 1.6 s).
pub const LATENCY_BUCKETS: [f64; 15] = [
    0.0001, 0.0002, 0.0004, 0.0008, 0.0016, 0.0032, 0.0064, 0.0128, 0.0256, 0.0512, 0.1024, 0.2048,
    0.4096, 0.8192, 1.6384,
];

/// Buckets of disk and Raft histograms: etcd's 1 ms × 2ⁿ, 14 buckets, so etcd dashboards and
/// alerts (p99 WAL fsync > 0.5 s) carry over.
pub const DISK_BUCKETS: [f64; 14] = [
    0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048, 4.096,
    8.192,
];

/// Buckets of byte sizes (snapshots): 1 KiB × 4ⁿ up to 4 GiB.
pub const SIZE_BUCKETS: [f64; 12] = [
    1024.0,
    4096.0,
    16384.0,
    65536.0,
    262144.0,
    1048576.0,
    4194304.0,
    16777216.0,
    67108864.0,
    268435456.0,
    1073741824.0,
    4294967296.0,
];

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the global Prometheus recorder (once per process) and records `tinyredis_build_info`
/// for `component` (`node` or `gateway`). Histogram names ending in `_duration_seconds` get
/// [`LATENCY_BUCKETS`], except `tinyredis_disk_*` and `tinyredis_raft_*` ones, which get
/// [`DISK_BUCKETS`]; names ending in `_bytes` that are histograms get [`SIZE_BUCKETS`].
pub fn install_recorder(component: &'static str) -> Result<(), String> {
    if HANDLE.get().is_some() {
        return Ok(());
    }
    let builder = PrometheusBuilder::new()
        .set_buckets(&LATENCY_BUCKETS)
        .and_then(|b| {
            b.set_buckets_for_metric(Matcher::Prefix("tinyredis_disk_".into()), &DISK_BUCKETS)
        })
        .and_then(|b| {
            b.set_buckets_for_metric(Matcher::Prefix("tinyredis_raft_".into()), &DISK_BUCKETS)
        })
        .and_then(|b| b.set_buckets_for_metric(Matcher::Suffix("_bytes".into()), &SIZE_BUCKETS))
        .map_err(|e| e.to_string())?;
    let handle = builder.install_recorder().map_err(|e| e.to_string())?;
    let _ = HANDLE.set(handle);
    metrics::describe_gauge!(
        "tinyredis_build_info",
        "Always 1; labels say which tinyredis build runs."
    );
    metrics::gauge!(
        "tinyredis_build_info",
        "version" => crate::TINYREDIS_VERSION,
        "redis_version" => crate::REDIS_VERSION,
        "component" => component,
    )
    .set(1.0);
    Ok(())
}

/// A boxed future, as [`Probes::ready`] returns.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What a binary adds to the HTTP endpoints.
pub trait Probes: Send + Sync + 'static {
    /// Refreshes gauges read at scrape time and appends metrics the binary renders itself
    /// (Prometheus text format, each family with `# HELP` and `# TYPE`).
    fn render(&self, out: &mut String);

    /// Resolves to `Ok` when the process can serve consistent requests, else to the reason.
    fn ready(&self) -> BoxFuture<'_, Result<(), String>>;

    /// Resolves to the Raft runtime statistics as text (`Err` with the reason when they cannot
    /// be read), or `None` for a process without Raft.
    fn raft_stats(&self) -> BoxFuture<'_, Option<Result<String, String>>> {
        Box::pin(async { None })
    }
}

/// How long a probe's answer (`/readyz`, `/debug/raft`) may take before it counts as failed.
const PROBE_TIMEOUT: Duration = Duration::from_secs(3);

/// Serves `/metrics`, `/livez` and `/readyz` on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    probes: Arc<dyn Probes>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = Router::new()
        .route("/metrics", get(metrics_page))
        .route("/livez", get(|| async { "ok\n" }))
        .route("/readyz", get(ready_page))
        .route("/debug/raft", get(raft_stats_page))
        .with_state(probes);
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

/// Binds `addr` for [`serve`]: fails early (at startup) when the port is taken.
pub async fn bind(addr: SocketAddr) -> std::io::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(addr).await
}

/// Renders the registry and the binary's own metrics.
pub fn render(probes: &dyn Probes) -> String {
    let mut out = String::new();
    probes.render(&mut out);
    let mut page = match HANDLE.get() {
        Some(h) => {
            h.run_upkeep();
            h.render()
        }
        None => String::new(),
    };
    page.push_str(&out);
    page
}

async fn metrics_page(State(probes): State<Arc<dyn Probes>>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        render(&*probes),
    )
}

async fn raft_stats_page(State(probes): State<Arc<dyn Probes>>) -> impl IntoResponse {
    match tokio::time::timeout(PROBE_TIMEOUT, probes.raft_stats()).await {
        Ok(Some(Ok(text))) => (StatusCode::OK, text),
        Ok(Some(Err(reason))) => (StatusCode::SERVICE_UNAVAILABLE, format!("{reason}\n")),
        Ok(None) => (
            StatusCode::NOT_FOUND,
            "no Raft statistics here: only storage nodes keep them\n".to_string(),
        ),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "the Raft core did not answer in time\n".to_string(),
        ),
    }
}

async fn ready_page(State(probes): State<Arc<dyn Probes>>) -> impl IntoResponse {
    match tokio::time::timeout(PROBE_TIMEOUT, probes.ready()).await {
        Ok(Ok(())) => (StatusCode::OK, "ok\n".to_string()),
        Ok(Err(reason)) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("not ready: {reason}\n"),
        ),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "not ready: readiness check timed out\n".to_string(),
        ),
    }
}

/// Appends one metric family header (`# HELP`, `# TYPE`) in Prometheus text format.
pub fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    use std::fmt::Write;
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}
