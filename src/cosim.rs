//! Co-simulation: the Verilated RTL engine checked bit for bit against the golden model at every
//! level (AES block, NEA2, NIA2, whole unprotect/protect, whole clause 5.3.2 procedure), on the
//! official vectors, directed corner cases, seeded random transactions with random back-pressure
//! on every handshake, and attacks; plus the security properties (no write before the MAC verdict,
//! a rejected frame leaves the buffer unchanged, no secret bit left after ZEROIZE or reset).
//!
//! On a mismatch the failing transaction is re-run on a fresh model with the same stall pattern
//! and its waveform written to a VCD file, whose path is printed and kept in the report.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::time::Instant;

use rand::rngs::StdRng;
use rand::{Rng, RngCore, SeedableRng};
use serde::Serialize;

use crate::algorithms;
use crate::engine::model::ModelEngine;
use crate::engine::rtl::{RtlConfig, RtlEngine};
use crate::engine::{CryptoEngine, EngineError, Outcome, Status};
use crate::error::Error;
use crate::keys::{CommandKeys, Key128};
use crate::messages::mac_input;
use crate::procedure;
use crate::profile::{MAC_LEN, Profile, SecurityInputs};
use crate::sim::{Variant, params};

/// What to run.
#[derive(Debug, Clone)]
pub struct CosimOptions {
    /// Seed of everything random (data, keys, stalls, placement).
    pub seed: u64,
    /// Random transactions after the vectors and directed cases.
    pub count: usize,
    /// Per-cycle stall probability on every handshake of the random transactions (0..1).
    pub stall_prob: f64,
    /// Write the waveform of the whole run's engine model to this VCD file (large!). Failure
    /// traces are written next to it (or to the temp directory when `None`).
    pub vcd: Option<PathBuf>,
    /// 0: the RTL as designed; 1/2: the deliberately faulty builds (must produce mismatches).
    pub fault: u8,
    /// Show a progress bar on stderr.
    pub progress: bool,
    /// Parallel simulations (0: one per core). The first runs the vectors and directed cases
    /// and its share of the random transactions; the others run random transactions only, each
    /// with its own model instances and a seed derived from `seed`. A VCD run uses one.
    pub jobs: usize,
}

impl Default for CosimOptions {
    fn default() -> Self {
        Self {
            seed: 1,
            count: 2000,
            stall_prob: 0.2,
            vcd: None,
            fault: 0,
            progress: false,
            jobs: 1,
        }
    }
}

/// Checks and results of one level.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LevelReport {
    pub level: String,
    pub checks: u64,
    pub mismatches: u64,
    /// AES block computations the checks verified (engine ops count the blocks they imply).
    pub aes_blocks: u64,
    /// Simulated cycles (engine + AES models).
    pub cycles: u64,
    pub seconds: f64,
}

/// Cycle statistics of one operation kind.
#[derive(Debug, Clone, Default, Serialize)]
pub struct OpCycles {
    pub op: String,
    pub count: u64,
    pub min: u64,
    pub max: u64,
    pub total: u64,
    /// Octets processed in total (0 for AES blocks / key commands).
    pub octets: u64,
}

impl OpCycles {
    fn add(&mut self, cycles: u64, octets: u64) {
        if self.count == 0 || cycles < self.min {
            self.min = cycles;
        }
        self.max = self.max.max(cycles);
        self.count += 1;
        self.total += cycles;
        self.octets += octets;
    }

    /// Mean cycles per operation.
    pub fn mean(&self) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            self.total as f64 / self.count as f64
        }
    }
}

/// Stall-free timing of representative operations (cycles).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Timing {
    /// One AES block on the aes128_enc model, handshake to handshake.
    pub aes_block: u64,
    /// NEA2 over 1024 bits (8 blocks) and the per-block figure.
    pub nea2_1024: u64,
    pub nea2_per_block: f64,
    /// NIA2 over 1024 bits.
    pub nia2_1024: u64,
    pub nia2_per_block: f64,
    /// Unprotect (ciphered) and protect (ciphered) of a 64-octet message.
    pub unprotect_64: u64,
    pub protect_64: u64,
    /// Unprotect (ciphered) of a maximum-length (profile) message.
    pub unprotect_max: u64,
    pub max_message_len: usize,
}

/// A mismatch or violation.
#[derive(Debug, Clone, Serialize)]
pub struct Failure {
    pub level: String,
    pub case: String,
    pub detail: String,
    /// Waveform of the re-run of this transaction, when written.
    pub vcd: Option<PathBuf>,
}

/// Results of a co-simulation run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CosimReport {
    pub seed: u64,
    pub count: usize,
    pub stall_prob: f64,
    pub fault: u8,
    pub variant: String,
    pub levels: Vec<LevelReport>,
    pub ops: Vec<OpCycles>,
    pub timing: Timing,
    /// First failures (at most 32 kept; `mismatches()` counts them all).
    pub failures: Vec<Failure>,
    /// Secret registers checked for zero after ZEROIZE and reset.
    pub secret_registers: Vec<String>,
    pub sim_cycles: u64,
    /// Parallel simulations the run used.
    pub jobs: usize,
    pub wall_seconds: f64,
    pub cycles_per_second: f64,
    pub aes_blocks_verified: u64,
    pub aes_blocks_per_second: f64,
}

impl CosimReport {
    /// Total mismatches and violations over all levels (0 for a passing run).
    pub fn mismatches(&self) -> u64 {
        self.levels.iter().map(|l| l.mismatches).sum()
    }

    /// Total checks.
    pub fn checks(&self) -> u64 {
        self.levels.iter().map(|l| l.checks).sum()
    }
}

