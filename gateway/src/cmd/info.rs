//! `INFO`: Redis's section and field names, filled from the gateway and the cluster's status.

use std::fmt::Write;

use bytes::Bytes;
use tinyredis_common::{REDIS_VERSION, Reply, TINYREDIS_VERSION};

use crate::server::Shared;

/// The sections `INFO` with no argument (or `default`) prints.
const DEFAULT_SECTIONS: &[&str] = &[
    "server",
    "clients",
    "persistence",
    "replication",
    "keyspace",
];

/// `INFO [section ...]`: the text for the requested sections (Redis 7 accepts several).
pub async fn info(shared: &Shared, argv: &[Bytes]) -> Reply {
    Reply::Verbatim(Bytes::from(render(shared, &argv[1..]).await))
}

/// Renders the INFO text for the requested sections.
async fn render(shared: &Shared, args: &[Bytes]) -> String {
    let mut wanted: Vec<String> = args
        .iter()
        .map(|a| String::from_utf8_lossy(a).to_ascii_lowercase())
        .collect();
    if wanted.is_empty()
        || wanted
            .iter()
            .any(|w| w == "default" || w == "all" || w == "everything")
    {
        wanted = DEFAULT_SECTIONS.iter().map(|s| s.to_string()).collect();
    }
    let needs_cluster = wanted.iter().any(|w| w == "replication" || w == "keyspace");
    let status = if needs_cluster {
        shared.router.status().await
    } else {
        None
    };

    let mut out = String::new();
    for section in DEFAULT_SECTIONS {
        if !wanted.iter().any(|w| w == section) {
            continue;
        }
        if !out.is_empty() {
            out.push_str("\r\n");
        }
        match *section {
            "server" => {
                let uptime = shared.started.elapsed().as_secs();
                let _ = write!(
                    out,
                    "# Server\r\nredis_version:{REDIS_VERSION}\r\ntinyredis_version:{TINYREDIS_VERSION}\r\n\
                     redis_mode:standalone\r\nos:{} {}\r\narch_bits:64\r\nprocess_id:{}\r\n\
                     run_id:{}\r\ntcp_port:{}\r\nuptime_in_seconds:{uptime}\r\nuptime_in_days:{}\r\n",
                    std::env::consts::OS,
                    std::env::consts::ARCH,
                    std::process::id(),
                    shared.run_id,
                    shared.port,
                    uptime / 86400
                );
            }
            "clients" => {
                let _ = write!(
                    out,
                    "# Clients\r\nconnected_clients:{}\r\n",
                    shared.clients.len()
                );
            }
            "persistence" => out.push_str("# Persistence\r\nloading:0\r\nasync_loading:0\r\n"),
            "replication" => {
                out.push_str("# Replication\r\nrole:master\r\nconnected_slaves:0\r\n");
                match &status {
                    Some(st) => {
                        let leader = st.leader_id.map(|l| l.to_string()).unwrap_or_default();
                        let _ = write!(
                            out,
                            "leader_id:{leader}\r\nleader_addr:{}\r\nraft_term:{}\r\nraft_commit_index:{}\r\n\
                             raft_applied_index:{}\r\nraft_last_log_index:{}\r\nknown_peers:{}\r\n",
                            st.leader_addr,
                            st.term,
                            st.committed_index.unwrap_or(0),
                            st.applied_index.unwrap_or(0),
                            st.last_log_index.unwrap_or(0),
                            st.members.len()
                        );
                        for (i, m) in st.members.iter().enumerate() {
                            let role = if Some(m.id) == st.leader_id {
                                "leader"
                            } else if m.kind == "learner" {
                                "learner"
                            } else {
                                "follower"
                            };
                            let _ = write!(
                                out,
                                "peer{i}:id={},addr={},role={role},suffrage={}\r\n",
                                m.id, m.addr, m.kind
                            );
                        }
                    }
                    None => out
                        .push_str("leader_id:\r\nleader_addr:\r\nraft_term:0\r\nknown_peers:0\r\n"),
                }
            }
            "keyspace" => {
                out.push_str("# Keyspace\r\n");
                if let Some(st) = &status {
                    for db in &st.keyspace {
                        if db.keys > 0 {
                            let _ = write!(
                                out,
                                "db{}:keys={},expires={},avg_ttl=0\r\n",
                                db.db, db.keys, db.expires
                            );
                        }
                    }
                }
            }
            _ => {}
        }
    }
    out
}
