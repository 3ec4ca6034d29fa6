//! Authentication and ACLs as Redis 7.0.15 has them: requirepass, AUTH and HELLO AUTH, NOAUTH,
//! WRONGPASS, the pre-authentication request limits, ACL users and their permissions, users
//! shared by every gateway and kept across a full cluster restart, and real clients (redis-cli,
//! redis-py) logging in. Error texts are checked byte for byte against Redis's.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use tinyredis_tests::{RawConn, TestCluster, escape, poll_until, resp_cmd};

const NOAUTH: &[u8] = b"-NOAUTH Authentication required.\r\n";
const WRONGPASS: &[u8] = b"-WRONGPASS invalid username-password pair or user is disabled.\r\n";
const NOAUTH_HELLO: &[u8] = b"-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time\r\n";
const NO_DEFAULT_PASSWORD: &[u8] = b"-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n";
const NOPERM_KEYS: &[u8] =
    b"-NOPERM this user has no permissions to access one of the keys used as arguments\r\n";

/// SHA-256 hex digests, as Redis 7.0.15 shows these passwords in ACL LIST.
fn hash_password(password: &[u8]) -> &'static str {
    match password {
        b"s3cret" => "1ec1c26b50d5d3c58d9583181af8076655fe00756bf7285940ba3670f99fcba0",
        b"pw" => "30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4",
        _ => unreachable!("no digest for this password"),
    }
}

fn noperm_cmd(name: &str) -> Vec<u8> {
    format!("-NOPERM this user has no permissions to run the '{name}' command\r\n").into_bytes()
}

/// A RESP bulk string.
fn bulk(s: &str) -> Vec<u8> {
    format!("${}\r\n{s}\r\n", s.len()).into_bytes()
}

/// Sends a command given as words and asserts the exact reply.
async fn expect(c: &mut RawConn, args: &[&str], expected: &[u8]) {
    let args: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
    c.expect(&resp_cmd(&args), expected).await;
}

