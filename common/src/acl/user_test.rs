//! Rules, descriptions and checks, compared with what Redis 7.0.15 answers for the same rules.

use super::*;
use crate::acl::hash_password;
use crate::command::{lookup, resolve};

fn user(rules: &str) -> User {
    let mut u = User::new();
    let args: Vec<&str> = rules.split(' ').filter(|a| !a.is_empty()).collect();
    u.set_rules(&args).expect("valid rules");
    u
}

fn describe(u: &User) -> String {
    String::from_utf8(u.describe()).unwrap()
}

fn check(u: &User, line: &str) -> Result<(), Denied> {
    let argv: Vec<&[u8]> = line.split(' ').map(str::as_bytes).collect();
    let spec = lookup(argv[0]).expect("command");
    let target = resolve(spec, &argv).expect("resolves");
    u.check(target, &argv)
}

#[test]
fn descriptions_match_redis() {
    assert_eq!(describe(&User::default_user()), "on nopass ~* &* +@all");
    assert_eq!(describe(&User::new()), "off resetchannels -@all");
    assert_eq!(
        describe(&user("reset")),
        "off sanitize-payload resetchannels -@all"
    );
    assert_eq!(
        describe(&user("on >pw ~foo* +get +@hash -hset")),
        format!(
            // Redis lists single commands in its command dict's order; tinyredis in table order.
            "on #{} ~foo* resetchannels -@all +@hash +get -hset",
            hash_password(b"pw")
        )
    );
    assert_eq!(
        describe(&user(
            "%RW~a* %R~b* %W~c* %R~c* &ch1 &ch2 +select|0 +select|1 +select|0 +SELECT|1"
        )),
        "off ~a* %R~b* ~c* resetchannels &ch1 &ch2 -@all +select|0 +select|1"
    );
    assert_eq!(
        describe(&user("+config -config|set (~x* +get)")),
        "off resetchannels -@all +config -config|set (~x* resetchannels -@all +get)"
    );
    assert_eq!(
        describe(&user("on nopass allkeys allchannels allcommands")),
        "on nopass ~* &* +@all"
    );
    assert_eq!(describe(&user("%R")), "off %R~ resetchannels -@all");
}

#[test]
fn errors_match_redis() {
    let err = |rules: &[&str]| User::new().set_rules(rules).unwrap_err().to_string();
    assert_eq!(
        err(&["%~foo"]),
        "Error in ACL SETUSER modifier '%~foo': Syntax error"
    );
    assert_eq!(
        err(&["+nosuch"]),
        "Error in ACL SETUSER modifier '+nosuch': Unknown command or category name in ACL"
    );
    assert_eq!(
        err(&["+@nosuch"]),
        "Error in ACL SETUSER modifier '+@nosuch': Unknown command or category name in ACL"
    );
    assert_eq!(
        err(&["~*", "~foo"]),
        "Error in ACL SETUSER modifier '~foo': Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns"
    );
    assert_eq!(
        err(&["&*", "&foo"]),
        "Error in ACL SETUSER modifier '&foo': Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels"
    );
    assert_eq!(
        err(&["<nope"]),
        "Error in ACL SETUSER modifier '<nope': The password you are trying to remove from the user does not exist"
    );
    assert_eq!(
        err(&["#abc"]),
        "Error in ACL SETUSER modifier '#abc': The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters"
    );
    assert_eq!(
        err(&["+config|get|x"]),
        "Error in ACL SETUSER modifier '+config|get|x': Allowing first-arg of a subcommand is not supported"
    );
    assert_eq!(
        err(&["+config|nosuch"]),
        "Error in ACL SETUSER modifier '+config|nosuch': Unknown command or category name in ACL"
    );
    assert_eq!(
        err(&["-select|0"]),
        "Error in ACL SETUSER modifier '-select|0': Unknown command or category name in ACL"
    );
    assert_eq!(
        err(&["+select|"]),
        "Error in ACL SETUSER modifier '+select|': Syntax error"
    );
    assert_eq!(
        err(&["bogus"]),
        "Error in ACL SETUSER modifier 'bogus': Syntax error"
    );
    assert_eq!(
        err(&["(~x", "+get"]),
        "Unmatched parenthesis in acl selector starting at '(~x'."
    );
    assert_eq!(
        err(&["(~x +nosuch)"]),
        "Error in ACL SETUSER modifier '(~x +nosuch)': Unknown command or category name in ACL"
    );
}

#[test]
fn set_rules_is_all_or_nothing() {
    let mut u = user("on >a ~k +get");
    let before = u.clone();
    assert!(u.set_rules(&["+set", "+nosuch"]).is_err());
    assert_eq!(u, before);
}