impl fmt::Display for CosimReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "co-simulation: RTL ({}) vs model, seed {}, {} random transactions, stall probability \
             {}, {} parallel simulation(s)",
            self.variant, self.seed, self.count, self.stall_prob, self.jobs
        )?;
        writeln!(
            f,
            "{:<11} {:>8} {:>10} {:>11} {:>13} {:>8}",
            "level", "checks", "mismatch", "AES blocks", "cycles", "seconds"
        )?;
        for l in &self.levels {
            writeln!(
                f,
                "{:<11} {:>8} {:>10} {:>11} {:>13} {:>8.2}",
                l.level, l.checks, l.mismatches, l.aes_blocks, l.cycles, l.seconds
            )?;
        }
        writeln!(
            f,
            "{:<11} {:>8} {:>10} {:>11} {:>13} {:>8.2}",
            "total",
            self.checks(),
            self.mismatches(),
            self.aes_blocks_verified,
            self.sim_cycles,
            self.wall_seconds
        )?;
        writeln!(
            f,
            "cycles per op (with stalls): op, count, min, mean, max, cycles/octet"
        )?;
        for o in &self.ops {
            let per_octet = if o.octets > 0 {
                format!("{:.1}", o.total as f64 / o.octets as f64)
            } else {
                "-".into()
            };
            writeln!(
                f,
                "  {:<10} {:>7} {:>7} {:>9.1} {:>8} {:>8}",
                o.op,
                o.count,
                o.min,
                o.mean(),
                o.max,
                per_octet
            )?;
        }
        let t = &self.timing;
        writeln!(
            f,
            "stall-free cycles: AES block {}, NEA2 1024 bits {} ({:.1}/block), NIA2 1024 bits {} \
             ({:.1}/block), unprotect 64 B {}, protect 64 B {}, unprotect {} B {}",
            t.aes_block,
            t.nea2_1024,
            t.nea2_per_block,
            t.nia2_1024,
            t.nia2_per_block,
            t.unprotect_64,
            t.protect_64,
            t.max_message_len,
            t.unprotect_max
        )?;
        writeln!(
            f,
            "speed: {:.2} M simulated cycles/s, {:.0} verified AES blocks/s",
            self.cycles_per_second / 1e6,
            self.aes_blocks_per_second
        )?;
        writeln!(
            f,
            "secret registers checked: {}",
            self.secret_registers.join(", ")
        )?;
        for x in &self.failures {
            write!(f, "FAIL [{}] {}: {}", x.level, x.case, x.detail)?;
            if let Some(p) = &x.vcd {
                write!(f, " (trace: {})", p.display())?;
            }
            writeln!(f)?;
        }
        if self.mismatches() == 0 {
            write!(f, "PASS: 0 mismatches")
        } else {
            write!(
                f,
                "FAIL: {} mismatches; reproduce with: aiotsec cosim --seed {} --count {} \
                 --stall-prob {} --jobs {}{}",
                self.mismatches(),
                self.seed,
                self.count,
                self.stall_prob,
                self.jobs,
                if self.fault != 0 {
                    format!(" --fault {}", self.fault)
                } else {
                    String::new()
                }
            )
        }
    }
}

/// One transaction, self-contained so it can be replayed on a fresh model.
#[derive(Debug, Clone)]
enum Txn {
    Aes {
        key: [u8; 16],
        block: [u8; 16],
    },
    Nea2 {
        keys: ([u8; 16], [u8; 16]),
        inputs: SecurityInputs,
        data: Vec<u8>,
        bits: usize,
    },
    Nia2 {
        keys: ([u8; 16], [u8; 16]),
        inputs: SecurityInputs,
        data: Vec<u8>,
        bits: usize,
    },
    Unprotect {
        keys: ([u8; 16], [u8; 16]),
        frame: Vec<u8>,
    },
    Protect {
        keys: ([u8; 16], [u8; 16]),
        frame: Vec<u8>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum TxnOut {
    Block([u8; 16]),
    Bytes(Vec<u8>),
    Mac([u8; 4]),
    Frame(Outcome, Vec<u8>),
}

impl Txn {
    fn op_name(&self) -> &'static str {
        match self {
            Txn::Aes { .. } => "aes-block",
            Txn::Nea2 { .. } => "nea2",
            Txn::Nia2 { .. } => "nia2",
            Txn::Unprotect { .. } => "unprotect",
            Txn::Protect { .. } => "protect",
        }
    }

    /// AES blocks the operation computes (for throughput figures).
    fn aes_blocks(&self, out: &Result<TxnOut, EngineError>) -> u64 {
        let nia = |bits: usize| 1 + (bits as u64 + 64).div_ceil(128).max(1);
        match self {
            Txn::Aes { .. } => 1,
            Txn::Nea2 { bits, .. } => (*bits as u64).div_ceil(128),
            Txn::Nia2 { bits, .. } => nia(*bits),
            Txn::Unprotect { frame, .. } | Txn::Protect { frame, .. } => match out {
                Ok(TxnOut::Frame(o, _))
                    if o.status == Status::Ok || o.status == Status::MacFailure =>
                {
                    let body = frame.len().saturating_sub(params::CLEAR_LEN + MAC_LEN) as u64;
                    let mac_bits = (frame.len().saturating_sub(MAC_LEN) * 8) as u64;
                    let ciph = if o.ciphered { body.div_ceil(16) } else { 0 };
                    1 + (mac_bits + 64).div_ceil(128) + ciph
                }
                _ => 0,
            },
        }
    }

    fn octets(&self) -> u64 {
        match self {
            Txn::Aes { .. } => 0,
            Txn::Nea2 { bits, .. } | Txn::Nia2 { bits, .. } => bits.div_ceil(8) as u64,
            Txn::Unprotect { frame, .. } | Txn::Protect { frame, .. } => frame.len() as u64,
        }
    }

    fn run(&self, e: &mut dyn CryptoEngine) -> Result<TxnOut, EngineError> {
        let load = |e: &mut dyn CryptoEngine, k: &([u8; 16], [u8; 16])| {
            e.load_keys(&Key128::new(k.0), &Key128::new(k.1))
        };
        match self {
            Txn::Aes { key, block } => e.aes_block(&Key128::new(*key), block).map(TxnOut::Block),
            Txn::Nea2 {
                keys,
                inputs,
                data,
                bits,
            } => {
                load(e, keys)?;
                e.nea2(*inputs, data, *bits).map(TxnOut::Bytes)
            }
            Txn::Nia2 {
                keys,
                inputs,
                data,
                bits,
            } => {
                load(e, keys)?;
                e.nia2(*inputs, data, *bits).map(TxnOut::Mac)
            }
            Txn::Unprotect { keys, frame } => {
                load(e, keys)?;
                let mut f = frame.clone();
                let o = e.unprotect(&mut f)?;
                Ok(TxnOut::Frame(o, f))
            }
            Txn::Protect { keys, frame } => {
                load(e, keys)?;
                let mut f = frame.clone();
                let o = e.protect(&mut f)?;
                Ok(TxnOut::Frame(o, f))
            }
        }
    }

    fn describe(&self) -> String {
        match self {
            Txn::Aes { key, block } => {
                format!("AES key {} block {}", hex::encode(key), hex::encode(block))
            }
            Txn::Nea2 {
                keys,
                inputs,
                data,
                bits,
            }
            | Txn::Nia2 {
                keys,
                inputs,
                data,
                bits,
            } => format!(
                "{} key {} count {:08x} bearer {} direction {} bits {} data {}",
                self.op_name(),
                hex::encode(if matches!(self, Txn::Nea2 { .. }) {
                    keys.0
                } else {
                    keys.1
                }),
                inputs.count,
                inputs.bearer,
                inputs.direction,
                bits,
                short_hex(data)
            ),
            Txn::Unprotect { keys, frame } | Txn::Protect { keys, frame } => format!(
                "{} enc {} int {} frame ({} octets) {}",
                self.op_name(),
                hex::encode(keys.0),
                hex::encode(keys.1),
                frame.len(),
                short_hex(frame)
            ),
        }
    }
}

fn short_hex(d: &[u8]) -> String {
    if d.len() <= 48 {
        hex::encode(d)
    } else {
        format!("{}..", hex::encode(&d[..48]))
    }
}

/// Whether the RTL result matches the model's.
fn same(rtl: &Result<TxnOut, EngineError>, model: &Result<TxnOut, EngineError>) -> bool {
    match (rtl, model) {
        (Ok(a), Ok(b)) => a == b,
        (Err(EngineError::Protocol(_) | EngineError::Timeout(_)), _) => false,
        (Err(a), Err(b)) => {
            std::mem::discriminant(a) == std::mem::discriminant(b)
                || matches!(
                    (a, b),
                    (
                        EngineError::Capacity { .. } | EngineError::Invalid(_),
                        EngineError::Invalid(_)
                    )
                )
        }
        (Err(EngineError::Capacity { .. }), Ok(_)) => true, // beyond the hardware's buffer
        _ => false,
    }
}

struct Runner<'a> {
    opts: &'a CosimOptions,
    profile: Profile,
    variant: Variant,
    rtl: RtlEngine,
    model: ModelEngine,
    rng: StdRng,
    report: CosimReport,
    ops: BTreeMap<&'static str, OpCycles>,
    level: LevelReport,
    level_start: Instant,
    level_cycles0: u64,
    traces_written: usize,
    bar: indicatif::ProgressBar,
    txn_index: u64,
    /// Run the vectors, directed cases, procedure and security levels (the first shard).
    directed: bool,
}

