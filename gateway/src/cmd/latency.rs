//! `LATENCY LATEST|HISTORY|RESET|HISTOGRAM|DOCTOR|HELP`: the latency monitor
//! ([`crate::latency`]) and the per-command histograms ([`crate::stats`]) of this gateway.

use bytes::Bytes;
use tinyredis_common::command::{self, COMMANDS};
use tinyredis_common::subcommand::{self, Subcommand};
use tinyredis_common::{CommandSpec, Reply};

use crate::server::Shared;

const SUBCOMMANDS: &[Subcommand] = &[
    Subcommand {
        full_name: "latency|doctor",
        arity: 2,
    },
    Subcommand {
        full_name: "latency|help",
        arity: 2,
    },
    Subcommand {
        full_name: "latency|histogram",
        arity: -2,
    },
    Subcommand {
        full_name: "latency|history",
        arity: 3,
    },
    Subcommand {
        full_name: "latency|latest",
        arity: 2,
    },
    Subcommand {
        full_name: "latency|reset",
        arity: -2,
    },
];

const HELP: &[&str] = &[
    "LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "DOCTOR",
    "    Return a human readable latency analysis report.",
    "HISTORY <event>",
    "    Return time-latency samples for the <event> class.",
    "LATEST",
    "    Return the latest latency samples for all events.",
    "RESET [<event> ...]",
    "    Reset latency data of one or more <event> classes.",
    "    (default: reset all data for all event classes)",
    "HISTOGRAM [COMMAND ...]",
    "    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
    "    If no commands are specified then all histograms are replied.",
    "HELP",
    "    Prints this help.",
];

/// `LATENCY <subcommand>`.
pub fn latency(shared: &Shared, argv: &[Bytes]) -> Reply {
    let sub = match subcommand::find("LATENCY", SUBCOMMANDS, argv) {
        Ok(sub) => sub,
        Err(e) => return Reply::Error(e),
    };
    let monitor = &shared.latency;
    match sub.name() {
        "latest" => monitor.latest(),
        "history" => monitor.history(&argv[2]),
        "reset" => Reply::Integer(monitor.reset(&argv[2..]) as i64),
        "help" => super::help(HELP),
        "histogram" => histogram(shared, &argv[2..]),
        _ => Reply::Verbatim(Bytes::from(doctor(shared))),
    }
}

/// `LATENCY HISTOGRAM [command ...]`: for each command that ran (all of them without names),
/// `{calls, histogram_usec: {bucket: cumulative calls}}`, as Redis's `latencyAllCommandsFillCDF`.
fn histogram(shared: &Shared, names: &[Bytes]) -> Reply {
    let specs: Vec<&CommandSpec> = if names.is_empty() {
        COMMANDS.iter().collect()
    } else {
        let mut found: Vec<&CommandSpec> = Vec::new();
        for name in names {
            if let Some(spec) = command::lookup(name)
                && !found.iter().any(|s| s.id == spec.id)
            {
                found.push(spec);
            }
        }
        found
    };
    let mut out = Vec::new();
    for spec in specs {
        let Some(h) = shared.stats.command(spec.id).histogram() else {
            continue;
        };
        if h.total() == 0 {
            continue;
        }
        let buckets = h
            .cdf()
            .into_iter()
            .map(|(usec, count)| (Reply::Integer(usec as i64), Reply::Integer(count as i64)))
            .collect();
        out.push((
            Reply::Bulk(Bytes::from_static(spec.name.as_bytes())),
            Reply::Map(vec![
                (
                    Reply::Bulk(Bytes::from_static(b"calls")),
                    Reply::Integer(h.total() as i64),
                ),
                (
                    Reply::Bulk(Bytes::from_static(b"histogram_usec")),
                    Reply::Map(buckets),
                ),
            ]),
        ));
    }
    Reply::Map(out)
}

/// `LATENCY DOCTOR`: Redis's report when the monitor is off or saw nothing, else the observed
/// spikes per event.
fn doctor(shared: &Shared) -> String {
    let monitor = &shared.latency;
    let events = monitor.summary();
    if events.is_empty() {
        if monitor.threshold_ms() == 0 {
            return "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n".into();
        }
        return "Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n".into();
    }
    let mut report = String::from(
        "Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n",
    );
    for (i, (event, samples, avg, max)) in events.iter().enumerate() {
        report.push_str(&format!(
            "{}. {event}: {samples} latency spikes (average {avg}ms). Worst all time event {max}ms.\n",
            i + 1
        ));
    }
    report
}
