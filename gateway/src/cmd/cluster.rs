//! `CLUSTER <subcommand>` and `MODULE <subcommand>`: a tinyredis gateway is a standalone Redis
//! with cluster support disabled and no modules loaded.

use bytes::Bytes;
use tinyredis_common::subcommand::{self, Subcommand};
use tinyredis_common::{Reply, ReplyError};

/// Redis 7.0's CLUSTER subcommands and arities: every one answers that cluster support is
/// disabled, once its arity is right.
const CLUSTER: &[Subcommand] = &[
    sub("cluster|addslots", -3),
    sub("cluster|addslotsrange", -4),
    sub("cluster|bumpepoch", 2),
    sub("cluster|count-failure-reports", 3),
    sub("cluster|countkeysinslot", 3),
    sub("cluster|delslots", -3),
    sub("cluster|delslotsrange", -4),
    sub("cluster|failover", -2),
    sub("cluster|flushslots", 2),
    sub("cluster|forget", 3),
    sub("cluster|getkeysinslot", 4),
    sub("cluster|help", 2),
    sub("cluster|info", 2),
    sub("cluster|keyslot", 3),
    sub("cluster|links", 2),
    sub("cluster|meet", -4),
    sub("cluster|myid", 2),
    sub("cluster|nodes", 2),
    sub("cluster|replicas", 3),
    sub("cluster|replicate", 3),
    sub("cluster|reset", -2),
    sub("cluster|saveconfig", 2),
    sub("cluster|set-config-epoch", 3),
    sub("cluster|setslot", -4),
    sub("cluster|shards", 2),
    sub("cluster|slaves", 3),
    sub("cluster|slots", 2),
];

const MODULE: &[Subcommand] = &[
    sub("module|help", 2),
    sub("module|list", 2),
    sub("module|load", -3),
    sub("module|loadex", -3),
    sub("module|unload", 3),
];

const MODULE_HELP: &[&str] = &[
    "MODULE <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "LIST",
    "    Return a list of loaded modules.",
    "LOAD <path> [<arg> ...]",
    "    Load a module library from <path>, passing to it any optional arguments.",
    "LOADEX <path> [[CONFIG NAME VALUE] [CONFIG NAME VALUE]] [ARGS ...]",
    "    Load a module library from <path>, while passing it module configurations and optional arguments.",
    "UNLOAD <name>",
    "    Unload a module.",
    "HELP",
    "    Prints this help.",
];

const fn sub(full_name: &'static str, arity: i32) -> Subcommand {
    Subcommand { full_name, arity }
}

/// `CLUSTER <subcommand> ...`.
pub fn cluster(argv: &[Bytes]) -> Reply {
    match subcommand::find("CLUSTER", CLUSTER, argv) {
        Err(e) => Reply::Error(e),
        Ok(_) => Reply::Error(ReplyError::err(
            "This instance has cluster support disabled",
        )),
    }
}

/// `MODULE LIST|HELP|LOAD|LOADEX|UNLOAD`: no modules are loaded, and loading is refused as
/// Redis 7.0 refuses it with its default `enable-module-command no`.
pub fn module(argv: &[Bytes]) -> Reply {
    match subcommand::find("MODULE", MODULE, argv) {
        Err(e) => Reply::Error(e),
        Ok(s) => match s.name() {
            "list" => Reply::Array(Vec::new()),
            "help" => super::help(MODULE_HELP),
            _ => Reply::Error(ReplyError::err(
                "MODULE command not allowed. If the enable-module-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.",
            )),
        },
    }
}
