//! Blocking commands end to end: BLPOP BRPOP BRPOPLPUSH BLMOVE BLMPOP BZPOPMIN BZPOPMAX BZMPOP
//! through a real gateway in front of three nodes, replies compared byte for byte with what
//! redis-server 7.0.15 sends: the immediate, served-after-blocking, timeout and WRONGTYPE paths,
//! argument errors, RESP3 shapes, first-come-first-served order, chained BLMOVEs served within the
//! push's own reply, MULTI, CLIENT UNBLOCK, INFO and CLIENT LIST, a client that leaves while
//! blocked, and a blocked client that outlives the leader.

use std::time::{Duration, Instant};

use tinyredis_tests::TestCluster;

use crate::types::{OK, Wire, bulk, err, int};

const NIL: &str = "$-1\r\n";
const NIL_ARRAY: &str = "*-1\r\n";
const NULL: &str = "_\r\n";
const WRONGTYPE: &str = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";

/// How long a reply that should come at once may take.
const SOON: Duration = Duration::from_secs(10);

/// An array of the given already-encoded replies.
fn arr(items: &[&str]) -> String {
    let mut out = format!("*{}\r\n", items.len());
    for item in items {
        out.push_str(item);
    }
    out
}

/// `[key, element]` of BLPOP and friends.
fn popped(key: &str, element: &str) -> String {
    arr(&[&bulk(key), &bulk(element)])
}

async fn start() -> (TestCluster, Wire) {
    let cluster = TestCluster::start(3).await.expect("cluster start");
    let w = Wire::connect(&cluster.gateway_addr()).await;
    (cluster, w)
}

/// Sends a blocking command on `c` (a connection of its own) and checks that it blocks.
async fn block(c: &mut Wire, w: &mut Wire, cmd: &str, blocked_before: usize) {
    let args: Vec<&str> = cmd.split(' ').collect();
    c.send(&args).await;
    wait_blocked(w, blocked_before + 1).await;
}

