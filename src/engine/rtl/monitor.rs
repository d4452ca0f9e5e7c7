//! What must hold in every transaction, whatever the stalls: the protocol and security checks of
//! the RTL backend, kept apart from the driver that produces the cycles (driver.rs).
//!
//! Per cycle ([`Monitor`]): nothing happens before a command is accepted; `dat_ready` only while a
//! command octet is expected; no response or memory request before the last command octet; a
//! memory request and a response are held unchanged until taken; the outputs that can carry
//! secret-dependent values are zero when not in use (`mem_wdata` unless `mem_we`, `rsp_mac` unless
//! `rsp_valid`), in idle cycles too. Per transaction
//! ([`Monitor::end`] with the operation's [`Region`]): a rejected command writes nothing, writes
//! stay inside the region the operation may change, UNPROTECT writes nothing before it has read
//! every octet of the message (the MAC verdict), NIA2 never writes, LOAD_KEYS and ZEROIZE never
//! touch memory. On the frame buffer afterwards ([`check_frame_buffer`], [`unchanged_outside`],
//! [`check_mac_field`]): a rejected frame leaves the buffer unchanged, an accepted one changes
//! nothing outside the frame, and the MAC written is the one answered on `rsp_mac`.

use super::driver::{Op, status};
use crate::engine::{EngineError, Status};
use crate::profile::{Layout, MAC_LEN};
use crate::sim::{TceIn, TceOut};

/// One completed memory transfer of the last operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct MemEvent {
    /// Cycle of the transfer, counted from the command handshake (0 = that cycle).
    pub cycle: u64,
    /// A write (`mem_we`) rather than a read.
    pub write: bool,
    /// Frame buffer address of the octet (`mem_addr`).
    pub addr: usize,
    /// The octet written (`mem_wdata`) or read (`mem_rdata`).
    pub data: u8,
}

/// Region an operation may write, and the properties checked on its memory log.
#[derive(Debug, Clone, Copy)]
pub(super) struct Region {
    base: usize,
    len: usize,
    /// Octets (relative to `base`) that may be written: [lo, hi).
    write_lo: usize,
    write_hi: usize,
    /// Unprotect: every octet of the message must be read before the first write.
    verdict_before_write: bool,
}

impl Region {
    /// NEA2 on the `n` octets at `addr`: deciphers them in place, nothing else.
    pub(super) fn in_place(addr: usize, n: usize) -> Self {
        Self {
            base: addr,
            len: n,
            write_lo: 0,
            write_hi: n,
            verdict_before_write: false,
        }
    }

    /// NIA2 on the `n` octets at `addr`: reads them, writes nothing.
    pub(super) fn read_only(addr: usize, n: usize) -> Self {
        Self {
            base: addr,
            len: n,
            write_lo: 0,
            write_hi: 0,
            verdict_before_write: false,
        }
    }

    /// HASH over the `n` octets at `addr`: it may write the 32-octet result at `addr` only, and
    /// only once it has read every octet of the region (key and message).
    pub(super) fn hash(addr: usize, n: usize) -> Self {
        Self {
            base: addr,
            len: n,
            write_lo: 0,
            write_hi: 32,
            verdict_before_write: true,
        }
    }

    /// UNPROTECT / PROTECT of an `n`-octet frame at `addr` in a `cap`-octet buffer. UNPROTECT may
    /// write the ciphered part only, and only once it has read the whole message; PROTECT the
    /// ciphered part and the MAC field.
    pub(super) fn message(op: Op, layout: &Layout, addr: usize, n: usize, cap: usize) -> Self {
        let mo = layout.mac_offset(n);
        let bo = layout.body_offset();
        let body_len = n.saturating_sub(layout.min_message_len());
        let (write_lo, write_hi) = match op {
            Op::Unprotect => (bo, bo + body_len),
            _ => {
                // Protect: the ciphered part and the MAC field.
                let lo = bo.min(mo);
                let hi = (bo + body_len).max(mo + MAC_LEN);
                (lo, hi)
            }
        };
        Self {
            base: addr,
            len: n.min(cap),
            write_lo,
            write_hi,
            verdict_before_write: op == Op::Unprotect,
        }
    }
}

