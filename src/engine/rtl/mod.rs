//! The RTL backend of [`CryptoEngine`], [`RtlEngine`]: the Verilated `tag_crypto_engine`
//! ([`EngineSim`]) driven at pin level, with the tag's frame buffer modelled here (every memory
//! transfer is logged), seeded random back-pressure on every handshake, a watchdog, and the
//! protocol/security checks of one transaction (no write before the MAC verdict, a rejected frame
//! leaves the buffer unchanged, writes only inside the region the operation may change, responses
//! and requests held while stalled, `dat_ready` only while a command octet is expected, no
//! response or memory request before the last one). Keys (LOAD_KEYS) and COUNT/BEARER/DIRECTION
//! (NEA2, NIA2) are streamed as command octets after the command handshake. `aes_block` runs on
//! the separate `aes128_enc` model ([`AesSim`]).
//!
//! Files: `config.rs` [`RtlConfig`] and [`check_profile`]; `driver.rs` how a command is driven
//! ([`Op`], [`status`], [`RawResponse`], [`RtlEngine::command`], stalls, watchdog); `monitor.rs`
//! what must hold meanwhile ([`MemEvent`] and every protocol/security check, `mem_own` among
//! them); `abort.rs` what the command interface cannot do (hanging commands, the `zeroize`
//! input, a second bus master refused while the engine owns the buffer); this file the backend
//! itself (construction, accessors, the [`CryptoEngine`] operations).

use rand::RngCore;
use rand::SeedableRng;
use rand::rngs::StdRng;

use super::{CryptoEngine, EngineError, Outcome, Status};
use crate::keys::{Key128, Key256, LongTermKey};
use crate::profile::{Profile, SecurityInputs};
use crate::sim::{AesSim, EngineSim, Variant, params};

mod abort;
mod config;
mod driver;
mod monitor;

pub use abort::{Hang, HangState, OtherMaster, SCRUB_CYCLES, ZeroizeReport};
pub use config::{RtlConfig, check_profile};
pub use driver::{Op, RawResponse, status};
pub use monitor::MemEvent;

use driver::map_status;
use monitor::{Monitor, Region};

/// The RTL backend: an [`EngineSim`] for every command but `aes_block`, which runs on an
/// [`AesSim`], with the frame buffer, the stall pattern and the monitor of the last command.
pub struct RtlEngine {
    profile: Profile,
    cfg: RtlConfig,
    sim: EngineSim,
    aes: AesSim,
    buf: Vec<u8>,
    rng: StdRng,
    stall_threshold: u32,
    last_cycles: u64,
    monitor: Monitor,
    vcd_open: bool,
    /// A second master on the frame buffer bus (abort.rs), if installed.
    other: Option<OtherMaster>,
    /// The key store (K_AIoT) was provisioned ([`CryptoEngine::set_key_store`]).
    key_store_set: bool,
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

impl RtlEngine {
    /// The engine as designed, no stalls. Refuses a profile whose layout or COUNT/BEARER/
    /// DIRECTION differ from the ones built into the RTL.
    pub fn new(profile: &Profile) -> Result<Self, EngineError> {
        Self::with_config(profile, RtlConfig::default())
    }

    /// A deliberately faulty build (`fault` 1: CMAC K2 path dropped, 2: corrupted S-box output,
    /// 3: a wrong SHA-256 rotation in the KDF unit).
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
        let stall_threshold = config::stall_threshold(cfg.stall_prob)?;
        let mut sim = EngineSim::with_trace_format(cfg.variant, cfg.trace_format)?;
        if sim.reset(4).is_none() {
            return Err(EngineError::Unavailable(format!(
                "the engine model did not raise cmd_ready within {} cycles of reset",
                EngineSim::READY_AFTER_RESET_MAX
            )));
        }
        let aes = AesSim::new()?;
        let mut e = Self {
            profile: profile.clone(),
            stall_threshold,
            rng: StdRng::seed_from_u64(cfg.seed),
            cfg,
            sim,
            aes,
            buf: vec![0; params::BUFFER_LEN],
            last_cycles: 0,
            monitor: Monitor::default(),
            vcd_open: false,
            other: None,
            key_store_set: false,
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
        self.stall_threshold = config::stall_threshold(p)?;
        self.cfg.stall_prob = p;
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
        self.monitor.log()
    }

    /// Protocol / security violations seen during the last operation (empty when clean). An
    /// operation with violations also returns [`EngineError::Protocol`].
    pub fn violations(&self) -> &[String] {
        self.monitor.violations()
    }

    /// The frame buffer as the engine left it.
    pub fn buffer(&self) -> &[u8] {
        &self.buf
    }

    /// Cycles simulated so far by the [`EngineSim`] and the [`AesSim`] together.
    pub fn total_cycles(&self) -> u64 {
        self.sim.cycles() + self.aes.cycles()
    }

