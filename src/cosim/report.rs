//! What a co-simulation run reports: checks and mismatches per level, cycle statistics per
//! operation kind, stall-free timing, the first failures, and how the reports of parallel
//! simulations fold into one.

use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::error::Error;

/// Failures a report keeps (all of them are counted).
pub(super) const MAX_FAILURES_KEPT: usize = 32;

/// Checks and results of one level.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct LevelReport {
    /// The level's name: aes, nea2, nia2, message, procedure, security or timing (`--only LEVEL`).
    pub level: String,
    /// Checks run: transaction comparisons of RTL against model and property checks.
    pub checks: u64,
    /// Checks that failed (RTL differs from the model, or a property is violated); 0 for a pass.
    pub mismatches: u64,
    /// AES block computations the checks verified (engine ops count the blocks they imply).
    pub aes_blocks: u64,
    /// Simulated cycles (engine + AES models).
    pub cycles: u64,
    /// Wall-clock seconds the level took (the longest shard's after a merge).
    pub seconds: f64,
}

impl LevelReport {
    /// Add the counts of the same level from another shard (the levels ran in parallel, so the
    /// seconds are the longest, not the sum).
    fn absorb(&mut self, other: &LevelReport) {
        self.checks += other.checks;
        self.mismatches += other.mismatches;
        self.aes_blocks += other.aes_blocks;
        self.cycles += other.cycles;
        self.seconds = self.seconds.max(other.seconds);
    }
}

/// Cycle statistics of one operation kind.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct OpCycles {
    /// The operation kind: "aes-block", "nea2", "nia2", "unprotect" or "protect".
    pub op: String,
    /// Operations of this kind compared.
    pub count: u64,
    /// Fewest clock cycles one operation took, handshake to response, stalls included.
    pub min: u64,
    /// Most clock cycles one operation took.
    pub max: u64,
    /// Clock cycles of all of them together (see [`OpCycles::mean`]).
    pub total: u64,
    /// Octets processed in total (0 for AES blocks / key commands).
    pub octets: u64,
}

impl OpCycles {
    /// Count one operation of `cycles` cycles over `octets` octets.
    pub(super) fn add(&mut self, cycles: u64, octets: u64) {
        if self.count == 0 || cycles < self.min {
            self.min = cycles;
        }
        self.max = self.max.max(cycles);
        self.count += 1;
        self.total += cycles;
        self.octets += octets;
    }

    /// Add the statistics of the same operation kind from another shard (a no-op when it ran none).
    fn absorb(&mut self, other: &OpCycles) {
        if other.count == 0 {
            return;
        }
        self.min = if self.count == 0 {
            other.min
        } else {
            self.min.min(other.min)
        };
        self.max = self.max.max(other.max);
        self.count += other.count;
        self.total += other.total;
        self.octets += other.octets;
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
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Timing {
    /// One AES block on the aes128_enc model, handshake to handshake.
    pub aes_block: u64,
    /// NEA2 over 1024 bits (8 blocks) and the per-block figure.
    pub nea2_1024: u64,
    /// `nea2_1024` / 8: cycles per 16-octet block.
    pub nea2_per_block: f64,
    /// NIA2 over 1024 bits.
    pub nia2_1024: u64,
    /// `nia2_1024` / 10: cycles per AES block of the MAC (8 message blocks, the header block and L
    /// = AES_K(0)).
    pub nia2_per_block: f64,
    /// Unprotect (ciphered) and protect (ciphered) of a 64-octet message.
    pub unprotect_64: u64,
    /// Protect (ciphered) of a 64-octet message, in cycles.
    pub protect_64: u64,
    /// Unprotect (ciphered) of a maximum-length (profile) message.
    pub unprotect_max: u64,
    /// The profile's `layout.max_message_len` used for `unprotect_max`, in octets.
    pub max_message_len: usize,
}

/// A mismatch or violation.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Failure {
    /// The level the check belongs to.
    pub level: String,
    /// The check's id (`LEVEL:dN` directed, `LEVEL:rK` random transaction K): `--case ID`
    /// reruns exactly it.
    pub id: String,
    /// What was checked, in words (e.g. "random", or the vector's name).
    pub case: String,
    /// What differed: the transaction and the RTL's and the model's answers, or the property
    /// violated.
    pub detail: String,
    /// Waveform of the re-run of this transaction, when written.
    pub vcd: Option<PathBuf>,
}

/// Results of a co-simulation run.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CosimReport {
    /// `--seed`: random transaction k draws its stimulus from (seed, k).
    pub seed: u64,
    /// `--count`: random transactions in all, split over the aes, nea2, nia2 and message levels.
    pub count: usize,
    /// `--stall-prob`: probability in [0, 1) that the harness stalls a handshake in a cycle
    /// (random transactions).
    pub stall_prob: f64,
    /// `--fault`: 0 for the RTL as designed, 1 or 2 for a deliberately faulty build.
    pub fault: u8,
    /// The RTL build simulated ([`Variant`](crate::sim::Variant) by name: Normal, DropK2,
    /// CorruptSbox).
    pub variant: String,
    /// One report per level run, in run order.
    pub levels: Vec<LevelReport>,
    /// Cycle statistics per operation kind over the random and directed transactions.
    pub ops: Vec<OpCycles>,
    /// Stall-free cycles of representative operations (level `timing`).
    pub timing: Timing,
    /// First failures (at most 32 kept; `mismatches()` counts them all).
    pub failures: Vec<Failure>,
    /// Secret registers checked for zero after ZEROIZE and reset.
    pub secret_registers: Vec<String>,
    /// The engine under test when it is not the Verilated RTL (`serial PORT`); empty: the RTL.
    pub dut: String,
    /// What the run did not check and why (e.g. the levels skipped over a serial link).
    pub notes: Vec<String>,
    /// Set when the whole-run VCD reached its size limit and was closed.
    pub vcd_capped: Option<String>,
    /// Clock cycles simulated in all (engine and AES models, every shard).
    pub sim_cycles: u64,
    /// Parallel simulations the run used.
    pub jobs: usize,
    /// Process shard `(I, N)` of the run (`--shard I/N`).
    pub shard: (u32, u32),
    /// `--only LEVEL` of the run.
    pub only: Option<String>,
    /// `--case ID` of the run.
    pub case: Option<String>,
    /// Wall-clock seconds of the run (the longest shard's after a merge).
    pub wall_seconds: f64,
    /// `sim_cycles` / `wall_seconds`: simulation speed.
    pub cycles_per_second: f64,
    /// AES blocks whose result was checked against the model, over all levels.
    pub aes_blocks_verified: u64,
    /// `aes_blocks_verified` / `wall_seconds`.
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

