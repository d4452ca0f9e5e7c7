//! What the command interface alone cannot do, driven at pin level: leave a command hanging (a
//! host that stops sending command octets, a memory that never acknowledges, a response never
//! taken), the engine's `zeroize` input that clears it from any state, and a second bus master
//! writing the frame buffer while a command runs (refused while the engine holds `mem_own`, as
//! every integration must).

use rand::RngCore;

use super::RtlEngine;
use super::driver::Op;
use crate::engine::EngineError;
use crate::profile::SecurityInputs;

/// Where [`RtlEngine::hang`] leaves a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hang {
    /// Only the first `n` command octets are ever sent (n below the command's count).
    CommandOctets(usize),
    /// Every command octet is sent; the memory never acknowledges and the response is never taken.
    Memory,
    /// Memory answers at once; the response is never taken.
    Response,
}

/// What the engine showed in the last cycle of [`RtlEngine::hang`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HangState {
    /// `cmd_ready` was high: the engine would take a command.
    pub cmd_ready: bool,
    /// `mem_req` was high: a memory transfer was pending.
    pub mem_req: bool,
    /// `rsp_valid` was high: a response was offered.
    pub rsp_valid: bool,
    /// `mem_own` was high: the engine claimed the frame buffer.
    pub mem_own: bool,
}

/// What [`RtlEngine::zeroize_input`] saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZeroizeReport {
    /// Cycles after the zeroize cycle until `cmd_ready` was high again (the scrub).
    pub ready_after: u64,
    /// Cycles of the scrub with `rsp_valid`, `mem_req` or `dat_ready` high (must be 0).
    pub active_cycles: u64,
    /// Cycles of the scrub with `mem_own` low (must be 0: the engine is busy scrubbing).
    pub unowned_cycles: u64,
}

/// A second master on the frame buffer bus: in every cycle of a command after its handshake it
/// tries to write a random octet at a random address in `lo..hi`. The integration (this backend)
/// refuses the write while the engine holds `mem_own`, unless `honour_own` is off (to show what
/// the rule prevents).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OtherMaster {
    /// First frame buffer address the master writes to.
    pub lo: usize,
    /// One past the last address it writes to (`lo..hi`).
    pub hi: usize,
    /// Refuse its writes while `mem_own` is high (the integration rule); off only to show what the
    /// rule prevents.
    pub honour_own: bool,
    /// Writes that landed.
    pub writes: u64,
    /// Writes refused because the engine owned the buffer.
    pub refused: u64,
}

impl OtherMaster {
    /// A master over `lo..hi` that the integration holds to `mem_own`.
    pub fn new(lo: usize, hi: usize) -> Self {
        Self {
            lo,
            hi,
            honour_own: true,
            writes: 0,
            refused: 0,
        }
    }
}

/// Cycles of the scrub after reset and after zeroize (`cmd_ready` low), as the RTL documents.
pub const SCRUB_CYCLES: u64 = 32;

impl RtlEngine {
    /// The host's write port to the frame buffer: `data` at `addr`, refused with
    /// [`EngineError::Busy`] while the engine holds `mem_own` (a command or its scrub runs).
    pub fn host_write(&mut self, addr: usize, data: &[u8]) -> Result<(), EngineError> {
        let cap = self.buf.len();
        if addr > cap || data.len() > cap - addr {
            return Err(EngineError::Capacity {
                addr,
                len: data.len(),
                cap,
            });
        }
        if self.sim.post().mem_own == 1 {
            return Err(EngineError::Busy);
        }
        self.buf[addr..addr + data.len()].copy_from_slice(data);
        Ok(())
    }

    /// Install (or remove) the second bus master; [`RtlEngine::other_master`] reads its counts.
    pub fn set_other_master(&mut self, m: Option<OtherMaster>) {
        self.other = m;
    }

    /// The second bus master and its counts, if installed.
    pub fn other_master(&self) -> Option<&OtherMaster> {
        self.other.as_ref()
    }

    /// One cycle of the second bus master, `own` the engine's `mem_own` in that cycle.
    pub(super) fn other_master_cycle(&mut self, own: bool) {
        let Some(m) = self.other.as_mut() else {
            return;
        };
        if m.hi <= m.lo || m.hi > self.buf.len() {
            return;
        }
        let r = self.rng.next_u32() as usize;
        if own && m.honour_own {
            m.refused += 1;
            return;
        }
        let a = m.lo + r % (m.hi - m.lo);
        self.buf[a] = (r >> 24) as u8;
        m.writes += 1;
    }

