"""redis-py against a tinyredis gateway, with RESP2 and RESP3 connections.

Usage: python redis_py_check.py HOST PORT
Run by tests/it/tools.rs with the redis-py that scripts/install-deps.sh installs from PyPI.
Exits non-zero (with a traceback) on the first mismatch. Pub/Sub is not implemented by
tinyredis, so it is skipped here on purpose (and said so on stdout).
"""

import os
import sys

import redis


def check(protocol: int, host: str, port: int) -> None:
    r = redis.Redis(host=host, port=port, protocol=protocol, decode_responses=True)
    p = f"py{protocol}:{os.getpid()}:"
    assert r.ping() is True
    assert r.execute_command("HELLO", protocol)  # the handshake works again mid-connection

    # Strings and keys.
    assert r.set(p + "s", "v") is True
    assert r.get(p + "s") == "v"
    assert r.incrby(p + "n", 5) == 5
    assert r.set(p + "t", "x", ex=100) is True
    assert 0 < r.ttl(p + "t") <= 100
    assert r.exists(p + "s", p + "missing") == 1
    assert r.type(p + "s") == "string"
    assert r.get(p + "missing") is None

    # Collections.
    assert r.rpush(p + "l", "a", "b", "c") == 3
    assert r.lrange(p + "l", 0, -1) == ["a", "b", "c"]
    assert r.hset(p + "h", mapping={"f1": "1", "f2": "2"}) == 2
    assert r.hgetall(p + "h") == {"f1": "1", "f2": "2"}
    assert r.sadd(p + "set", "x", "y") == 2
    assert r.smembers(p + "set") == {"x", "y"}
    assert r.zadd(p + "z", {"a": 1.5, "b": 2}) == 2
    # redis-py gives tuples in RESP2 and two-element lists in RESP3 (the same as with Redis).
    pairs = [tuple(x) for x in r.zrange(p + "z", 0, -1, withscores=True)]
    assert pairs == [("a", 1.5), ("b", 2.0)], pairs
    assert r.zscore(p + "z", "a") == 1.5

    # Pipeline (no transaction) and MULTI/EXEC.
    pipe = r.pipeline(transaction=False)
    pipe.set(p + "pa", "1").incr(p + "pa").get(p + "pa")
    assert pipe.execute() == [True, 2, "2"]
    tx = r.pipeline(transaction=True)
    tx.incr(p + "tx").incr(p + "tx").get(p + "tx")
    assert tx.execute() == [1, 2, "2"]

    # SCAN through the whole keyspace of this protocol's keys.
    for i in range(120):
        r.set(f"{p}scan:{i}", i)
    found = set(r.scan_iter(match=p + "scan:*", count=17))
    assert found == {f"{p}scan:{i}" for i in range(120)}, len(found)

    # Server introspection the library exposes.
    info = r.info()
    assert info["redis_version"] == "7.0.15"
    assert info["loading"] == 0
    assert r.info("keyspace")["db0"]["keys"] >= 120
    assert r.dbsize() >= 120
    assert r.memory_usage(p + "s") > 0
    assert isinstance(r.slowlog_len(), int)
    assert r.client_setname("pycheck") is True
    assert r.client_getname() == "pycheck"
    assert r.echo("hi") == "hi"
    assert isinstance(r.lastsave(), object)
    r.close()


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    print("redis-py", redis.__version__)
    for protocol in (2, 3):
        check(protocol, host, port)
        print(f"protocol {protocol}: ok")
    print("skipped: pubsub (not implemented by tinyredis)")


if __name__ == "__main__":
    main()
