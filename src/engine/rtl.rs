//! The RTL backend of [`CryptoEngine`]: the Verilated `tag_crypto_engine` driven at pin level, with
//! the tag's frame buffer modelled here (every memory transfer is logged), seeded random
//! back-pressure on every handshake, a watchdog, and the protocol/security checks of one
//! transaction (no write before the MAC verdict, a rejected frame leaves the buffer unchanged,
//! writes only inside the region the operation may change, responses and requests held while
//! stalled, `dat_ready` only while a command octet is expected, no response or memory request
//! before the last one). Keys (LOAD_KEYS) and COUNT/BEARER/DIRECTION (NEA2, NIA2) are streamed
//! as command octets after the command handshake. `aes_block` runs on the separate `aes128_enc`
//! model.

use rand::rngs::StdRng;
use rand::{Rng, RngCore, SeedableRng};
use zeroize::Zeroizing;

use super::{CryptoEngine, EngineError, Outcome, Status};
use crate::keys::Key128;
use crate::profile::{MAC_LEN, MacPosition, Profile, SecurityInputs};
use crate::sim::{AesSim, EngineSim, TceOut, Variant, params};

/// Engine operation codes (`cmd_op`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Op {
    LoadKeys = 0,
    Zeroize = 1,
    Nea2 = 2,
    Nia2 = 3,
    Unprotect = 4,
    Protect = 5,
}

/// Response status codes (`rsp_status`).
pub mod status {
    pub const OK: u8 = 0;
    pub const MAC_FAIL: u8 = 1;
    pub const BAD_IND: u8 = 2;
    pub const BAD_LEN: u8 = 3;
    pub const NO_KEYS: u8 = 4;
    pub const BAD_OP: u8 = 5;
}

/// One completed memory transfer of the last operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct MemEvent {
    /// Cycle of the transfer, counted from the command handshake (0 = that cycle).
    pub cycle: u64,
    pub write: bool,
    pub addr: usize,
    pub data: u8,
}

/// How the harness drives the engine.
#[derive(Debug, Clone)]
pub struct RtlConfig {
    /// Build to simulate (the faulty ones are for "must be able to fail" tests only).
    pub variant: Variant,
    /// Per cycle and handshake, the probability of stalling: holding back `cmd_valid` (before a
    /// command), deasserting `rsp_ready`, withholding `mem_ack`, `in_valid`/`out_ready` of the AES
    /// core. 0 = no stalls.
    pub stall_prob: f64,
    /// Seed of the stall pattern and of the garbage driven on idle inputs.
    pub seed: u64,
    /// Cycles one operation may take before [`EngineError::Timeout`] (the model is then reset).
    pub watchdog: u64,
    /// Place each frame at a random address of the buffer (else at 0) and fill the rest of the
    /// buffer with random octets, so stray writes are seen.
    pub random_placement: bool,
}

impl Default for RtlConfig {
    fn default() -> Self {
        Self {
            variant: Variant::Normal,
            stall_prob: 0.0,
            seed: 0,
            watchdog: 4_000_000,
            random_placement: false,
        }
    }
}

/// Result of one engine command at pin level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawResponse {
    pub status: u8,
    pub mac: u32,
    /// Cycles from the first cycle `cmd_valid` was offered to the response handshake, inclusive.
    pub cycles: u64,
}

/// Region an operation may write, and the properties checked on its memory log.
#[derive(Debug, Clone, Copy)]
struct Region {
    base: usize,
    len: usize,
    /// Octets (relative to `base`) that may be written: [lo, hi).
    write_lo: usize,
    write_hi: usize,
    /// Unprotect: every octet of the message must be read before the first write.
    verdict_before_write: bool,
}

/// The RTL engine.
pub struct RtlEngine {
    profile: Profile,
    cfg: RtlConfig,
    sim: EngineSim,
    aes: AesSim,
    buf: Vec<u8>,
    rng: StdRng,
    stall_threshold: u32,
    last_cycles: u64,
    log: Vec<MemEvent>,
    violations: Vec<String>,
    vcd_open: bool,
}