/// Waits until INFO reports `n` blocked clients.
async fn wait_blocked(w: &mut Wire, n: usize) {
    let deadline = Instant::now() + SOON;
    loop {
        if blocked_clients(w).await == n {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "blocked_clients did not become {n}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn blocked_clients(w: &mut Wire) -> usize {
    let info = w.value("INFO clients").await.text();
    info.lines()
        .find_map(|l| l.strip_prefix("blocked_clients:"))
        .expect("blocked_clients in INFO")
        .trim()
        .parse()
        .expect("a number")
}

/// The next reply on `c`, which must come within [`SOON`].
async fn next(c: &mut Wire) -> String {
    let reply = c.reply_within(SOON).await.expect("a reply");
    String::from_utf8_lossy(&reply).into_owned()
}

/// Asserts that nothing arrives on `c` for a while: it is still blocked.
async fn still_blocked(c: &mut Wire) {
    if let Some(reply) = c.reply_within(Duration::from_millis(300)).await {
        panic!(
            "expected no reply yet, got {}",
            String::from_utf8_lossy(&reply)
        );
    }
}

/// Each command's immediate, blocked-then-served, timeout and WRONGTYPE paths, and its argument
/// errors, in RESP2.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_command_served_timed_out_and_wrongtype() {
    let (cluster, mut w) = start().await;
    let addr = cluster.gateway_addr();
    let mut c = Wire::connect(&addr).await;
    w.check("SET str x", OK).await;

    // BLPOP / BRPOP.
    w.check("RPUSH l a b c", int(3)).await;
    c.check("BLPOP nokey l 0", popped("l", "a")).await;
    c.check("BRPOP l nokey 1", popped("l", "c")).await;
    block(&mut c, &mut w, "BLPOP l1 l2 0", 0).await;
    w.check("RPUSH l2 x y", int(2)).await;
    assert_eq!(next(&mut c).await, popped("l2", "x"));
    w.check("LRANGE l2 0 -1", arr(&[&bulk("y")])).await;
    block(&mut c, &mut w, "BRPOP l1 l2b 0", 0).await;
    w.check("LPUSH l1 p q", int(2)).await;
    assert_eq!(next(&mut c).await, popped("l1", "p"));
    let started = Instant::now();
    c.check("BLPOP empty 0.2", NIL_ARRAY).await;
    assert!(started.elapsed() >= Duration::from_millis(200));
    c.check("BRPOP empty 0.01", NIL_ARRAY).await;
    c.check("BLPOP nokey str 0", WRONGTYPE).await;
    c.check("BLPOP l -1", err("ERR timeout is negative")).await;
    c.check(
        "BLPOP l abc",
        err("ERR timeout is not a float or out of range"),
    )
    .await;
    c.check(
        "BLPOP l",
        err("ERR wrong number of arguments for 'blpop' command"),
    )
    .await;

    // BLMPOP.
    w.check("RPUSH m a b c d", int(4)).await;
    c.check(
        "BLMPOP 0 2 nokey m RIGHT COUNT 2",
        arr(&[&bulk("m"), &arr(&[&bulk("d"), &bulk("c")])]),
    )
    .await;
    block(&mut c, &mut w, "BLMPOP 0 2 m1 m2 LEFT COUNT 10", 0).await;
    w.check("RPUSH m2 1 2 3", int(3)).await;
    assert_eq!(
        next(&mut c).await,
        arr(&[&bulk("m2"), &arr(&[&bulk("1"), &bulk("2"), &bulk("3")])])
    );
    c.check("BLMPOP 0.05 1 m1 LEFT", NIL_ARRAY).await;
    c.check("BLMPOP 0 1 str LEFT", WRONGTYPE).await;
    c.check(
        "BLMPOP 0 0 m LEFT",
        err("ERR numkeys should be greater than 0"),
    )
    .await;
    c.check("BLMPOP 0 1 m UP", err("ERR syntax error")).await;
    c.check(
        "BLMPOP 0 1 m LEFT COUNT 0",
        err("ERR count should be greater than 0"),
    )
    .await;
    c.check("BLMPOP -1 1 m LEFT", err("ERR timeout is negative"))
        .await;

    // BRPOPLPUSH / BLMOVE.
    w.check("RPUSH src a b", int(2)).await;
    c.check("BRPOPLPUSH src dst 0", bulk("b")).await;
    c.check("BLMOVE src dst LEFT RIGHT 0", bulk("a")).await;
    w.check("LRANGE dst 0 -1", arr(&[&bulk("b"), &bulk("a")]))
        .await;
    block(&mut c, &mut w, "BLMOVE src dst RIGHT LEFT 0", 0).await;
    w.check("RPUSH src z", int(1)).await;
    assert_eq!(next(&mut c).await, bulk("z"));
    w.check("LRANGE dst 0 0", arr(&[&bulk("z")])).await;
    c.check("BRPOPLPUSH src dst 0.05", NIL_ARRAY).await;
    c.check("BRPOPLPUSH str dst 0", WRONGTYPE).await;
    // A wrong destination: at once when the source has elements, once served otherwise; the
    // element stays in the source.
    w.check("RPUSH src e", int(1)).await;
    c.check("BRPOPLPUSH src str 0", WRONGTYPE).await;
    w.check("DEL src", int(1)).await;
    block(&mut c, &mut w, "BLMOVE src str LEFT LEFT 0", 0).await;
    w.check("RPUSH src foo", int(1)).await;
    assert_eq!(next(&mut c).await, WRONGTYPE);
    w.check("LRANGE src 0 -1", arr(&[&bulk("foo")])).await;
    c.check("BLMOVE src dst UP LEFT 0", err("ERR syntax error"))
        .await;

    // BZPOPMIN / BZPOPMAX / BZMPOP.
    w.check("ZADD z 1 a 2.5 b 3 c", int(3)).await;
    c.check(
        "BZPOPMIN nokey z 0",
        arr(&[&bulk("z"), &bulk("a"), &bulk("1")]),
    )
    .await;
    c.check("BZPOPMAX z 0", arr(&[&bulk("z"), &bulk("c"), &bulk("3")]))
        .await;
    c.check(
        "BZMPOP 0 1 z MIN COUNT 5",
        arr(&[&bulk("z"), &arr(&[&arr(&[&bulk("b"), &bulk("2.5")])])]),
    )
    .await;
    block(&mut c, &mut w, "BZPOPMAX z1 z2 0", 0).await;
    w.check("ZADD z2 1 m 2 n", int(2)).await;
    assert_eq!(
        next(&mut c).await,
        arr(&[&bulk("z2"), &bulk("n"), &bulk("2")])
    );
    block(&mut c, &mut w, "BZMPOP 0 2 z9 z1 MIN COUNT 3", 0).await;
    w.check("ZADD z1 5 p", int(1)).await;
    assert_eq!(
        next(&mut c).await,
        arr(&[&bulk("z1"), &arr(&[&arr(&[&bulk("p"), &bulk("5")])])])
    );
    c.check("BZPOPMIN z1 0.05", NIL_ARRAY).await;
    c.check("BZMPOP 0.05 1 z1 MAX", NIL_ARRAY).await;
    c.check("BZPOPMIN str 0", WRONGTYPE).await;
    c.check("BZMPOP 0 2 nokey str MAX", WRONGTYPE).await;
    c.check("BZMPOP 0 1 z MAX MIN", err("ERR syntax error"))
        .await;
    c.check("BZPOPMAX z 1e4000", err("ERR timeout is negative"))
        .await;

    // A blocked list client ignores a sorted set on its key, and the reverse.
    block(&mut c, &mut w, "BLPOP k 0", 0).await;
    let mut c2 = Wire::connect(&addr).await;
    block(&mut c2, &mut w, "BZPOPMIN k 0", 1).await;
    w.check("ZADD k 7 m", int(1)).await;
    assert_eq!(
        next(&mut c2).await,
        arr(&[&bulk("k"), &bulk("m"), &bulk("7")])
    );
    still_blocked(&mut c).await;
    w.check("RPUSH k v", int(1)).await;
    assert_eq!(next(&mut c).await, popped("k", "v"));
    wait_blocked(&mut w, 0).await;
    c.finish().await;
    c2.finish().await;
    w.finish().await;
}

/// RESP3 replies: doubles for scores, `_` for the timeout's null.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resp3_shapes() {
    let (cluster, mut w) = start().await;
    let mut c = Wire::connect(&cluster.gateway_addr()).await;
    c.hello3().await;
    w.check("ZADD z 1 a 2.5 b", int(2)).await;
    c.check("BZPOPMIN z 0", arr(&[&bulk("z"), &bulk("a"), ",1\r\n"]))
        .await;
    c.check(
        "BZMPOP 0 1 z MAX COUNT 3",
        arr(&[&bulk("z"), &arr(&[&arr(&[&bulk("b"), ",2.5\r\n"])])]),
    )
    .await;
    c.check("BZPOPMIN z 0.05", NULL).await;
    c.check("BZMPOP 0.05 1 z MIN", NULL).await;
    c.check("BLPOP l 0.05", NULL).await;
    c.check("BLMPOP 0.05 1 l LEFT", NULL).await;
    c.check("BLMOVE l d LEFT LEFT 0.05", NULL).await;
    block(&mut c, &mut w, "BZPOPMAX z 0", 0).await;
    w.check("ZADD z 4 q", int(1)).await;
    assert_eq!(next(&mut c).await, arr(&[&bulk("z"), &bulk("q"), ",4\r\n"]));
    block(&mut c, &mut w, "BLPOP l 0", 0).await;
    w.check("RPUSH l v", int(1)).await;
    assert_eq!(next(&mut c).await, popped("l", "v"));
    c.finish().await;
}

