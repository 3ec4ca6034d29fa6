//! Apply determinism, exactly-once retries and snapshot round trips of the state machine.

use bytes::Bytes;
use tinyredis_common::Reply;

use crate::raft::Segment;

use super::*;

fn argv(words: &[&str]) -> Vec<Bytes> {
    words
        .iter()
        .map(|w| Bytes::copy_from_slice(w.as_bytes()))
        .collect()
}

fn commands(client_id: u64, seq: u64, time_ms: u64, cmds: &[&[&str]]) -> Request {
    Request {
        time_ms,
        seed: seq.wrapping_mul(7919),
        op: Op::Commands {
            client_id,
            seq,
            db: 0,
            commands: cmds.iter().map(|c| argv(c)).collect(),
        },
    }
}

/// A log with writes, expiries that pass between entries, a retried request, and a time that goes
/// backwards (a new leader with a slower clock).
fn log() -> Vec<Request> {
    vec![
        commands(
            1,
            1,
            1_000,
            &[
                &["SET", "a", "1"],
                &["INCR", "a"],
                &["SET", "t", "x", "PX", "500"],
            ],
        ),
        commands(
            2,
            1,
            1_100,
            &[&["MSET", "b", "2", "c", "3"], &["EXPIRE", "b", "1"]],
        ),
        commands(1, 2, 1_200, &[&["INCRBY", "a", "10"]]),
        // Retry of the previous request: must not add 10 again.
        commands(1, 2, 1_300, &[&["INCRBY", "a", "10"]]),
        // Time goes backwards: apply clamps it to 1_300.
        commands(3, 1, 900, &[&["SET", "d", "4", "EX", "100"]]),
        Request {
            time_ms: 2_500,
            seed: 0,
            op: Op::ExpireKeys {
                keys: vec![
                    (0, Bytes::from_static(b"t")),
                    (0, Bytes::from_static(b"b")),
                    (0, Bytes::from_static(b"a")),
                ],
            },
        },
        commands(
            2,
            2,
            2_600,
            &[&["INCR", "b"], &["DEL", "c", "nosuch"], &["PERSIST", "d"]],
        ),
    ]
}

fn apply_all(reqs: &[Request]) -> (SmState, Vec<Response>) {
    let mut state = SmState::default();
    let responses = reqs
        .iter()
        .enumerate()
        .map(|(i, r)| state.apply_request(i as u64 + 1, r))
        .collect();
    (state, responses)
}

#[test]
fn same_entries_give_same_state() {
    let (a, ra) = apply_all(&log());
    let (b, rb) = apply_all(&log());
    assert_eq!(ra, rb);
    assert_eq!(a.keyspace, b.keyspace);
    assert_eq!(a.sessions, b.sessions);
    assert_eq!(a.last_time_ms, b.last_time_ms);
}

#[test]
fn retry_is_applied_once() {
    let (state, responses) = apply_all(&log());
    assert_eq!(responses[2].replies, vec![Reply::Integer(12)]);
    assert_eq!(
        responses[3].replies,
        vec![Reply::Integer(12)],
        "a retry answers the first reply"
    );
    let db = state.keyspace.db(0).unwrap();
    assert!(
        db.get(b"a", u64::MAX).is_some(),
        "a has no expiry, ExpireKeys must not remove it"
    );
    // t expired at 1_500 and b at 2_100: both removed by the expiry entry at 2_500; INCR b starts
    // over; c was deleted. Left: a, b, d.
    assert_eq!(db.len(), 3);
    assert_eq!(responses[6].replies[0], Reply::Integer(1));
    assert_eq!(state.last_time_ms, 2_600);
}

#[test]
fn snapshot_round_trip_keeps_everything() {
    let (mut state, _) = apply_all(&log());
    state.last_applied = None;
    let dir = tempfile::TempDir::new().unwrap();
    let path = dir.path().join("snap.bin");
    write_snapshot_file(&state, &path).unwrap();
    let loaded = read_snapshot_file(&path).unwrap();
    assert_eq!(loaded.keyspace, state.keyspace);
    assert_eq!(loaded.sessions, state.sessions);
    assert_eq!(loaded.last_time_ms, state.last_time_ms);

    // Applying the rest of a log after a snapshot gives the same state as applying it all.
    let all = log();
    let (full, _) = apply_all(&all);
    let (mut half, _) = apply_all(&all[..4]);
    write_snapshot_file(&half, &path).unwrap();
    half = read_snapshot_file(&path).unwrap();
    for (i, r) in all.iter().enumerate().skip(4) {
        half.apply_request(i as u64 + 1, r);
    }
    assert_eq!(half.keyspace, full.keyspace);
    assert_eq!(half.sessions, full.sessions);
}

#[test]
fn corrupt_snapshot_is_an_error() {
    let dir = tempfile::TempDir::new().unwrap();
    let path = dir.path().join("snap.bin");
    std::fs::write(&path, b"TRSNAP01\xff\xff\xff\xff\xff\xff\xff\xff").unwrap();
    assert!(read_snapshot_file(&path).is_err());
    std::fs::write(&path, b"garbage").unwrap();
    assert!(read_snapshot_file(&path).is_err());
}

