//! Metrics and health: `/metrics` of a node and a gateway pass `promtool check metrics` and carry
//! the documented families, `/livez` and `/readyz` answer as probes expect (followers are ready;
//! without quorum nobody is), `/debug/raft` shows a node's Raft statistics, and the node's gRPC
//! port serves grpc.health.v1.

use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use tinyredis_tests::{ClusterOptions, TestCluster, poll_until};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// One HTTP/1.1 GET: (status, body).
pub async fn http_get(addr: &str, path: &str) -> Result<(u16, String)> {
    let fetch = async {
        let mut s = tokio::net::TcpStream::connect(addr).await?;
        let req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
        s.write_all(req.as_bytes()).await?;
        let mut buf = Vec::new();
        s.read_to_end(&mut buf).await?;
        anyhow::Ok(String::from_utf8_lossy(&buf).to_string())
    };
    let text = tokio::time::timeout(Duration::from_secs(10), fetch)
        .await
        .context("HTTP GET timed out")??;
    let (head, body) = text.split_once("\r\n\r\n").context("no HTTP header end")?;
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .context("no HTTP status")?;
    Ok((status, body.to_string()))
}

/// Runs `promtool check metrics` on a scrape; promtool comes from Debian's `prometheus` package
/// (scripts/install-deps.sh installs it).
fn promtool_check(page: &str) -> Result<()> {
    let mut child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("promtool not found: run scripts/install-deps.sh (Debian package prometheus)")?;
    use std::io::Write;
    child
        .stdin
        .take()
        .context("stdin")?
        .write_all(page.as_bytes())?;
    let out = child.wait_with_output()?;
    if !out.status.success() {
        bail!(
            "promtool check metrics failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(())
}

async fn wait_ready(addr: &str) -> Result<()> {
    poll_until(
        &format!("{addr}/readyz"),
        Duration::from_secs(30),
        || async { Ok(matches!(http_get(addr, "/readyz").await, Ok((200, _))).then_some(())) },
    )
    .await
}

#[tokio::test]
async fn metrics_health_and_probes() -> Result<()> {
    let mut cluster = TestCluster::start_with(ClusterOptions::new(3).metrics()).await?;
    let gw = cluster.gateway_metrics_addr().context("gateway metrics")?;
    let nodes: Vec<(u64, String)> = cluster
        .node_ids()
        .into_iter()
        .map(|id| (id, cluster.node_metrics_addr(id).expect("node metrics")))
        .collect();

    tracing::info!("every process is live and ready, followers included");
    {
        for (_, addr) in &nodes {
            assert_eq!(http_get(addr, "/livez").await?.0, 200);
            wait_ready(addr).await?;
        }
        assert_eq!(http_get(&gw, "/livez").await?.0, 200);
        wait_ready(&gw).await?;
    }

    tracing::info!("traffic, then both scrapes pass promtool and carry the families");
    {
        let mut con = cluster.redis_async().await?;
        let _: () = redis::cmd("SET")
            .arg("m:k")
            .arg("v")
            .query_async(&mut con)
            .await?;
        let _: String = redis::cmd("GET").arg("m:k").query_async(&mut con).await?;
        let _: i64 = redis::cmd("INCR").arg("m:n").query_async(&mut con).await?;
        let wrong: redis::RedisResult<i64> = redis::cmd("LPUSH")
            .arg("m:k")
            .arg("x")
            .query_async(&mut con)
            .await;
        assert!(wrong.is_err());

        let (status, page) = http_get(&gw, "/metrics").await?;
        assert_eq!(status, 200);
        promtool_check(&page)?;
        for want in [
            "tinyredis_build_info{",
            "component=\"gateway\"",
            "tinyredis_gateway_commands_total{cmd=\"set\"} ",
            "tinyredis_gateway_command_failed_calls_total{cmd=\"lpush\"} 1",
            "tinyredis_gateway_errors_total{err=\"WRONGTYPE\"} 1",
            "tinyredis_gateway_command_duration_seconds_bucket{cmd=\"get\",le=\"+Inf\"} ",
            "tinyredis_gateway_backend_request_duration_seconds_bucket{op=\"write\"",
            "tinyredis_gateway_connected_clients ",
            "tinyredis_gateway_leader_changes_total",
        ] {
            assert!(
                page.contains(want),
                "gateway /metrics lacks {want:?}:\n{page}"
            );
        }

        let leader = cluster.wait_for_leader().await?;
        let leader_addr = cluster
            .node_metrics_addr(leader)
            .context("leader metrics")?;
        let (status, page) = http_get(&leader_addr, "/metrics").await?;
        assert_eq!(status, 200);
        promtool_check(&page)?;
        for want in [
            "component=\"node\"",
            "tinyredis_raft_is_leader 1",
            &format!("tinyredis_raft_leader_id {leader}"),
            "tinyredis_raft_term ",
            "tinyredis_raft_commit_index ",
            "tinyredis_raft_applied_index ",
            "tinyredis_raft_proposals_total{result=\"committed\"}",
            "tinyredis_disk_wal_fsync_duration_seconds_bucket{le=\"0.001\"}",
            "tinyredis_raft_append_log_duration_seconds_count",
            "tinyredis_raft_apply_duration_seconds_count",
            "tinyredis_raft_read_barrier_duration_seconds_count",
            "tinyredis_raft_read_barrier_reads_total ",
            "tinyredis_network_peer_round_trip_time_seconds_count{peer=",
            "tinyredis_db_keys{db=\"0\"} 2",
            "tinyredis_memory_rss_bytes ",
        ] {
            assert!(page.contains(want), "node /metrics lacks {want:?}:\n{page}");
        }
        let follower = nodes
            .iter()
            .find(|(id, _)| *id != leader)
            .expect("a follower");
        let (_, page) = http_get(&follower.1, "/metrics").await?;
        promtool_check(&page)?;
        assert!(page.contains("tinyredis_raft_is_leader 0"), "{page}");

        tracing::info!(
            "phase: /debug/raft has the leader's per-stage latencies; gateways have none"
        );
        let (status, text) = http_get(&leader_addr, "/debug/raft").await?;
        assert_eq!(status, 200, "{text}");
        for want in ["Log Stage Latencies", "submitted→persisted", "ClientWrite"] {
            assert!(text.contains(want), "/debug/raft lacks {want:?}:\n{text}");
        }
        let (status, text) = http_get(&gw, "/debug/raft").await?;
        assert_eq!(status, 404, "{text}");
    }

    tracing::info!("no log lines on the per-command path at the default level");
    {
        let logs: Vec<_> = std::fs::read_dir(cluster.dir())?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "log"))
            .collect();
        // Lines from tinyredis's own code (openraft may warn about slow heartbeats on a loaded
        // machine; that is not the command path).
        let count = |logs: &[std::path::PathBuf]| -> usize {
            logs.iter()
                .map(|p| {
                    std::fs::read_to_string(p)
                        .map(|t| t.lines().filter(|l| l.contains(" tinyredis_")).count())
                        .unwrap_or(0)
                })
                .sum()
        };
        let before = count(&logs);
        let mut con = cluster.redis_async().await?;
        for i in 0..200 {
            let _: () = redis::cmd("SET")
                .arg("m:loop")
                .arg(i)
                .query_async(&mut con)
                .await?;
            let _: String = redis::cmd("GET")
                .arg("m:loop")
                .query_async(&mut con)
                .await?;
            let _: redis::RedisResult<i64> =
                redis::cmd("INCR").arg("m:k").query_async(&mut con).await;
        }
        let _: i64 = redis::cmd("DEL")
            .arg("m:loop")
            .query_async(&mut con)
            .await?;
        assert_eq!(count(&logs), before, "600 commands wrote log lines");
    }

    tracing::info!("gRPC health on the node's port");
    {
        let ch =
            tonic::transport::Endpoint::from_shared(format!("http://{}", cluster.node_addr(1)))?
                .connect()
                .await?;
        let mut health = tonic_health::pb::health_client::HealthClient::new(ch);
        for service in ["", "tinyredis.v1.Kv"] {
            let resp = health
                .check(tonic_health::pb::HealthCheckRequest {
                    service: service.into(),
                })
                .await?
                .into_inner();
            assert_eq!(
                resp.status,
                tonic_health::pb::health_check_response::ServingStatus::Serving as i32,
                "service {service:?}"
            );
        }
    }

    tracing::info!("without quorum nothing is ready, but everything is live");
    {
        let survivor = nodes[0].clone();
        for (id, _) in &nodes[1..] {
            cluster.kill_node(*id);
        }
        poll_until("survivor not ready", Duration::from_secs(20), || async {
            Ok(matches!(http_get(&survivor.1, "/readyz").await, Ok((503, _))).then_some(()))
        })
        .await?;
        poll_until("gateway not ready", Duration::from_secs(20), || async {
            Ok(matches!(http_get(&gw, "/readyz").await, Ok((503, _))).then_some(()))
        })
        .await?;
        assert_eq!(http_get(&survivor.1, "/livez").await?.0, 200);
        assert_eq!(http_get(&gw, "/livez").await?.0, 200);
    }
    Ok(())
}