/// Clients blocked on one key are served first come, first served; two chained BLMOVEs are both
/// served by the push before its reply arrives.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifo_and_chained_blmove() {
    let (cluster, mut w) = start().await;
    let addr = cluster.gateway_addr();
    let mut c1 = Wire::connect(&addr).await;
    let mut c2 = Wire::connect(&addr).await;
    let mut c3 = Wire::connect(&addr).await;

    block(&mut c1, &mut w, "BLPOP q 0", 0).await;
    block(&mut c2, &mut w, "BRPOP q 0", 1).await;
    block(&mut c3, &mut w, "BLPOP other q 0", 2).await;
    w.check("RPUSH q first", int(1)).await;
    assert_eq!(next(&mut c1).await, popped("q", "first"));
    still_blocked(&mut c2).await;
    w.check("RPUSH q second third", int(2)).await;
    assert_eq!(next(&mut c2).await, popped("q", "third"));
    assert_eq!(next(&mut c3).await, popped("q", "second"));
    w.check("EXISTS q", int(0)).await;
    wait_blocked(&mut w, 0).await;

    block(&mut c1, &mut w, "BLMOVE list1 list2 RIGHT LEFT 0", 0).await;
    block(&mut c2, &mut w, "BLMOVE list2 list3 LEFT RIGHT 0", 1).await;
    w.check("RPUSH list1 foo", int(1)).await;
    // Right after the push's reply, foo is already in list3.
    w.check("LRANGE list1 0 -1", "*0\r\n").await;
    w.check("LRANGE list2 0 -1", "*0\r\n").await;
    w.check("LRANGE list3 0 -1", arr(&[&bulk("foo")])).await;
    assert_eq!(next(&mut c1).await, bulk("foo"));
    assert_eq!(next(&mut c2).await, bulk("foo"));

    // Circular BRPOPLPUSH: the element comes back where it was pushed.
    block(&mut c1, &mut w, "BRPOPLPUSH ring1 ring2 0", 0).await;
    block(&mut c2, &mut w, "BRPOPLPUSH ring2 ring1 0", 1).await;
    w.check("RPUSH ring1 r", int(1)).await;
    w.check("LRANGE ring1 0 -1", arr(&[&bulk("r")])).await;
    w.check("LRANGE ring2 0 -1", "*0\r\n").await;
    assert_eq!(next(&mut c1).await, bulk("r"));
    assert_eq!(next(&mut c2).await, bulk("r"));

    // A key made ready by RENAME and by SORT … STORE.
    block(&mut c1, &mut w, "BLPOP foo 0", 0).await;
    w.check("LPUSH bob abc def hij", int(3)).await;
    w.check("RENAME bob foo", OK).await;
    assert_eq!(next(&mut c1).await, popped("foo", "hij"));
    block(&mut c1, &mut w, "BLPOP sorted 0", 0).await;
    w.check("LPUSH unsorted hello hola aguacate", int(3)).await;
    w.check("SORT unsorted ALPHA STORE sorted", int(3)).await;
    assert_eq!(next(&mut c1).await, popped("sorted", "aguacate"));
    c1.finish().await;
    c2.finish().await;
    c3.finish().await;
}