    /// Fill in the throughput figures of a report from its counters and a wall time.
    pub(super) fn set_rates(&mut self, wall: f64) {
        self.wall_seconds = wall;
        self.aes_blocks_verified = self.levels.iter().map(|l| l.aes_blocks).sum();
        let per_s = |n: u64| if wall > 0.0 { n as f64 / wall } else { 0.0 };
        self.cycles_per_second = per_s(self.sim_cycles);
        self.aes_blocks_per_second = per_s(self.aes_blocks_verified);
    }

    /// Merge the reports of the process shards of one run (`--shard I/N`, I = 0 .. N-1, each
    /// given once, written with `--json`) into the report of the whole run.
    pub fn merge_shards(reports: Vec<CosimReport>) -> Result<CosimReport, Error> {
        let bad = |m: String| Err(Error::Protocol(format!("cosim-merge: {m}")));
        let Some(first) = reports.first() else {
            return bad("no report given".into());
        };
        let (key, n) = (
            (
                first.seed,
                first.count,
                first.stall_prob.to_bits(),
                first.fault,
            ),
            first.shard.1.max(1),
        );
        let mut seen = vec![false; n as usize];
        for r in &reports {
            if (r.seed, r.count, r.stall_prob.to_bits(), r.fault) != key || r.shard.1.max(1) != n {
                return bad(format!(
                    "shard {}/{} is of another run (seed {}, count {}, stall {}, fault {})",
                    r.shard.0, r.shard.1, r.seed, r.count, r.stall_prob, r.fault
                ));
            }
            if r.only.is_some() || r.case.is_some() {
                return bad("a report of an --only / --case run is not a shard".into());
            }
            match seen.get_mut(r.shard.0 as usize) {
                Some(s) if !*s => *s = true,
                _ => {
                    return bad(format!(
                        "shard {}/{n} given twice or out of range",
                        r.shard.0
                    ));
                }
            }
        }
        if let Some(i) = seen.iter().position(|s| !s) {
            return bad(format!("shard {i}/{n} is missing"));
        }
        let mut reports = reports;
        reports.sort_by_key(|r| r.shard.0);
        let mut it = reports.into_iter();
        let mut all = it.next().unwrap_or_default();
        let mut wall = all.wall_seconds;
        for r in it {
            wall = wall.max(r.wall_seconds);
            all.merge(r);
        }
        all.shard = (0, 1);
        all.set_rates(wall);
        Ok(all)
    }

    /// Fold the report of a random-only shard into the first shard's.
    pub(super) fn merge(&mut self, other: CosimReport) {
        for l in other.levels {
            match self.levels.iter_mut().find(|x| x.level == l.level) {
                Some(x) => x.absorb(&l),
                None => self.levels.push(l),
            }
        }
        for o in other.ops {
            match self.ops.iter_mut().find(|x| x.op == o.op) {
                Some(x) => x.absorb(&o),
                None => self.ops.push(o),
            }
        }
        let room = MAX_FAILURES_KEPT.saturating_sub(self.failures.len());
        self.failures.extend(other.failures.into_iter().take(room));
        self.sim_cycles += other.sim_cycles;
    }

