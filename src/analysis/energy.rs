//! The energy proxy: register bit toggles per command and per idle cycle, per register group,
//! from every flip-flop of the Verilated engine over the command program (`program.rs`), averaged
//! over runs with random keys and data. There is no cell library here, so there are no joules:
//! a toggle count is a proxy for the dynamic energy of the registers (the clock tree and the
//! combinational logic are not counted). For scale, the published anchor is a round-based
//! AES-128 at 350.7 pJ per block in 90 nm ([`ANCHOR_PJ_PER_BLOCK`]). When the engine has the KDF
//! unit, the program opens with a DERIVE (KAIOTF and both command keys, [`DERIVE_PHASE`]).

use rand::SeedableRng;
use rand::rngs::StdRng;
use serde::Serialize;

use super::program::{self, DeriveInputs, Inputs};
use super::{KDF_GROUP, register_group};
use crate::engine::EngineError;
use crate::profile::Profile;
use crate::sim::Variant;

/// Published energy of one block of a round-based AES-128 in 90 nm, in pJ, for scale only
/// (another design, another flow; the figure the issue gives as the anchor).
pub const ANCHOR_PJ_PER_BLOCK: f64 = 350.7;

/// Toggles of one phase of the program.
#[derive(Debug, Clone, Serialize)]
pub struct PhaseEnergy {
    /// Phase name.
    pub phase: String,
    /// Cycles of the phase.
    pub cycles: usize,
    /// Mean register bit toggles over the phase (all registers).
    pub toggles: f64,
    /// Mean toggles per cycle.
    pub per_cycle: f64,
    /// Mean toggles over the phase per register group (same order as [`EnergyReport::groups`]).
    pub by_group: Vec<f64>,
}

/// The energy proxy of the command program.
#[derive(Debug, Clone, Serialize)]
pub struct EnergyReport {
    /// Runs averaged.
    pub runs: usize,
    /// Register groups and their flip-flop bits.
    pub groups: Vec<(String, u32)>,
    /// Flip-flop bits read in all.
    pub register_bits: u32,
    /// Per phase.
    pub phases: Vec<PhaseEnergy>,
    /// [`ANCHOR_PJ_PER_BLOCK`].
    pub anchor_pj_per_block: f64,
}

impl EnergyReport {
    /// The phase called `name`.
    pub fn phase(&self, name: &str) -> Option<&PhaseEnergy> {
        self.phases.iter().find(|p| p.phase == name)
    }
}

/// The phase of the program that runs DERIVE (present when the engine has the KDF unit).
pub const DERIVE_PHASE: &str = program::DERIVE_PHASE;

/// Measure the proxy over `runs` runs of the program with random keys and data from `seed`.
pub fn run(
    profile: &Profile,
    runs: usize,
    seed: u64,
    idle_cycles: usize,
    variant: Variant,
) -> Result<EnergyReport, EngineError> {
    let runs = runs.max(1);
    let mut eng = program::open(profile, variant)?;
    let regs = eng.sim().registers();
    let mut groups: Vec<(String, u32)> = Vec::new();
    let mut group_of = Vec::new();
    for r in &regs {
        let g = register_group(&r.name);
        let i = match groups.iter().position(|(n, _)| *n == g) {
            Some(i) => i,
            None => {
                groups.push((g, 0));
                groups.len() - 1
            }
        };
        groups[i].1 += r.bits;
        group_of.push(i);
    }
    // the program opens with a DERIVE when the engine has the KDF unit (its registers are among
    // the flip-flops read)
    let derive = groups.iter().any(|(g, _)| g == KDF_GROUP);
    let mut rng = StdRng::seed_from_u64(seed);
    let mut acc: Vec<PhaseEnergy> = Vec::new();
    for _ in 0..runs {
        let i = Inputs::random(&mut rng);
        let d = derive.then(|| DeriveInputs::random(&mut rng));
        let t = program::run(&mut eng, profile, &i, d.as_ref(), idle_cycles)?;
        if acc.is_empty() {
            acc = t
                .phases
                .iter()
                .map(|p| PhaseEnergy {
                    phase: p.name.clone(),
                    cycles: p.end - p.start,
                    toggles: 0.0,
                    per_cycle: 0.0,
                    by_group: vec![0.0; groups.len()],
                })
                .collect();
        }
        for (pe, p) in acc.iter_mut().zip(&t.phases) {
            for c in p.start..p.end {
                for (r, &n) in t.toggles.cycle(c).iter().enumerate() {
                    pe.toggles += f64::from(n);
                    pe.by_group[group_of[r]] += f64::from(n);
                }
            }
        }
    }
    let k = runs as f64;
    for pe in &mut acc {
        pe.toggles /= k;
        pe.by_group.iter_mut().for_each(|g| *g /= k);
        pe.per_cycle = if pe.cycles > 0 {
            pe.toggles / pe.cycles as f64
        } else {
            0.0
        };
    }
    Ok(EnergyReport {
        runs,
        register_bits: groups.iter().map(|g| g.1).sum(),
        groups,
        phases: acc,
        anchor_pj_per_block: ANCHOR_PJ_PER_BLOCK,
    })
}

impl std::fmt::Display for EnergyReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "Energy proxy: register bit toggles ({} flip-flop bits, mean of {} runs with random keys and data)",
            self.register_bits, self.runs
        )?;
        write!(
            f,
            "  {:<28} {:>7} {:>9} {:>8}",
            "phase", "cycles", "toggles", "/cycle"
        )?;
        for (g, _) in &self.groups {
            write!(f, " {:>10}", g.chars().take(10).collect::<String>())?;
        }
        writeln!(f)?;
        for p in &self.phases {
            write!(
                f,
                "  {:<28} {:>7} {:>9.0} {:>8.1}",
                p.phase, p.cycles, p.toggles, p.per_cycle
            )?;
            for g in &p.by_group {
                write!(f, " {g:>10.0}")?;
            }
            writeln!(f)?;
        }
        writeln!(
            f,
            "No cell library: toggles are a proxy, not joules. For scale: a round-based AES-128, {} pJ/block in 90 nm (published).",
            self.anchor_pj_per_block
        )
    }
}