#[test]
fn passwords() {
    let mut u = user("on >secret >other");
    assert!(u.check_password(b"secret") && u.check_password(b"other"));
    assert!(!u.check_password(b"nope"));
    u.set_rules(&["<secret"]).unwrap();
    assert!(!u.check_password(b"secret"));
    u.set_rules(&["off"]).unwrap();
    assert!(!u.check_password(b"other"));
    let u = user("on nopass");
    assert!(u.check_password(b"anything"));
    let u = user("on nopass >x");
    assert!(!u.is_nopass() && u.check_password(b"x") && !u.check_password(b"y"));
    let u = user("on >x resetpass");
    assert!(!u.check_password(b"x"));
}

#[test]
fn command_and_key_checks() {
    let u = user("on nopass ~foo* +get +@hash -hset");
    assert_eq!(check(&u, "get foo1"), Ok(()));
    assert_eq!(check(&u, "get bar"), Err(Denied::Key(1)));
    assert_eq!(check(&u, "set foo1 x"), Err(Denied::Command));
    assert_eq!(check(&u, "hget foo h"), Ok(()));
    assert_eq!(check(&u, "hset foo h v"), Err(Denied::Command));
    // AUTH, HELLO, QUIT and RESET need no permission.
    assert_eq!(check(&u, "auth x"), Ok(()));

    let rw = user("on %R~r* %W~w* ~a* +@all");
    assert_eq!(check(&rw, "get r1"), Ok(()));
    assert_eq!(check(&rw, "set r1 v"), Err(Denied::Key(1)));
    assert_eq!(check(&rw, "set w1 v"), Ok(()));
    assert_eq!(check(&rw, "set w1 v get"), Err(Denied::Key(1)));
    assert_eq!(check(&rw, "get w1"), Err(Denied::Key(1)));
    // EXISTS does not read the value: any pattern allows it.
    assert_eq!(check(&rw, "exists w1 r1"), Ok(()));
    assert_eq!(check(&rw, "mget a1 r1 w1"), Err(Denied::Key(3)));
    assert_eq!(check(&rw, "copy r1 w1"), Ok(()));
    assert_eq!(check(&rw, "copy w1 r1"), Err(Denied::Key(1)));
    assert_eq!(check(&rw, "copy r1 r2"), Err(Denied::Key(2)));
}

#[test]
fn subcommands_categories_and_first_args() {
    let u = user("on nopass +@all -@dangerous");
    assert_eq!(check(&u, "client id"), Ok(()));
    assert_eq!(check(&u, "client kill 1.2.3.4:5"), Err(Denied::Command));
    assert_eq!(check(&u, "config get maxmemory"), Err(Denied::Command));
    assert_eq!(check(&u, "flushall"), Err(Denied::Command));
    let u = user("on nopass -@all +config|get");
    assert_eq!(check(&u, "config get x"), Ok(()));
    assert_eq!(check(&u, "config set x y"), Err(Denied::Command));
    let u = user("on nopass -@all +config -config|set");
    assert_eq!(check(&u, "config get x"), Ok(()));
    assert_eq!(check(&u, "config set x y"), Err(Denied::Command));
    let u = user("on nopass -@all +select|0");
    assert_eq!(check(&u, "select 0"), Ok(()));
    assert_eq!(check(&u, "select 1"), Err(Denied::Command));
    let u = user("on nopass -@all +@connection");
    assert_eq!(check(&u, "client id"), Ok(()));
    assert_eq!(check(&u, "ping"), Ok(()));
    assert_eq!(check(&u, "get x"), Err(Denied::Command));
}

#[test]
fn selectors_widen_permissions() {
    let u = user("on nopass ~a* +get (~b* +set)");
    assert_eq!(check(&u, "get a1"), Ok(()));
    assert_eq!(check(&u, "set b1 v"), Ok(()));
    assert_eq!(check(&u, "set a1 v"), Err(Denied::Key(1)));
    assert_eq!(check(&u, "get b1"), Err(Denied::Key(1)));
    assert_eq!(check(&u, "del a1"), Err(Denied::Command));
}

#[test]
fn rules_round_trip() {
    let cases = [
        "on >pw ~foo* %R~bar %W~baz &chan +@all -@dangerous +flushall -get +select|0",
        "off nopass -@all +@read -@hash +hget +client -client|kill (~x* +get) (%R~y* +@read)",
        "on skip-sanitize-payload allkeys allchannels -@all +config|get +select|1 +select|2",
        "reset on >a >b <a",
    ];
    for rules in cases {
        let u = user(rules);
        let stored = u.to_rules();
        let back = User::from_rules(&stored);
        assert_eq!(back, u, "{rules} -> {}", String::from_utf8_lossy(&stored));
        assert_eq!(back.describe(), u.describe());
    }
}

#[test]
fn stored_rules_stay_short() {
    let mut u = User::default_user();
    for _ in 0..100 {
        u.set_rules(&["-get", "+get", "+@hash", "-@hash", "+select|0"])
            .unwrap();
    }
    let stored = String::from_utf8(u.to_rules()).unwrap();
    assert_eq!(stored, "on nopass ~* &* +@all +select|0 +get -@hash");
}