/// Inside MULTI blocking commands never block; a blocked client is served after EXEC, with what
/// the whole transaction left.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multi_exec() {
    let (cluster, mut w) = start().await;
    let mut c = Wire::connect(&cluster.gateway_addr()).await;
    w.check("LPUSH xlist foo bar", int(2)).await;
    w.check("MULTI", OK).await;
    for cmd in [
        "BLPOP xlist 0",
        "BRPOPLPUSH xlist t 0",
        "BLMOVE xlist t LEFT LEFT 0",
        "BLMPOP 0 1 xlist LEFT",
        "BZPOPMIN z 0",
    ] {
        w.check(cmd, "+QUEUED\r\n").await;
    }
    w.check(
        "EXEC",
        arr(&[
            &popped("xlist", "bar"),
            &bulk("foo"),
            NIL,
            NIL_ARRAY,
            NIL_ARRAY,
        ]),
    )
    .await;
    assert_eq!(blocked_clients(&mut w).await, 0);

    block(&mut c, &mut w, "BLPOP list 0", 0).await;
    w.check("MULTI", OK).await;
    w.check("LPUSH list a", "+QUEUED\r\n").await;
    w.check("LPUSH list b", "+QUEUED\r\n").await;
    w.check("LPUSH list c", "+QUEUED\r\n").await;
    w.check("EXEC", arr(&[&int(1), &int(2), &int(3)])).await;
    assert_eq!(next(&mut c).await, popped("list", "c"));

    // LPUSH then DEL in one transaction wakes nobody.
    block(&mut c, &mut w, "BLPOP list2 0", 0).await;
    w.check("MULTI", OK).await;
    w.check("LPUSH list2 a", "+QUEUED\r\n").await;
    w.check("DEL list2", "+QUEUED\r\n").await;
    w.check("EXEC", arr(&[&int(1), &int(1)])).await;
    still_blocked(&mut c).await;
    w.check("LPUSH list2 b", int(1)).await;
    assert_eq!(next(&mut c).await, popped("list2", "b"));
    c.finish().await;
}

