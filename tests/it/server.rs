//! Server introspection answered by the gateway and the leader: INFO sections and counters,
//! checked against Redis 7.0's field names and formats.

use std::collections::HashMap;

use tinyredis_tests::TestCluster;

/// Parses INFO text into `section -> field -> value`, asserting Redis's line format.
fn parse_info(text: &str) -> HashMap<String, HashMap<String, String>> {
    let mut out: HashMap<String, HashMap<String, String>> = HashMap::new();
    let mut section = String::new();
    assert!(text.is_empty() || text.ends_with("\r\n"), "{text:?}");
    for line in text.split("\r\n").filter(|l| !l.is_empty()) {
        if let Some(name) = line.strip_prefix("# ") {
            section = name.to_string();
            out.entry(section.clone()).or_default();
            continue;
        }
        let (k, v) = line
            .split_once(':')
            .unwrap_or_else(|| panic!("bad INFO line {line:?}"));
        out.entry(section.clone())
            .or_default()
            .insert(k.to_string(), v.to_string());
    }
    out
}

async fn info(c: &mut redis::aio::MultiplexedConnection, args: &[&str]) -> String {
    let mut cmd = redis::cmd("INFO");
    for a in args {
        cmd.arg(*a);
    }
    cmd.query_async(c).await.expect("INFO")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn info_sections_counters_and_memory() {
    let cluster = TestCluster::start(3).await.expect("cluster start");
    let mut c = cluster.redis_async().await.expect("connect");

    tracing::info!("phase: section selection follows Redis 7.0");
    let default = parse_info(&info(&mut c, &[]).await);
    let mut names: Vec<_> = default.keys().cloned().collect();
    names.sort();
    assert_eq!(
        names,
        [
            "CPU",
            "Clients",
            "Cluster",
            "Errorstats",
            "Keyspace",
            "Memory",
            "Modules",
            "Persistence",
            "Raft",
            "Replication",
            "Server",
            "Stats"
        ]
    );
    let all = parse_info(&info(&mut c, &["all"]).await);
    assert!(all.contains_key("Commandstats") && all.contains_key("Latencystats"));
    let two = info(&mut c, &["KEYSPACE", "server"]).await;
    assert!(two.starts_with("# Server\r\n"), "{two:?}");
    assert!(two.contains("\r\n\r\n# Keyspace\r\n"), "{two:?}");
    assert_eq!(info(&mut c, &["nosuchsection"]).await, "");

    tracing::info!("phase: fields tools read");
    let server = &default["Server"];
    assert_eq!(server["redis_version"], "7.0.15");
    assert_eq!(server["redis_mode"], "standalone");
    assert_eq!(server["run_id"].len(), 40);
    assert_eq!(default["Persistence"]["loading"], "0");
    assert_eq!(default["Replication"]["role"], "master");
    assert_eq!(default["Cluster"]["cluster_enabled"], "0");
    assert_eq!(default["Raft"]["raft_leader_known"], "1");
    assert_eq!(default["Raft"]["known_peers"], "3");
    assert!(
        default["Clients"]["connected_clients"]
            .parse::<u64>()
            .unwrap()
            >= 1
    );
    assert!(default["CPU"]["used_cpu_user"].contains('.'));

    tracing::info!("phase: memory figures are the leader's and grow with the data");
    let before = &default["Memory"];
    let used: u64 = before["used_memory"].parse().unwrap();
    let rss: u64 = before["used_memory_rss"].parse().unwrap();
    assert!(used > 0 && rss > 0, "{before:?}");
    let dataset0: u64 = before["used_memory_dataset"].parse().unwrap();
    let big = vec![b'x'; 1 << 20];
    for i in 0..4 {
        let _: () = redis::cmd("SET")
            .arg(format!("big{i}"))
            .arg(&big)
            .query_async(&mut c)
            .await
            .unwrap();
    }
    // The dataset estimate is cached for a second on the node.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let after = parse_info(&info(&mut c, &["memory", "keyspace", "persistence"]).await);
    let dataset1: u64 = after["Memory"]["used_memory_dataset"].parse().unwrap();
    assert!(dataset1 >= dataset0 + (4 << 20), "{dataset0} -> {dataset1}");
    assert_eq!(after["Keyspace"]["db0"], "keys=4,expires=0,avg_ttl=0");
    assert!(
        after["Persistence"]["rdb_changes_since_last_save"]
            .parse::<u64>()
            .unwrap()
            >= 4
    );
    assert!(
        after["Persistence"]["rdb_last_save_time"]
            .parse::<u64>()
            .unwrap()
            > 1_700_000_000
    );

    tracing::info!("phase: commandstats, errorstats and latencystats count this gateway's calls");
    let _: redis::Value = redis::cmd("STRLEN")
        .arg("big0")
        .query_async(&mut c)
        .await
        .unwrap();
    let _ = redis::cmd("STRLEN")
        .query_async::<redis::Value>(&mut c)
        .await;
    let _ = redis::cmd("INCR")
        .arg("big0")
        .query_async::<redis::Value>(&mut c)
        .await;
    let _ = redis::cmd("NOSUCHCMD")
        .query_async::<redis::Value>(&mut c)
        .await;
    let stats = parse_info(
        &info(
            &mut c,
            &["commandstats", "errorstats", "latencystats", "stats"],
        )
        .await,
    );
    let get = &stats["Commandstats"]["cmdstat_strlen"];
    assert!(get.starts_with("calls=1,usec="), "{get}");
    assert!(get.ends_with(",rejected_calls=1,failed_calls=0"), "{get}");
    let incr = &stats["Commandstats"]["cmdstat_incr"];
    assert!(incr.ends_with(",rejected_calls=0,failed_calls=1"), "{incr}");
    // The harness's readiness check made one more SET.
    assert!(
        stats["Commandstats"]["cmdstat_set"].starts_with("calls=5,"),
        "{:?}",
        stats["Commandstats"]
    );
    assert_eq!(stats["Errorstats"]["errorstat_ERR"], "count=3");
    let lat = &stats["Latencystats"]["latency_percentiles_usec_set"];
    assert!(
        lat.starts_with("p50=") && lat.contains(",p99=") && lat.contains(",p99.9="),
        "{lat}"
    );
    assert_eq!(stats["Stats"]["total_error_replies"], "3");
    assert!(
        stats["Stats"]["total_commands_processed"]
            .parse::<u64>()
            .unwrap()
            >= 9
    );
    assert!(
        stats["Stats"]["total_net_input_bytes"]
            .parse::<u64>()
            .unwrap()
            > 4 << 20
    );
}