    /// Bits set over all secret registers of the engine (and its AES core, [`EngineSim`]) and of
    /// the separate [`AesSim`]. Must be 0 after [`CryptoEngine::zeroize`] and after
    /// [`RtlEngine::reset`].
    pub fn secret_bits_set(&self) -> u32 {
        self.sim.secret_bits_set() + self.aes.secret_bits_set()
    }

    /// Bits set over the [`EngineSim`]'s secret registers only (what ZEROIZE must clear; the
    /// separate [`AesSim`] is not the engine's).
    pub fn engine_secret_bits_set(&self) -> u32 {
        self.sim.secret_bits_set()
    }

    /// The engine's [`EngineSim`], read only (its registers, its cycle count).
    pub fn sim(&self) -> &EngineSim {
        &self.sim
    }

    /// The engine's [`EngineSim`], for per-cycle observation between commands (toggle recording,
    /// [`EngineSim::record_toggles`]); driving its inputs directly leaves the backend's view of the
    /// engine stale, so use [`RtlEngine::idle`] to let cycles pass.
    pub fn sim_mut(&mut self) -> &mut EngineSim {
        &mut self.sim
    }

    /// Let `cycles` clock cycles pass with no command, no command octet, no response taken and
    /// no memory answer (the engine idles, or goes on with what it is doing).
    pub fn idle(&mut self, cycles: u64) {
        let i = &mut self.sim.inp;
        i.cmd_valid = 0;
        i.dat_valid = 0;
        i.dat_data = 0;
        i.rsp_ready = 0;
        i.ack_en = 0;
        i.zeroize = 0;
        for _ in 0..cycles {
            self.sim.tick(&self.buf);
        }
    }

    /// Names of the secret registers read by [`RtlEngine::secret_bits_set`] ([`EngineSim`]).
    pub fn secret_registers(&self) -> Vec<String> {
        self.sim.secret_registers()
    }

    /// Hardware reset of the [`EngineSim`] and the [`AesSim`] (keys are lost). Returns once the
    /// engine is ready again (it scrubs itself after reset, `cmd_ready` low);
    /// [`EngineError::Timeout`] if it is not within [`EngineSim::READY_AFTER_RESET_MAX`] cycles.
    pub fn reset(&mut self) -> Result<(), EngineError> {
        let ready = self.sim.reset(4);
        self.aes.reset(2);
        match ready {
            Some(_) => Ok(()),
            None => Err(EngineError::Timeout(EngineSim::READY_AFTER_RESET_MAX)),
        }
    }

    /// Write a VCD waveform of the [`EngineSim`] from now on (`path`), until [`Self::close_vcd`].
    pub fn open_vcd(&mut self, path: &std::path::Path) -> Result<(), EngineError> {
        self.sim.open_vcd(path)?;
        self.vcd_open = true;
        Ok(())
    }

    /// Whether the [`EngineSim`]'s waveform is being written.
    pub fn tracing(&self) -> bool {
        self.vcd_open
    }

    /// Write a VCD waveform of the [`AesSim`] from now on.
    pub fn open_aes_vcd(&mut self, path: &std::path::Path) -> Result<(), EngineError> {
        self.aes.open_vcd(path)
    }

    /// [`EngineError::Io`] if writing a waveform (engine or AES core) failed since it was opened.
    pub fn trace_error(&self) -> Result<(), EngineError> {
        self.sim.trace_error()?;
        self.aes.trace_error()
    }

