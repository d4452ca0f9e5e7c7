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
    pub(super) bar: indicatif::ProgressBar,
    txn_index: u64,
    /// Run the vectors, directed cases, procedure and security levels (the first shard).
    pub(super) directed: bool,
}

impl<'a> Runner<'a> {
    /// A runner on a fresh RTL model built for `opts` (its fault variant and seed) and a model
    /// engine under `profile`.
    pub(super) fn new(
        opts: &'a CosimOptions,
        profile: &Profile,
        directed: bool,
        bar: indicatif::ProgressBar,
    ) -> Result<Self, Error> {
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
        let secret_registers = rtl.secret_registers();
        Ok(Runner {
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
                secret_registers,
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
        })
    }

    /// The shard's report (rates over its own wall time).
    pub(super) fn finish(self, t0: Instant, c0: u64) -> CosimReport {
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
        self.level_cycles0 = self.rtl.total_cycles();
        self.bar.set_message(name.to_string());
    }

    /// Close the current level and add it to the report.
    pub(super) fn end(&mut self) {
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
    pub(super) fn expect(&mut self, case: &str, ok: bool, detail: impl FnOnce() -> String) {
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
