//! The scoreboard: [`Runner`] runs each transaction on the Verilated RTL and on the model,
//! compares the results, counts checks, cycles and AES blocks per level, and on a mismatch
//! records a [`Failure`] with the waveform of a re-run of the failing transaction.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};

use super::CosimOptions;
use super::report::{CosimReport, Failure, LevelReport, MAX_FAILURES_KEPT, OpCycles};
use super::txn::{KeyPair, Txn, TxnOut, same, show};
use crate::engine::model::ModelEngine;
use crate::engine::rtl::{RtlConfig, RtlEngine};
use crate::engine::{CryptoEngine, EngineError};
use crate::error::Error;
use crate::profile::Profile;
use crate::sim::Variant;

/// Failure waveforms a shard writes at most.
const MAX_TRACES: usize = 3;

/// One simulation's models, random source and counters.
pub(super) struct Runner<'a> {
    pub(super) opts: &'a CosimOptions,
    pub(super) profile: Profile,
    variant: Variant,
    pub(super) rtl: RtlEngine,
    /// The engine checked instead of `rtl` when [`CosimOptions::serial`] is set.
    pub(super) serial: Option<Box<dyn CryptoEngine>>,
    pub(super) model: ModelEngine,
    /// The one random source of the shard: stimulus, and a seed per checked transaction.
    pub(super) rng: StdRng,
    pub(super) report: CosimReport,
    ops: BTreeMap<&'static str, OpCycles>,
    /// The level being run (between `begin` and `end`).
    pub(super) level: LevelReport,
    level_start: Instant,
    level_cycles0: u64,
    traces_written: usize,
    /// The first waveform write error (a full disk): the remaining checks are skipped and the
    /// run ends with it.
    pub(super) trace_failed: Option<EngineError>,
    pub(super) bar: indicatif::ProgressBar,
    txn_index: u64,
    /// Run the vectors, directed cases, procedure and security levels (the first shard).
    pub(super) directed: bool,
    /// This simulation's slice of the random transactions: job `job` of `jobs` in this process.
    job: u64,
    jobs: u64,
    /// The random transaction being run (its global index), or `None` in a directed part.
    random_k: Option<u64>,
    /// Ordinal of the next directed check in the current level.
    dcase: u64,
}