/// CLIENT UNBLOCK, INFO blocked_clients, CLIENT LIST flags=b, a client leaving while blocked, and
/// replies queued before a blocking command in a pipeline.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unblock_info_and_disconnect() {
    let (cluster, mut w) = start().await;
    let addr = cluster.gateway_addr();
    let mut c = Wire::connect(&addr).await;
    let id = c.value("CLIENT ID").await.int();

    block(&mut c, &mut w, "BLPOP l 0", 0).await;
    let list = w.value(&format!("CLIENT LIST ID {id}")).await.text();
    assert!(list.contains(" flags=b "), "{list}");
    assert!(list.contains(" cmd=blpop "), "{list}");
    w.check(&format!("CLIENT UNBLOCK {id}"), int(1)).await;
    assert_eq!(next(&mut c).await, NIL_ARRAY);
    wait_blocked(&mut w, 0).await;
    let list = w.value(&format!("CLIENT LIST ID {id}")).await.text();
    assert!(list.contains(" flags=N "), "{list}");

    block(&mut c, &mut w, "BLMPOP 0 1 l RIGHT COUNT 1", 0).await;
    w.check(&format!("CLIENT UNBLOCK {id} TIMEOUT"), int(1))
        .await;
    assert_eq!(next(&mut c).await, NIL_ARRAY);

    block(&mut c, &mut w, "BZPOPMIN z 0", 0).await;
    w.check(&format!("CLIENT UNBLOCK {id} ERROR"), int(1)).await;
    assert_eq!(
        next(&mut c).await,
        err("UNBLOCKED client unblocked via CLIENT UNBLOCK")
    );
    let own = w.value("CLIENT ID").await.int();
    w.check(&format!("CLIENT UNBLOCK {own}"), int(0)).await;
    w.check(
        "CLIENT UNBLOCK asd",
        err("ERR value is not an integer or out of range"),
    )
    .await;
    w.check(
        &format!("CLIENT UNBLOCK {id} maybe"),
        err("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"),
    )
    .await;
    w.check(
        "CLIENT UNBLOCK",
        err("ERR wrong number of arguments for 'client|unblock' command"),
    )
    .await;

    // The timeout table: clients blocked with a timeout.
    block(&mut c, &mut w, "BLPOP l 100", 0).await;
    let info = w.value("INFO clients").await.text();
    assert!(info.contains("clients_in_timeout_table:1"), "{info}");
    w.check("RPUSH l served", int(1)).await;
    assert_eq!(next(&mut c).await, popped("l", "served"));

    // Replies to the commands before a blocking one in a pipeline come at once.
    c.send(&["SET", "k", "v"]).await;
    c.send(&["BLPOP", "l", "0"]).await;
    assert_eq!(next(&mut c).await, OK);
    wait_blocked(&mut w, 1).await;
    w.check("RPUSH l late", int(1)).await;
    assert_eq!(next(&mut c).await, popped("l", "late"));

    // A client that leaves while blocked takes nothing with it.
    let mut gone = Wire::connect(&addr).await;
    block(&mut gone, &mut w, "BLPOP dl 0", 0).await;
    drop(gone);
    wait_blocked(&mut w, 0).await;
    w.check("RPUSH dl x", int(1)).await;
    w.check("LRANGE dl 0 -1", arr(&[&bulk("x")])).await;
    // The same for a client killed while blocked.
    let mut killed = Wire::connect(&addr).await;
    let killed_id = killed.value("CLIENT ID").await.int();
    block(&mut killed, &mut w, "BRPOPLPUSH kl kdst 0", 0).await;
    w.check(&format!("CLIENT KILL ID {killed_id}"), int(1))
        .await;
    wait_blocked(&mut w, 0).await;
    w.check("RPUSH kl y", int(1)).await;
    w.check("LRANGE kl 0 -1", arr(&[&bulk("y")])).await;
    w.check("EXISTS kdst", int(0)).await;
    c.finish().await;
    w.finish().await;
}

