//! Co-simulation: the Verilated RTL engine checked bit for bit against the golden model at every
//! level (AES block, NEA2, NIA2, whole unprotect/protect, whole clause 5.3.2 procedure), on the
//! official vectors, directed corner cases, seeded random transactions with random back-pressure
//! on every handshake, and attacks; plus the security properties (no write before the MAC verdict,
//! a rejected frame leaves the buffer unchanged, no secret bit left after ZEROIZE or reset).
//!
//! On a mismatch the failing transaction is re-run on a fresh model with the same stall pattern
//! and its waveform written to a VCD file, whose path is printed and kept in the report.
//!
//! Organized like a DV environment: `txn` the transaction (item), `runner` the scoreboard that
//! compares each RTL result with the model's, `stimulus` the random inputs, `levels` one stimulus
//! program per level, `report` the results; this file runs the shards and merges them.

mod levels;
mod report;
mod runner;
mod stimulus;
mod txn;

use std::path::PathBuf;
use std::time::Instant;

use crate::engine::EngineError;
use crate::error::Error;
use crate::profile::Profile;

pub use report::{CosimReport, Failure, LevelReport, OpCycles, Timing};

use levels::Vectors;
use runner::Runner;

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

/// Run the co-simulation.
pub fn run(opts: &CosimOptions) -> Result<CosimReport, Error> {
    let profile = Profile::default();
    run_with_profile(opts, &profile)
}

/// Run the co-simulation under `profile` (must match the profile the RTL was built with), on
/// `opts.jobs` parallel simulations.
pub fn run_with_profile(opts: &CosimOptions, profile: &Profile) -> Result<CosimReport, Error> {
    let jobs = jobs(opts);
    let bar = progress_bar(opts);
    let t0 = Instant::now();
    let (first, others) = shard_options(opts, jobs);
    let results: Vec<Result<CosimReport, Error>> = std::thread::scope(|sc| {
        let others: Vec<_> = others
            .into_iter()
            .map(|o| {
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
        rep.merge(r?);
    }
    rep.count = opts.count;
    rep.jobs = jobs;
    rep.set_rates(t0.elapsed().as_secs_f64());
    Ok(rep)
}

/// Parallel simulations to run: `opts.jobs` (0: one per core), at most 64 (each one is a
/// thread with its own models), one for a VCD run.
fn jobs(opts: &CosimOptions) -> usize {
    let jobs = match opts.jobs {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    if opts.vcd.is_some() {
        1
    } else {
        jobs.clamp(1, 64)
    }
}

/// The progress bar on stderr, or a hidden one.
fn progress_bar(opts: &CosimOptions) -> indicatif::ProgressBar {
    let n_directed = 600; // rough, for the progress bar
    if !opts.progress {
        return indicatif::ProgressBar::hidden();
    }
    let b = indicatif::ProgressBar::new(opts.count.saturating_add(n_directed) as u64);
    if let Ok(s) = indicatif::ProgressStyle::with_template(
        "{spinner} {msg:<10} [{bar:40}] {pos}/{len} {per_sec} eta {eta}",
    ) {
        b.set_style(s.progress_chars("=> "));
    }
    b
}

/// The options of the first (directed) shard and of the `jobs - 1` random-only ones: each of
/// these runs `count / jobs` random transactions, the first the rest.
fn shard_options(opts: &CosimOptions, jobs: usize) -> (CosimOptions, Vec<CosimOptions>) {
    let share = opts.count / jobs;
    let first = CosimOptions {
        count: opts.count - share * (jobs - 1),
        ..opts.clone()
    };
    let others = (1..jobs)
        .map(|i| CosimOptions {
            count: share,
            // SplitMix64 step: well-separated seeds per shard.
            seed: opts
                .seed
                .wrapping_add((i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)),
            ..opts.clone()
        })
        .collect();
    (first, others)
}

/// One simulation: `directed` adds the vectors, directed cases, procedure and security levels
/// and the stall-free timing to its random transactions.
fn run_shard(
    opts: &CosimOptions,
    profile: &Profile,
    directed: bool,
    bar: indicatif::ProgressBar,
) -> Result<CosimReport, Error> {
    let mut r = Runner::new(opts, profile, directed, bar)?;
    let vectors = Vectors::load()?;
    if let Some(p) = &opts.vcd {
        r.rtl.open_vcd(p)?;
    }
    let t0 = Instant::now();
    let c0 = r.rtl.total_cycles();
    levels::run(&mut r, &vectors);
    // A VCD run has one shard, the directed one.
    if opts.vcd.is_some() {
        r.rtl.close_vcd();
    }
    Ok(r.finish(t0, c0))
}