/// COUNT/BEARER/DIRECTION of commands that take none.
const NO_INPUTS: SecurityInputs = SecurityInputs {
    count: 0,
    bearer: 0,
    direction: 0,
};

fn key_u128(k: &Key128) -> u128 {
    u128::from_be_bytes(*k.expose())
}

/// Check that `profile` matches the parameters the RTL was built with.
pub fn check_profile(profile: &Profile) -> Result<(), EngineError> {
    let l = &profile.layout;
    let mut diffs = Vec::new();
    if l.clear_len != params::CLEAR_LEN {
        diffs.push(format!(
            "layout.clear_len {} (built {})",
            l.clear_len,
            params::CLEAR_LEN
        ));
    }
    if l.indication_offset != params::IND_OFFSET {
        diffs.push(format!(
            "layout.indication_offset {} (built {})",
            l.indication_offset,
            params::IND_OFFSET
        ));
    }
    if l.indication_null != params::IND_NULL || l.indication_ciphered != params::IND_CIPHERED {
        diffs.push(format!(
            "layout.indication_null/ciphered {:#04x}/{:#04x} (built {:#04x}/{:#04x})",
            l.indication_null,
            l.indication_ciphered,
            params::IND_NULL,
            params::IND_CIPHERED
        ));
    }
    if (l.mac_position == MacPosition::Trailer) != params::MAC_TRAILER {
        diffs.push(format!("layout.mac_position {:?}", l.mac_position));
    }
    let req = SecurityInputs {
        count: params::REQ_COUNT,
        bearer: params::REQ_BEARER,
        direction: params::REQ_DIRECTION,
    };
    let rsp = SecurityInputs {
        count: params::RSP_COUNT,
        bearer: params::RSP_BEARER,
        direction: params::RSP_DIRECTION,
    };
    if profile.request != req {
        diffs.push(format!("request {:?} (built {req:?})", profile.request));
    }
    if profile.response != rsp {
        diffs.push(format!("response {:?} (built {rsp:?})", profile.response));
    }
    if diffs.is_empty() {
        Ok(())
    } else {
        Err(EngineError::Unavailable(format!(
            "the RTL engine was built for another profile (rebuild after editing \
             profiles/provisional.toml): {}",
            diffs.join("; ")
        )))
    }
}

impl RtlEngine {
    /// The engine as designed, no stalls. Refuses a profile whose layout or COUNT/BEARER/
    /// DIRECTION differ from the ones built into the RTL.
    pub fn new(profile: &Profile) -> Result<Self, EngineError> {
        Self::with_config(profile, RtlConfig::default())
    }

    /// A deliberately faulty build (`fault` 1: CMAC K2 path dropped, 2: corrupted S-box output).
    pub fn faulty(profile: &Profile, fault: u8) -> Result<Self, EngineError> {
        Self::with_config(
            profile,
            RtlConfig {
                variant: Variant::from_fault(fault)?,
                ..RtlConfig::default()
            },
        )
    }

    /// Full control over the build simulated, stalls and placement.
    pub fn with_config(profile: &Profile, cfg: RtlConfig) -> Result<Self, EngineError> {
        check_profile(profile)?;
        if !(0.0..1.0).contains(&cfg.stall_prob) {
            return Err(EngineError::Invalid(format!(
                "stall probability {} outside [0, 1)",
                cfg.stall_prob
            )));
        }
        let mut sim = EngineSim::new(cfg.variant)?;
        if sim.reset(4).is_none() {
            return Err(EngineError::Unavailable(format!(
                "the engine model did not raise cmd_ready within {} cycles of reset",
                EngineSim::READY_AFTER_RESET_MAX
            )));
        }
        let aes = AesSim::new()?;
        let mut e = Self {
            profile: profile.clone(),
            stall_threshold: (cfg.stall_prob * 4_294_967_296.0) as u32,
            rng: StdRng::seed_from_u64(cfg.seed),
            cfg,
            sim,
            aes,
            buf: vec![0; params::BUFFER_LEN],
            last_cycles: 0,
            log: Vec::new(),
            violations: Vec::new(),
            vcd_open: false,
        };
        e.reseed(e.cfg.seed);
        Ok(e)
    }