/// A well-mixed 64-bit value of `seed` and `k` (SplitMix64 finaliser): the seed of random
/// transaction `k`, or of a level's directed part, independent of how the run is split.
pub(super) fn mix(seed: u64, k: u64) -> u64 {
    let mut z = seed ^ k.wrapping_add(1).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A level name as a number (FNV-1a), to seed its directed part.
fn name_key(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// A case id `LEVEL:dN` (directed check N of the level) or `LEVEL:rK` (random transaction K).
pub(super) fn parse_case(id: &str) -> Option<(&str, bool, u64)> {
    let (level, rest) = id.split_once(':')?;
    let (random, n) = match rest.split_at_checked(1)? {
        ("d", n) => (false, n),
        ("r", n) => (true, n),
        _ => return None,
    };
    Some((level, random, n.parse().ok()?))
}

impl<'a> Runner<'a> {
    /// A runner on a fresh RTL model built for `opts` (its fault variant and seed) and a model
    /// engine under `profile`.
    pub(super) fn new(
        opts: &'a CosimOptions,
        profile: &Profile,
        (job, jobs): (usize, usize),
        bar: indicatif::ProgressBar,
    ) -> Result<Self, Error> {
        // the directed parts run in the first simulation of the first process shard, and not
        // at all when one random transaction is asked for
        let random_case = opts
            .case
            .as_deref()
            .and_then(parse_case)
            .is_some_and(|(_, random, _)| random);
        let directed = job == 0 && opts.shard.0 == 0 && !random_case;
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
                trace_format: opts.trace_format,
                ..RtlConfig::default()
            },
        )?;
        let secret_registers = rtl.secret_registers();
        let serial = match &opts.serial {
            Some(o) => Some(crate::engine::open_with(
                crate::engine::BackendKind::Serial,
                profile,
                o,
            )?),
            None => None,
        };
        let mut notes = Vec::new();
        if let Some(o) = &opts.serial {
            notes.push(format!(
                "engine under test: the serial backend at {} ({} baud); skipped: the aes level \
                 (no raw AES command on the board; its random share runs at the message level), \
                 the kdf level (the board's engine is built without the KDF unit), \
                 the security level and the stall-free timing (they read RTL internals)",
                o.port.as_deref().unwrap_or("?"),
                o.baud
            ));
        }
        Ok(Runner {
            opts,
            profile: profile.clone(),
            variant,
            rtl,
            serial,
            model: ModelEngine::new(profile.clone()),
            rng: StdRng::seed_from_u64(opts.seed),
            report: CosimReport {
                seed: opts.seed,
                count: opts.count,
                stall_prob: opts.stall_prob,
                fault: opts.fault,
                variant: format!("{variant:?}"),
                secret_registers,
                notes,
                dut: opts.serial.as_ref().map_or(String::new(), |o| {
                    format!("serial engine at {}", o.port.as_deref().unwrap_or("?"))
                }),
                ..CosimReport::default()
            },
            ops: BTreeMap::new(),
            level: LevelReport::default(),
            level_start: Instant::now(),
            level_cycles0: 0,
            traces_written: 0,
            trace_failed: None,
            bar,
            txn_index: 0,
            directed,
            job: job as u64,
            jobs: jobs.max(1) as u64,
            random_k: None,
            dcase: 0,
        })
    }

    /// Cycles the engine under test has run (the RTL's simulated cycles, or the board's
    /// command cycles over serial).
    pub(super) fn dut_cycles(&self) -> u64 {
        match &self.serial {
            Some(e) => e.total_cycles().unwrap_or(0),
            None => self.rtl.total_cycles(),
        }
    }

    /// The engine under test: the serial one if any, else the RTL.
    pub(super) fn dut(&mut self) -> &mut dyn CryptoEngine {
        match &mut self.serial {
            Some(e) => &mut **e,
            None => &mut self.rtl,
        }
    }

    /// The shard's report (rates over its own wall time).
    pub(super) fn finish(self, t0: Instant, c0: u64) -> CosimReport {
        let cycles = self.dut_cycles() - c0;
        let mut rep = self.report;
        rep.ops = self
            .ops
            .into_iter()
            .map(|(k, mut v)| {
                v.op = k.to_string();
                v
            })
            .collect();
        rep.sim_cycles = cycles;
        rep.set_rates(t0.elapsed().as_secs_f64());
        rep
    }

    /// Start counting the checks of level `name`.
    pub(super) fn begin(&mut self, name: &str) {
        self.level = LevelReport {
            level: name.into(),
            ..LevelReport::default()
        };
        self.level_start = Instant::now();
        self.level_cycles0 = self.dut_cycles();
        self.bar.set_message(name.to_string());
        // each level's directed part from its own seed: the same with `--only` / `--case`
        self.rng = StdRng::seed_from_u64(mix(self.opts.seed, name_key(name)));
        self.dcase = 0;
        self.random_k = None;
    }

    /// Whether level `name` runs (`--only`, or the level of `--case`).
    pub(super) fn level_enabled(&self, name: &str) -> bool {
        let case_level = self.opts.case.as_deref().and_then(parse_case).map(|c| c.0);
        self.opts.only.as_deref().is_none_or(|l| l == name) && case_level.is_none_or(|l| l == name)
    }

    /// The global indices `start .. start + n` of random transactions this simulation runs:
    /// those of its process shard (`--shard I/N`: k % N == I), split over the simulations of
    /// the process (job j of J: (k / N) % J == j); with `--case LEVEL:rK`, only K.
    pub(super) fn randoms(&self, start: u64, n: u64) -> Vec<u64> {
        let (i, nsh) = (
            u64::from(self.opts.shard.0),
            u64::from(self.opts.shard.1.max(1)),
        );
        match self.opts.case.as_deref().and_then(parse_case) {
            Some((_, true, k)) => {
                if (start..start + n).contains(&k) && self.job == 0 {
                    vec![k]
                } else {
                    vec![]
                }
            }
            Some((_, false, _)) => vec![],
            None => (start..start + n)
                .filter(|k| k % nsh == i && (k / nsh) % self.jobs == self.job)
                .collect(),
        }
    }

    /// Start random transaction `k`: its stimulus from its own seed.
    pub(super) fn begin_random(&mut self, k: u64) {
        self.rng = StdRng::seed_from_u64(mix(self.opts.seed, k));
        self.random_k = Some(k);
    }

    /// The id of the next check (`LEVEL:rK` in a random transaction, else `LEVEL:dN`, counting
    /// the level's directed checks), and whether `--case` selects it.
    fn next_case(&mut self) -> (String, bool) {
        let id = match self.random_k {
            Some(k) => format!("{}:r{k}", self.level.level),
            None => {
                self.dcase += 1;
                format!("{}:d{}", self.level.level, self.dcase - 1)
            }
        };
        let on = self.opts.case.as_deref().is_none_or(|c| c == id);
        (id, on)
    }

    /// Close the current level and add it to the report.
    pub(super) fn end(&mut self) {
        self.level.seconds = self.level_start.elapsed().as_secs_f64();
        self.level.cycles = self.dut_cycles() - self.level_cycles0;
        self.report.levels.push(std::mem::take(&mut self.level));
    }

    fn fail(&mut self, id: String, case: &str, detail: String, vcd: Option<PathBuf>) {
        self.level.mismatches += 1;
        if self.report.failures.len() < MAX_FAILURES_KEPT {
            self.report.failures.push(Failure {
                level: self.level.level.clone(),
                id,
                case: case.into(),
                detail,
                vcd,
            });
        }
    }

    /// A check that is not a transaction comparison (security properties, vectors).
    pub(super) fn expect(&mut self, case: &str, ok: bool, detail: impl FnOnce() -> String) {
        let (id, on) = self.next_case();
        if !on || self.trace_failed.is_some() {
            return;
        }
        self.level.checks += 1;
        if !ok {
            let d = detail();
            self.fail(id, case, d, None);
        }
    }

    fn trace_path(&self, tag: &str, ext: &str) -> PathBuf {
        let name = format!(
            "aiotsec-cosim-fail-seed{}-fault{}-{}.{}",
            self.opts.seed, self.opts.fault, tag, ext
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
        if self.traces_written >= MAX_TRACES || self.serial.is_some() {
            return None;
        }
        self.traces_written += 1;
        // AES-core transactions are traced on the AES model, which writes VCD only
        let aes = matches!(txn, Txn::Aes { .. });
        let format = if aes {
            crate::sim::TraceFormat::Vcd
        } else {
            self.opts.trace_format
        };
        let path = self.trace_path(
            &format!("{}-{}", txn.op_name(), self.txn_index),
            format.extension(),
        );
        let cfg = RtlConfig {
            variant: self.variant,
            trace_format: format,
            stall_prob: stall,
            seed: 0,
            random_placement: random,
            ..RtlConfig::default()
        };
        let mut e = RtlEngine::with_config(&self.profile, cfg).ok()?;
        e.reseed(txn_seed);
        let r = if aes {
            e.open_aes_vcd(&path)
        } else {
            e.open_vcd(&path)
        };
        r.ok()?;
        let _ = txn.run(&mut e);
        e.close_vcd();
        if let Err(err) = e.trace_error() {
            eprintln!("cosim: {}: {err}", path.display());
            self.trace_failed.get_or_insert(err);
            return None;
        }
        eprintln!("cosim: mismatch trace written to {}", path.display());
        Some(path)
    }

    /// The same (malformed) frame through UNPROTECT and PROTECT, without stalls.
    pub(super) fn check_both(&mut self, case: &str, keys: KeyPair, frame: Vec<u8>) {
        let u = Txn::Unprotect {
            keys,
            frame: frame.clone(),
        };
        self.check(&format!("unprotect {case}"), u, 0.0, false);
        let p = Txn::Protect { keys, frame };
        self.check(&format!("protect {case}"), p, 0.0, false);
    }

    /// Run `txn` on both backends and compare.
    pub(super) fn check(&mut self, case: &str, txn: Txn, stall: f64, random: bool) {
        self.txn_index += 1;
        let txn_seed = self.rng.next_u64();
        let (id, on) = self.next_case();
        if !on {
            return;
        }
        let (rtl_out, cycles) = match &mut self.serial {
            Some(e) => {
                let (out, c) = txn.run_timed(&mut **e);
                (out, c.unwrap_or(0))
            }
            None => {
                // Stall settings are per transaction; `set_stall_prob` only fails outside [0, 1).
                let _ = self.rtl.set_stall_prob(stall);
                self.rtl.set_random_placement(random);
                self.rtl.reseed(txn_seed);
                let (out, c) = txn.run_timed(&mut self.rtl);
                (out, c.unwrap_or(0))
            }
        };
        let model_out = txn.run(&mut self.model);
        self.level.checks += 1;
        self.level.aes_blocks += txn.aes_blocks(&model_out);
        self.ops
            .entry(txn.op_name())
            .or_default()
            .add(cycles, txn.octets());
        self.cap_trace();
        if !same(&rtl_out, &model_out) {
            let detail = format!(
                "{}: RTL {} vs model {}",
                txn.describe(),
                show(&rtl_out),
                show(&model_out)
            );
            let vcd = self.write_trace(&txn, txn_seed, stall, random);
            self.fail(id, case, detail, vcd);
        }
        self.bar.inc(1);
    }

    /// Close the whole-run VCD once it exceeds [`CosimOptions::vcd_limit`] (checked after every
    /// transaction), saying so on stderr and in the report.
    fn cap_trace(&mut self) {
        let Some(p) = &self.opts.vcd else { return };
        if !self.rtl.tracing() {
            return;
        }
        if let Err(e) = self.rtl.trace_error() {
            self.rtl.close_vcd();
            eprintln!("cosim: {}: {e}; the run stops", p.display());
            self.trace_failed.get_or_insert(e);
            return;
        }
        let len = std::fs::metadata(p).map_or(0, |m| m.len());
        if len > self.opts.vcd_limit {
            self.rtl.close_vcd();
            if let Err(e) = self.rtl.trace_error() {
                eprintln!("cosim: {}: {e}; the run stops", p.display());
                self.trace_failed.get_or_insert(e);
                return;
            }
            let note = format!(
                "VCD {} closed at {} MiB (limit {} MiB, --vcd-limit-mb) after {} transactions; \
                 the run went on untraced",
                p.display(),
                len >> 20,
                self.opts.vcd_limit >> 20,
                self.txn_index
            );
            eprintln!("cosim: {note}");
            self.report.vcd_capped = Some(note);
        }
    }

    /// Run an official vector's transaction: the model must give `expected`, the RTL the model's
    /// result.
    pub(super) fn check_vs(&mut self, case: &str, txn: Txn, expected: TxnOut) {
        // Official vector: the model must agree with the vector, the RTL with the model.
        let model_out = txn.run(&mut self.model);
        self.expect(
            &format!("{case} (model vs vector)"),
            model_out.as_ref() == Ok(&expected),
            || format!("{}: model {} vs vector", txn.describe(), show(&model_out)),
        );
        self.check(case, txn, 0.0, false);
    }
}
