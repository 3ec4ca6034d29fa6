//! deploy/: what can be checked without Docker or Kubernetes. Every YAML and JSON file parses;
//! the command lines of the compose services and of the Kubernetes containers (with their
//! environment) pass `--config-check`; ports, addresses and scrape targets agree with the flags.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use serde_yaml_ng::Value;
use tinyredis_tests::bin_dir;

use crate::config::deploy_dir;

fn yaml(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut v: Value =
        serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    v.apply_merge().expect("merge keys");
    v
}

fn strings(v: &Value) -> Vec<String> {
    v.as_sequence()
        .map(|s| {
            s.iter()
                .map(|x| x.as_str().expect("string").to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// The value of `--flag v` or `--flag=v` in an argument list.
fn flag(args: &[String], name: &str) -> Option<String> {
    let long = format!("--{name}");
    let eq = format!("--{name}=");
    args.iter().enumerate().find_map(|(i, a)| {
        if a == &long {
            args.get(i + 1).cloned()
        } else {
            a.strip_prefix(&eq).map(str::to_string)
        }
    })
}

fn port_of(addr: &str) -> u16 {
    addr.rsplit_once(':')
        .and_then(|(_, p)| p.parse().ok())
        .unwrap_or_else(|| panic!("no port in {addr}"))
}

/// Runs `program args… --config-check` with only `env` as TINYREDIS_* variables and the binaries
/// on PATH; panics with the output unless it succeeds.
fn assert_config_check(what: &str, program: &str, args: &[String], env: &BTreeMap<String, String>) {
    let mut cmd = Command::new(program);
    cmd.args(args).arg("--config-check");
    for (k, _) in std::env::vars() {
        if k.starts_with("TINYREDIS_") {
            cmd.env_remove(k);
        }
    }
    let path = format!(
        "{}:{}",
        bin_dir().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    cmd.env("PATH", path).envs(env);
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{what}: running {program}: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "{what}: --config-check failed: {text}"
    );
    assert!(text.contains("configuration OK"), "{what}: {text}");
}

#[test]
fn compose_services_agree_with_the_binaries() {
    let dir = deploy_dir();
    let compose = yaml(&dir.join("docker-compose.yml"));
    let services = compose["services"].as_mapping().expect("services");
    let mut nodes = BTreeMap::new();
    let mut gateways = BTreeMap::new();
    for (name, svc) in services {
        let name = name.as_str().expect("service name").to_string();
        let command = strings(&svc["command"]);
        let Some(bin) = command.first().filter(|b| b.starts_with("tinyredis-")) else {
            continue;
        };
        let env: BTreeMap<String, String> = svc["environment"]
            .as_mapping()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| {
                        (
                            k.as_str().expect("key").into(),
                            v.as_str().expect("value").into(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        assert_config_check(&name, bin, &command[1..], &env);
        let metrics = flag(&command, "metrics-listen")
            .unwrap_or_else(|| panic!("{name}: no --metrics-listen"));
        assert_eq!(port_of(&metrics), 9100, "{name}");
        match bin.as_str() {
            "tinyredis-node" => {
                let advertise = flag(&command, "advertise").expect("--advertise");
                let listen = flag(&command, "listen").expect("--listen");
                assert_eq!(advertise, format!("{name}:{}", port_of(&listen)), "{name}");
                nodes.insert(name, command);
            }
            "tinyredis-gateway" => {
                let listen = flag(&command, "listen").expect("--listen");
                let published: Vec<String> = strings(&svc["ports"]);
                assert!(!published.is_empty(), "{name} publishes no port");
                for p in &published {
                    let container = p
                        .rsplit(':')
                        .next()
                        .expect("port")
                        .parse::<u16>()
                        .expect("port");
                    assert_eq!(
                        container,
                        port_of(&listen),
                        "{name}: {p} vs --listen {listen}"
                    );
                }
                gateways.insert(name, command);
            }
            other => panic!("unknown binary {other}"),
        }
    }
    assert_eq!(nodes.len(), 3, "three nodes");
    assert_eq!(gateways.len(), 2, "two gateways");
    let bootstraps: Vec<_> = nodes
        .iter()
        .filter(|(_, c)| c.contains(&"--bootstrap".to_string()))
        .collect();
    assert_eq!(bootstraps.len(), 1, "exactly one node bootstraps");
    let node_addrs: BTreeSet<String> = nodes
        .values()
        .map(|c| flag(c, "advertise").expect("advertise"))
        .collect();
    for (name, c) in &nodes {
        if let Some(join) = flag(c, "join") {
            for j in join.split(',') {
                assert!(node_addrs.contains(j), "{name} joins {j}, which is no node");
            }
        }
    }
    for (name, c) in &gateways {
        let listed: BTreeSet<String> = flag(c, "nodes")
            .expect("--nodes")
            .split(',')
            .map(str::to_string)
            .collect();
        assert_eq!(listed, node_addrs, "{name} --nodes");
    }

    // Prometheus scrapes all five on their metrics port.
    let prom = yaml(&dir.join("prometheus.yml"));
    let mut targets = BTreeSet::new();
    for job in prom["scrape_configs"]
        .as_sequence()
        .expect("scrape_configs")
    {
        for sc in job["static_configs"].as_sequence().expect("static_configs") {
            targets.extend(strings(&sc["targets"]));
        }
    }
    let expected: BTreeSet<String> = nodes
        .keys()
        .chain(gateways.keys())
        .map(|n| format!("{n}:9100"))
        .collect();
    assert_eq!(targets, expected);

    // Grafana provisioning and the dashboard.
    for f in [
        "grafana/provisioning/datasources/prometheus.yml",
        "grafana/provisioning/dashboards/tinyredis.yml",
    ] {
        yaml(&dir.join(f));
    }
    let dash: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("grafana/dashboards/tinyredis.json")).expect("dashboard"),
    )
    .expect("dashboard JSON");
    let exprs: Vec<String> = dash["panels"]
        .as_array()
        .expect("panels")
        .iter()
        .flat_map(|p| p["targets"].as_array().cloned().unwrap_or_default())
        .map(|t| t["expr"].as_str().expect("expr").to_string())
        .collect();
    for metric in [
        "tinyredis_gateway_commands_total",
        "tinyredis_gateway_command_duration_seconds_bucket",
        "tinyredis_raft_leader_id",
        "tinyredis_raft_term",
        "tinyredis_raft_applied_index",
        "tinyredis_disk_wal_fsync_duration_seconds_bucket",
        "tinyredis_memory_rss_bytes",
        "tinyredis_db_keys",
    ] {
        assert!(
            exprs.iter().any(|e| e.contains(metric)),
            "dashboard lacks {metric}"
        );
    }

    // The image exposes the ports the services use.
    let dockerfile = std::fs::read_to_string(dir.join("Dockerfile")).expect("Dockerfile");
    assert!(dockerfile.contains("EXPOSE 6379 7001 9100"));
    assert!(dockerfile.contains("USER tinyredis"));
}

/// The container named `name` of a pod template.
fn container<'a>(doc: &'a Value, name: &str) -> &'a Value {
    doc["spec"]["template"]["spec"]["containers"]
        .as_sequence()
        .expect("containers")
        .iter()
        .find(|c| c["name"].as_str() == Some(name))
        .unwrap_or_else(|| panic!("no container {name}"))
}

fn container_env(c: &Value) -> BTreeMap<String, String> {
    c["env"]
        .as_sequence()
        .map(|s| {
            s.iter()
                .map(|e| {
                    (
                        e["name"].as_str().expect("name").into(),
                        e["value"].as_str().expect("value").into(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn container_ports(c: &Value) -> BTreeMap<String, u16> {
    c["ports"]
        .as_sequence()
        .expect("ports")
        .iter()
        .map(|p| {
            (
                p["name"].as_str().expect("port name").into(),
                p["containerPort"].as_u64().expect("containerPort") as u16,
            )
        })
        .collect()
}

#[test]
fn kubernetes_manifests_agree_with_the_binaries() {
    let dir = deploy_dir().join("k8s");
    let kustomization = yaml(&dir.join("kustomization.yaml"));
    let mut docs = BTreeMap::new();
    for r in strings(&kustomization["resources"]) {
        let doc = yaml(&dir.join(&r));
        let kind = doc["kind"].as_str().expect("kind").to_string();
        let name = doc["metadata"]["name"].as_str().expect("name").to_string();
        docs.insert((kind, name), doc);
    }
    let get = |kind: &str, name: &str| {
        docs.get(&(kind.to_string(), name.to_string()))
            .unwrap_or_else(|| panic!("no {kind} {name} in the kustomization"))
    };

    // Storage nodes.
    let sts = get("StatefulSet", "tinyredis-node");
    let peer = get("Service", "tinyredis-node-peer");
    assert_eq!(
        sts["spec"]["serviceName"].as_str(),
        Some("tinyredis-node-peer")
    );
    assert_eq!(
        sts["spec"]["podManagementPolicy"].as_str(),
        Some("Parallel")
    );
    assert_eq!(peer["spec"]["clusterIP"].as_str(), Some("None"));
    assert_eq!(
        peer["spec"]["publishNotReadyAddresses"].as_bool(),
        Some(true)
    );
    assert!(
        sts["spec"]["volumeClaimTemplates"]
            .as_sequence()
            .is_some_and(|v| !v.is_empty())
    );
    get("PodDisruptionBudget", "tinyredis-node");
    let node = container(sts, "node");
    let env = container_env(node);
    let ports = container_ports(node);
    assert_eq!(port_of(&env["TINYREDIS_LISTEN"]), ports["grpc"]);
    assert_eq!(port_of(&env["TINYREDIS_METRICS_LISTEN"]), ports["metrics"]);
    for probe in ["startupProbe", "livenessProbe", "readinessProbe"] {
        assert!(node[probe].is_mapping(), "node {probe}");
    }
    assert_eq!(
        node["readinessProbe"]["httpGet"]["path"].as_str(),
        Some("/readyz")
    );
    // The start script, run as each ordinal would run it: ordinal 0 bootstraps, the others join.
    let command = strings(&node["command"]);
    let args = strings(&node["args"]);
    assert_eq!(command.first().map(String::as_str), Some("/bin/sh"));
    for ordinal in 0..3 {
        let mut env = env.clone();
        env.insert("HOSTNAME".into(), format!("tinyredis-node-{ordinal}"));
        let mut argv: Vec<String> = command[1..].to_vec();
        argv.extend(args.iter().cloned());
        assert_config_check(&format!("node ordinal {ordinal}"), "/bin/sh", &argv, &env);
    }
    let script = &args[0];
    assert!(
        script.contains("--bootstrap")
            && script.contains("--join=tinyredis-node-0.tinyredis-node-peer:7001")
    );

    // Gateways.
    let deploy = get("Deployment", "tinyredis-gateway");
    assert!(
        deploy["spec"]["replicas"].is_null(),
        "the HPA owns replicas"
    );
    let gw = container(deploy, "gateway");
    let command = strings(&gw["command"]);
    assert_config_check("gateway", &command[0], &command[1..], &container_env(gw));
    let ports = container_ports(gw);
    assert_eq!(
        port_of(&flag(&command, "listen").expect("--listen")),
        ports["resp"]
    );
    assert_eq!(
        port_of(&flag(&command, "metrics-listen").expect("--metrics-listen")),
        ports["metrics"]
    );
    for n in flag(&command, "nodes").expect("--nodes").split(',') {
        assert!(n.ends_with(".tinyredis-node-peer:7001"), "{n}");
    }
    let svc = get("Service", "tinyredis");
    assert_eq!(svc["spec"]["ports"][0]["targetPort"].as_str(), Some("resp"));
    let hpa = get("HorizontalPodAutoscaler", "tinyredis-gateway");
    assert_eq!(
        hpa["spec"]["scaleTargetRef"]["name"].as_str(),
        Some("tinyredis-gateway")
    );
    get("PodDisruptionBudget", "tinyredis-gateway");
    // Scrape annotations on both pod templates.
    for doc in [sts, deploy] {
        let ann = &doc["spec"]["template"]["metadata"]["annotations"];
        assert_eq!(ann["prometheus.io/scrape"].as_str(), Some("true"));
        assert_eq!(ann["prometheus.io/port"].as_str(), Some("9100"));
    }
}