    /// Restart the stall/garbage pattern from `seed` (to replay a transaction exactly).
    pub fn reseed(&mut self, seed: u64) {
        self.rng = StdRng::seed_from_u64(seed ^ 0x5eed_0fa1_075e_c0de);
    }

    /// Change the stall probability.
    pub fn set_stall_prob(&mut self, p: f64) -> Result<(), EngineError> {
        if !(0.0..1.0).contains(&p) {
            return Err(EngineError::Invalid(format!(
                "stall probability {p} outside [0, 1)"
            )));
        }
        self.cfg.stall_prob = p;
        self.stall_threshold = (p * 4_294_967_296.0) as u32;
        Ok(())
    }

    /// Place frames at random addresses over a random buffer (see [`RtlConfig`]).
    pub fn set_random_placement(&mut self, on: bool) {
        self.cfg.random_placement = on;
    }

    /// The build simulated.
    pub fn variant(&self) -> Variant {
        self.cfg.variant
    }

    /// The profile followed.
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// Memory transfers of the last operation, in order.
    pub fn mem_log(&self) -> &[MemEvent] {
        &self.log
    }

    /// Protocol / security violations seen during the last operation (empty when clean). An
    /// operation with violations also returns [`EngineError::Protocol`].
    pub fn violations(&self) -> &[String] {
        &self.violations
    }

    /// The frame buffer as the engine left it.
    pub fn buffer(&self) -> &[u8] {
        &self.buf
    }

    /// Cycles simulated so far by the engine model and the AES model together.
    pub fn total_cycles(&self) -> u64 {
        self.sim.cycles() + self.aes.cycles()
    }

    /// Bits set over all secret registers of the engine (and its AES core) and of the separate
    /// AES model. Must be 0 after [`CryptoEngine::zeroize`] and after [`RtlEngine::reset`].
    pub fn secret_bits_set(&self) -> u32 {
        self.sim.secret_bits_set() + self.aes.secret_bits_set()
    }

    /// Bits set over the engine model's secret registers only (what ZEROIZE must clear; the
    /// separate AES model is not the engine's).
    pub fn engine_secret_bits_set(&self) -> u32 {
        self.sim.secret_bits_set()
    }

    /// Names of the secret registers read by [`RtlEngine::secret_bits_set`] (engine model).
    pub fn secret_registers(&self) -> Vec<String> {
        self.sim.secret_registers()
    }

    /// Hardware reset of both models (keys are lost). Returns once the engine is ready again
    /// (it scrubs itself after reset, `cmd_ready` low); [`EngineError::Timeout`] if it is not
    /// within [`EngineSim::READY_AFTER_RESET_MAX`] cycles.
    pub fn reset(&mut self) -> Result<(), EngineError> {
        let ready = self.sim.reset(4);
        self.aes.reset(2);
        match ready {
            Some(_) => Ok(()),
            None => Err(EngineError::Timeout(EngineSim::READY_AFTER_RESET_MAX)),
        }
    }

    /// Write a VCD waveform of the engine model from now on (`path`), until [`Self::close_vcd`].
    pub fn open_vcd(&mut self, path: &std::path::Path) -> Result<(), EngineError> {
        self.sim.open_vcd(path)?;
        self.vcd_open = true;
        Ok(())
    }

    /// Write a VCD waveform of the AES model from now on.
    pub fn open_aes_vcd(&mut self, path: &std::path::Path) -> Result<(), EngineError> {
        self.aes.open_vcd(path)
    }

    /// Close the waveforms.
    pub fn close_vcd(&mut self) {
        self.sim.close_vcd();
        self.aes.close_vcd();
        self.vcd_open = false;
    }