/// The observer of one transaction: its memory log, the violations seen, and the state the
/// per-cycle checks carry from one cycle to the next.
#[derive(Debug, Default)]
pub(super) struct Monitor {
    log: Vec<MemEvent>,
    violations: Vec<String>,
    /// `dat_ready` with no octet expected (reported once).
    stray_dat: bool,
    /// Response / memory request before the last command octet (reported once).
    early: bool,
    /// Response offered but not taken last cycle.
    held: Option<TceOut>,
    /// Memory request not acknowledged last cycle.
    pending: Option<TceOut>,
    /// A data output showed a value while not in use (reported once).
    leak: bool,
    /// `mem_own` wrong for the state the engine shows (reported once).
    own_bad: bool,
}

impl Monitor {
    /// Forget the last transaction.
    pub(super) fn begin(&mut self) {
        self.log.clear();
        self.violations.clear();
        self.stray_dat = false;
        self.early = false;
        self.held = None;
        self.leak = false;
        self.own_bad = false;
        self.pending = None;
    }

    /// Memory transfers of the last transaction, in order.
    pub(super) fn log(&self) -> &[MemEvent] {
        &self.log
    }

    /// Violations seen during the last transaction.
    pub(super) fn violations(&self) -> &[String] {
        &self.violations
    }

    /// A cycle before the command is offered: the engine must stay quiet.
    pub(super) fn idle_cycle(&mut self, pre: &TceOut) {
        self.quiet_outputs("idle", pre);
        self.own_outside("idle", pre);
        if pre.rsp_valid == 1 || (pre.mem_req == 1 && pre.mem_ack == 1) || pre.dat_ready == 1 {
            self.violations.push("engine active with no command".into());
        }
    }

    /// A cycle with the command offered, up to and including its handshake.
    pub(super) fn offer_cycle(&mut self, pre: &TceOut) {
        self.quiet_outputs("command offered", pre);
        self.own_outside("command offered", pre);
        if pre.rsp_valid == 1 {
            self.violations
                .push("rsp_valid before the command was accepted".into());
        }
        if pre.mem_req == 1 && pre.mem_ack == 1 {
            self.violations
                .push("memory transfer before the command was accepted".into());
        }
        if pre.dat_ready == 1 {
            self.violations
                .push("dat_ready before the command was accepted".into());
        }
    }

    /// A cycle after the command handshake (`cyc` counted from it) with inputs `inp` and outputs
    /// `pre`, `taken` command octets of `op` transferred before it. Returns the memory transfer
    /// completed in this cycle, if any (logged here; the caller applies a write to its buffer).
    pub(super) fn cycle(
        &mut self,
        cyc: u64,
        op: Op,
        inp: &TceIn,
        pre: &TceOut,
        taken: usize,
    ) -> Option<MemEvent> {
        let total = op.command_octets();
        let missing = total - taken;
        if pre.dat_ready == 1 && inp.dat_valid != 1 && missing == 0 && !self.stray_dat {
            self.stray_dat = true;
            self.violations.push(format!(
                "cycle {cyc}: dat_ready but {op:?} expects no further command octet"
            ));
        }
        if missing > 0 && (pre.rsp_valid == 1 || pre.mem_req == 1) && !self.early {
            self.early = true;
            let what = if pre.rsp_valid == 1 {
                "response"
            } else {
                "memory request"
            };
            self.violations.push(format!(
                "cycle {cyc}: {what} before the command octets were all taken ({taken} of {total})"
            ));
        }
        self.quiet_outputs(&format!("cycle {cyc}"), pre);
        if pre.mem_own != 1 && !self.own_bad {
            self.own_bad = true;
            self.violations.push(format!(
                "cycle {cyc}: mem_own low while the command is in progress (another master could \
                 change the frame between UNPROTECT's two reads)"
            ));
        }
        let transfer = self.memory_cycle(cyc, pre);
        self.response_cycle(cyc, inp, pre);
        transfer
    }

