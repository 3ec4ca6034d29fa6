"""redis-py logging in to a tinyredis gateway with a username and password, RESP2 and RESP3.

Usage: python redis_py_auth_check.py HOST PORT
Run by tests/it/auth.rs after it set `requirepass clipw` and created the user `app` (password
`apppw`, keys `app:*`, every command but @dangerous ones). Exits non-zero (with a traceback) on
the first mismatch.
"""

import sys

import redis


def check(protocol: int, host: str, port: int) -> None:
    p = f"app:py{protocol}:"

    # Without credentials: NOAUTH on the first command.
    anon = redis.Redis(host=host, port=port, protocol=2, decode_responses=True)
    try:
        anon.get(p + "x")
        raise AssertionError("expected NOAUTH")
    except redis.exceptions.AuthenticationError as e:
        assert str(e) == "Authentication required.", e

    # Wrong password: the handshake fails (AUTH in RESP2, HELLO AUTH in RESP3).
    bad = redis.Redis(
        host=host, port=port, protocol=protocol, username="app", password="nope"
    )
    try:
        bad.ping()
        raise AssertionError("expected WRONGPASS")
    except redis.exceptions.AuthenticationError as e:
        assert "invalid username-password pair or user is disabled" in str(e), e

    # The default user with requirepass's password.
    d = redis.Redis(host=host, port=port, protocol=protocol, password="clipw",
                    decode_responses=True)
    assert d.ping() is True
    assert d.acl_whoami() == "default"

    r = redis.Redis(
        host=host,
        port=port,
        protocol=protocol,
        username="app",
        password="apppw",
        decode_responses=True,
    )
    assert r.ping() is True
    assert r.acl_whoami() == "app"
    assert r.set(p + "k", "v") is True
    assert r.get(p + "k") == "v"
    assert r.hset(p + "h", mapping={"a": "1"}) == 1
    assert r.hgetall(p + "h") == {"a": "1"}
    tx = r.pipeline(transaction=True)
    tx.incr(p + "n").incr(p + "n")
    assert tx.execute() == [1, 2]
    try:
        r.get("elsewhere")
        raise AssertionError("expected NOPERM")
    except redis.exceptions.NoPermissionError as e:
        assert "no permissions to access one of the keys" in str(e), e
    try:
        r.flushall()
        raise AssertionError("expected NOPERM")
    except redis.exceptions.NoPermissionError as e:
        assert "no permissions to run the 'flushall' command" in str(e), e
    # The admin view through the library's ACL helpers.
    user = d.acl_getuser("app")
    assert user["enabled"] is True, user
    assert "~app:*" in user["keys"], user
    assert "app" in d.acl_users()
    print(f"protocol {protocol}: ok")


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    for protocol in (2, 3):
        check(protocol, host, port)


if __name__ == "__main__":
    main()
