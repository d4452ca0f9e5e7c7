//! How the engine is driven: one command through the pin interface of
//! [`EngineSim`](crate::sim::EngineSim) (command handshake, command octets on `dat_*`, memory
//! answers from the frame buffer, response handshake), seeded random back-pressure on every
//! handshake, garbage on every input the engine must not be looking at, and a watchdog. What
//! must hold meanwhile is checked by the [`Monitor`](super::monitor::Monitor) (monitor.rs),
//! which sees every cycle.

use rand::{Rng, RngCore};
use zeroize::Zeroizing;

use super::RtlEngine;
use super::monitor::{MemEvent, Region};
use crate::engine::EngineError;
use crate::profile::SecurityInputs;
use crate::sim::{TceOut, params};

// The command encoding (operation codes, response codes, command octets) is shared with the
// serial backend: engine/ops.rs.
pub(super) use crate::engine::ops::map_status;
pub use crate::engine::ops::{Op, status};

/// Result of one engine command at pin level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawResponse {
    /// `rsp_status` (see [`status`]).
    pub status: u8,
    /// `rsp_mac`: the 32-bit MAC after NIA2 and PROTECT (most significant octet = first octet of
    /// MAC-I), else 0.
    pub mac: u32,
    /// Cycles from the first cycle `cmd_valid` was offered to the response handshake, inclusive.
    pub cycles: u64,
}

impl RtlEngine {
    /// Run one command through the pin interface: the command handshake, then the command octets
    /// on `dat_*` (LOAD_KEYS: `enc` then `int`; NEA2 / NIA2: `inputs`; none otherwise), then the
    /// response. `region` (if any) is where the operation may touch memory; the memory log is
    /// checked against it.
    #[allow(clippy::too_many_arguments)]
    pub fn command(
        &mut self,
        op: Op,
        enc: u128,
        int: u128,
        inputs: SecurityInputs,
        addr: usize,
        len: usize,
    ) -> Result<RawResponse, EngineError> {
        self.command_checked(op, enc, int, inputs, addr, len, None)
    }

