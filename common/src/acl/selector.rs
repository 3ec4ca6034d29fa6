//! One ACL selector: which commands, keys and channels it allows (Redis 7.0's `aclSelector`).

use std::collections::BTreeMap;

use super::{KEY_ALL, KEY_READ, KEY_WRITE, RuleError, has_spaces};
use crate::command::key_flags::{ACCESS, DELETE, INSERT, UPDATE};
use crate::command::{ACL_IDS, CATEGORIES, Category, KeyRef, Target, keys as command_keys};
use crate::glob::glob_match;

/// Words of a command bitmap.
const WORDS: usize = ACL_IDS.div_ceil(64);

/// A bitmap over ACL ids (see [`Target::acl_id`]).
type Bits = [u64; WORDS];

fn get_bit(bits: &Bits, id: usize) -> bool {
    bits[id / 64] & (1 << (id % 64)) != 0
}

fn set_bit(bits: &mut Bits, id: usize, on: bool) {
    if on {
        bits[id / 64] |= 1 << (id % 64);
    } else {
        bits[id / 64] &= !(1 << (id % 64));
    }
}

/// Sets a target's bit, and for a container its subcommands' bits too (`ACLChangeSelectorPerm`).
fn change_perm(bits: &mut Bits, target: Target, allow: bool) {
    set_bit(bits, target.acl_id(), allow);
    if let Target::Command(spec) = target {
        for sub in spec.subcommands() {
            set_bit(bits, Target::Subcommand(sub).acl_id(), allow);
        }
    }
}

/// Every target of a category, as Redis walks them: a command in the category (with all its
/// subcommands), then its subcommands that are in the category themselves.
fn category_targets(cat: Category) -> impl Iterator<Item = Target> {
    Target::all().filter(move |t| t.categories() & cat.bit() != 0)
}

/// Sets the bits of every command of a category (`ACLSetSelectorCommandBitsForCategory`).
fn change_category(bits: &mut Bits, cat: Category, allow: bool) {
    for t in category_targets(cat) {
        change_perm(bits, t, allow);
    }
}

/// Counts the targets of a category whose bit is set and clear.
fn count_category(bits: &Bits, cat: Category) -> (usize, usize) {
    let mut on = 0;
    let mut off = 0;
    for t in category_targets(cat) {
        if get_bit(bits, t.acl_id()) {
            on += 1;
        } else {
            off += 1;
        }
    }
    (on, off)
}

/// A key pattern with its permissions ([`KEY_READ`], [`KEY_WRITE`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPattern {
    /// [`KEY_READ`] and/or [`KEY_WRITE`].
    pub flags: u8,
    /// The glob.
    pub pattern: Vec<u8>,
}

impl KeyPattern {
    /// The pattern as a rule: `~p`, `%R~p` or `%W~p`.
    fn rule(&self) -> Vec<u8> {
        let mut out = match self.flags {
            KEY_READ => b"%R~".to_vec(),
            KEY_WRITE => b"%W~".to_vec(),
            _ => b"~".to_vec(),
        };
        out.extend_from_slice(&self.pattern);
        out
    }
}

/// A command rule, kept in order so the selector can be rebuilt by replaying them.
#[derive(Debug, Clone, PartialEq, Eq)]
enum CommandRule {
    /// `+name` or `-name` (a command, a container, or `container|sub`).
    Target { allow: bool, id: usize },
    /// `+@cat` or `-@cat`.
    Category { allow: bool, cat: Category },
    /// `+cmd|first-arg`.
    FirstArg { id: usize, arg: Vec<u8> },
}

impl CommandRule {
    fn text(&self) -> Vec<u8> {
        match self {
            CommandRule::Target { allow, id } => {
                let name = Target::from_acl_id(*id).map_or("", Target::full_name);
                format!("{}{name}", if *allow { '+' } else { '-' }).into_bytes()
            }
            CommandRule::Category { allow, cat } => {
                format!("{}@{}", if *allow { '+' } else { '-' }, cat.name()).into_bytes()
            }
            CommandRule::FirstArg { id, arg } => {
                let name = Target::from_acl_id(*id).map_or("", Target::full_name);
                let mut out = format!("+{name}|").into_bytes();
                out.extend_from_slice(arg);
                out
            }
        }
    }
}

/// Why a selector does not allow a call; ordered as Redis ranks them (a key denial is more
/// relevant than a command denial).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Denial {
    /// The command is not allowed.
    Command,
    /// The key at this argument position is not allowed.
    Key(usize),
}