    /// Outside a command (no handshake yet, or the handshake cycle itself) the engine owns the
    /// frame buffer exactly while it is not idle: `mem_own == !cmd_ready`.
    pub(super) fn own_outside(&mut self, when: &str, pre: &TceOut) {
        if pre.mem_own == pre.cmd_ready && !self.own_bad {
            self.own_bad = true;
            self.violations.push(format!(
                "{when}: mem_own {} with cmd_ready {}",
                pre.mem_own, pre.cmd_ready
            ));
        }
    }

    /// Outputs not in use must be zero: `mem_wdata` unless a write is requested, `rsp_mac`
    /// unless a response is offered (an observer of an idle bus must learn nothing, e.g. the
    /// expected MAC of a forged frame or the CMAC subkey L).
    fn quiet_outputs(&mut self, when: &str, pre: &TceOut) {
        if self.leak {
            return;
        }
        let wdata = pre.mem_wdata != 0 && !(pre.mem_req == 1 && pre.mem_we == 1);
        let mac = pre.rsp_mac != 0 && pre.rsp_valid != 1;
        if wdata || mac {
            self.leak = true;
            self.violations.push(match wdata {
                true => format!("{when}: mem_wdata 0x{:02x} with no write", pre.mem_wdata),
                false => format!("{when}: rsp_mac 0x{:08x} with no response", pre.rsp_mac),
            });
        }
    }

    /// The memory port in one cycle: a request is held until acknowledged; an acknowledged one is
    /// logged and returned.
    fn memory_cycle(&mut self, cyc: u64, pre: &TceOut) -> Option<MemEvent> {
        if let Some(p) = self.pending.take()
            && (pre.mem_req != 1
                || pre.mem_we != p.mem_we
                || pre.mem_addr != p.mem_addr
                || (p.mem_we == 1 && pre.mem_wdata != p.mem_wdata))
        {
            self.violations.push(format!(
                "cycle {cyc}: memory request changed or withdrawn before its acknowledge"
            ));
        }
        if pre.mem_req != 1 {
            return None;
        }
        if pre.mem_ack != 1 {
            self.pending = Some(*pre);
            return None;
        }
        let write = pre.mem_we == 1;
        let event = MemEvent {
            cycle: cyc,
            write,
            addr: pre.mem_addr as usize,
            data: if write { pre.mem_wdata } else { pre.mem_rdata },
        };
        self.log.push(event);
        Some(event)
    }

    /// The response port in one cycle: a response is held unchanged until taken.
    fn response_cycle(&mut self, cyc: u64, inp: &TceIn, pre: &TceOut) {
        if let Some(h) = self.held.take()
            && (pre.rsp_valid != 1 || pre.rsp_status != h.rsp_status || pre.rsp_mac != h.rsp_mac)
        {
            self.violations.push(format!(
                "cycle {cyc}: response changed or withdrawn while stalled"
            ));
        }
        if pre.rsp_valid == 1 && inp.rsp_ready != 1 {
            self.held = Some(*pre);
        }
    }

    /// The transaction of `op` ended with status `st`: check its memory log against `region`
    /// (if any) and against what `op` may touch at all.
    pub(super) fn end(&mut self, op: Op, st: u8, region: Option<Region>) {
        if let Some(r) = region {
            self.check_region(&r, st);
        }
        if st == status::OK && op == Op::Nia2 && !self.log.iter().all(|e| !e.write) {
            self.violations.push("NIA2 wrote to memory".into());
        }
        if matches!(op, Op::LoadKeys | Op::Zeroize) && !self.log.is_empty() {
            self.violations.push(format!("{op:?} touched memory"));
        }
        if op == Op::Derive
            && let Some(w) = self.log.iter().find(|e| e.write)
        {
            // The derived keys go to the key ring only: a DERIVE never writes the frame buffer.
            self.violations.push(format!(
                "DERIVE wrote {:#04x} at {} (cycle {})",
                w.data, w.addr, w.cycle
            ));
        }
    }

    /// [`EngineError::Protocol`] with every violation of the transaction, if any.
    pub(super) fn verdict(&self) -> Result<(), EngineError> {
        if self.violations.is_empty() {
            Ok(())
        } else {
            Err(EngineError::Protocol(self.violations.join("; ")))
        }
    }

