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
pub use crate::sim::TraceFormat;

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
    /// Format of the engine traces (the whole-run trace `vcd` and the failure traces):
    /// [`TraceFormat::Fst`] needs `fault` 0. A write error (a full disk) ends the run with
    /// [`EngineError::Io`].
    pub trace_format: TraceFormat,
    /// Size at which the whole-run VCD is closed (the run goes on untraced, and the report says
    /// so): a VCD grows by about 100 MB per 1000 random transactions.
    pub vcd_limit: u64,
    /// 0: the RTL as designed; 1/2/3: the deliberately faulty builds (CMAC K2, S-box, SHA-256
    /// rotation: must produce mismatches).
    pub fault: u8,
    /// Show a progress bar on stderr.
    pub progress: bool,
    /// Parallel simulations (0: one per core). The first runs the vectors and directed cases
    /// and its share of the random transactions; the others run random transactions only, each
    /// with its own model instances. Random transaction k always draws its stimulus from a seed
    /// of (`seed`, k), so the stimulus (and the mismatches) do not depend on `jobs`. A VCD run
    /// uses one.
    pub jobs: usize,
    /// Process shard `(I, N)`: only the random transactions k with k % N == I (and the directed
    /// parts only when I == 0). `(0, 1)`: everything.
    pub shard: (u32, u32),
    /// Run only this level (see [`level_names`]).
    pub only: Option<String>,
    /// Run only this check: `LEVEL:dN` (directed check N of the level) or `LEVEL:rK` (random
    /// transaction K), as failure reports name them.
    pub case: Option<String>,
    /// Run against the engine behind this serial port (feature `serial`: a board, or `aiotsec
    /// board-sim`'s pty) instead of the Verilated engine: the official sets, directed and
    /// random NEA2 / NIA2 / message transactions and the procedure level; the AES level (the
    /// board has no raw AES command) and the levels that read RTL internals (security: secret
    /// registers, hanging commands, a second bus master; timing without stalls) are skipped with
    /// a note, and their share of the random transactions goes to the message level. One job.
    pub serial: Option<crate::engine::BackendOptions>,
}

/// Default [`CosimOptions::vcd_limit`]: 1 GiB.
pub const DEFAULT_VCD_LIMIT: u64 = 1 << 30;

/// The co-simulation's level names, in the order of the report.
pub fn level_names() -> &'static [&'static str] {
    &levels::LEVELS
}

impl Default for CosimOptions {
    fn default() -> Self {
        Self {
            seed: 1,
            count: 2000,
            stall_prob: 0.2,
            vcd: None,
            trace_format: TraceFormat::Vcd,
            vcd_limit: DEFAULT_VCD_LIMIT,
            fault: 0,
            progress: false,
            jobs: 1,
            shard: (0, 1),
            only: None,
            case: None,
            serial: None,
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
    check_selection(opts)?;
    let jobs = jobs(opts);
    let bar = progress_bar(opts);
    let t0 = Instant::now();
    let results: Vec<Result<CosimReport, Error>> = std::thread::scope(|sc| {
        let others: Vec<_> = (1..jobs)
            .map(|j| {
                let b = bar.clone();
                sc.spawn(move || run_shard(opts, profile, (j, jobs), b))
            })
            .collect();
        let mut v = vec![run_shard(opts, profile, (0, jobs), bar.clone())];
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
    rep.shard = opts.shard;
    rep.only = opts.only.clone();
    rep.case = opts.case.clone();
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
    if opts.vcd.is_some() || opts.serial.is_some() {
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
        "{spinner} {msg:<10} [{bar:40}] {pos}/{len} transactions, {per_sec} (transactions/s), eta {eta}",
    ) {
        b.set_style(s.progress_chars("=> "));
    }
    b
}

/// `--shard`, `--only` and `--case` must name something that exists.
fn check_selection(opts: &CosimOptions) -> Result<(), Error> {
    let bad = |m: String| Err(EngineError::Invalid(m).into());
    let (i, n) = opts.shard;
    if n == 0 || i >= n {
        return bad(format!("shard {i}/{n}: need 0 <= I < N"));
    }
    if let Some(l) = &opts.only
        && !levels::LEVELS.contains(&l.as_str())
    {
        return bad(format!(
            "no level `{l}` (levels: {})",
            levels::LEVELS.join(", ")
        ));
    }
    if let Some(c) = &opts.case {
        match runner::parse_case(c) {
            Some((l, _, _)) if levels::LEVELS.contains(&l) => {}
            _ => {
                return bad(format!(
                    "case `{c}`: expected LEVEL:dN or LEVEL:rK with LEVEL one of {}",
                    levels::LEVELS.join(", ")
                ));
            }
        }
    }
    Ok(())
}

/// One simulation, job `job.0` of `job.1`: the first adds the vectors, directed cases, procedure
/// and security levels and the stall-free timing to its random transactions.
fn run_shard(
    opts: &CosimOptions,
    profile: &Profile,
    job: (usize, usize),
    bar: indicatif::ProgressBar,
) -> Result<CosimReport, Error> {
    let mut r = Runner::new(opts, profile, job, bar)?;
    let vectors = Vectors::load()?;
    if let Some(p) = &opts.vcd {
        r.rtl.open_vcd(p)?;
    }
    let t0 = Instant::now();
    let c0 = r.dut_cycles();
    levels::run(&mut r, &vectors);
    // A VCD run has one shard, the directed one.
    if opts.vcd.is_some() && r.rtl.tracing() {
        r.rtl.close_vcd();
        // FST reports its write errors when it closes its files
        if let Err(e) = r.rtl.trace_error() {
            r.trace_failed.get_or_insert(e);
        }
    }
    if let Some(e) = r.trace_failed.take() {
        return Err(e.into());
    }
    Ok(r.finish(t0, c0))
}