/// Which commands, keys and channels a selector allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selector {
    allkeys: bool,
    patterns: Vec<KeyPattern>,
    allchannels: bool,
    channels: Vec<Vec<u8>>,
    /// Set by `+@all`: the selector also allows commands added to the table later (Redis's
    /// reserved "future commands" bit).
    future: bool,
    bits: Bits,
    /// First arguments allowed for commands whose bit is clear (`+select|0`), by ACL id.
    firstargs: BTreeMap<usize, Vec<Vec<u8>>>,
    /// The command rules since the last `+@all`/`-@all`, deduplicated; see [`Selector::to_rules`].
    rules: Vec<CommandRule>,
}

impl Default for Selector {
    fn default() -> Selector {
        Selector::new()
    }
}

impl Selector {
    /// A selector that allows nothing (Redis 7.0's default `acl-pubsub-default resetchannels`).
    pub fn new() -> Selector {
        Selector {
            allkeys: false,
            patterns: Vec::new(),
            allchannels: false,
            channels: Vec::new(),
            future: false,
            bits: [0; WORDS],
            firstargs: BTreeMap::new(),
            rules: Vec::new(),
        }
    }

    /// Returns true when every key is allowed (`allkeys`).
    pub fn allkeys(&self) -> bool {
        self.allkeys
    }

    /// Returns true when every command of the table is allowed and no key or channel rule
    /// restricts anything: checks can be skipped.
    pub fn unrestricted(&self) -> bool {
        self.allkeys && self.bits.iter().all(|&w| w == u64::MAX)
    }

    /// Returns true when the selector allows running `target` (ignoring keys).
    pub fn allows_target(&self, target: Target) -> bool {
        get_bit(&self.bits, target.acl_id())
    }

    /// Applies one selector rule (`ACLSetSelector`).
    pub fn apply(&mut self, op: &[u8]) -> Result<(), RuleError> {
        if op.is_empty() {
            return Ok(());
        }
        let is = |word: &str| op.eq_ignore_ascii_case(word.as_bytes());
        if is("allkeys") || is("~*") {
            self.allkeys = true;
            self.patterns.clear();
        } else if is("resetkeys") {
            self.allkeys = false;
            self.patterns.clear();
        } else if is("allchannels") || is("&*") {
            self.allchannels = true;
            self.channels.clear();
        } else if is("resetchannels") {
            self.allchannels = false;
            self.channels.clear();
        } else if is("allcommands") || is("+@all") {
            self.bits = [u64::MAX; WORDS];
            self.future = true;
            self.firstargs.clear();
            self.rules.clear();
        } else if is("nocommands") || is("-@all") {
            self.bits = [0; WORDS];
            self.future = false;
            self.firstargs.clear();
            self.rules.clear();
        } else if op[0] == b'~' || op[0] == b'%' {
            self.add_key_pattern(op)?;
        } else if op[0] == b'&' {
            if self.allchannels {
                return Err(RuleError::PatternAfterAllChannels);
            }
            let pattern = &op[1..];
            if has_spaces(pattern) {
                return Err(RuleError::Syntax);
            }
            if !self.channels.iter().any(|c| c == pattern) {
                self.channels.push(pattern.to_vec());
            }
        } else if op.len() >= 2 && (op[0] == b'+' || op[0] == b'-') && op[1] == b'@' {
            let cat = Category::lookup(&op[2..]).ok_or(RuleError::UnknownCommand)?;
            let allow = op[0] == b'+';
            change_category(&mut self.bits, cat, allow);
            for t in category_targets(cat) {
                self.firstargs.remove(&t.acl_id());
            }
            self.record(CommandRule::Category { allow, cat });
        } else if op[0] == b'+' {
            self.allow_command(&op[1..])?;
        } else if op[0] == b'-' {
            let target = Target::lookup(&op[1..]).ok_or(RuleError::UnknownCommand)?;
            self.change_target(target, false);
        } else {
            return Err(RuleError::Syntax);
        }
        Ok(())
    }

    /// `~pattern`, `%R~pattern`, `%W~pattern`, `%RW~pattern`.
    fn add_key_pattern(&mut self, op: &[u8]) -> Result<(), RuleError> {
        if self.allkeys {
            return Err(RuleError::PatternAfterAllKeys);
        }
        let (flags, pattern) = if op[0] == b'%' {
            let mut flags = 0;
            let mut offset = 1;
            while offset < op.len() {
                let c = op[offset].to_ascii_uppercase();
                if c == b'R' && flags & KEY_READ == 0 {
                    flags |= KEY_READ;
                } else if c == b'W' && flags & KEY_WRITE == 0 {
                    flags |= KEY_WRITE;
                } else if op[offset] == b'~' {
                    offset += 1;
                    break;
                } else {
                    return Err(RuleError::Syntax);
                }
                offset += 1;
            }
            // `%~pattern` grants nothing: Redis refuses it too.
            if flags == 0 {
                return Err(RuleError::Syntax);
            }
            (flags, &op[offset.min(op.len())..])
        } else {
            (KEY_ALL, &op[1..])
        };
        if has_spaces(pattern) {
            return Err(RuleError::Syntax);
        }
        match self.patterns.iter_mut().find(|p| p.pattern == pattern) {
            Some(existing) => existing.flags |= flags,
            None => self.patterns.push(KeyPattern {
                flags,
                pattern: pattern.to_vec(),
            }),
        }
        Ok(())
    }

