//! `CLIENT REPLY ON|OFF|SKIP`: which replies a connection sends (Redis's `CLIENT_REPLY_OFF`,
//! `CLIENT_REPLY_SKIP` and `CLIENT_REPLY_SKIP_NEXT` flags).
//!
//! The decision is made per command, when its reply is produced: for a gateway command after it
//! ran (CLIENT REPLY ON's own `+OK` is sent), for a forwarded command when it joins a segment, as
//! its reply arrives later with the segment's (see `Connection::dispatch`). Errors of refused
//! commands and MONITOR lines follow the same rule, as in Redis, where all of them go through
//! `prepareClientToWrite`.
//!
//! Inside a transaction Redis 7.0 emits a malformed EXEC reply (the array announces one element
//! per queued command, but CLIENT REPLY OFF|SKIP adds none, and OFF silences the elements after
//! it). The gateway keeps the protocol well-formed instead: the EXEC array has an `+OK` for such a
//! call; OFF silences the EXEC reply and what follows; SKIP silences the command after EXEC,
//! which is what Redis does with it.

/// The reply mode of one connection.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReplyMode {
    /// CLIENT REPLY OFF: nothing is sent until CLIENT REPLY ON.
    off: bool,
    /// The reply of the command being processed is not sent.
    skip: bool,
    /// CLIENT REPLY SKIP ran: the next command's reply is not sent.
    skip_next: bool,
}

impl ReplyMode {
    /// Returns true when a reply produced now must not be sent.
    pub fn muted(&self) -> bool {
        self.off || self.skip
    }

    /// `CLIENT REPLY ON`: replies are sent again, this command's `+OK` first.
    pub fn on(&mut self) {
        self.off = false;
        self.skip = false;
    }

    /// `CLIENT REPLY OFF`: from this command's own reply on, nothing is sent.
    pub fn off(&mut self) {
        self.off = true;
    }

    /// `CLIENT REPLY SKIP`: no reply for this command and the next one (nothing changes while
    /// replies are off). Inside EXEC only the command after EXEC is skipped.
    pub fn skip(&mut self, in_exec: bool) {
        if !self.off {
            self.skip_next = true;
            self.skip |= !in_exec;
        }
    }

    /// Silences the reply of the command being processed only (a second MONITOR, which Redis
    /// does not answer).
    pub fn mute_current(&mut self) {
        self.skip = true;
    }

    /// Called after each command the client sent (Redis's `resetClient`): a SKIP applies to the
    /// command that follows it.
    pub fn command_done(&mut self) {
        self.skip = std::mem::take(&mut self.skip_next);
    }

    /// `RESET`: replies on, no pending SKIP (the RESET's own reply stays silenced if a SKIP
    /// before it asked so).
    pub fn reset(&mut self) {
        self.off = false;
        self.skip_next = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One step of a pipeline: what the command does to the mode, and whether its reply is sent.
    enum Step {
        Plain,
        On,
        Off,
        Skip,
    }

    /// Runs commands through the mode as the connection does and returns which replies are sent.
    fn sent(steps: &[Step]) -> Vec<bool> {
        let mut mode = ReplyMode::default();
        steps
            .iter()
            .map(|step| {
                match step {
                    Step::Plain => {}
                    Step::On => mode.on(),
                    Step::Off => mode.off(),
                    Step::Skip => mode.skip(false),
                }
                let sent = !mode.muted();
                mode.command_done();
                sent
            })
            .collect()
    }

    #[test]
    fn follows_redis_flags() {
        use Step::*;
        // SET, SKIP, GET (skipped), GET, OFF, GET, SKIP (ignored while off), ON, GET.
        assert_eq!(
            sent(&[Plain, Skip, Plain, Plain, Off, Plain, Skip, On, Plain]),
            [true, false, false, true, false, false, false, true, true]
        );
        // SKIP twice: the second SKIP is the skipped command, the one after it is skipped too.
        assert_eq!(
            sent(&[Skip, Skip, Plain, Plain]),
            [false, false, false, true]
        );
        // SKIP then OFF: only ON's reply comes.
        assert_eq!(sent(&[Skip, Off, Plain, On]), [false, false, false, true]);
    }

    #[test]
    fn skip_inside_exec_skips_the_command_after_exec() {
        let mut mode = ReplyMode::default();
        // MULTI, CLIENT REPLY SKIP and PING are queued and answered.
        mode.skip(true);
        assert!(!mode.muted(), "the EXEC reply is sent");
        mode.command_done();
        assert!(mode.muted(), "the command after EXEC is skipped");
        mode.command_done();
        assert!(!mode.muted());
    }

    #[test]
    fn reset_turns_replies_on_but_keeps_a_current_skip() {
        let mut mode = ReplyMode::default();
        mode.off();
        mode.reset();
        assert!(!mode.muted());
        mode.skip(false);
        mode.command_done();
        mode.reset();
        assert!(mode.muted(), "RESET right after SKIP is not answered");
        mode.command_done();
        assert!(!mode.muted());
    }
}