    #[inline]
    fn stall(&mut self) -> bool {
        self.stall_threshold != 0 && self.rng.next_u32() < self.stall_threshold
    }

    fn fill_garbage(&mut self) {
        if self.cfg.random_placement {
            self.rng.fill_bytes(&mut self.buf);
        } else {
            self.buf.fill(0);
        }
    }

    fn place(&mut self, len: usize) -> usize {
        if self.cfg.random_placement && len < self.buf.len() {
            self.rng.gen_range(0..=self.buf.len() - len)
        } else {
            0
        }
    }

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

    #[allow(clippy::too_many_arguments)]
    fn command_checked(
        &mut self,
        op: Op,
        enc: u128,
        int: u128,
        inputs: SecurityInputs,
        addr: usize,
        len: usize,
        region: Option<Region>,
    ) -> Result<RawResponse, EngineError> {
        self.log.clear();
        self.violations.clear();
        let watchdog = self.cfg.watchdog;
        let start = self.sim.cycles();
        let len_max = (1usize << (params::ADDR_W + 4)) - 1;
        if addr >= self.buf.len() || len > len_max {
            return Err(EngineError::Invalid(format!(
                "command address {addr} / length {len} does not fit the engine's ports"
            )));
        }
        // The command octets streamed after the handshake (wiped on return): LOAD_KEYS the two
        // keys, NEA2 / NIA2 COUNT (big-endian) then BEARER || DIRECTION || 2 ignored bits.
        let mut stream = Zeroizing::new([0u8; 32]);
        let n_oct = match op {
            Op::LoadKeys => {
                stream[..16].copy_from_slice(&enc.to_be_bytes());
                stream[16..].copy_from_slice(&int.to_be_bytes());
                32
            }
            Op::Nea2 | Op::Nia2 => {
                stream[..4].copy_from_slice(&inputs.count.to_be_bytes());
                // The two low bits must not matter: garbage in them when stalling.
                let junk = if self.stall_threshold != 0 {
                    (self.rng.next_u32() & 3) as u8
                } else {
                    0
                };
                stream[4] = ((inputs.bearer & 31) << 3) | ((inputs.direction & 1) << 2) | junk;
                5
            }
            Op::Zeroize | Op::Unprotect | Op::Protect => 0,
        };
        let octets = &stream[..n_oct];
        let idle = |sim: &mut EngineSim| {
            sim.inp.cmd_valid = 0;
            sim.inp.dat_valid = 0;
        };
        idle(&mut self.sim);
        // Hold back the command for a random number of cycles.
        while self.stall() {
            self.drive_background();
            self.sim.tick(&self.buf);
            self.check_idle_outputs();
            if self.sim.cycles() - start > watchdog {
                return self.timeout(start);
            }
        }
        {
            let i = &mut self.sim.inp;
            i.cmd_valid = 1;
            i.cmd_op = op as u8;
            i.addr = addr as u32;
            i.len = len as u32;
        }
        // Offer until accepted.
        loop {
            self.drive_background();
            self.sim.tick(&self.buf);
            let pre = *self.sim.pre();
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
            if pre.cmd_ready == 1 {
                break;
            }
            if self.sim.cycles() - start > watchdog {
                return self.timeout(start);
            }
        }
        let accepted = self.sim.cycles();
        // The engine must have captured the command: drive garbage from now on.
        self.sim.inp.cmd_valid = 0;
        if self.stall_threshold != 0 {
            let i = &mut self.sim.inp;
            i.cmd_op = (self.rng.next_u32() & 7) as u8;
            i.addr = self.rng.next_u32() & ((1 << params::ADDR_W) - 1);
            i.len = self.rng.next_u32() & ((1 << (params::ADDR_W + 4)) - 1);
        }
        // Stream the command octets (random stalls, garbage on dat_data while dat_valid is low)
        // and run until the response handshake.
        let mut taken = 0usize; // command octets transferred
        let mut stray_dat = false; // dat_ready with no octet expected (reported once)
        let mut early = false; // response / memory request before the last octet (reported once)
        let mut held: Option<TceOut> = None; // response offered but not taken last cycle
        let mut pending: Option<TceOut> = None; // memory request not acknowledged last cycle
        let resp = loop {
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
            let missing = octets.len() - taken; // before this cycle's transfer
            if pre.dat_ready == 1 {
                if offer {
                    taken += 1;
                } else if missing == 0 && !stray_dat {
                    stray_dat = true;
                    self.violations.push(format!(
                        "cycle {cyc}: dat_ready but {op:?} expects no further command octet"
                    ));
                }
            }
            if missing > 0 && (pre.rsp_valid == 1 || pre.mem_req == 1) && !early {
                early = true;
                self.violations.push(format!(
                    "cycle {cyc}: {} before the command octets were all taken ({} of {})",
                    if pre.rsp_valid == 1 {
                        "response"
                    } else {
                        "memory request"
                    },
                    octets.len() - missing,
                    octets.len()
                ));
            }
            if let Some(p) = pending.take()
                && (pre.mem_req != 1
                    || pre.mem_we != p.mem_we
                    || pre.mem_addr != p.mem_addr
                    || (p.mem_we == 1 && pre.mem_wdata != p.mem_wdata))
            {
                self.violations.push(format!(
                    "cycle {cyc}: memory request changed or withdrawn before its acknowledge"
                ));
            }
            if pre.mem_req == 1 {
                if pre.mem_ack == 1 {
                    let a = pre.mem_addr as usize;
                    let write = pre.mem_we == 1;
                    let data = if write { pre.mem_wdata } else { pre.mem_rdata };
                    if write && a < self.buf.len() {
                        self.buf[a] = data;
                    }
                    self.log.push(MemEvent {
                        cycle: cyc,
                        write,
                        addr: a,
                        data,
                    });
                } else {
                    pending = Some(pre);
                }
            }
            if let Some(h) = held.take()
                && (pre.rsp_valid != 1
                    || pre.rsp_status != h.rsp_status
                    || pre.rsp_mac != h.rsp_mac)
            {
                self.violations.push(format!(
                    "cycle {cyc}: response changed or withdrawn while stalled"
                ));
            }
            if pre.rsp_valid == 1 {
                if self.sim.inp.rsp_ready == 1 {
                    break pre;
                }
                held = Some(pre);
            }
            if self.sim.cycles() - start > watchdog {
                return self.timeout(start);
            }
        };
        idle(&mut self.sim);
        self.sim.inp.dat_data = 0;
        self.sim.inp.rsp_ready = 0;
        self.sim.inp.ack_en = 0;
        let cycles = self.sim.cycles() - start;
        self.last_cycles = cycles;
        if let Some(r) = region {
            self.check_region(&r, resp.rsp_status);
        }
        if resp.rsp_status == status::OK && op == Op::Nia2 && !self.log.iter().all(|e| !e.write) {
            self.violations.push("NIA2 wrote to memory".into());
        }
        if matches!(op, Op::LoadKeys | Op::Zeroize) && !self.log.is_empty() {
            self.violations.push(format!("{op:?} touched memory"));
        }
        if !self.violations.is_empty() {
            return Err(EngineError::Protocol(self.violations.join("; ")));
        }
        Ok(RawResponse {
            status: resp.rsp_status,
            mac: resp.rsp_mac,
            cycles,
        })
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

    fn check_idle_outputs(&mut self) {
        let pre = *self.sim.pre();
        if pre.rsp_valid == 1 || (pre.mem_req == 1 && pre.mem_ack == 1) || pre.dat_ready == 1 {
            self.violations.push("engine active with no command".into());
        }
    }

    fn timeout<T>(&mut self, start: u64) -> Result<T, EngineError> {
        let n = self.sim.cycles() - start;
        self.last_cycles = n;
        // The engine's state is unknown: reset it (keys are lost, as after a power cycle). If it
        // does not come out of its scrub either, the next command times out as well.
        let _ = self.sim.reset(4);
        Err(EngineError::Timeout(n))
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

    fn map_status(st: u8) -> Result<Status, EngineError> {
        match st {
            status::OK => Ok(Status::Ok),
            status::MAC_FAIL => Ok(Status::MacFailure),
            status::BAD_IND => Ok(Status::BadIndication),
            status::BAD_LEN => Ok(Status::BadLength),
            status::NO_KEYS => Err(EngineError::NoKeys),
            s => Err(EngineError::Protocol(format!("unexpected status {s}"))),
        }
    }

    /// Unprotect/protect common part.
    fn message_op(&mut self, op: Op, frame: &mut [u8]) -> Result<Outcome, EngineError> {
        let l = self.profile.layout.clone();
        let cap = self.buf.len();
        let n = frame.len();
        self.fill_garbage();
        let (addr, fits) = if n <= cap {
            (self.place(n), true)
        } else {
            (0, false)
        };
        if fits {
            self.buf[addr..addr + n].copy_from_slice(frame);
        }
        let before = self.buf.clone();
        let mo = l.mac_offset(n);
        let bo = l.body_offset();
        let body_len = n.saturating_sub(l.min_message_len());
        let (write_lo, write_hi) = match op {
            Op::Unprotect => (bo, bo + body_len),
            _ => {
                // Protect: the ciphered part and the MAC field.
                let lo = bo.min(mo);
                let hi = (bo + body_len).max(mo + MAC_LEN);
                (lo, hi)
            }
        };
        let region = Region {
            base: addr,
            len: n.min(cap),
            write_lo,
            write_hi,
            verdict_before_write: op == Op::Unprotect,
        };
        let r = self.command_checked(op, 0, 0, NO_INPUTS, addr, n, Some(region))?;
        let st = Self::map_status(r.status)?;
        if st != Status::Ok {
            if self.buf != before {
                return Err(EngineError::Protocol(format!(
                    "{op:?} rejected the frame ({st:?}) but the buffer changed"
                )));
            }
            return Ok(Outcome {
                status: st,
                ciphered: false,
                mac: [0; 4],
            });
        }
        if !fits {
            return Err(EngineError::Protocol(format!(
                "{op:?} accepted a {n}-octet frame larger than the {cap}-octet buffer"
            )));
        }
        // Outside the frame nothing may change.
        if self.buf[..addr] != before[..addr] || self.buf[addr + n..] != before[addr + n..] {
            return Err(EngineError::Protocol(format!(
                "{op:?} wrote outside the frame"
            )));
        }
        frame.copy_from_slice(&self.buf[addr..addr + n]);
        let ciphered = frame.get(l.indication_offset) == Some(&l.indication_ciphered);
        let mac = if op == Op::Protect {
            let m = r.mac.to_be_bytes();
            if frame.get(mo..mo + MAC_LEN) != Some(&m[..]) {
                return Err(EngineError::Protocol(
                    "MAC written to the frame differs from rsp_mac".into(),
                ));
            }
            m
        } else {
            [0; 4]
        };
        Ok(Outcome {
            status: Status::Ok,
            ciphered,
            mac,
        })
    }

    fn check_inputs(inputs: &SecurityInputs) -> Result<(), EngineError> {
        crate::algorithms::check_inputs(inputs).map_err(|e| EngineError::Invalid(e.to_string()))
    }

    fn check_bits(&self, data: &[u8], bits: usize) -> Result<usize, EngineError> {
        let n = crate::algorithms::octets_for(bits, data)
            .map_err(|e| EngineError::Invalid(e.to_string()))?;
        if n > self.buf.len() {
            return Err(EngineError::Capacity {
                addr: 0,
                len: n,
                cap: self.buf.len(),
            });
        }
        Ok(n)
    }

    /// Encrypt one block on the AES model (no key checks: the raw core).
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

impl CryptoEngine for RtlEngine {
    fn name(&self) -> &'static str {
        "rtl"
    }

    fn load_keys(&mut self, enc: &Key128, int: &Key128) -> Result<(), EngineError> {
        let r = self.command(Op::LoadKeys, key_u128(enc), key_u128(int), NO_INPUTS, 0, 0)?;
        match r.status {
            status::OK => Ok(()),
            s => Err(EngineError::Protocol(format!(
                "LOAD_KEYS answered status {s}"
            ))),
        }
    }

    fn zeroize(&mut self) -> Result<(), EngineError> {
        let r = self.command(Op::Zeroize, 0, 0, NO_INPUTS, 0, 0)?;
        match r.status {
            status::OK => Ok(()),
            s => Err(EngineError::Protocol(format!(
                "ZEROIZE answered status {s}"
            ))),
        }
    }

    fn aes_block(&mut self, key: &Key128, block: &[u8; 16]) -> Result<[u8; 16], EngineError> {
        let out = self.aes_u128(key_u128(key), u128::from_be_bytes(*block))?;
        Ok(out.to_be_bytes())
    }

    fn nea2(
        &mut self,
        inputs: SecurityInputs,
        data: &[u8],
        bits: usize,
    ) -> Result<Vec<u8>, EngineError> {
        Self::check_inputs(&inputs)?;
        let n = self.check_bits(data, bits)?;
        self.fill_garbage();
        let addr = self.place(n.max(1));
        self.buf[addr..addr + n].copy_from_slice(&data[..n]);
        let before = self.buf.clone();
        let region = Region {
            base: addr,
            len: n,
            write_lo: 0,
            write_hi: n,
            verdict_before_write: false,
        };
        let r = self.command_checked(Op::Nea2, 0, 0, inputs, addr, bits, Some(region))?;
        match Self::map_status(r.status)? {
            Status::Ok => {}
            s => return Err(EngineError::Protocol(format!("NEA2 answered {s:?}"))),
        }
        if self.buf[..addr] != before[..addr] || self.buf[addr + n..] != before[addr + n..] {
            return Err(EngineError::Protocol(
                "NEA2 wrote outside its region".into(),
            ));
        }
        Ok(self.buf[addr..addr + n].to_vec())
    }

    fn nia2(
        &mut self,
        inputs: SecurityInputs,
        data: &[u8],
        bits: usize,
    ) -> Result<[u8; 4], EngineError> {
        Self::check_inputs(&inputs)?;
        let n = self.check_bits(data, bits)?;
        self.fill_garbage();
        let addr = self.place(n.max(1));
        self.buf[addr..addr + n].copy_from_slice(&data[..n]);
        // Bits past the end of the string must not matter: fill them with garbage.
        if !bits.is_multiple_of(8) && self.stall_threshold != 0 {
            let junk = (self.rng.next_u32() as u8) & !crate::algorithms::last_octet_mask(bits);
            self.buf[addr + n - 1] |= junk;
        }
        let region = Region {
            base: addr,
            len: n,
            write_lo: 0,
            write_hi: 0,
            verdict_before_write: false,
        };
        let r = self.command_checked(Op::Nia2, 0, 0, inputs, addr, bits, Some(region))?;
        match Self::map_status(r.status)? {
            Status::Ok => Ok(r.mac.to_be_bytes()),
            s => Err(EngineError::Protocol(format!("NIA2 answered {s:?}"))),
        }
    }

    fn unprotect(&mut self, frame: &mut [u8]) -> Result<Outcome, EngineError> {
        self.message_op(Op::Unprotect, frame)
    }

    fn protect(&mut self, frame: &mut [u8]) -> Result<Outcome, EngineError> {
        self.message_op(Op::Protect, frame)
    }

    fn last_cycles(&self) -> Option<u64> {
        Some(self.last_cycles)
    }
}

impl Drop for RtlEngine {
    fn drop(&mut self) {
        if self.vcd_open {
            self.close_vcd();
        }
    }
}