    /// `+name`, `+container|sub`, `+command|first-arg`.
    fn allow_command(&mut self, name: &[u8]) -> Result<(), RuleError> {
        let Some(bar) = name.iter().rposition(|&b| b == b'|') else {
            let target = Target::lookup(name).ok_or(RuleError::UnknownCommand)?;
            self.change_target(target, true);
            return Ok(());
        };
        let base = Target::lookup(&name[..bar]).ok_or(RuleError::UnknownCommand)?;
        if base.is_subcommand() {
            return Err(RuleError::FirstArgOfSubcommand);
        }
        let arg = &name[bar + 1..];
        if arg.is_empty() {
            return Err(RuleError::Syntax);
        }
        if !base.command().subcommands().is_empty() {
            let target = Target::lookup(name).ok_or(RuleError::UnknownCommand)?;
            self.change_target(target, true);
            return Ok(());
        }
        let id = base.acl_id();
        let list = self.firstargs.entry(id).or_default();
        if !list.iter().any(|a| a.eq_ignore_ascii_case(arg)) {
            list.push(arg.to_vec());
            self.record(CommandRule::FirstArg {
                id,
                arg: arg.to_vec(),
            });
        }
        Ok(())
    }

    fn change_target(&mut self, target: Target, allow: bool) {
        change_perm(&mut self.bits, target, allow);
        self.firstargs.remove(&target.acl_id());
        self.record(CommandRule::Target {
            allow,
            id: target.acl_id(),
        });
    }

    /// Appends a command rule to the replay list, dropping earlier rules it fully overrides.
    fn record(&mut self, rule: CommandRule) {
        match &rule {
            CommandRule::Target { id, .. } => {
                let target = Target::from_acl_id(*id);
                let container_of = |other: usize| {
                    matches!((target, Target::from_acl_id(other)),
                        (Some(Target::Command(c)), Some(Target::Subcommand(s))) if s.parent == c.id)
                };
                self.rules.retain(|r| match r {
                    CommandRule::Target { id: other, .. } => *other != *id && !container_of(*other),
                    CommandRule::FirstArg { id: other, .. } => *other != *id,
                    CommandRule::Category { .. } => true,
                });
            }
            CommandRule::Category { cat, .. } => {
                self.rules.retain(
                    |r| !matches!(r, CommandRule::Category { cat: other, .. } if other == cat),
                );
            }
            CommandRule::FirstArg { .. } => {}
        }
        self.rules.push(rule);
    }

    /// The rules that rebuild this selector from [`Selector::new`]: keys, channels, then
    /// `+@all`/`-@all` and the command rules given since.
    pub fn to_rules(&self) -> Vec<Vec<u8>> {
        let mut out = self.key_and_channel_rules();
        out.push(if self.future {
            b"+@all".to_vec()
        } else {
            b"-@all".to_vec()
        });
        out.extend(self.rules.iter().map(CommandRule::text));
        out
    }