const MAX_FAILURES_KEPT: usize = 32;
const MAX_TRACES: usize = 3;

impl<'a> Runner<'a> {
    /// The shard's report (rates over its own wall time).
    fn finish(self, t0: Instant, c0: u64) -> CosimReport {
        let mut rep = self.report;
        rep.ops = self
            .ops
            .into_iter()
            .map(|(k, mut v)| {
                v.op = k.to_string();
                v
            })
            .collect();
        rep.sim_cycles = self.rtl.total_cycles() - c0;
        set_rates(&mut rep, t0.elapsed().as_secs_f64());
        rep
    }

    fn begin(&mut self, name: &str) {
        self.level = LevelReport {
            level: name.into(),
            ..LevelReport::default()
        };
        self.level_start = Instant::now();
        self.level_cycles0 = self.rtl.total_cycles();
        self.bar.set_message(name.to_string());
    }

    fn end(&mut self) {
        self.level.seconds = self.level_start.elapsed().as_secs_f64();
        self.level.cycles = self.rtl.total_cycles() - self.level_cycles0;
        self.report.levels.push(std::mem::take(&mut self.level));
    }

    fn fail(&mut self, case: &str, detail: String, vcd: Option<PathBuf>) {
        self.level.mismatches += 1;
        if self.report.failures.len() < MAX_FAILURES_KEPT {
            self.report.failures.push(Failure {
                level: self.level.level.clone(),
                case: case.into(),
                detail,
                vcd,
            });
        }
    }

    /// A check that is not a transaction comparison (security properties, vectors).
    fn expect(&mut self, case: &str, ok: bool, detail: impl FnOnce() -> String) {
        self.level.checks += 1;
        if !ok {
            let d = detail();
            self.fail(case, d, None);
        }
    }

    fn trace_path(&self, tag: &str) -> PathBuf {
        let name = format!(
            "aiotsec-cosim-fail-seed{}-fault{}-{}.vcd",
            self.opts.seed, self.opts.fault, tag
        );
        match &self.opts.vcd {
            Some(p) => p.with_file_name(name),
            None => std::env::temp_dir().join(name),
        }
    }

    /// Re-run `txn` on a fresh model with the same stall pattern, tracing it.
    fn write_trace(
        &mut self,
        txn: &Txn,
        txn_seed: u64,
        stall: f64,
        random: bool,
    ) -> Option<PathBuf> {
        if self.traces_written >= MAX_TRACES {
            return None;
        }
        self.traces_written += 1;
        let path = self.trace_path(&format!("{}-{}", txn.op_name(), self.txn_index));
        let cfg = RtlConfig {
            variant: self.variant,
            stall_prob: stall,
            seed: 0,
            random_placement: random,
            ..RtlConfig::default()
        };
        let mut e = RtlEngine::with_config(&self.profile, cfg).ok()?;
        e.reseed(txn_seed);
        let r = if matches!(txn, Txn::Aes { .. }) {
            e.open_aes_vcd(&path)
        } else {
            e.open_vcd(&path)
        };
        r.ok()?;
        let _ = txn.run(&mut e);
        e.close_vcd();
        eprintln!("cosim: mismatch trace written to {}", path.display());
        Some(path)
    }