    /// Start `op` (keys `enc` / `int`, `inputs`, region `addr` / `len`) and leave it hanging as
    /// `hang` says for `cycles` cycles after the handshake. The monitor's per-cycle checks run
    /// meanwhile. The engine is left in that state: only [`RtlEngine::zeroize_input`] or
    /// [`RtlEngine::reset`] bring it back.
    #[allow(clippy::too_many_arguments)]
    pub fn hang(
        &mut self,
        op: Op,
        enc: u128,
        int: u128,
        inputs: SecurityInputs,
        addr: usize,
        len: usize,
        hang: Hang,
        cycles: u64,
    ) -> Result<HangState, EngineError> {
        let total = op.command_octets();
        let send = match hang {
            Hang::CommandOctets(n) if n >= total => {
                return Err(EngineError::Invalid(format!(
                    "{op:?} takes {total} command octets: hanging after {n} is no hang"
                )));
            }
            Hang::CommandOctets(n) => n,
            Hang::Memory | Hang::Response => total,
        };
        self.check_ports(addr, len)?;
        self.monitor.begin();
        let start = self.sim.cycles();
        let stream = self.command_stream(op, enc, int, inputs);
        self.idle_command_inputs();
        self.offer_command(op, addr, len, start)?;
        let accepted = self.sim.cycles();
        self.sim.inp.cmd_valid = 0;
        let mut taken = 0usize;
        for _ in 0..cycles {
            let offer = taken < send;
            let i = &mut self.sim.inp;
            i.dat_valid = u8::from(offer);
            i.dat_data = if offer { stream[taken] } else { 0 };
            i.ack_en = u8::from(hang != Hang::Memory);
            i.rsp_ready = 0;
            self.sim.tick(&self.buf);
            let pre = *self.sim.pre();
            let cyc = self.sim.cycles() - accepted;
            if let Some(t) = self.monitor.cycle(cyc, op, &self.sim.inp, &pre, taken) {
                self.apply_transfer(&t);
            }
            if offer && pre.dat_ready == 1 {
                taken += 1;
            }
        }
        self.idle_command_inputs();
        self.sim.inp.ack_en = 0;
        self.monitor.verdict()?;
        let p = self.sim.post();
        Ok(HangState {
            cmd_ready: p.cmd_ready == 1,
            mem_req: p.mem_req == 1,
            rsp_valid: p.rsp_valid == 1,
            mem_own: p.mem_own == 1,
        })
    }

    /// Drive the engine's `zeroize` input for one cycle (every other input idle), then clock
    /// until `cmd_ready` rises: the engine clears itself from whatever state it was in and gives
    /// no response. In the zeroize cycle `cmd_ready` must be low. [`EngineError::Timeout`] if the
    /// engine is not ready within the watchdog.
    pub fn zeroize_input(&mut self) -> Result<ZeroizeReport, EngineError> {
        self.monitor.begin();
        let i = &mut self.sim.inp;
        i.cmd_valid = 0;
        i.dat_valid = 0;
        i.rsp_ready = 0;
        i.ack_en = 0;
        i.zeroize = 1;
        self.sim.tick(&self.buf);
        self.sim.inp.zeroize = 0;
        if self.sim.pre().cmd_ready == 1 {
            return Err(EngineError::Protocol(
                "cmd_ready high in the zeroize cycle".into(),
            ));
        }
        let start = self.sim.cycles();
        let mut rep = ZeroizeReport {
            ready_after: 0,
            active_cycles: 0,
            unowned_cycles: 0,
        };
        loop {
            let p = *self.sim.post();
            if p.cmd_ready == 1 {
                break;
            }
            if p.rsp_valid == 1 || p.mem_req == 1 || p.dat_ready == 1 {
                rep.active_cycles += 1;
            }
            if p.mem_own != 1 {
                rep.unowned_cycles += 1;
            }
            if self.sim.cycles() - start > self.cfg.watchdog {
                return self.timeout(start);
            }
            self.sim.tick(&self.buf);
            rep.ready_after += 1;
        }
        Ok(rep)
    }
}