    fn key_and_channel_rules(&self) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        if self.allkeys {
            out.push(b"~*".to_vec());
        } else {
            out.extend(self.patterns.iter().map(KeyPattern::rule));
        }
        if self.allchannels {
            out.push(b"&*".to_vec());
        } else {
            out.push(b"resetchannels".to_vec());
            for c in &self.channels {
                let mut rule = b"&".to_vec();
                rule.extend_from_slice(c);
                out.push(rule);
            }
        }
        out
    }

    /// The selector as `ACL LIST` shows it (`ACLDescribeSelector`): keys, channels, commands.
    pub fn describe(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for rule in self.key_and_channel_rules() {
            out.extend_from_slice(&rule);
            out.push(b' ');
        }
        out.extend_from_slice(&self.describe_commands());
        out
    }

    /// The `keys` field of ACL GETUSER: `~*`, or the patterns separated by spaces.
    pub fn describe_keys(&self) -> Vec<u8> {
        if self.allkeys {
            return b"~*".to_vec();
        }
        self.patterns
            .iter()
            .map(KeyPattern::rule)
            .collect::<Vec<_>>()
            .join(&b' ')
    }

    /// The `channels` field of ACL GETUSER: `&*`, or the patterns separated by spaces.
    pub fn describe_channels(&self) -> Vec<u8> {
        if self.allchannels {
            return b"&*".to_vec();
        }
        self.channels
            .iter()
            .map(|c| {
                let mut rule = b"&".to_vec();
                rule.extend_from_slice(c);
                rule
            })
            .collect::<Vec<_>>()
            .join(&b' ')
    }

    /// The command rules as Redis 7.0 describes them (`ACLDescribeSelectorCommandRules`): from
    /// `+@all` or `-@all`, the categories that best approach the bitmap, picked greedily, then
    /// single commands to make it exact, then allowed first arguments.
    pub fn describe_commands(&self) -> Vec<u8> {
        let additive = !self.future;
        let mut rules: Vec<Vec<u8>> = Vec::new();
        let mut fake: Bits = if additive {
            rules.push(b"-@all".to_vec());
            [0; WORDS]
        } else {
            rules.push(b"+@all".to_vec());
            [u64::MAX; WORDS]
        };
        let mut temp = self.bits;
        let mut applied = [false; CATEGORIES.len()];
        loop {
            let mut best = None;
            let mut min_diff = usize::MAX;
            let mut max_same = 0;
            for (j, &cat) in CATEGORIES.iter().enumerate() {
                if applied[j] {
                    continue;
                }
                let (on, off) = count_category(&temp, cat);
                let (diff, same) = if additive { (off, on) } else { (on, off) };
                if same > diff && (diff < min_diff || (diff == min_diff && same > max_same)) {
                    best = Some(j);
                    min_diff = diff;
                    max_same = same;
                }
            }
            let Some(j) = best else {
                break;
            };
            let cat = CATEGORIES[j];
            change_category(&mut fake, cat, additive);
            change_category(&mut temp, cat, !additive);
            rules.push(format!("{}@{}", if additive { '+' } else { '-' }, cat.name()).into_bytes());
            applied[j] = true;
        }
        for t in Target::all() {
            let id = t.acl_id();
            let user_bit = get_bit(&self.bits, id);
            if user_bit != get_bit(&fake, id) {
                rules.push(
                    format!("{}{}", if user_bit { '+' } else { '-' }, t.full_name()).into_bytes(),
                );
                change_perm(&mut fake, t, user_bit);
            }
            if !user_bit && let Some(args) = self.firstargs.get(&id) {
                for arg in args {
                    let mut rule = format!("+{}|", t.full_name()).into_bytes();
                    rule.extend_from_slice(arg);
                    rules.push(rule);
                }
            }
        }
        rules.join(&b' ')
    }

    /// Checks a call (`ACLSelectorCheckCmd`): the command (or an allowed first argument), then
    /// every key against the patterns with the access the command needs.
    pub(super) fn check<A: AsRef<[u8]>>(
        &self,
        target: Target,
        argv: &[A],
        keys: &mut Option<Vec<KeyRef>>,
    ) -> Result<(), Denial> {
        let id = target.acl_id();
        if !target.flags().contains(&"no_auth") && !get_bit(&self.bits, id) {
            let idx = if target.is_subcommand() { 2 } else { 1 };
            let allowed = match (self.firstargs.get(&id), argv.get(idx)) {
                (Some(args), Some(given)) => {
                    args.iter().any(|a| a.eq_ignore_ascii_case(given.as_ref()))
                }
                _ => false,
            };
            if !allowed {
                return Err(Denial::Command);
            }
        }
        if !self.allkeys && !target.key_specs().is_empty() {
            let keys = keys.get_or_insert_with(|| command_keys(target, argv));
            for key in keys.iter() {
                if !self.key_allowed(argv[key.pos].as_ref(), key.flags) {
                    return Err(Denial::Key(key.pos));
                }
            }
        }
        Ok(())
    }

    fn key_allowed(&self, key: &[u8], spec_flags: u16) -> bool {
        let need = needed_permissions(spec_flags);
        self.patterns
            .iter()
            .any(|p| p.flags & need == need && glob_match(&p.pattern, key, false))
    }

    /// Returns true when the selector reaches every key with the access `spec_flags` needs
    /// (`allkeys`, or a `*` pattern with those permissions).
    pub(super) fn has_unrestricted_key_access(&self, spec_flags: u16) -> bool {
        let need = needed_permissions(spec_flags);
        self.allkeys
            || self
                .patterns
                .iter()
                .any(|p| p.flags & need == need && p.pattern == b"*")
    }
}

/// The key pattern permissions a key spec's access flags need.
fn needed_permissions(spec_flags: u16) -> u8 {
    let mut need = 0;
    if spec_flags & ACCESS != 0 {
        need |= KEY_READ;
    }
    if spec_flags & (INSERT | DELETE | UPDATE) != 0 {
        need |= KEY_WRITE;
    }
    need
}