/// A client blocked when the leader dies is still served: the waiter is replicated state, and
/// the gateway follows the new leader.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocked_client_survives_leader_change() {
    let (mut cluster, mut w) = start().await;
    let mut c = Wire::connect(&cluster.gateway_addr()).await;
    let mut t = Wire::connect(&cluster.gateway_addr()).await;
    block(&mut c, &mut w, "BLPOP jobs 0", 0).await;
    // A timeout that passes during the election still ends with the null.
    block(&mut t, &mut w, "BZPOPMIN never 3", 1).await;
    let leader = cluster.leader_id().await.expect("a leader");
    cluster.kill_node(leader);
    let new_leader = cluster.wait_for_leader().await.expect("a new leader");
    assert_ne!(new_leader, leader);
    w.check("RPUSH jobs j1 j2", int(2)).await;
    assert_eq!(next(&mut c).await, popped("jobs", "j1"));
    w.check("LRANGE jobs 0 -1", arr(&[&bulk("j2")])).await;
    assert_eq!(next(&mut t).await, NIL_ARRAY);
    wait_blocked(&mut w, 0).await;
    // And blocking keeps working with the new leader.
    block(&mut c, &mut w, "BLPOP jobs2 0", 0).await;
    w.check("RPUSH jobs2 j3", int(1)).await;
    assert_eq!(next(&mut c).await, popped("jobs2", "j3"));
    c.finish().await;
}

/// The waiters of a gateway that died stop taking data once their lease (15 s of log time)
/// passes, while those of a live gateway are renewed and stay blocked however long they wait.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiters_of_a_dead_gateway_expire() {
    let (cluster, mut w) = start().await;
    let mut live = Wire::connect(&cluster.gateway_addr()).await;
    block(&mut live, &mut w, "BLPOP live 0", 0).await;
    let extra = cluster.spawn_gateway(&[]).await.expect("second gateway");
    let mut orphan = Wire::connect(&extra.addr).await;
    let mut orphan2 = Wire::connect(&extra.addr).await;
    orphan.send(&["BLPOP", "orphan", "0"]).await;
    orphan2.send(&["BLPOP", "orphan", "0"]).await;
    let mut probe = Wire::connect(&extra.addr).await;
    wait_blocked(&mut probe, 2).await;
    // SIGKILL: the gateway cannot unblock its clients.
    drop(extra);
    drop((orphan, orphan2, probe));
    // Until their lease passes, the dead gateway's waiters are still served (the element is
    // lost with them, as it would be with a Redis client that died after being served).
    w.check("RPUSH orphan taken", int(1)).await;
    w.check("EXISTS orphan", int(0)).await;
    tokio::time::sleep(Duration::from_secs(17)).await;
    w.check("RPUSH orphan kept", int(1)).await;
    w.check("LRANGE orphan 0 -1", arr(&[&bulk("kept")])).await;
    w.check("RPUSH live served", int(1)).await;
    assert_eq!(next(&mut live).await, popped("live", "served"));
    live.finish().await;
}
