//! Server introspection answered by the gateway and the leader: INFO sections and counters,
//! checked against Redis 7.0's field names and formats.

use std::collections::HashMap;

use tinyredis_tests::{RawConn, TestCluster, resp_cmd};

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
    // Tools and Redis's own tests read the allocator's name (e.g. to trust MEMORY USAGE).
    assert_eq!(before["mem_allocator"], "jemalloc-5.3.0");
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_slowlog_latency_cluster_module_lastsave() {
    let cluster = TestCluster::start(3).await.expect("cluster start");
    let gw = cluster.gateway_addr();
    let mut c = RawConn::connect(&gw).await;

    tracing::info!("phase: CLUSTER and MODULE as a standalone Redis without modules");
    c.expect(
        &resp_cmd(&[b"CLUSTER", b"INFO"]),
        b"-ERR This instance has cluster support disabled\r\n",
    )
    .await;
    c.expect(
        &resp_cmd(&[b"CLUSTER", b"INFO", b"x"]),
        b"-ERR wrong number of arguments for 'cluster|info' command\r\n",
    )
    .await;
    c.expect(
        &resp_cmd(&[b"CLUSTER", b"foo"]),
        b"-ERR unknown subcommand 'foo'. Try CLUSTER HELP.\r\n",
    )
    .await;
    c.expect(&resp_cmd(&[b"MODULE", b"LIST"]), b"*0\r\n").await;

    tracing::info!("phase: MEMORY USAGE is estimated by the leader from the value's size");
    c.expect(&resp_cmd(&[b"SET", b"small", b"v"]), b"+OK\r\n")
        .await;
    let big = vec![b'x'; 10_000];
    c.expect(&resp_cmd(&[b"SET", b"big", &big]), b"+OK\r\n")
        .await;
    c.expect(&resp_cmd(&[b"MEMORY", b"USAGE", b"nokey"]), b"$-1\r\n")
        .await;
    let usage = |reply: Vec<u8>| -> i64 {
        let text = String::from_utf8(reply).unwrap();
        text.trim_start_matches(':').trim_end().parse().unwrap()
    };
    c.send(&resp_cmd(&[b"MEMORY", b"USAGE", b"small"])).await;
    let small = usage(c.read_reply(3).await);
    c.send(&resp_cmd(&[b"MEMORY", b"usage", b"big", b"SAMPLES", b"0"]))
        .await;
    let large = usage(c.read_reply(3).await);
    assert!(small > 1 && large - small >= 9_990, "{small} {large}");
    c.expect(
        &resp_cmd(&[b"MEMORY", b"USAGE", b"big", b"SAMPLES"]),
        b"-ERR syntax error\r\n",
    )
    .await;
    c.expect(
        &resp_cmd(&[b"MEMORY", b"USAGE", b"big", b"SAMPLES", b"x"]),
        b"-ERR value is not an integer or out of range\r\n",
    )
    .await;
    c.expect(
        &resp_cmd(&[b"MEMORY", b"MALLOC-STATS", b"x"]),
        b"-ERR wrong number of arguments for 'memory|malloc-stats' command\r\n",
    )
    .await;
    c.expect(&resp_cmd(&[b"MEMORY", b"PURGE"]), b"+OK\r\n")
        .await;
    c.send(&resp_cmd(&[b"MEMORY", b"STATS"])).await;
    let stats = String::from_utf8_lossy(&c.read_reply(200).await).to_string();
    assert!(
        stats.starts_with("*30\r\n$14\r\npeak.allocated\r\n:"),
        "{stats}"
    );
    assert!(stats.contains("$10\r\nkeys.count\r\n:2\r\n"), "{stats}");

    tracing::info!("phase: SLOWLOG records this gateway's slow commands");
    c.expect(&resp_cmd(&[b"SLOWLOG", b"RESET"]), b"+OK\r\n")
        .await;
    c.expect(&resp_cmd(&[b"SLOWLOG", b"LEN"]), b":0\r\n").await;
    // Replicating 2 MB through Raft normally takes more than the default 10 ms; retry a few
    // times in case a fast machine does it quicker.
    let huge = vec![b'h'; 2 << 20];
    for _ in 0..20 {
        c.send(&resp_cmd(&[b"SET", b"huge", &huge])).await;
        assert_eq!(c.read_reply(5).await, b"+OK\r\n");
        c.send(&resp_cmd(&[b"SLOWLOG", b"LEN"])).await;
        if c.read_reply(4).await != b":0\r\n" {
            break;
        }
    }
    c.send(&resp_cmd(&[b"SLOWLOG", b"GET", b"1"])).await;
    let entry = String::from_utf8_lossy(&c.read_reply(300).await).to_string();
    assert!(entry.starts_with("*1\r\n*6\r\n:"), "{entry}");
    let cut = format!("{}... ({} more bytes)", "h".repeat(128), (2 << 20) - 128);
    let tail = format!(
        "*3\r\n$3\r\nSET\r\n$4\r\nhuge\r\n${}\r\n{cut}\r\n",
        cut.len()
    );
    assert!(entry.contains(&tail), "{entry}");
    assert!(entry.ends_with("\r\n$0\r\n\r\n"), "{entry}");
    c.expect(
        &resp_cmd(&[b"SLOWLOG", b"GET", b"-2"]),
        b"-ERR count should be greater than or equal to -1\r\n",
    )
    .await;
    c.expect(
        &resp_cmd(&[b"SLOWLOG", b"GET", b"1", b"2"]),
        b"-ERR unknown subcommand or wrong number of arguments for 'GET'. Try SLOWLOG HELP.\r\n",
    )
    .await;

    tracing::info!("phase: LATENCY: monitor off by default, histograms from the gateway's stats");
    c.expect(&resp_cmd(&[b"LATENCY", b"LATEST"]), b"*0\r\n")
        .await;
    c.expect(&resp_cmd(&[b"LATENCY", b"RESET"]), b":0\r\n")
        .await;
    c.expect(&resp_cmd(&[b"LATENCY", b"HISTOGRAM", b"nosuch"]), b"*0\r\n")
        .await;
    c.send(&resp_cmd(&[b"LATENCY", b"HISTOGRAM", b"SET"])).await;
    let hist = String::from_utf8_lossy(&c.read_reply(40).await).to_string();
    assert!(
        hist.starts_with("*2\r\n$3\r\nset\r\n*4\r\n$5\r\ncalls\r\n:"),
        "{hist}"
    );
    assert!(hist.contains("$14\r\nhistogram_usec\r\n*"), "{hist}");
    let mut c3 = RawConn::connect(&gw).await;
    c3.send(&resp_cmd(&[b"HELLO", b"3"])).await;
    c3.read_reply(100).await;
    c3.send(&resp_cmd(&[b"LATENCY", b"HISTOGRAM", b"set"]))
        .await;
    let hist3 = String::from_utf8_lossy(&c3.read_reply(40).await).to_string();
    assert!(
        hist3.starts_with("%1\r\n$3\r\nset\r\n%2\r\n$5\r\ncalls\r\n:"),
        "{hist3}"
    );

    tracing::info!("phase: LASTSAVE is the leader's last snapshot (or start) time");
    c.send(&resp_cmd(&[b"LASTSAVE"])).await;
    let lastsave = usage(c.read_reply(3).await);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!(lastsave <= now && lastsave > now - 600, "{lastsave}");
}