    fn check_region(&mut self, r: &Region, st: u8) {
        let writes: Vec<MemEvent> = self.log.iter().filter(|e| e.write).copied().collect();
        if st != status::OK {
            if let Some(w) = writes.first() {
                self.violations.push(format!(
                    "status {st} (rejected) but the engine wrote {:#04x} at {} (cycle {})",
                    w.data, w.addr, w.cycle
                ));
            }
            return;
        }
        for w in &writes {
            let rel = w.addr.wrapping_sub(r.base);
            if rel < r.write_lo || rel >= r.write_hi {
                self.violations.push(format!(
                    "write outside the writable region: address {} (region {}+[{}, {}))",
                    w.addr, r.base, r.write_lo, r.write_hi
                ));
                break;
            }
        }
        if r.verdict_before_write
            && let Some(first_write) = writes.first()
        {
            // Every octet of the message (clear part, MAC, ciphered part) must have been read
            // before the first write: the verdict cannot be known earlier.
            let mut seen = vec![false; r.len];
            for e in self.log.iter().take_while(|e| e.cycle < first_write.cycle) {
                let rel = e.addr.wrapping_sub(r.base);
                if !e.write && rel < r.len {
                    seen[rel] = true;
                }
            }
            if let Some(missing) = seen.iter().position(|s| !s) {
                self.violations.push(format!(
                    "write at cycle {} before the verdict (octet {} of the region not yet read)",
                    first_write.cycle, missing
                ));
            }
        }
    }
}

/// Whether `buf` equals `before` outside the `n` octets at `addr` (`addr + n <= buf.len()`).
pub(super) fn unchanged_outside(buf: &[u8], before: &[u8], addr: usize, n: usize) -> bool {
    buf[..addr] == before[..addr] && buf[addr + n..] == before[addr + n..]
}

/// The frame buffer after `op` on the `n`-octet frame at `addr` answered `st`: a rejected frame
/// leaves the whole buffer as it was (`before`); an accepted one must have fitted the buffer and
/// changed nothing outside the frame.
pub(super) fn check_frame_buffer(
    op: Op,
    st: Status,
    buf: &[u8],
    before: &[u8],
    addr: usize,
    n: usize,
) -> Result<(), EngineError> {
    if st != Status::Ok {
        if buf != before {
            return Err(EngineError::Protocol(format!(
                "{op:?} rejected the frame ({st:?}) but the buffer changed"
            )));
        }
        return Ok(());
    }
    let cap = buf.len();
    if n > cap {
        return Err(EngineError::Protocol(format!(
            "{op:?} accepted a {n}-octet frame larger than the {cap}-octet buffer"
        )));
    }
    if !unchanged_outside(buf, before, addr, n) {
        return Err(EngineError::Protocol(format!(
            "{op:?} wrote outside the frame"
        )));
    }
    Ok(())
}

/// PROTECT answered `mac` on `rsp_mac`: the MAC field at `mac_offset` of the protected `frame`
/// must hold the same octets. Returns them.
pub(super) fn check_mac_field(
    frame: &[u8],
    mac_offset: usize,
    mac: u32,
) -> Result<[u8; 4], EngineError> {
    let m = mac.to_be_bytes();
    if frame.get(mac_offset..mac_offset + MAC_LEN) != Some(&m[..]) {
        return Err(EngineError::Protocol(
            "MAC written to the frame differs from rsp_mac".into(),
        ));
    }
    Ok(m)
}