    /// Close the waveforms.
    pub fn close_vcd(&mut self) {
        self.sim.close_vcd();
        self.aes.close_vcd();
        self.vcd_open = false;
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
        let region = Region::message(op, &l, addr, n, cap);
        let r = self.command_checked(op, 0, 0, NO_INPUTS, addr, n, Some(region))?;
        let st = map_status(r.status)?;
        monitor::check_frame_buffer(op, st, &self.buf, &before, addr, n)?;
        if st != Status::Ok {
            return Ok(Outcome {
                status: st,
                ciphered: false,
                mac: [0; 4],
            });
        }
        frame.copy_from_slice(&self.buf[addr..addr + n]);
        let ciphered = frame.get(l.indication_offset) == Some(&l.indication_ciphered);
        let mac = if op == Op::Protect {
            monitor::check_mac_field(frame, l.mac_offset(n), r.mac)?
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
        // Idle: the ZEROIZE command. Otherwise (a command left hanging, see `hang`): the zeroize
        // input, which clears the engine from any state.
        if self.sim.post().cmd_ready != 1 {
            let rep = self.zeroize_input()?;
            return match rep.active_cycles {
                0 => Ok(()),
                n => Err(EngineError::Protocol(format!(
                    "{n} cycles of activity during the scrub after the zeroize input"
                ))),
            };
        }
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
        let region = Region::in_place(addr, n);
        let r = self.command_checked(Op::Nea2, 0, 0, inputs, addr, bits, Some(region))?;
        match map_status(r.status)? {
            Status::Ok => {}
            s => return Err(EngineError::Protocol(format!("NEA2 answered {s:?}"))),
        }
        if !monitor::unchanged_outside(&self.buf, &before, addr, n) {
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
        let region = Region::read_only(addr, n);
        let r = self.command_checked(Op::Nia2, 0, 0, inputs, addr, bits, Some(region))?;
        match map_status(r.status)? {
            Status::Ok => Ok(r.mac.to_be_bytes()),
            s => Err(EngineError::Protocol(format!("NIA2 answered {s:?}"))),
        }
    }

    fn has_derive(&self) -> bool {
        true
    }

    fn set_key_store(&mut self, k: &LongTermKey) -> Result<(), EngineError> {
        self.sim.set_key_store(Some(k.expose()));
        self.key_store_set = true;
        Ok(())
    }

    fn derive(&mut self, n_aiotf: &[u8], n_dev: &[u8]) -> Result<(), EngineError> {
        if !self.key_store_set {
            return Err(EngineError::Invalid(
                "DERIVE with no key store provisioned".into(),
            ));
        }
        if n_aiotf.len() != params::NA_LEN || n_dev.len() != params::ND_LEN {
            return Err(EngineError::Invalid(format!(
                "DERIVE nonces of {} / {} octets: the engine was built for {} / {}",
                n_aiotf.len(),
                n_dev.len(),
                params::NA_LEN,
                params::ND_LEN
            )));
        }
        let span = derive_span();
        self.fill_garbage();
        let addr = self.place(span);
        self.buf[addr + params::NA_OFF..][..n_aiotf.len()].copy_from_slice(n_aiotf);
        self.buf[addr + params::ND_OFF..][..n_dev.len()].copy_from_slice(n_dev);
        let before = self.buf.clone();
        let region = Region::read_only(addr, span);
        let r = self.command_with_octets(Op::Derive, &[], addr, span, Some(region))?;
        if self.buf != before {
            return Err(EngineError::Protocol(
                "DERIVE changed the frame buffer".into(),
            ));
        }
        match r.status {
            status::OK => Ok(()),
            s => Err(EngineError::Protocol(format!("DERIVE answered status {s}"))),
        }
    }

    fn hash(&mut self, key: Option<&[u8]>, msg: &[u8]) -> Result<Key256, EngineError> {
        crate::engine::check_hash_args(key, msg, self.buf.len())?;
        let k = key.unwrap_or(&[]);
        let n = k.len() + msg.len();
        let octet = crate::engine::ops::hash_octet(key.is_some(), k.len())
            .ok_or_else(|| EngineError::Invalid(format!("HMAC key of {} octets", k.len())))?;
        self.fill_garbage();
        let addr = self.place(n.max(32));
        self.buf[addr..addr + k.len()].copy_from_slice(k);
        self.buf[addr + k.len()..addr + n].copy_from_slice(msg);
        let before = self.buf.clone();
        let region = Region::hash(addr, n);
        let r = self.command_with_octets(Op::Hash, &[octet], addr, n, Some(region));
        let out = r.and_then(|r| match r.status {
            status::OK => {
                if !monitor::unchanged_outside(&self.buf, &before, addr, 32) {
                    return Err(EngineError::Protocol(
                        "HASH wrote outside its 32-octet result".into(),
                    ));
                }
                let mut d = [0u8; 32];
                d.copy_from_slice(&self.buf[addr..addr + 32]);
                let key = Key256::new(d);
                zeroize::Zeroize::zeroize(&mut d);
                Ok(key)
            }
            s => Err(EngineError::Protocol(format!("HASH answered status {s}"))),
        });
        // The key and the result were in the simulated buffer: wipe them.
        zeroize::Zeroize::zeroize(&mut self.buf[addr..addr + n.max(32)]);
        out
    }

    fn unprotect(&mut self, frame: &mut [u8]) -> Result<Outcome, EngineError> {
        self.message_op(Op::Unprotect, frame)
    }

    fn protect(&mut self, frame: &mut [u8]) -> Result<Outcome, EngineError> {
        self.message_op(Op::Protect, frame)
    }

    fn total_cycles(&self) -> Option<u64> {
        Some(RtlEngine::total_cycles(self))
    }

    fn last_cycles(&self) -> Option<u64> {
        Some(self.last_cycles)
    }
}

/// Octets from DERIVE's address that it reads (the RTL's NA_OFF / NA_LEN / ND_OFF / ND_LEN).
pub fn derive_span() -> usize {
    (params::NA_OFF + params::NA_LEN).max(params::ND_OFF + params::ND_LEN)
}

impl Drop for RtlEngine {
    fn drop(&mut self) {
        if self.vcd_open {
            self.close_vcd();
        }
    }
}