    /// Run `txn` on both backends and compare.
    /// The same (malformed) frame through UNPROTECT and PROTECT, without stalls.
    fn check_both(&mut self, case: &str, keys: ([u8; 16], [u8; 16]), frame: Vec<u8>) {
        let u = Txn::Unprotect {
            keys,
            frame: frame.clone(),
        };
        self.check(&format!("unprotect {case}"), u, 0.0, false);
        let p = Txn::Protect { keys, frame };
        self.check(&format!("protect {case}"), p, 0.0, false);
    }

    fn check(&mut self, case: &str, txn: Txn, stall: f64, random: bool) {
        self.txn_index += 1;
        let txn_seed = self.rng.next_u64();
        // Stall settings are per transaction; `set_stall_prob` only fails outside [0, 1).
        let _ = self.rtl.set_stall_prob(stall);
        self.rtl.set_random_placement(random);
        self.rtl.reseed(txn_seed);
        let rtl_out = txn.run(&mut self.rtl);
        let cycles = self.rtl.last_cycles().unwrap_or(0);
        let model_out = txn.run(&mut self.model);
        self.level.checks += 1;
        self.level.aes_blocks += txn.aes_blocks(&model_out);
        self.ops
            .entry(txn.op_name())
            .or_default()
            .add(cycles, txn.octets());
        if !same(&rtl_out, &model_out) {
            let detail = format!(
                "{}: RTL {} vs model {}",
                txn.describe(),
                show(&rtl_out),
                show(&model_out)
            );
            let vcd = self.write_trace(&txn, txn_seed, stall, random);
            self.fail(case, detail, vcd);
        }
        self.bar.inc(1);
    }

    fn check_vs(&mut self, case: &str, txn: Txn, expected: TxnOut) {
        // Official vector: the model must agree with the vector, the RTL with the model.
        let model_out = txn.run(&mut self.model);
        self.expect(
            &format!("{case} (model vs vector)"),
            model_out.as_ref() == Ok(&expected),
            || format!("{}: model {} vs vector", txn.describe(), show(&model_out)),
        );
        self.check(case, txn, 0.0, false);
    }

    fn key(&mut self) -> [u8; 16] {
        let mut k = [0u8; 16];
        self.rng.fill_bytes(&mut k);
        k
    }

    fn keys(&mut self) -> ([u8; 16], [u8; 16]) {
        (self.key(), self.key())
    }

    fn inputs(&mut self) -> SecurityInputs {
        SecurityInputs {
            count: self.rng.next_u32(),
            bearer: self.rng.gen_range(0..32),
            direction: self.rng.gen_range(0..2),
        }
    }

    fn data(&mut self, bits: usize) -> Vec<u8> {
        let mut d = vec![0u8; bits.div_ceil(8)];
        self.rng.fill_bytes(&mut d);
        d
    }

    /// A valid protected Command Request (as the AIOTF would send it) with a random body.
    fn request_frame(
        &mut self,
        keys: &([u8; 16], [u8; 16]),
        body_len: usize,
        cipher: bool,
    ) -> Vec<u8> {
        let l = self.profile.layout.clone();
        let n = l.min_message_len() + body_len;
        let mut f = vec![0u8; n];
        self.rng.fill_bytes(&mut f);
        f[l.epd_offset] = l.epd;
        f[l.indication_offset] = if cipher {
            l.indication_ciphered
        } else {
            l.indication_null
        };
        let k = CommandKeys {
            enc: Key128::new(keys.0),
            int: Key128::new(keys.1),
        };
        let bo = l.body_offset();
        if cipher {
            let _ = algorithms::nea2_in_place(
                &k.enc,
                self.profile.request,
                &mut f[bo..bo + body_len],
                body_len * 8,
            );
        }
        let m = mac_input(&self.profile, &f);
        let mac = algorithms::nia2(&k.int, self.profile.request, &m, m.len() * 8).unwrap_or([0; 4]);
        let mo = l.mac_offset(n);
        f[mo..mo + MAC_LEN].copy_from_slice(&mac);
        f
    }

    /// A Command Response ready to protect (MAC field garbage).
    fn response_frame(&mut self, body_len: usize, cipher: bool) -> Vec<u8> {
        let l = self.profile.layout.clone();
        let mut f = vec![0u8; l.min_message_len() + body_len];
        self.rng.fill_bytes(&mut f);
        f[l.epd_offset] = l.epd;
        f[l.indication_offset] = if cipher {
            l.indication_ciphered
        } else {
            l.indication_null
        };
        f
    }

    fn max_body(&self) -> usize {
        params::BUFFER_LEN - self.profile.layout.min_message_len()
    }
}

fn show(r: &Result<TxnOut, EngineError>) -> String {
    match r {
        Ok(TxnOut::Block(b)) => hex::encode(b),
        Ok(TxnOut::Bytes(b)) => short_hex(b),
        Ok(TxnOut::Mac(m)) => hex::encode(m),
        Ok(TxnOut::Frame(o, f)) => format!(
            "{:?} ciphered={} mac={} frame={}",
            o.status,
            o.ciphered,
            hex::encode(o.mac),
            short_hex(f)
        ),
        Err(e) => format!("error: {e}"),
    }
}

fn cmac_with(e: &mut dyn CryptoEngine, key: &Key128, msg: &[u8]) -> Result<[u8; 16], EngineError> {
    let dbl = |b: u128| (b << 1) ^ if b >> 127 == 1 { 0x87 } else { 0 };
    let l = u128::from_be_bytes(e.aes_block(key, &[0; 16])?);
    let k1 = dbl(l);
    let k2 = dbl(k1);
    let n = msg.len().div_ceil(16).max(1);
    let mut x = 0u128;
    for i in 0..n {
        let chunk = &msg[i * 16..msg.len().min(i * 16 + 16)];
        let mut b = [0u8; 16];
        b[..chunk.len()].copy_from_slice(chunk);
        let mut v = u128::from_be_bytes(b);
        if i == n - 1 {
            if chunk.len() == 16 {
                v ^= k1;
            } else {
                v ^= (0x80u128 << (8 * (15 - chunk.len()))) ^ k2;
            }
        }
        x = u128::from_be_bytes(e.aes_block(key, &(x ^ v).to_be_bytes())?);
    }
    Ok(x.to_be_bytes())
}

fn vec_err(e: Error) -> Error {
    e
}