// The checks above never fire on the correct RTL, so the co-simulation alone cannot show that
// they can fail: each test feeds the monitor a hand-made cycle sequence breaking one property.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::MacPosition;

    /// `[clear: 2][MAC: 4][ciphered]`, as in the provisional profile.
    fn layout() -> Layout {
        Layout {
            clear_len: 2,
            epd_offset: 0,
            epd: 0x7e,
            indication_offset: 1,
            indication_null: 0x01,
            indication_ciphered: 0x02,
            mac_position: MacPosition::AfterClear,
            max_message_len: 64,
        }
    }

    /// Idle outputs: ready for a command, not owning the buffer.
    fn idle() -> TceOut {
        TceOut {
            cmd_ready: 1,
            ..TceOut::default()
        }
    }

    fn read(addr: u32, data: u8) -> TceOut {
        TceOut {
            cmd_ready: 1,
            mem_req: 1,
            mem_ack: 1,
            mem_addr: addr,
            mem_rdata: data,
            ..TceOut::default()
        }
    }

    fn write(addr: u32, data: u8) -> TceOut {
        TceOut {
            cmd_ready: 1,
            mem_req: 1,
            mem_ack: 1,
            mem_we: 1,
            mem_addr: addr,
            mem_wdata: data,
            ..TceOut::default()
        }
    }

    /// Runs `outs` as the cycles after the handshake of `op` (all its command octets taken, the
    /// response taken when offered, `mem_own` high as it must be) and ends the transaction with
    /// status `st`.
    fn run(op: Op, outs: &[TceOut], st: u8, region: Option<Region>) -> Monitor {
        let mut m = Monitor::default();
        m.begin();
        let inp = TceIn {
            rsp_ready: 1,
            ..TceIn::default()
        };
        for (cyc, pre) in outs.iter().enumerate() {
            let pre = TceOut { mem_own: 1, ..*pre };
            m.cycle(cyc as u64, op, &inp, &pre, op.command_octets());
        }
        m.end(op, st, region);
        m
    }

    #[test]
    fn quiet_engine_passes_and_logs_transfers() {
        let m = run(Op::Nia2, &[read(8, 0xaa), read(9, 0xbb)], status::OK, None);
        assert!(m.verdict().is_ok(), "{:?}", m.violations());
        assert_eq!(m.log().len(), 2);
        assert_eq!((m.log()[1].addr, m.log()[1].data), (9, 0xbb));
        assert!(!m.log()[1].write);
    }

    #[test]
    fn activity_before_the_command_is_caught() {
        let mut m = Monitor::default();
        m.idle_cycle(&idle());
        assert!(m.violations().is_empty());
        m.idle_cycle(&TceOut {
            rsp_valid: 1,
            ..idle()
        });
        assert_eq!(m.violations(), ["engine active with no command"]);
        m.begin();
        m.offer_cycle(&TceOut {
            dat_ready: 1,
            ..idle()
        });
        m.offer_cycle(&read(0, 0));
        assert_eq!(
            m.violations(),
            [
                "dat_ready before the command was accepted",
                "memory transfer before the command was accepted"
            ]
        );
        assert!(matches!(m.verdict(), Err(EngineError::Protocol(_))));
    }

    #[test]
    fn data_outputs_not_in_use_must_be_zero() {
        let leak = TceOut {
            mem_wdata: 0x89,
            ..TceOut::default()
        };
        let m = run(Op::Unprotect, &[read(0, 1), leak, leak], status::OK, None);
        assert_eq!(m.violations(), ["cycle 1: mem_wdata 0x89 with no write"]);
        let mac = TceOut {
            rsp_mac: 0x1234,
            ..idle()
        };
        let mut m = Monitor::default();
        m.idle_cycle(&mac);
        assert_eq!(
            m.violations(),
            ["idle: rsp_mac 0x00001234 with no response"]
        );
        // in use, both may carry anything
        let m = run(Op::Nea2, &[write(3, 0x89)], status::OK, None);
        assert!(m.verdict().is_ok(), "{:?}", m.violations());
    }

    #[test]
    fn ownership_must_cover_the_command_and_only_the_busy_states() {
        // mem_own low in a cycle of the command (reported once)
        let mut m = Monitor::default();
        m.begin();
        let inp = TceIn::default();
        m.cycle(3, Op::Unprotect, &inp, &read(0, 1), 0);
        m.cycle(4, Op::Unprotect, &inp, &read(1, 1), 0);
        assert_eq!(m.violations().len(), 1, "{:?}", m.violations());
        assert!(m.violations()[0].starts_with("cycle 3: mem_own low"));
        // outside a command: idle without cmd_ready must own (scrub), ready must not
        for (pre, bad) in [
            (idle(), false),
            (TceOut::default(), true),
            (
                TceOut {
                    mem_own: 1,
                    ..TceOut::default()
                },
                false,
            ),
            (
                TceOut {
                    mem_own: 1,
                    ..idle()
                },
                true,
            ),
        ] {
            let mut m = Monitor::default();
            m.idle_cycle(&pre);
            assert_eq!(
                !m.violations().is_empty(),
                bad,
                "{pre:?}: {:?}",
                m.violations()
            );
            let mut m = Monitor::default();
            m.offer_cycle(&pre);
            assert_eq!(
                !m.violations().is_empty(),
                bad,
                "{pre:?}: {:?}",
                m.violations()
            );
        }
    }

    #[test]
    fn stray_dat_ready_is_reported_once() {
        let dat = TceOut {
            dat_ready: 1,
            ..TceOut::default()
        };
        let m = run(Op::Protect, &[dat, dat], status::OK, None);
        assert_eq!(m.violations().len(), 1, "{:?}", m.violations());
        assert!(m.violations()[0].contains("expects no further command octet"));
    }

    #[test]
    fn response_before_the_last_command_octet_is_caught() {
        let mut m = Monitor::default();
        m.begin();
        let rsp = TceOut {
            rsp_valid: 1,
            mem_own: 1,
            ..TceOut::default()
        };
        m.cycle(7, Op::LoadKeys, &TceIn::default(), &rsp, 3);
        assert_eq!(
            m.violations(),
            ["cycle 7: response before the command octets were all taken (3 of 32)"]
        );
    }

    #[test]
    fn memory_request_must_be_held_until_acknowledged() {
        let waiting = TceOut {
            mem_ack: 0,
            ..write(4, 0x11)
        };
        let held = run(Op::Nea2, &[waiting, write(4, 0x11)], status::OK, None);
        assert!(held.violations().is_empty(), "{:?}", held.violations());
        assert_eq!(held.log().len(), 1);
        let changed = run(Op::Nea2, &[waiting, write(4, 0x12)], status::OK, None);
        assert!(changed.violations()[0].contains("memory request changed or withdrawn"));
        let withdrawn = run(Op::Nea2, &[waiting, TceOut::default()], status::OK, None);
        assert!(withdrawn.violations()[0].contains("memory request changed or withdrawn"));
    }

    #[test]
    fn response_must_be_held_while_stalled() {
        let mut m = Monitor::default();
        m.begin();
        let stalled = TceIn::default(); // rsp_ready low
        let rsp = TceOut {
            rsp_valid: 1,
            rsp_mac: 0x0102_0304,
            mem_own: 1,
            ..TceOut::default()
        };
        m.cycle(0, Op::Zeroize, &stalled, &rsp, 0);
        m.cycle(1, Op::Zeroize, &stalled, &rsp, 0);
        assert!(m.violations().is_empty(), "{:?}", m.violations());
        let other = TceOut {
            rsp_mac: 0x0102_0305,
            ..rsp
        };
        m.cycle(2, Op::Zeroize, &stalled, &other, 0);
        assert_eq!(
            m.violations(),
            ["cycle 2: response changed or withdrawn while stalled"]
        );
    }

    #[test]
    fn rejected_command_must_not_write() {
        let region = Region::message(Op::Unprotect, &layout(), 0, 8, 64);
        let m = run(
            Op::Unprotect,
            &[write(6, 0)],
            status::MAC_FAIL,
            Some(region),
        );
        assert!(m.violations()[0].contains("(rejected) but the engine wrote"));
    }

    #[test]
    fn unprotect_writes_only_after_reading_the_whole_message() {
        // 8-octet message at 16: clear 16..18, MAC 18..22, ciphered 22..24.
        let region = Region::message(Op::Unprotect, &layout(), 16, 8, 64);
        let mut outs: Vec<TceOut> = (16..24).map(|a| read(a, 0)).collect();
        outs.push(write(22, 0x5a));
        let m = run(Op::Unprotect, &outs, status::OK, Some(region));
        assert!(m.violations().is_empty(), "{:?}", m.violations());

        // Octet 7 (address 23) read only after the first write.
        outs.swap(7, 8);
        let m = run(Op::Unprotect, &outs, status::OK, Some(region));
        assert_eq!(
            m.violations(),
            ["write at cycle 7 before the verdict (octet 7 of the region not yet read)"]
        );
    }

    #[test]
    fn writes_outside_the_region_are_caught() {
        // Unprotect may not write the MAC field (18..22 for a frame at 16).
        let region = Region::message(Op::Unprotect, &layout(), 16, 8, 64);
        let mut outs: Vec<TceOut> = (16..24).map(|a| read(a, 0)).collect();
        outs.push(write(19, 0));
        let m = run(Op::Unprotect, &outs, status::OK, Some(region));
        assert!(m.violations()[0].starts_with("write outside the writable region: address 19"));
        // Protect may.
        let region = Region::message(Op::Protect, &layout(), 16, 8, 64);
        let m = run(Op::Protect, &[write(19, 0)], status::OK, Some(region));
        assert!(m.violations().is_empty(), "{:?}", m.violations());
        // NEA2 in place, but not one octet past its operand.
        let region = Region::in_place(16, 4);
        let m = run(Op::Nea2, &[write(19, 0)], status::OK, Some(region));
        assert!(m.violations().is_empty(), "{:?}", m.violations());
        let m = run(Op::Nea2, &[write(20, 0)], status::OK, Some(region));
        assert_eq!(m.violations().len(), 1, "{:?}", m.violations());
    }

    #[test]
    fn nia2_and_key_commands_keep_off_memory() {
        let m = run(Op::Nia2, &[write(0, 0)], status::OK, None);
        assert_eq!(m.violations(), ["NIA2 wrote to memory"]);
        let m = run(
            Op::Nia2,
            &[write(0, 0)],
            status::OK,
            Some(Region::read_only(0, 4)),
        );
        assert_eq!(m.violations().len(), 2, "{:?}", m.violations());
        let m = run(Op::LoadKeys, &[read(0, 0)], status::OK, None);
        assert_eq!(m.violations(), ["LoadKeys touched memory"]);
        let m = run(Op::Zeroize, &[], status::OK, None);
        assert!(m.verdict().is_ok());
    }

    #[test]
    fn begin_forgets_the_last_transaction() {
        let mut m = run(Op::Nia2, &[write(0, 0)], status::OK, None);
        assert!(!m.log().is_empty() && !m.violations().is_empty());
        m.begin();
        assert!(m.log().is_empty() && m.verdict().is_ok());
    }

    #[test]
    fn frame_buffer_checks() {
        let before = [0u8; 16];
        let mut after = before;
        after[5] = 1; // inside a frame at 4..8
        let ok = check_frame_buffer(Op::Unprotect, Status::Ok, &after, &before, 4, 4);
        assert!(ok.is_ok());
        let rejected = check_frame_buffer(Op::Unprotect, Status::MacFailure, &after, &before, 4, 4);
        assert!(matches!(rejected, Err(EngineError::Protocol(m)) if m.contains("buffer changed")));
        after[8] = 1; // just past it
        assert!(!unchanged_outside(&after, &before, 4, 4));
        let outside = check_frame_buffer(Op::Protect, Status::Ok, &after, &before, 4, 4);
        assert!(
            matches!(outside, Err(EngineError::Protocol(m)) if m.contains("outside the frame"))
        );
        let too_big = check_frame_buffer(Op::Protect, Status::Ok, &before, &before, 0, 17);
        assert!(matches!(too_big, Err(EngineError::Protocol(m)) if m.contains("larger than")));
    }

    #[test]
    fn mac_field_must_match_rsp_mac() {
        let frame = [0x00, 0x01, 0xde, 0xad, 0xbe, 0xef, 0x99];
        assert_eq!(
            check_mac_field(&frame, 2, 0xdead_beef).unwrap(),
            [0xde, 0xad, 0xbe, 0xef]
        );
        assert!(check_mac_field(&frame, 2, 0xdead_beee).is_err());
        // A MAC field past the end of the frame is a mismatch, not a panic.
        assert!(check_mac_field(&frame, 5, 0xdead_beef).is_err());
    }
}