/// Sends a command and returns the whole reply as text.
async fn reply(c: &mut RawConn, args: &[&str]) -> String {
    let args: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
    c.send(&resp_cmd(&args)).await;
    String::from_utf8_lossy(&c.read_reply(1).await).to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requirepass_auth_hello_and_preauth_limits() {
    let cluster = TestCluster::start(1).await.expect("cluster start");
    let gw = cluster.gateway_addr();

    tracing::info!("phase: no password configured, as a fresh Redis");
    let mut before = RawConn::connect(&gw).await;
    expect(&mut before, &["AUTH", "x"], NO_DEFAULT_PASSWORD).await;
    expect(&mut before, &["AUTH", "default", "anything"], b"+OK\r\n").await;
    expect(&mut before, &["AUTH", "nobody", "x"], WRONGPASS).await;
    expect(
        &mut before,
        &["AUTH", "a", "b", "c"],
        b"-ERR syntax error\r\n",
    )
    .await;
    expect(&mut before, &["ACL", "WHOAMI"], &bulk("default")).await;
    expect(
        &mut before,
        &["ACL", "LIST"],
        b"*1\r\n$34\r\nuser default on nopass ~* &* +@all\r\n",
    )
    .await;

    tracing::info!("phase: CONFIG SET requirepass; new connections must authenticate");
    expect(
        &mut before,
        &["CONFIG", "SET", "requirepass", "s3cret"],
        b"+OK\r\n",
    )
    .await;
    expect(
        &mut before,
        &["CONFIG", "GET", "requirepass"],
        b"*2\r\n$11\r\nrequirepass\r\n$6\r\ns3cret\r\n",
    )
    .await;
    let hash = hash_password(b"s3cret");
    let line = format!("user default on #{hash} ~* &* +@all");
    expect(
        &mut before,
        &["ACL", "LIST"],
        format!("*1\r\n${}\r\n{line}\r\n", line.len()).as_bytes(),
    )
    .await;
    // A connection authenticated before the password was set stays authenticated, as in Redis.
    expect(&mut before, &["SET", "k", "v"], b"+OK\r\n").await;

    let mut c = RawConn::connect(&gw).await;
    expect(&mut c, &["GET", "k"], NOAUTH).await;
    expect(&mut c, &["CLIENT", "ID"], NOAUTH).await;
    expect(&mut c, &["HELLO", "3"], NOAUTH_HELLO).await;
    expect(&mut c, &["PING"], NOAUTH).await;
    // Unknown commands and subcommands and arity errors come before NOAUTH, as in Redis.
    expect(
        &mut c,
        &["NOSUCH"],
        b"-ERR unknown command 'NOSUCH', with args beginning with: \r\n",
    )
    .await;
    expect(
        &mut c,
        &["CONFIG", "NOSUCH"],
        b"-ERR unknown subcommand 'NOSUCH'. Try CONFIG HELP.\r\n",
    )
    .await;
    expect(
        &mut c,
        &["CONFIG", "GET"],
        b"-ERR wrong number of arguments for 'config|get' command\r\n",
    )
    .await;
    expect(&mut c, &["AUTH", "wrong"], WRONGPASS).await;
    expect(&mut c, &["AUTH", "default", "wrong"], WRONGPASS).await;
    expect(&mut c, &["AUTH", "s3cret"], b"+OK\r\n").await;
    expect(&mut c, &["GET", "k"], &bulk("v")).await;
    expect(&mut c, &["RESET"], b"+RESET\r\n").await;
    expect(&mut c, &["GET", "k"], NOAUTH).await;
    c.send(&resp_cmd(&[b"HELLO", b"3", b"AUTH", b"default", b"s3cret"]))
        .await;
    let hello = String::from_utf8_lossy(&c.read_reply(30).await).to_string();
    assert!(hello.starts_with("%7\r\n$6\r\nserver\r\n"), "{hello:?}");
    expect(&mut c, &["GET", "k"], b"$1\r\nv\r\n").await;
    expect(
        &mut c,
        &["HELLO", "2", "AUTH", "default", "nope"],
        WRONGPASS,
    )
    .await;

    tracing::info!("phase: the ACL log records failed logins");
    let log = reply(&mut c, &["ACL", "LOG"]).await;
    assert!(log.contains("$6\r\nreason\r\n$4\r\nauth\r\n"), "{log}");
    assert!(log.contains("$6\r\nobject\r\n$5\r\nHELLO\r\n"), "{log}");
    expect(&mut c, &["ACL", "LOG", "RESET"], b"+OK\r\n").await;
    expect(&mut c, &["ACL", "LOG"], b"*0\r\n").await;

    tracing::info!("phase: pre-authentication limits close the connection");
    let mut big = RawConn::connect(&gw).await;
    let mut req = b"*11\r\n".to_vec();
    for _ in 0..11 {
        req.extend_from_slice(b"$1\r\na\r\n");
    }
    big.expect(
        &req,
        b"-ERR Protocol error: unauthenticated multibulk length\r\n",
    )
    .await;
    assert!(big.wait_closed().await, "closed after the protocol error");
    let mut big = RawConn::connect(&gw).await;
    big.expect(
        b"*2\r\n$3\r\nGET\r\n$16385\r\n",
        b"-ERR Protocol error: unauthenticated bulk length\r\n",
    )
    .await;
    assert!(big.wait_closed().await, "closed after the protocol error");
    // A request before the limit is reached is answered first.
    let mut big = RawConn::connect(&gw).await;
    let mut req = resp_cmd(&[b"PING"]);
    req.extend_from_slice(b"*2\r\n$3\r\nGET\r\n$20000\r\n");
    big.expect(
        &req,
        b"-NOAUTH Authentication required.\r\n-ERR Protocol error: unauthenticated bulk length\r\n",
    )
    .await;
    assert!(big.wait_closed().await);
    // 10 arguments and 16384-byte bulks are allowed; an AUTH earlier in the same pipeline lifts
    // the limits for the requests after it.
    let mut ok = RawConn::connect(&gw).await;
    let value = vec![b'x'; 16384];
    ok.expect(&resp_cmd(&[b"ECHO", &value[..]]), NOAUTH).await;
    let big_value = vec![b'y'; 20000];
    let mut req = resp_cmd(&[b"AUTH", b"s3cret"]);
    req.extend_from_slice(&resp_cmd(&[
        b"MSET", b"a1", b"1", b"a2", b"2", b"a3", b"3", b"a4", b"4", b"a5", b"5", b"a6", b"6",
    ]));
    req.extend_from_slice(&resp_cmd(&[b"SET", b"big", &big_value[..]]));
    req.extend_from_slice(&resp_cmd(&[b"STRLEN", b"big"]));
    ok.expect(&req, b"+OK\r\n+OK\r\n+OK\r\n:20000\r\n").await;

    tracing::info!("phase: an empty requirepass means no password again");
    expect(&mut ok, &["CONFIG", "SET", "requirepass", ""], b"+OK\r\n").await;
    let mut fresh = RawConn::connect(&gw).await;
    expect(&mut fresh, &["GET", "a1"], &bulk("1")).await;
    expect(&mut fresh, &["AUTH", "x"], NO_DEFAULT_PASSWORD).await;
    let hello = reply(&mut fresh, &["HELLO", "2"]).await;
    assert!(hello.starts_with("*14\r\n$6\r\nserver\r\n"), "{hello:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acl_users_rules_and_permissions() {
    let cluster = TestCluster::start(1).await.expect("cluster start");
    let gw = cluster.gateway_addr();
    let mut admin = RawConn::connect(&gw).await;

    tracing::info!("phase: ACL SETUSER and its description");
    expect(
        &mut admin,
        &[
            "ACL", "SETUSER", "alice", "on", ">pw", "~foo*", "+get", "+@hash", "-hset",
        ],
        b"+OK\r\n",
    )
    .await;
    let hash = hash_password(b"pw");
    let line = format!("user alice on #{hash} ~foo* resetchannels -@all +@hash +get -hset");
    let default = "user default on nopass ~* &* +@all";
    expect(
        &mut admin,
        &["ACL", "LIST"],
        format!(
            "*2\r\n${}\r\n{line}\r\n${}\r\n{default}\r\n",
            line.len(),
            default.len()
        )
        .as_bytes(),
    )
    .await;
    expect(
        &mut admin,
        &["ACL", "USERS"],
        b"*2\r\n$5\r\nalice\r\n$7\r\ndefault\r\n",
    )
    .await;
    expect(
        &mut admin,
        &["ACL", "GETUSER", "alice"],
        format!(
            "*12\r\n$5\r\nflags\r\n*1\r\n$2\r\non\r\n$9\r\npasswords\r\n*1\r\n$64\r\n{hash}\r\n\
             $8\r\ncommands\r\n$23\r\n-@all +@hash +get -hset\r\n$4\r\nkeys\r\n$5\r\n~foo*\r\n\
             $8\r\nchannels\r\n$0\r\n\r\n$9\r\nselectors\r\n*0\r\n"
        )
        .as_bytes(),
    )
    .await;
    expect(&mut admin, &["ACL", "GETUSER", "nobody"], b"$-1\r\n").await;
    expect(
        &mut admin,
        &["ACL", "SETUSER", "bad", "+nosuch"],
        b"-ERR Error in ACL SETUSER modifier '+nosuch': Unknown command or category name in ACL\r\n",
    )
    .await;
    expect(
        &mut admin,
        &["ACL", "SETUSER", "bad", "~*", "~x"],
        b"-ERR Error in ACL SETUSER modifier '~x': Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns\r\n",
    )
    .await;
    expect(
        &mut admin,
        &["ACL", "SETUSER", "alice", "<nope"],
        b"-ERR Error in ACL SETUSER modifier '<nope': The password you are trying to remove from the user does not exist\r\n",
    )
    .await;
    expect(&mut admin, &["ACL", "GETUSER", "bad"], b"$-1\r\n").await;
    expect(
        &mut admin,
        &["ACL", "SETUSER", "a b"],
        b"-ERR Usernames can't contain spaces or null characters\r\n",
    )
    .await;
    expect(
        &mut admin,
        &["ACL", "DELUSER", "default"],
        b"-ERR The 'default' user cannot be removed\r\n",
    )
    .await;
    expect(
        &mut admin,
        &["ACL", "LOAD"],
        b"-ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.\r\n",
    )
    .await;
    expect(
        &mut admin,
        &["ACL", "CAT", "nosuch"],
        b"-ERR Unknown category 'nosuch'\r\n",
    )
    .await;
    let cats = reply(&mut admin, &["ACL", "CAT"]).await;
    assert!(
        cats.starts_with("*21\r\n$8\r\nkeyspace\r\n$4\r\nread\r\n"),
        "{cats}"
    );
    let dangerous = reply(&mut admin, &["ACL", "CAT", "dangerous"]).await;
    assert!(
        dangerous.contains("$8\r\nflushall\r\n") && dangerous.contains("$10\r\nconfig|set\r\n"),
        "{dangerous}"
    );
    // COMMAND INFO shows the categories (and flags) as Redis 7.0.15 does.
    expect(
        &mut admin,
        &["COMMAND", "INFO", "auth"],
        b"*1\r\n*10\r\n$4\r\nauth\r\n:-2\r\n*6\r\n+noscript\r\n+loading\r\n+stale\r\n+fast\r\n\
          +no_auth\r\n+allow_busy\r\n:0\r\n:0\r\n:0\r\n*2\r\n+@fast\r\n+@connection\r\n*0\r\n\
          *0\r\n*0\r\n",
    )
    .await;
    let pass = reply(&mut admin, &["ACL", "GENPASS"]).await;
    assert!(pass.starts_with("$64\r\n"), "{pass}");
    let pass = reply(&mut admin, &["ACL", "GENPASS", "5"]).await;
    assert!(pass.starts_with("$2\r\n"), "{pass}");

    tracing::info!("phase: commands and keys the user may not touch");
    let mut a = RawConn::connect(&gw).await;
    expect(&mut a, &["AUTH", "alice", "wrong"], WRONGPASS).await;
    expect(&mut a, &["AUTH", "alice", "pw"], b"+OK\r\n").await;
    expect(&mut a, &["ACL", "WHOAMI"], &noperm_cmd("acl|whoami")).await;
    expect(&mut a, &["GET", "foo1"], b"$-1\r\n").await;
    expect(&mut a, &["GET", "bar"], NOPERM_KEYS).await;
    expect(&mut a, &["SET", "foo1", "x"], &noperm_cmd("set")).await;
    expect(&mut a, &["HGET", "foo:h", "f"], b"$-1\r\n").await;
    expect(&mut a, &["HSET", "foo:h", "f", "v"], &noperm_cmd("hset")).await;
    expect(&mut a, &["CONFIG", "GET", "x"], &noperm_cmd("config|get")).await;
    // AUTH, HELLO, QUIT and RESET are always allowed.
    expect(&mut a, &["AUTH", "alice", "pw"], b"+OK\r\n").await;
    let info = reply(&mut admin, &["CLIENT", "LIST"]).await;
    assert!(info.contains("user=alice"), "{info}");
    let log = reply(&mut admin, &["ACL", "LOG", "2"]).await;
    assert!(
        log.starts_with("*2\r\n") && log.contains("$6\r\nobject\r\n$10\r\nconfig|get\r\n"),
        "{log}"
    );
    expect(
        &mut admin,
        &["ACL", "DRYRUN", "alice", "get", "foo"],
        b"+OK\r\n",
    )
    .await;
    expect(
        &mut admin,
        &["ACL", "DRYRUN", "alice", "get", "bar"],
        &bulk("This user has no permissions to access the 'bar' key"),
    )
    .await;
    expect(
        &mut admin,
        &["ACL", "DRYRUN", "alice", "set", "foo", "1"],
        &bulk("This user has no permissions to run the 'set' command"),
    )
    .await;
    expect(
        &mut admin,
        &["ACL", "DRYRUN", "nobody", "get", "x"],
        b"-ERR User 'nobody' not found\r\n",
    )
    .await;

    tracing::info!("phase: read and write key patterns, subcommands, first arguments");
    expect(
        &mut admin,
        &[
            "ACL",
            "SETUSER",
            "rw",
            "on",
            "nopass",
            "%R~r:*",
            "%W~w:*",
            "+@all",
            "-@dangerous",
            "+config|get",
            "-select",
            "+select|0",
            "+sort",
        ],
        b"+OK\r\n",
    )
    .await;
    let mut rw = RawConn::connect(&gw).await;
    expect(&mut rw, &["AUTH", "rw", "any"], b"+OK\r\n").await;
    expect(&mut rw, &["GET", "r:1"], b"$-1\r\n").await;
    expect(&mut rw, &["SET", "r:1", "v"], NOPERM_KEYS).await;
    expect(&mut rw, &["SET", "w:1", "v"], b"+OK\r\n").await;
    expect(&mut rw, &["SET", "w:1", "v", "GET"], NOPERM_KEYS).await;
    expect(&mut rw, &["GET", "w:1"], NOPERM_KEYS).await;
    expect(&mut rw, &["EXISTS", "w:1"], b":1\r\n").await;
    expect(&mut rw, &["LPUSH", "w:l", "a"], b":1\r\n").await;
    expect(
        &mut rw,
        &["CONFIG", "GET", "maxclients"],
        b"*2\r\n$10\r\nmaxclients\r\n$5\r\n10000\r\n",
    )
    .await;
    expect(
        &mut rw,
        &["CONFIG", "SET", "maxclients", "5"],
        &noperm_cmd("config|set"),
    )
    .await;
    let id = reply(&mut rw, &["CLIENT", "ID"]).await;
    assert!(id.starts_with(':'), "CLIENT ID is not @dangerous: {id}");
    expect(&mut rw, &["FLUSHALL"], &noperm_cmd("flushall")).await;
    expect(&mut rw, &["SELECT", "0"], b"+OK\r\n").await;
    expect(&mut rw, &["SELECT", "1"], &noperm_cmd("select")).await;
    expect(
        &mut rw,
        &["SORT", "r:1", "BY", "r:*"],
        b"-ERR BY option of SORT denied due to insufficient ACL permissions.\r\n",
    )
    .await;

    tracing::info!("phase: MULTI: a denied command aborts EXEC; rules changed before EXEC");
    expect(&mut a, &["MULTI"], &noperm_cmd("multi")).await;
    expect(
        &mut admin,
        &["ACL", "SETUSER", "alice", "+multi", "+exec", "+set"],
        b"+OK\r\n",
    )
    .await;
    expect(&mut a, &["MULTI"], b"+OK\r\n").await;
    expect(&mut a, &["GET", "bar"], NOPERM_KEYS).await;
    expect(
        &mut a,
        &["EXEC"],
        b"-EXECABORT Transaction discarded because of previous errors.\r\n",
    )
    .await;
    expect(&mut a, &["MULTI"], b"+OK\r\n").await;
    expect(&mut a, &["SET", "foo:m", "1"], b"+QUEUED\r\n").await;
    expect(&mut a, &["GET", "foo:m"], b"+QUEUED\r\n").await;
    expect(&mut admin, &["ACL", "SETUSER", "alice", "-set"], b"+OK\r\n").await;
    expect(
        &mut a,
        &["EXEC"],
        b"*2\r\n-NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: no permission to execute the command or subcommand\r\n$-1\r\n",
    )
    .await;

    tracing::info!("phase: ACL DELUSER closes the user's connections");
    expect(
        &mut admin,
        &["ACL", "DELUSER", "alice", "nobody"],
        b":1\r\n",
    )
    .await;
    assert!(a.wait_closed().await, "alice's connection must be closed");
    let mut again = RawConn::connect(&gw).await;
    expect(&mut again, &["AUTH", "alice", "pw"], WRONGPASS).await;
    // Deleting one's own user: the reply comes, then the connection closes.
    expect(
        &mut admin,
        &["ACL", "SETUSER", "self", "on", "nopass", "~*", "+@all"],
        b"+OK\r\n",
    )
    .await;
    let mut own = RawConn::connect(&gw).await;
    let mut req = resp_cmd(&[b"AUTH", b"self", b"x"]);
    req.extend_from_slice(&resp_cmd(&[b"ACL", b"DELUSER", b"self"]));
    req.extend_from_slice(&resp_cmd(&[b"PING"]));
    own.expect(&req, b"+OK\r\n:1\r\n").await;
    assert!(own.wait_closed().await);
    // CLIENT KILL USER closes the connections of a user.
    expect(
        &mut admin,
        &["CLIENT", "KILL", "USER", "nobody"],
        b"-ERR No such user 'nobody'\r\n",
    )
    .await;
    expect(
        &mut admin,
        &["ACL", "SETUSER", "kil", "on", "nopass", "+@all"],
        b"+OK\r\n",
    )
    .await;
    let mut k = RawConn::connect(&gw).await;
    expect(&mut k, &["AUTH", "kil", "x"], b"+OK\r\n").await;
    expect(&mut admin, &["CLIENT", "KILL", "USER", "kil"], b":1\r\n").await;
    assert!(
        k.wait_closed().await,
        "CLIENT KILL USER closes the connection"
    );
    // A user turned off keeps its open connections (Redis 7.0) but cannot log in again.
    expect(&mut rw, &["PING"], b"+PONG\r\n").await;
    expect(&mut admin, &["ACL", "SETUSER", "rw", "off"], b"+OK\r\n").await;
    expect(&mut rw, &["PING"], b"+PONG\r\n").await;
    expect(&mut again, &["AUTH", "rw", "x"], WRONGPASS).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_shared_by_gateways_and_kept_across_restarts() {
    let mut cluster = TestCluster::start(3).await.expect("cluster start");
    let gw1 = cluster.gateway_addr();
    let gw2 = cluster.spawn_gateway(&[]).await.expect("second gateway");

    tracing::info!("phase: requirepass and a user set through gateway 1 hold on gateway 2");
    let mut c1 = RawConn::connect(&gw1).await;
    expect(&mut c1, &["CONFIG", "SET", "requirepass", "p1"], b"+OK\r\n").await;
    expect(
        &mut c1,
        &["ACL", "SETUSER", "bob", "on", ">b0b", "~*", "+@all"],
        b"+OK\r\n",
    )
    .await;
    let mut c2 = RawConn::connect(&gw2.addr).await;
    poll_until(
        "gateway 2 requires the password",
        Duration::from_secs(10),
        || {
            let addr = gw2.addr.clone();
            async move {
                let mut c = RawConn::connect(&addr).await;
                c.send(&resp_cmd(&[b"PING"])).await;
                Ok((c.read_reply(NOAUTH.len()).await == NOAUTH).then_some(()))
            }
        },
    )
    .await
    .expect("requirepass reaches gateway 2");
    let mut fresh = RawConn::connect(&gw2.addr).await;
    expect(&mut fresh, &["GET", "x"], NOAUTH).await;
    expect(&mut fresh, &["AUTH", "p1"], b"+OK\r\n").await;
    expect(
        &mut fresh,
        &["CONFIG", "GET", "requirepass"],
        b"*2\r\n$11\r\nrequirepass\r\n$2\r\np1\r\n",
    )
    .await;
    expect(&mut c2, &["AUTH", "bob", "b0b"], b"+OK\r\n").await;
    expect(&mut c2, &["SET", "shared", "1"], b"+OK\r\n").await;

    tracing::info!("phase: a user changed on gateway 2 is checked so on gateway 1");
    expect(&mut fresh, &["ACL", "SETUSER", "bob", "-set"], b"+OK\r\n").await;
    let mut b1 = RawConn::connect(&gw1).await;
    expect(&mut b1, &["AUTH", "bob", "b0b"], b"+OK\r\n").await;
    expect(&mut b1, &["SET", "shared", "2"], &noperm_cmd("set")).await;
    expect(&mut c2, &["SET", "shared", "2"], &noperm_cmd("set")).await;

    tracing::info!("phase: ACL DELUSER on gateway 1 closes bob's connections on both gateways");
    expect(&mut c1, &["ACL", "DELUSER", "bob"], b":1\r\n").await;
    assert!(b1.wait_closed().await, "bob on gateway 1 closed");
    assert!(c2.wait_closed().await, "bob on gateway 2 closed");

    tracing::info!("phase: bootstrap settings of a new gateway only fill what is missing");
    let gw3 = cluster
        .spawn_gateway(&[
            "--requirepass",
            "other",
            "--user",
            "carol on >c4rol ~c:* +@read",
        ])
        .await
        .expect("third gateway");
    let mut c3 = RawConn::connect(&gw3.addr).await;
    expect(&mut c3, &["AUTH", "other"], WRONGPASS).await;
    poll_until("carol is created", Duration::from_secs(10), || {
        let addr = gw3.addr.clone();
        async move {
            let mut c = RawConn::connect(&addr).await;
            c.send(&resp_cmd(&[b"AUTH", b"carol", b"c4rol"])).await;
            Ok((c.read_reply(5).await == b"+OK\r\n").then_some(()))
        }
    })
    .await
    .expect("bootstrap user");
    drop(gw3);

    tracing::info!("phase: users and requirepass survive a snapshot and a full restart");
    expect(
        &mut c1,
        &["ACL", "SETUSER", "dave", "on", ">d", "~d:*", "+get"],
        b"+OK\r\n",
    )
    .await;
    for id in cluster.node_ids() {
        cluster.trigger_snapshot(id).await.expect("snapshot");
    }
    expect(
        &mut c1,
        &["ACL", "SETUSER", "erin", "on", ">e", "allkeys", "+@all"],
        b"+OK\r\n",
    )
    .await;
    drop(gw2);
    cluster.kill_all();
    cluster.kill_gateway();
    cluster.restart_all().await.expect("restart nodes");
    cluster.wait_for_leader().await.expect("leader");
    cluster.restart_gateway().await.expect("restart gateway");
    let mut after = RawConn::connect(&cluster.gateway_addr()).await;
    expect(&mut after, &["GET", "shared"], NOAUTH).await;
    expect(&mut after, &["AUTH", "p1"], b"+OK\r\n").await;
    expect(&mut after, &["GET", "shared"], &bulk("1")).await;
    let users = reply(&mut after, &["ACL", "USERS"]).await;
    assert_eq!(
        users,
        "*4\r\n$5\r\ncarol\r\n$4\r\ndave\r\n$7\r\ndefault\r\n$4\r\nerin\r\n",
        "{}",
        escape(users.as_bytes())
    );
    let mut d = RawConn::connect(&cluster.gateway_addr()).await;
    expect(&mut d, &["AUTH", "dave", "d"], b"+OK\r\n").await;
    expect(&mut d, &["GET", "d:1"], b"$-1\r\n").await;
    expect(&mut d, &["GET", "shared"], NOPERM_KEYS).await;
    expect(&mut d, &["AUTH", "erin", "e"], b"+OK\r\n").await;
    expect(&mut d, &["AUTH", "carol", "c4rol"], b"+OK\r\n").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_cli_and_redis_py_log_in() {
    let cluster = TestCluster::start(1).await.expect("cluster start");
    let addr = cluster.gateway_addr();
    let (host, port) = addr.rsplit_once(':').expect("host:port");
    let mut admin = RawConn::connect(&addr).await;
    expect(
        &mut admin,
        &["CONFIG", "SET", "requirepass", "clipw"],
        b"+OK\r\n",
    )
    .await;
    expect(
        &mut admin,
        &[
            "ACL",
            "SETUSER",
            "app",
            "on",
            ">apppw",
            "~app:*",
            "+@all",
            "-@dangerous",
        ],
        b"+OK\r\n",
    )
    .await;

    tracing::info!("phase: redis-cli with -a and with --user/--pass");
    let cli = |args: &[&str]| {
        let out = Command::new("redis-cli")
            .args(["-h", host, "-p", port, "--no-auth-warning"])
            .args(args)
            .output()
            .expect("redis-cli (run scripts/install-deps.sh)");
        assert!(out.status.success(), "{out:?}");
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    // Errors are followed by an empty line when redis-cli's output is not a terminal.
    assert_eq!(
        cli(&["GET", "app:k"]),
        "NOAUTH Authentication required.\n\n"
    );
    assert_eq!(cli(&["-a", "clipw", "SET", "app:k", "v1"]), "OK\n");
    // "AUTH failed: WRONGPASS …" goes to stderr.
    assert_eq!(
        cli(&["-a", "nope", "GET", "app:k"]),
        "NOAUTH Authentication required.\n\n"
    );
    assert_eq!(
        cli(&["--user", "app", "--pass", "apppw", "GET", "app:k"]),
        "v1\n"
    );
    assert_eq!(
        cli(&["--user", "app", "--pass", "apppw", "ACL", "WHOAMI"]),
        "app\n"
    );
    assert_eq!(
        cli(&["--user", "app", "--pass", "apppw", "GET", "other"]),
        "NOPERM this user has no permissions to access one of the keys used as arguments\n\n"
    );
    assert_eq!(
        cli(&["--user", "app", "--pass", "apppw", "-3", "GET", "app:k"]),
        "v1\n"
    );

    tracing::info!("phase: redis-py with a username and password, RESP2 and RESP3");
    let venv = std::env::var_os("TINYREDIS_PY_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_else(|| "/tmp".into()))
                .join(".cache/tinyredis-pyvenv")
        });
    let python = venv.join("bin/python");
    assert!(
        python.is_file(),
        "{} not found: run scripts/install-deps.sh",
        python.display()
    );
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tools/redis_py_auth_check.py");
    let out = Command::new(&python)
        .arg(&script)
        .args([host, port])
        .output()
        .expect("python");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "redis-py: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("protocol 2: ok") && stdout.contains("protocol 3: ok"),
        "{stdout}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gateway_that_never_reached_the_cluster_refuses_commands() {
    tinyredis_tests::init_tracing();
    // Until a gateway has the cluster's users it cannot tell who may run what: it answers
    // CLUSTERDOWN after the failover timeout rather than letting anyone in.
    let addr = tinyredis_tests::free_addr();
    let nowhere = tinyredis_tests::free_addr();
    let mut child = Command::new(tinyredis_tests::binary("tinyredis-gateway"))
        .args([
            "--listen",
            &addr,
            "--nodes",
            &nowhere,
            "--failover-timeout",
            "1",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn gateway");
    poll_until("the gateway listens", Duration::from_secs(20), || {
        let addr = addr.clone();
        async move { Ok(tokio::net::TcpStream::connect(&addr).await.ok().map(|_| ())) }
    })
    .await
    .expect("listening");
    let mut c = RawConn::connect(&addr).await;
    expect(
        &mut c,
        &["PING"],
        b"-CLUSTERDOWN no Raft leader reachable within 1s\r\n",
    )
    .await;
    expect(&mut c, &["QUIT"], b"+OK\r\n").await;
    let _ = child.kill();
    let _ = child.wait();
}