#[test]
fn random_replies_inside_writes_are_the_same_on_every_replica() {
    let members: Vec<String> = (0..200).map(|i| format!("m{i}")).collect();
    let mut sadd: Vec<&str> = vec!["SADD", "s"];
    sadd.extend(members.iter().map(String::as_str));
    let entries = vec![
        commands(
            7,
            1,
            1_000,
            &[&sadd, &["HSET", "h", "a", "1", "b", "2", "c", "3"]],
        ),
        // A MULTI block: reads with random replies applied from the log.
        commands(
            7,
            2,
            1_100,
            &[
                &["SRANDMEMBER", "s", "5"],
                &["HRANDFIELD", "h", "-4"],
                &["RANDOMKEY"],
                &["SPOP", "s", "3"],
            ],
        ),
    ];
    let (a, ra) = apply_all(&entries);
    let (b, rb) = apply_all(&entries);
    assert_eq!(ra, rb);
    assert_eq!(a.sessions, b.sessions);
    assert_eq!(a.keyspace, b.keyspace);
}

#[test]
fn acl_users_survive_a_snapshot_and_older_formats_load() {
    let mut state = SmState::default();
    let req = commands(
        0,
        0,
        1_000,
        &[&[
            "acl",
            "setuser",
            "alice",
            "on",
            "#5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8",
            "~k*",
            "+get",
        ]],
    );
    let resp = state.apply_request(5, &req);
    assert_eq!(resp.replies, vec![Reply::Ok]);
    assert_eq!(state.settings.version, 5);
    let dir = tempfile::TempDir::new().unwrap();
    let path = dir.path().join("snap.bin");
    write_snapshot_file(&state, &path).unwrap();
    let loaded = read_snapshot_file(&path).unwrap();
    assert_eq!(loaded.settings, state.settings);
    assert!(
        loaded
            .settings
            .user(b"alice")
            .unwrap()
            .check_password(b"password")
    );

    // A snapshot written before ACL users (TRSNAP02) loads with the settings it had.
    let mut config = BTreeMap::new();
    config.insert("maxmemory".to_string(), "7".to_string());
    let header = codec::encode(&SnapshotHeaderV2 {
        last_log_id: None,
        last_membership: state.last_membership.clone(),
        last_time_ms: 9,
        sessions: Sessions::default(),
        settings: ClusterSettingsV1 { version: 3, config },
    })
    .unwrap();
    let mut bytes = SNAPSHOT_MAGIC_V2.to_vec();
    bytes.extend_from_slice(&(header.len() as u64).to_le_bytes());
    bytes.extend_from_slice(&header);
    let mut ks = Vec::new();
    Keyspace::default().write_to(&mut ks).unwrap();
    bytes.extend_from_slice(&ks);
    std::fs::write(&path, &bytes).unwrap();
    let old = read_snapshot_file(&path).unwrap();
    assert_eq!(old.settings.version, 3);
    assert_eq!(old.settings.get("maxmemory"), Some("7"));
    assert!(old.settings.users.is_empty());
    assert_eq!(old.last_time_ms, 9);
}

/// The segments of the [`Commands`](Op::Commands) entries of `reqs`, as one batch entry at `time_ms`.
fn batch_of(reqs: &[Request], time_ms: u64) -> Request {
    let segments = reqs
        .iter()
        .map(|r| match &r.op {
            Op::Commands {
                client_id,
                seq,
                db,
                commands,
            } => Segment {
                client_id: *client_id,
                seq: *seq,
                db: *db,
                commands: commands.clone(),
                transaction: false,
            },
            other => panic!("not a segment: {other:?}"),
        })
        .collect();
    Request {
        time_ms,
        seed: 42,
        op: Op::Batch { segments },
    }
}

#[test]
fn a_batch_applies_its_segments_as_separate_entries_would() {
    let separate = vec![
        commands(1, 1, 1_000, &[&["SET", "a", "1"], &["INCR", "a"]]),
        commands(2, 1, 1_000, &[&["RPUSH", "l", "x", "y"], &["INCR", "a"]]),
        commands(3, 1, 1_000, &[&["LPUSH", "a", "z"], &["GET", "a"]]),
        // The same client's retry inside the same batch answers from memory.
        commands(1, 1, 1_000, &[&["SET", "a", "1"], &["INCR", "a"]]),
    ];
    let (one_by_one, replies) = apply_all(&separate);
    let (batched, batch_replies) = apply_all(&[batch_of(&separate, 1_000)]);
    assert_eq!(batched.keyspace, one_by_one.keyspace);
    assert!(batch_replies[0].replies.is_empty());
    let expected: Vec<Vec<Reply>> = replies.into_iter().map(|r| r.replies).collect();
    assert_eq!(batch_replies[0].segments, expected);
    assert_eq!(
        expected[2][0].clone(),
        Reply::Error(tinyredis_common::ReplyError::WrongType)
    );

    // A retry of a batched segment, in a later entry of its own, is not applied again.
    let mut state = batched;
    let before = state.keyspace.clone();
    let retry = commands(2, 1, 1_100, &[&["RPUSH", "l", "x", "y"], &["INCR", "a"]]);
    let resp = state.apply_request(2, &retry);
    assert_eq!(resp.replies, expected[1]);
    assert_eq!(state.keyspace, before, "the retry changed nothing");
}