    /// The table of levels, with its total row.
    fn fmt_levels(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
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
        )
    }

    /// The cycle statistics per operation kind.
    fn fmt_ops(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
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
        Ok(())
    }

    /// The stall-free timing and speed lines.
    fn fmt_timing(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = &self.timing;
        if t.aes_block == 0 {
            return Ok(()); // not measured (`--only`, `--case`, or a shard without the directed part)
        }
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
        )
    }

    /// The failures kept and the verdict (with the command that reproduces a failing run).
    fn fmt_verdict(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for x in &self.failures {
            write!(f, "FAIL [{}] {} ({}): {}", x.level, x.case, x.id, x.detail)?;
            if let Some(p) = &x.vcd {
                write!(f, " (trace: {})", p.display())?;
            }
            writeln!(f)?;
            writeln!(f, "     rerun: {}", self.rerun(&x.id))?;
        }
        let more = self.mismatches().saturating_sub(self.failures.len() as u64);
        if more > 0 {
            writeln!(f, "and {more} more mismatches not listed")?;
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

impl CosimReport {
    /// The command that reruns exactly check `id` of this run.
    pub fn rerun(&self, id: &str) -> String {
        let fault = if self.fault != 0 {
            format!(" --fault {}", self.fault)
        } else {
            String::new()
        };
        format!(
            "aiotsec cosim --seed {} --count {} --stall-prob {}{fault} --case {id}",
            self.seed, self.count, self.stall_prob
        )
    }

    /// The results as JUnit XML: one testsuite, one testcase per level, a failure element per
    /// level with mismatches (its first failures, with the commands that rerun them).
    pub fn to_junit(&self) -> String {
        let esc = |t: &str| {
            t.replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('"', "&quot;")
        };
        let failed = self.levels.iter().filter(|l| l.mismatches > 0).count();
        let time: f64 = self.levels.iter().map(|l| l.seconds).sum();
        let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        x.push_str(&format!(
            "<testsuites name=\"aiotsec cosim\" tests=\"{}\" failures=\"{failed}\" time=\"{time:.3}\">\n",
            self.levels.len()
        ));
        x.push_str(&format!(
            "  <testsuite name=\"cosim seed {} count {} shard {}/{}\" tests=\"{}\" failures=\"{failed}\" time=\"{time:.3}\">\n",
            self.seed,
            self.count,
            self.shard.0,
            self.shard.1.max(1),
            self.levels.len()
        ));
        for l in &self.levels {
            x.push_str(&format!(
                "    <testcase classname=\"cosim\" name=\"{}\" time=\"{:.3}\">\n",
                esc(&l.level),
                l.seconds
            ));
            x.push_str(&format!(
                "      <system-out>{} checks, {} AES blocks, {} cycles</system-out>\n",
                l.checks, l.aes_blocks, l.cycles
            ));
            if l.mismatches > 0 {
                let mut body = String::new();
                for fl in self.failures.iter().filter(|fl| fl.level == l.level) {
                    body.push_str(&format!(
                        "{} ({}): {}\nrerun: {}\n",
                        fl.case,
                        fl.id,
                        fl.detail,
                        self.rerun(&fl.id)
                    ));
                }
                x.push_str(&format!(
                    "      <failure message=\"{} mismatches\">{}</failure>\n",
                    l.mismatches,
                    esc(&body)
                ));
            }
            x.push_str("    </testcase>\n");
        }
        x.push_str("  </testsuite>\n</testsuites>\n");
        x
    }
}

impl fmt::Display for CosimReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.dut.is_empty() {
            writeln!(
                f,
                "co-simulation: RTL ({}) vs model, seed {}, {} random transactions, stall \
                 probability {}, {} parallel simulation(s)",
                self.variant, self.seed, self.count, self.stall_prob, self.jobs
            )?;
        } else {
            writeln!(
                f,
                "co-simulation: {} vs model, seed {}, {} random transactions",
                self.dut, self.seed, self.count
            )?;
        }
        self.fmt_levels(f)?;
        self.fmt_ops(f)?;
        self.fmt_timing(f)?;
        writeln!(
            f,
            "secret registers checked: {}",
            self.secret_registers.join(", ")
        )?;
        if let Some(n) = &self.vcd_capped {
            writeln!(f, "trace: {n}")?;
        }
        for n in &self.notes {
            writeln!(f, "note: {n}")?;
        }
        self.fmt_verdict(f)
    }
}