    /// [`RtlEngine::command`], with the memory log also checked against `region`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn command_checked(
        &mut self,
        op: Op,
        enc: u128,
        int: u128,
        inputs: SecurityInputs,
        addr: usize,
        len: usize,
        region: Option<Region>,
    ) -> Result<RawResponse, EngineError> {
        let stream = self.command_stream(op, enc, int, inputs);
        self.command_with_octets(op, &stream[..op.command_octets()], addr, len, region)
    }

    /// One command with its command octets given as they are streamed (HASH: its mode octet).
    pub(super) fn command_with_octets(
        &mut self,
        op: Op,
        octets: &[u8],
        addr: usize,
        len: usize,
        region: Option<Region>,
    ) -> Result<RawResponse, EngineError> {
        self.monitor.begin();
        let start = self.sim.cycles();
        self.check_ports(addr, len)?;
        self.idle_command_inputs();
        self.hold_back_command(start)?;
        self.offer_command(op, addr, len, start)?;
        let accepted = self.sim.cycles();
        self.scramble_command_inputs();
        let resp = self.run_to_response(op, octets, accepted, start)?;
        self.finish_command(op, &resp, region, start)
    }

    /// `addr` and `len` must fit the engine's `addr` / `len` ports.
    pub(super) fn check_ports(&self, addr: usize, len: usize) -> Result<(), EngineError> {
        let len_max = (1usize << (params::ADDR_W + 4)) - 1;
        if addr >= self.buf.len() || len > len_max {
            return Err(EngineError::Invalid(format!(
                "command address {addr} / length {len} does not fit the engine's ports"
            )));
        }
        Ok(())
    }

    /// The command octets streamed after the handshake (wiped when dropped), the first
    /// [`Op::command_octets`] of them used: LOAD_KEYS the two keys, NEA2 / NIA2 COUNT
    /// (big-endian) then BEARER || DIRECTION || 2 ignored bits.
    pub(super) fn command_stream(
        &mut self,
        op: Op,
        enc: u128,
        int: u128,
        inputs: SecurityInputs,
    ) -> Zeroizing<[u8; 32]> {
        let mut stream = Zeroizing::new([0u8; 32]);
        match op {
            Op::LoadKeys => {
                stream[..16].copy_from_slice(&enc.to_be_bytes());
                stream[16..].copy_from_slice(&int.to_be_bytes());
            }
            Op::Nea2 | Op::Nia2 => {
                // The two low bits must not matter: garbage in them when stalling.
                let junk = if self.stall_threshold != 0 {
                    (self.rng.next_u32() & 3) as u8
                } else {
                    0
                };
                stream[..5].copy_from_slice(&crate::engine::ops::inputs_octets(&inputs, junk));
            }
            Op::Zeroize | Op::Unprotect | Op::Protect | Op::Hash | Op::Derive => {}
        }
        stream
    }

    /// Neither a command nor a command octet offered.
    pub(super) fn idle_command_inputs(&mut self) {
        self.sim.inp.cmd_valid = 0;
        self.sim.inp.dat_valid = 0;
    }

    /// Hold back the command for a random number of cycles (the engine must stay quiet).
    fn hold_back_command(&mut self, start: u64) -> Result<(), EngineError> {
        while self.stall() {
            self.drive_background();
            self.sim.tick(&self.buf);
            self.monitor.idle_cycle(self.sim.pre());
            self.check_watchdog(start)?;
        }
        Ok(())
    }

    /// Offer the command until the engine accepts it (`cmd_ready`).
    pub(super) fn offer_command(
        &mut self,
        op: Op,
        addr: usize,
        len: usize,
        start: u64,
    ) -> Result<(), EngineError> {
        let i = &mut self.sim.inp;
        i.cmd_valid = 1;
        i.cmd_op = op as u8;
        i.addr = addr as u32;
        i.len = len as u32;
        loop {
            self.drive_background();
            self.sim.tick(&self.buf);
            let pre = *self.sim.pre();
            self.monitor.offer_cycle(&pre);
            if pre.cmd_ready == 1 {
                return Ok(());
            }
            self.check_watchdog(start)?;
        }
    }

    /// The engine must have captured the command: drive garbage on its inputs from now on.
    fn scramble_command_inputs(&mut self) {
        self.sim.inp.cmd_valid = 0;
        if self.stall_threshold != 0 {
            let i = &mut self.sim.inp;
            i.cmd_op = (self.rng.next_u32() & 7) as u8;
            i.addr = self.rng.next_u32() & ((1 << params::ADDR_W) - 1);
            i.len = self.rng.next_u32() & ((1 << (params::ADDR_W + 4)) - 1);
        }
    }

    /// Stream the command `octets` (random stalls, garbage on `dat_data` while `dat_valid` is
    /// low), answer memory requests from the frame buffer, and run until the response handshake
    /// (`accepted`: the cycle count at the command handshake). Returns the outputs of that cycle.
    fn run_to_response(
        &mut self,
        op: Op,
        octets: &[u8],
        accepted: u64,
        start: u64,
    ) -> Result<TceOut, EngineError> {
        let mut taken = 0usize; // command octets transferred
        loop {
            self.drive_background();
            let offer = taken < octets.len() && !self.stall();
            if offer {
                self.sim.inp.dat_valid = 1;
                self.sim.inp.dat_data = octets[taken];
            } else {
                self.sim.inp.dat_valid = 0;
            }
            self.sim.tick(&self.buf);
            let pre = *self.sim.pre();
            let cyc = self.sim.cycles() - accepted;
            if let Some(t) = self.monitor.cycle(cyc, op, &self.sim.inp, &pre, taken) {
                self.apply_transfer(&t);
            }
            self.other_master_cycle(pre.mem_own == 1);
            if offer && pre.dat_ready == 1 {
                taken += 1;
            }
            if pre.rsp_valid == 1 && self.sim.inp.rsp_ready == 1 {
                return Ok(pre);
            }
            self.check_watchdog(start)?;
        }
    }

    /// A write acknowledged by the harness lands in the frame buffer (reads were answered from it
    /// by the tick).
    pub(super) fn apply_transfer(&mut self, t: &MemEvent) {
        if t.write && t.addr < self.buf.len() {
            self.buf[t.addr] = t.data;
        }
    }

    /// After the response handshake: inputs idle, the transaction's checks, the response.
    fn finish_command(
        &mut self,
        op: Op,
        resp: &TceOut,
        region: Option<Region>,
        start: u64,
    ) -> Result<RawResponse, EngineError> {
        self.idle_command_inputs();
        self.sim.inp.dat_data = 0;
        self.sim.inp.rsp_ready = 0;
        self.sim.inp.ack_en = 0;
        let cycles = self.sim.cycles() - start;
        self.last_cycles = cycles;
        self.monitor.end(op, resp.rsp_status, region);
        self.monitor.verdict()?;
        Ok(RawResponse {
            status: resp.rsp_status,
            mac: resp.rsp_mac,
            cycles,
        })
    }

    /// Whether to stall this handshake this cycle.
    #[inline]
    pub(super) fn stall(&mut self) -> bool {
        self.stall_threshold != 0 && self.rng.next_u32() < self.stall_threshold
    }

    /// Random back-pressure for the next cycle.
    #[inline]
    fn drive_background(&mut self) {
        let rsp_ready = !self.stall();
        let ack = !self.stall();
        let garbage = if self.stall_threshold != 0 {
            self.rng.next_u32()
        } else {
            0
        };
        let i = &mut self.sim.inp;
        i.rsp_ready = u8::from(rsp_ready);
        i.ack_en = u8::from(ack);
        i.idle_rdata = garbage as u8;
        // dat_data while dat_valid is low (the octet stream overrides it when offering)
        i.dat_data = (garbage >> 8) as u8;
    }

    /// The buffer before a frame is placed: random octets with random placement, else zeros.
    pub(super) fn fill_garbage(&mut self) {
        if self.cfg.random_placement {
            self.rng.fill_bytes(&mut self.buf);
        } else {
            self.buf.fill(0);
        }
    }

    /// Where an operand of `len` octets goes: a random address with random placement, else 0.
    pub(super) fn place(&mut self, len: usize) -> usize {
        if self.cfg.random_placement && len < self.buf.len() {
            self.rng.gen_range(0..=self.buf.len() - len)
        } else {
            0
        }
    }

    /// [`EngineError::Timeout`] (via [`RtlEngine::timeout`]) once the command started at cycle
    /// `start` has run longer than the watchdog allows.
    fn check_watchdog(&mut self, start: u64) -> Result<(), EngineError> {
        if self.sim.cycles() - start > self.cfg.watchdog {
            return self.timeout(start);
        }
        Ok(())
    }

    pub(super) fn timeout<T>(&mut self, start: u64) -> Result<T, EngineError> {
        let n = self.sim.cycles() - start;
        self.last_cycles = n;
        // The engine's state is unknown: reset it (keys are lost, as after a power cycle). If it
        // does not come out of its scrub either, the next command times out as well.
        let _ = self.sim.reset(4);
        Err(EngineError::Timeout(n))
    }

    /// Encrypt one block on the [`AesSim`](crate::sim::AesSim) (no key checks: the raw core).
    pub fn aes_u128(&mut self, key: u128, block: u128) -> Result<u128, EngineError> {
        let watchdog = self.cfg.watchdog;
        let start = self.aes.cycles();
        let th = self.stall_threshold;
        let rng = &mut self.rng;
        let r = self
            .aes
            .encrypt_with(key, block, watchdog, || th != 0 && rng.next_u32() < th);
        self.last_cycles = self.aes.cycles() - start;
        if r.is_err() {
            self.aes.reset(2);
        }
        r
    }
}