/// Run the co-simulation.
pub fn run(opts: &CosimOptions) -> Result<CosimReport, Error> {
    let profile = Profile::default();
    run_with_profile(opts, &profile)
}

/// Run the co-simulation under `profile` (must match the profile the RTL was built with), on
/// `opts.jobs` parallel simulations.
pub fn run_with_profile(opts: &CosimOptions, profile: &Profile) -> Result<CosimReport, Error> {
    let jobs = match opts.jobs {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    // At most 64 simulations (each one is a thread with its own models).
    let jobs = if opts.vcd.is_some() {
        1
    } else {
        jobs.clamp(1, 64)
    };
    let n_directed = 600; // rough, for the progress bar
    let bar = if opts.progress {
        let b = indicatif::ProgressBar::new(opts.count.saturating_add(n_directed) as u64);
        if let Ok(s) = indicatif::ProgressStyle::with_template(
            "{spinner} {msg:<10} [{bar:40}] {pos}/{len} {per_sec} eta {eta}",
        ) {
            b.set_style(s.progress_chars("=> "));
        }
        b
    } else {
        indicatif::ProgressBar::hidden()
    };
    let t0 = Instant::now();
    let share = opts.count / jobs;
    let first = CosimOptions {
        count: opts.count - share * (jobs - 1),
        ..opts.clone()
    };
    let results: Vec<Result<CosimReport, Error>> = std::thread::scope(|sc| {
        let others: Vec<_> = (1..jobs)
            .map(|i| {
                let o = CosimOptions {
                    count: share,
                    // SplitMix64 step: well-separated seeds per shard.
                    seed: opts
                        .seed
                        .wrapping_add((i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)),
                    ..opts.clone()
                };
                let b = bar.clone();
                sc.spawn(move || run_shard(&o, profile, false, b))
            })
            .collect();
        let mut v = vec![run_shard(&first, profile, true, bar.clone())];
        for h in others {
            v.push(h.join().unwrap_or_else(|_| {
                Err(EngineError::Protocol("a co-simulation shard panicked".into()).into())
            }));
        }
        v
    });
    bar.finish_and_clear();
    let mut it = results.into_iter();
    let mut rep = it
        .next()
        .unwrap_or_else(|| Err(EngineError::Invalid("no shard ran".into()).into()))?;
    for r in it {
        merge(&mut rep, r?);
    }
    rep.count = opts.count;
    rep.jobs = jobs;
    set_rates(&mut rep, t0.elapsed().as_secs_f64());
    Ok(rep)
}

/// One simulation: `directed` adds the vectors, directed cases, procedure and security levels
/// and the stall-free timing to its random transactions.
fn run_shard(
    opts: &CosimOptions,
    profile: &Profile,
    directed: bool,
    bar: indicatif::ProgressBar,
) -> Result<CosimReport, Error> {
    if !(0.0..1.0).contains(&opts.stall_prob) {
        return Err(EngineError::Invalid(format!(
            "stall probability {} outside [0, 1)",
            opts.stall_prob
        ))
        .into());
    }
    let variant = Variant::from_fault(opts.fault)?;
    let rtl = RtlEngine::with_config(
        profile,
        RtlConfig {
            variant,
            seed: opts.seed,
            ..RtlConfig::default()
        },
    )?;
    let nea_v = crate::vectors::nea2().map_err(vec_err)?;
    let nia_v = crate::vectors::nia2().map_err(vec_err)?;
    let (ctr_v, cmac_v, _) = crate::vectors::aes_modes().map_err(vec_err)?;

    let mut r = Runner {
        opts,
        profile: profile.clone(),
        variant,
        rtl,
        model: ModelEngine::new(profile.clone()),
        rng: StdRng::seed_from_u64(opts.seed),
        report: CosimReport {
            seed: opts.seed,
            count: opts.count,
            stall_prob: opts.stall_prob,
            fault: opts.fault,
            variant: format!("{variant:?}"),
            ..CosimReport::default()
        },
        ops: BTreeMap::new(),
        level: LevelReport::default(),
        level_start: Instant::now(),
        level_cycles0: 0,
        traces_written: 0,
        bar,
        txn_index: 0,
        directed,
    };
    r.report.secret_registers = r.rtl.secret_registers();
    if let Some(p) = &opts.vcd {
        r.rtl.open_vcd(p)?;
    }
    let t0 = Instant::now();
    let c0 = r.rtl.total_cycles();
    let stall = opts.stall_prob;
    // Split of the random transactions over the levels.
    let n_aes = opts.count / 5;
    let n_nea = opts.count / 5;
    let n_nia = opts.count / 5;
    let n_msg = opts.count - n_aes - n_nea - n_nia;

    // ---------------------------------------------------------------- AES block
    r.begin("aes");
    if r.directed {
        let k: [u8; 16] = core::array::from_fn(|i| i as u8);
        let p: [u8; 16] = core::array::from_fn(|i| (i as u8) * 0x11);
        let c = [
            0x69, 0xc4, 0xe0, 0xd8, 0x6a, 0x7b, 0x04, 0x30, 0xd8, 0xcd, 0xb7, 0x80, 0x70, 0xb4,
            0xc5, 0x5a,
        ];
        r.check_vs(
            "FIPS-197 C.1",
            Txn::Aes { key: k, block: p },
            TxnOut::Block(c),
        );
        for v in &ctr_v {
            let icb = u128::from_be_bytes(v.initial_counter_block);
            for (i, (pt, ct)) in v
                .plaintext
                .chunks(16)
                .zip(v.ciphertext.chunks(16))
                .enumerate()
            {
                let ctr = icb.wrapping_add(i as u128).to_be_bytes();
                let mut ks = [0u8; 16];
                for j in 0..pt.len().min(ct.len()) {
                    ks[j] = pt[j] ^ ct[j];
                }
                if pt.len() == 16 {
                    r.check_vs(
                        &format!("{} block {i}", v.name),
                        Txn::Aes {
                            key: v.key,
                            block: ctr,
                        },
                        TxnOut::Block(ks),
                    );
                }
            }
        }
        for v in &cmac_v {
            let got = cmac_with(&mut r.rtl, &Key128::new(v.key), &v.message);
            let name = v.name.clone();
            r.expect(
                &format!("{name} (CMAC on the RTL AES)"),
                got.as_ref() == Ok(&v.mac),
                || {
                    format!(
                        "CMAC over the RTL AES core: {got:?}, vector {}",
                        hex::encode(v.mac)
                    )
                },
            );
            r.level.aes_blocks += 1 + v.message.len().div_ceil(16).max(1) as u64;
        }
        for key in [[0u8; 16], [0xff; 16]] {
            for block in [[0u8; 16], [0xff; 16]] {
                r.check(
                    "all-zero/all-one key and block",
                    Txn::Aes { key, block },
                    0.0,
                    false,
                );
            }
        }
    }
    for _ in 0..n_aes {
        let (key, block) = (r.key(), r.key());
        r.check("random", Txn::Aes { key, block }, stall, true);
    }
    r.end();

    // ---------------------------------------------------------------- NEA2
    r.begin("nea2");
    for v in nea_v.iter().filter(|_| directed) {
        let keys = (v.key, [0u8; 16]);
        let txn = Txn::Nea2 {
            keys,
            inputs: v.inputs,
            data: v.plaintext.clone(),
            bits: v.bits,
        };
        r.check_vs(&v.name, txn, TxnOut::Bytes(v.ciphertext.clone()));
    }
    let max_bits = params::BUFFER_LEN * 8;
    let mut lens: Vec<usize> = (0..=17).collect();
    lens.extend(119..=137);
    lens.extend([255, 256, 257, 1023, 1024, 1025, max_bits - 1, max_bits]);
    let nea2 = |keys, inputs, data, bits| Txn::Nea2 {
        keys,
        inputs,
        data,
        bits,
    };
    r.algorithm_cases(nea2, &lens, (133, 300, 31, 1), n_nea, max_bits, stall);
    r.end();

    // ---------------------------------------------------------------- NIA2
    r.begin("nia2");
    for v in nia_v.iter().filter(|_| directed) {
        let keys = ([0u8; 16], v.key);
        let txn = Txn::Nia2 {
            keys,
            inputs: v.inputs,
            data: v.message.clone(),
            bits: v.bits,
        };
        r.check_vs(&v.name, txn, TxnOut::Mac(v.mac));
    }
    let nia2 = |keys, inputs, data, bits| Txn::Nia2 {
        keys,
        inputs,
        data,
        bits,
    };
    r.algorithm_cases(nia2, &lens, (64, 200, 0, 0), n_nia, max_bits, stall);
    r.end();

    // ---------------------------------------------------------------- unprotect / protect
    r.begin("message");
    {
        let l = profile.layout.clone();
        let min = l.min_message_len();
        let max_body = r.max_body();
        let profile_max_body = l.max_message_len.saturating_sub(min);
        let mut bodies: Vec<usize> = vec![0, 1, 2, 15, 16, 17, 31, 32, 33, 127, 128];
        bodies.extend([profile_max_body, max_body]);
        if !r.directed {
            bodies.clear();
        }
        for &body in &bodies {
            for cipher in [false, true] {
                let keys = r.keys();
                let f = r.request_frame(&keys, body, cipher);
                r.check(
                    &format!("unprotect body {body} cipher {cipher}"),
                    Txn::Unprotect { keys, frame: f },
                    0.0,
                    false,
                );
                let f = r.response_frame(body, cipher);
                r.check(
                    &format!("protect body {body} cipher {cipher}"),
                    Txn::Protect { keys, frame: f },
                    0.0,
                    false,
                );
            }
        }
        // Lengths below the minimum and above the buffer, bad indications.
        for n in (0..min)
            .chain([params::BUFFER_LEN + 1])
            .filter(|_| directed)
        {
            let keys = r.keys();
            let mut f = vec![0u8; n];
            r.rng.fill_bytes(&mut f);
            if let Some(b) = f.get_mut(l.indication_offset) {
                *b = l.indication_ciphered;
            }
            r.check_both(&format!("length {n}"), keys, f);
        }
        for ind in [0x00u8, 0x03, 0xff, l.indication_null ^ 0x80] {
            if !r.directed || ind == l.indication_null || ind == l.indication_ciphered {
                continue;
            }
            let keys = r.keys();
            let mut f = r.request_frame(&keys, 20, true);
            f[l.indication_offset] = ind;
            r.check_both("bad indication", keys, f);
        }
        // Attacks: every one must be rejected by both, the buffer unchanged.
        let attacks = [
            "tampered MAC",
            "tampered ciphertext",
            "flipped indication",
            "tampered EPD",
            "truncated",
            "wrong key",
        ];
        let first = if r.directed { 0 } else { attacks.len() * 8 };
        for i in first..(attacks.len() * 8 + n_msg / 4) {
            let a = attacks[i % attacks.len()];
            let keys = r.keys();
            let body = r.rng.gen_range(1..=200);
            let cipher = r.rng.gen_bool(0.5);
            let mut f = r.request_frame(&keys, body, cipher);
            let mo = l.mac_offset(f.len());
            let bo = l.body_offset();
            let bit = 1u8 << r.rng.gen_range(0..8);
            let mut k = keys;
            match a {
                "tampered MAC" => f[mo + r.rng.gen_range(0..MAC_LEN)] ^= bit,
                "tampered ciphertext" => f[bo + r.rng.gen_range(0..body)] ^= bit,
                "flipped indication" => {
                    f[l.indication_offset] = if cipher {
                        l.indication_null
                    } else {
                        l.indication_ciphered
                    }
                }
                "tampered EPD" => f[l.epd_offset] ^= bit,
                "truncated" => {
                    f.pop();
                }
                _ => k.1[0] ^= 1,
            }
            let st = if i < attacks.len() * 8 { 0.0 } else { stall };
            r.check(
                &format!("attack: {a}"),
                Txn::Unprotect { keys: k, frame: f },
                st,
                st > 0.0,
            );
        }
        for _ in 0..(n_msg - n_msg / 4) {
            let keys = r.keys();
            let body = if r.rng.gen_bool(0.9) {
                r.rng.gen_range(0..=profile_max_body)
            } else {
                r.rng.gen_range(0..=max_body)
            };
            let cipher = r.rng.gen_bool(0.6);
            if r.rng.gen_bool(0.5) {
                let f = r.request_frame(&keys, body, cipher);
                r.check(
                    "random unprotect",
                    Txn::Unprotect { keys, frame: f },
                    stall,
                    true,
                );
            } else {
                let f = r.response_frame(body, cipher);
                r.check(
                    "random protect",
                    Txn::Protect { keys, frame: f },
                    stall,
                    true,
                );
            }
        }
    }
    r.end();

    // ---------------------------------------------------------------- whole procedure
    if !r.directed {
        return Ok(r.finish(t0, c0));
    }
    r.begin("procedure");
    {
        use crate::messages::Command;
        use procedure::Attack;
        let commands = [
            Command::Read {
                offset: 0,
                length: 16,
            },
            Command::Read {
                offset: 100,
                length: 28,
            },
            Command::Write {
                offset: 8,
                data: vec![0xa5; 12],
            },
            Command::Disable,
        ];
        let mut cases: Vec<(bool, Command, Option<Attack>)> = Vec::new();
        for c in &commands {
            for cipher in [true, false] {
                cases.push((cipher, c.clone(), None));
            }
        }
        for a in [
            Attack::FlipBit,
            Attack::Downgrade,
            Attack::Replay,
            Attack::Reflect,
            Attack::Truncate,
            Attack::WrongKey,
        ] {
            cases.push((true, commands[0].clone(), Some(a)));
            cases.push((false, commands[2].clone(), Some(a)));
        }
        for (i, (cipher, command, attack)) in cases.into_iter().enumerate() {
            let mut cfg = procedure::Config::demo();
            cfg.cipher = cipher;
            cfg.command = command;
            cfg.attack = attack;
            cfg.seed = Some(opts.seed.wrapping_add(i as u64));
            let _ = r.rtl.set_stall_prob(stall);
            r.rtl.set_random_placement(true);
            let rt = procedure::run(profile, &cfg, &mut r.rtl);
            let mt = procedure::run(profile, &cfg, &mut r.model);
            let case = format!("cipher {cipher} {:?} attack {attack:?}", cfg.command);
            let ok = match (&rt, &mt) {
                (Ok(a), Ok(b)) => {
                    a.success
                        && b.success
                        && a.verdict == b.verdict
                        && a.response_status == b.response_status
                        && a.response_data == b.response_data
                }
                _ => false,
            };
            r.expect(&case, ok, || match (&rt, &mt) {
                (Ok(a), Ok(b)) => format!(
                    "RTL success {} '{}' {:?} vs model success {} '{}' {:?}",
                    a.success,
                    a.verdict,
                    a.response_status,
                    b.success,
                    b.verdict,
                    b.response_status
                ),
                _ => format!(
                    "RTL {:?} / model {:?}",
                    rt.as_ref().err(),
                    mt.as_ref().err()
                ),
            });
            r.bar.inc(1);
        }
    }
    r.end();

    // ---------------------------------------------------------------- security properties
    r.begin("security");
    {
        // After ZEROIZE: no secret bit, and every keyed op refuses.
        let keys = r.keys();
        let f = r.request_frame(&keys, 40, true);
        r.check(
            "load + unprotect",
            Txn::Unprotect {
                keys,
                frame: f.clone(),
            },
            0.0,
            false,
        );
        let z = r.rtl.zeroize();
        let _ = r.model.zeroize();
        let bits = r.rtl_engine_secret_bits();
        r.expect("ZEROIZE answered OK", z.is_ok(), || format!("{z:?}"));
        r.expect("no secret bit after ZEROIZE", bits == 0, || {
            format!("{bits} secret bits set after ZEROIZE")
        });
        let mut g = f.clone();
        let e1 = r.rtl.unprotect(&mut g);
        r.expect(
            "unprotect after ZEROIZE refuses",
            e1 == Err(EngineError::NoKeys) && g == f,
            || format!("{e1:?}"),
        );
        let e2 = r.rtl.nea2(profile.request, &[1, 2, 3], 24);
        r.expect(
            "NEA2 after ZEROIZE refuses",
            e2 == Err(EngineError::NoKeys),
            || format!("{e2:?}"),
        );
        let e3 = r.rtl.nia2(profile.request, &[1, 2, 3], 24);
        r.expect(
            "NIA2 after ZEROIZE refuses",
            e3 == Err(EngineError::NoKeys),
            || format!("{e3:?}"),
        );
        let mut g = r.response_frame(10, true);
        let e4 = r.rtl.protect(&mut g);
        r.expect(
            "protect after ZEROIZE refuses",
            e4 == Err(EngineError::NoKeys),
            || format!("{e4:?}"),
        );
        // After reset.
        let keys = r.keys();
        let _ = r.rtl.load_keys(&Key128::new(keys.0), &Key128::new(keys.1));
        let _ = r.rtl.aes_block(&Key128::new(keys.0), &[7; 16]);
        let rr = r.rtl.reset();
        r.expect("ready after reset", rr.is_ok(), || format!("{rr:?}"));
        let bits = r.rtl.secret_bits_set();
        r.expect("no secret bit after reset", bits == 0, || {
            format!("{bits} secret bits set after reset")
        });
        let e5 = r.rtl.nea2(profile.request, &[1, 2, 3], 24);
        r.expect(
            "NEA2 after reset refuses",
            e5 == Err(EngineError::NoKeys),
            || format!("{e5:?}"),
        );
        // Keys loaded, zeroize after work of every kind.
        for _ in 0..4 {
            let keys = r.keys();
            let f = r.request_frame(&keys, 33, true);
            r.check(
                "unprotect before ZEROIZE",
                Txn::Unprotect { keys, frame: f },
                stall,
                true,
            );
            let inputs = r.inputs();
            let data = r.data(333);
            r.check(
                "NIA2 before ZEROIZE",
                Txn::Nia2 {
                    keys,
                    inputs,
                    data,
                    bits: 333,
                },
                stall,
                true,
            );
            let _ = r.rtl.zeroize();
            let bits = r.rtl_engine_secret_bits();
            r.expect("no secret bit after ZEROIZE", bits == 0, || {
                format!("{bits} secret bits set after ZEROIZE")
            });
        }
    }
    r.end();

    // ---------------------------------------------------------------- stall-free timing
    r.report.timing = r.timing();

    if opts.vcd.is_some() {
        r.rtl.close_vcd();
    }
    Ok(r.finish(t0, c0))
}

/// Fill in the throughput figures of a report from its counters and a wall time.
fn set_rates(rep: &mut CosimReport, wall: f64) {
    rep.wall_seconds = wall;
    rep.aes_blocks_verified = rep.levels.iter().map(|l| l.aes_blocks).sum();
    let per_s = |n: u64| if wall > 0.0 { n as f64 / wall } else { 0.0 };
    rep.cycles_per_second = per_s(rep.sim_cycles);
    rep.aes_blocks_per_second = per_s(rep.aes_blocks_verified);
}

/// Fold the report of a random-only shard into the first shard's.
fn merge(into: &mut CosimReport, other: CosimReport) {
    for l in other.levels {
        match into.levels.iter_mut().find(|x| x.level == l.level) {
            Some(x) => {
                x.checks += l.checks;
                x.mismatches += l.mismatches;
                x.aes_blocks += l.aes_blocks;
                x.cycles += l.cycles;
                x.seconds = x.seconds.max(l.seconds);
            }
            None => into.levels.push(l),
        }
    }
    for o in other.ops {
        match into.ops.iter_mut().find(|x| x.op == o.op) {
            Some(x) if o.count > 0 => {
                x.min = if x.count == 0 {
                    o.min
                } else {
                    x.min.min(o.min)
                };
                x.max = x.max.max(o.max);
                x.count += o.count;
                x.total += o.total;
                x.octets += o.octets;
            }
            Some(_) => {}
            None => into.ops.push(o),
        }
    }
    let room = MAX_FAILURES_KEPT.saturating_sub(into.failures.len());
    into.failures.extend(other.failures.into_iter().take(room));
    into.sim_cycles += other.sim_cycles;
}

impl Runner<'_> {
    /// Directed and random cases of a raw NEA2/NIA2 level: every length in `lens`, all 32 bearers
    /// in both directions (`shape.0` bits), COUNT 0/0xffffffff with all-zero/all-one keys
    /// (`shape.1` bits, BEARER `shape.2`, DIRECTION `shape.3`), then `n` random transactions
    /// with back-pressure.
    fn algorithm_cases(
        &mut self,
        make: impl Fn(([u8; 16], [u8; 16]), SecurityInputs, Vec<u8>, usize) -> Txn,
        lens: &[usize],
        shape: (usize, usize, u8, u8),
        n: usize,
        max_bits: usize,
        stall: f64,
    ) {
        let directed = self.directed;
        for &bits in if directed { lens } else { &[] } {
            let (keys, inputs, data) = (self.keys(), self.inputs(), self.data(bits));
            self.check(
                &format!("{bits} bits"),
                make(keys, inputs, data, bits),
                0.0,
                false,
            );
        }
        for bearer in 0..if directed { 32u8 } else { 0 } {
            for direction in 0..2u8 {
                let keys = self.keys();
                let inputs = SecurityInputs {
                    count: self.rng.next_u32(),
                    bearer,
                    direction,
                };
                let data = self.data(shape.0);
                self.check(
                    "bearer/direction",
                    make(keys, inputs, data, shape.0),
                    0.0,
                    false,
                );
            }
        }
        for count in [0u32, 0xffff_ffff].into_iter().filter(|_| directed) {
            for key in [[0u8; 16], [0xff; 16]] {
                let inputs = SecurityInputs {
                    count,
                    bearer: shape.2,
                    direction: shape.3,
                };
                let data = self.data(shape.1);
                let txn = make((key, key), inputs, data, shape.1);
                self.check("COUNT/key extremes", txn, 0.0, false);
            }
        }
        for _ in 0..n {
            let (keys, inputs) = (self.keys(), self.inputs());
            let bits = if self.rng.gen_bool(0.8) {
                self.rng.gen_range(0..=1200)
            } else {
                self.rng.gen_range(0..=max_bits)
            };
            let data = self.data(bits);
            self.check("random", make(keys, inputs, data, bits), stall, true);
        }
    }
    fn rtl_engine_secret_bits(&self) -> u32 {
        self.rtl.engine_secret_bits_set()
    }

    fn timing(&mut self) -> Timing {
        let _ = self.rtl.set_stall_prob(0.0);
        self.rtl.set_random_placement(false);
        let mut t = Timing {
            max_message_len: self.profile.layout.max_message_len,
            ..Timing::default()
        };
        let keys = self.keys();
        let (enc, int) = (Key128::new(keys.0), Key128::new(keys.1));
        let e = &mut self.rtl;
        let cyc = |e: &RtlEngine| e.last_cycles().unwrap_or(0);
        if e.aes_block(&enc, &[0; 16]).is_ok() {
            t.aes_block = cyc(e);
        }
        let _ = e.load_keys(&enc, &int);
        let data = vec![0x5a; 128];
        if e.nea2(self.profile.request, &data, 1024).is_ok() {
            t.nea2_1024 = cyc(e);
            t.nea2_per_block = t.nea2_1024 as f64 / 8.0;
        }
        if e.nia2(self.profile.request, &data, 1024).is_ok() {
            t.nia2_1024 = cyc(e);
            t.nia2_per_block = t.nia2_1024 as f64 / 10.0;
        }
        let f = self.request_frame(&keys, 64 - self.profile.layout.min_message_len(), true);
        let mut g = f.clone();
        if self.rtl.unprotect(&mut g).is_ok() {
            t.unprotect_64 = self.rtl.last_cycles().unwrap_or(0);
        }
        let mut g = self.response_frame(64 - self.profile.layout.min_message_len(), true);
        if self.rtl.protect(&mut g).is_ok() {
            t.protect_64 = self.rtl.last_cycles().unwrap_or(0);
        }
        let body = self.profile.layout.max_message_len - self.profile.layout.min_message_len();
        let f = self.request_frame(&keys, body, true);
        let mut g = f.clone();
        if self.rtl.unprotect(&mut g).is_ok() {
            t.unprotect_max = self.rtl.last_cycles().unwrap_or(0);
        }
        t
    }
}
