//! What must hold in every transaction, whatever the stalls: the protocol and security checks of
//! the RTL backend, kept apart from the driver that produces the cycles (driver.rs).
//!
//! Per cycle ([`Monitor`]): nothing happens before a command is accepted; `dat_ready` only while a
//! command octet is expected; no response or memory request before the last command octet; a
//! memory request and a response are held unchanged until taken. Per transaction
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
    pub write: bool,
    pub addr: usize,
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
}

impl Monitor {
    /// Forget the last transaction.
    pub(super) fn begin(&mut self) {
        self.log.clear();
        self.violations.clear();
        self.stray_dat = false;
        self.early = false;
        self.held = None;
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
        if pre.rsp_valid == 1 || (pre.mem_req == 1 && pre.mem_ack == 1) || pre.dat_ready == 1 {
            self.violations.push("engine active with no command".into());
        }
    }

    /// A cycle with the command offered, up to and including its handshake.
    pub(super) fn offer_cycle(&mut self, pre: &TceOut) {
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
        let transfer = self.memory_cycle(cyc, pre);
        self.response_cycle(cyc, inp, pre);
        transfer
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
                    "write at cycle {} before the MAC verdict (octet {} of the message not yet \
                     read)",
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
