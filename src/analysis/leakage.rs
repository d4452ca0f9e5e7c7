//! Leakage assessment in simulation: fixed-versus-random TVLA (Welch's t, |t| > 4.5) on a
//! Hamming-distance model. A trace is the number of register bits that change in each cycle of
//! the command program (`program.rs`: key load, idle, an AES block, UNPROTECT + PROTECT of
//! 32 bytes, idle, ZEROIZE, idle), read from every flip-flop of the Verilated engine. Three tests:
//!
//! * [`Test::Plaintext`]: a fixed key pair, fixed against random plaintexts (the AES block and
//!   both bodies);
//! * [`Test::Key`]: a fixed plaintext, fixed against random key pairs;
//! * [`Test::MacCompare`]: fixed key and message, one wrong MAC octet, fixed (octet 0, one value)
//!   against random (any octet, any nonzero error): the MAC compare must not tell them apart.
//!
//! Each test reports max |t| per phase for every register group and for all registers, and
//! [`LeakageReport::checks`] states what must hold (the CI regression checks): no leakage while
//! idle with keys loaded beyond the key ring's rotation, none after ZEROIZE, none from the MAC
//! compare.

use rand::rngs::StdRng;
use rand::{Rng, RngCore, SeedableRng};
use serde::Serialize;

use super::program::{self, Inputs, Phase, Trace};
use super::register_group;
use super::tvla::{Moments, PhaseT, THRESHOLD, welch_t};
use crate::engine::{EngineError, Status};
use crate::profile::Profile;
use crate::sim::Variant;

/// Which fixed-versus-random test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Test {
    /// Fixed key, fixed vs random plaintext.
    Plaintext,
    /// Fixed plaintext, fixed vs random keys.
    Key,
    /// Fixed key and message, a wrong MAC octet fixed (octet 0) vs random (any octet and value).
    MacCompare,
}

impl Test {
    /// Every test, in report order.
    pub const ALL: [Test; 3] = [Test::Plaintext, Test::Key, Test::MacCompare];
}

/// Options of a leakage run.
#[derive(Debug, Clone, Serialize)]
pub struct LeakageOptions {
    /// Traces per test (both classes together; each trace is fixed or random at random).
    pub traces: usize,
    /// Seed of the class choice and of the random inputs.
    pub seed: u64,
    /// Idle cycles in each idle phase.
    pub idle_cycles: usize,
    /// The build simulated ([`Variant::PlantedLeak`] for the detector's positive control).
    pub variant: Variant,
    /// The tests to run.
    pub tests: Vec<Test>,
    /// Keep the t curves (for plots) in the report.
    pub keep_curves: bool,
}

impl Default for LeakageOptions {
    fn default() -> Self {
        Self {
            traces: 2000,
            seed: 1,
            idle_cycles: 64,
            variant: Variant::Normal,
            tests: Test::ALL.to_vec(),
            keep_curves: false,
        }
    }
}

/// The t statistic of one channel (a register group, or a sum of groups) over the trace.
#[derive(Debug, Clone, Serialize)]
pub struct Channel {
    /// "all registers", "all but the key ring", or a register group.
    pub name: String,
    /// Max |t| per phase.
    pub phases: Vec<PhaseT>,
    /// Max |t| over the whole trace.
    pub max_abs_t: f64,
    /// t at every cycle (with `keep_curves`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub t: Option<Vec<f64>>,
}

/// One test's result.
#[derive(Debug, Clone, Serialize)]
pub struct TestResult {
    /// The test.
    pub test: Test,
    /// Traces of the fixed and of the random class.
    pub traces: (u64, u64),
    /// Cycles per trace.
    pub cycles: usize,
    /// The program's phases.
    pub phases: Vec<Phase>,
    /// All registers first, then all but the key ring, then each group.
    pub channels: Vec<Channel>,
}

impl TestResult {
    /// The channel called `name`.
    pub fn channel(&self, name: &str) -> Option<&Channel> {
        self.channels.iter().find(|c| c.name == name)
    }

    /// Max |t| of channel `channel` in phase `phase` (`None` if either is absent).
    pub fn max_t(&self, channel: &str, phase: &str) -> Option<f64> {
        self.channel(channel)?
            .phases
            .iter()
            .find(|p| p.phase == phase)
            .map(|p| p.max_abs_t)
    }
}

/// A regression check on the TVLA results.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// What must hold.
    pub name: String,
    /// Whether it holds.
    pub holds: bool,
    /// The figure it rests on.
    pub detail: String,
}

/// The whole assessment.
#[derive(Debug, Clone, Serialize)]
pub struct LeakageReport {
    /// The options run.
    pub options: LeakageOptions,
    /// Flip-flops read, and bits, per group.
    pub groups: Vec<(String, u32)>,
    /// The tests run.
    pub tests: Vec<TestResult>,
    /// The regression checks (those whose test ran).
    pub checks: Vec<Check>,
}

impl LeakageReport {
    /// The result of `test`, if it ran.
    pub fn test(&self, test: Test) -> Option<&TestResult> {
        self.tests.iter().find(|t| t.test == test)
    }

    /// Whether every check holds.
    pub fn ok(&self) -> bool {
        self.checks.iter().all(|c| c.holds)
    }
}

/// Channel of all registers.
pub const ALL: &str = "all registers";
/// Channel of every register but the key ring.
pub const NOT_RING: &str = "all but the key ring";

/// Phases whose cycles every trace must have in common: reject a run whose schedule moved.
fn same_schedule(a: &[Phase], b: &[Phase]) -> bool {
    a == b
}

/// The inputs of one trace of `test`: `fixed` from the fixed set, else the random class.
fn inputs_for(test: Test, fixed: &Inputs, random: bool, rng: &mut StdRng) -> Inputs {
    let r = Inputs::random(rng);
    let mut i = Inputs {
        ..clone_inputs(fixed)
    };
    if !random {
        return i;
    }
    match test {
        Test::Plaintext => {
            i.block = r.block;
            i.req_body = r.req_body;
            i.rsp_body = r.rsp_body;
        }
        Test::Key => {
            i.enc = r.enc;
            i.int = r.int;
        }
        Test::MacCompare => {
            i.mac_pos = rng.gen_range(0..4);
            i.mac_flip = rng.gen_range(1..=255);
        }
    }
    i
}

fn clone_inputs(i: &Inputs) -> Inputs {
    Inputs {
        enc: i.enc,
        int: i.int,
        block: i.block,
        req_body: i.req_body,
        rsp_body: i.rsp_body,
        mac_flip: i.mac_flip,
        mac_pos: i.mac_pos,
    }
}

/// Per-cycle sums of one trace for each channel: `[all, not ring, group 0, group 1, ...]`.
fn channel_sums(
    t: &Trace,
    group_of: &[usize],
    groups: usize,
    ring: Option<usize>,
) -> Vec<Vec<f64>> {
    let cycles = t.toggles.cycles();
    let mut out = vec![vec![0.0; cycles]; groups + 2];
    for c in 0..cycles {
        for (r, &n) in t.toggles.cycle(c).iter().enumerate() {
            let g = group_of[r];
            let n = f64::from(n);
            let not_ring = if Some(g) != ring { n } else { 0.0 };
            for (ch, v) in [(0, n), (1, not_ring), (g + 2, n)] {
                if let Some(x) = out.get_mut(ch).and_then(|o| o.get_mut(c)) {
                    *x += v;
                }
            }
        }
    }
    out
}

/// Run the assessment. `progress` is called after each trace with (test, traces done).
pub fn run(
    profile: &Profile,
    opts: &LeakageOptions,
    mut progress: impl FnMut(Test, usize),
) -> Result<LeakageReport, EngineError> {
    if opts.traces < 4 {
        return Err(EngineError::Invalid(
            "a TVLA needs at least 4 traces".into(),
        ));
    }
    let mut eng = program::open(profile, opts.variant)?;
    let regs = eng.sim().registers();
    let mut names: Vec<String> = Vec::new();
    let mut group_of = Vec::new();
    let mut bits: Vec<u32> = Vec::new();
    for r in &regs {
        let g = register_group(&r.name);
        let i = match names.iter().position(|n| *n == g) {
            Some(i) => i,
            None => {
                names.push(g);
                bits.push(0);
                names.len() - 1
            }
        };
        bits[i] += r.bits;
        group_of.push(i);
    }
    let ring = names.iter().position(|n| n == "key ring");
    let mut rng = StdRng::seed_from_u64(opts.seed);
    let fixed = Inputs::random(&mut rng);
    let mut tests = Vec::new();
    for &test in &opts.tests {
        let mut fixed_in = clone_inputs(&fixed);
        if test == Test::MacCompare {
            fixed_in.mac_pos = 0;
            fixed_in.mac_flip = 0x5a;
        }
        let mut schedule: Option<Vec<Phase>> = None;
        let mut m: Vec<[Moments; 2]> = Vec::new();
        for k in 0..opts.traces {
            let random = rng.next_u32() & 1 == 1;
            let inp = inputs_for(test, &fixed_in, random, &mut rng);
            let t = program::run(&mut eng, profile, &inp, None, opts.idle_cycles)?;
            if test == Test::MacCompare && t.unprotect != Status::MacFailure {
                return Err(EngineError::Protocol(format!(
                    "UNPROTECT with a wrong MAC octet answered {:?}",
                    t.unprotect
                )));
            }
            match &schedule {
                None => {
                    let n = t.toggles.cycles();
                    m = (0..names.len() + 2)
                        .map(|_| [Moments::new(n), Moments::new(n)])
                        .collect();
                    schedule = Some(t.phases.clone());
                }
                Some(s) if !same_schedule(s, &t.phases) => {
                    return Err(EngineError::Protocol(format!(
                        "trace {k} of the {test:?} test has another cycle schedule than the first \
                         (a data-dependent timing): {:?} against {s:?}",
                        t.phases
                    )));
                }
                Some(_) => {}
            }
            for (ch, sums) in channel_sums(&t, &group_of, names.len(), ring)
                .iter()
                .enumerate()
            {
                m[ch][usize::from(random)].add(sums);
            }
            progress(test, k + 1);
        }
        let phases = schedule.unwrap_or_default();
        let cycles = phases.last().map(|p| p.end).unwrap_or(0);
        let mut channels = Vec::new();
        for (ch, mm) in m.iter().enumerate() {
            let t = welch_t(&mm[0], &mm[1]);
            let name = match ch {
                0 => ALL.to_string(),
                1 => NOT_RING.to_string(),
                g => names[g - 2].clone(),
            };
            let ph: Vec<PhaseT> = phases
                .iter()
                .map(|p| PhaseT::of(&p.name, &t, (p.start, p.end)))
                .collect();
            let whole = PhaseT::of("", &t, (0, t.len()));
            channels.push(Channel {
                name,
                phases: ph,
                max_abs_t: whole.max_abs_t,
                t: opts.keep_curves.then_some(t),
            });
        }
        let n = (m[0][0].count(), m[0][1].count());
        tests.push(TestResult {
            test,
            traces: n,
            cycles,
            phases,
            channels,
        });
    }
    let mut report = LeakageReport {
        options: opts.clone(),
        groups: names.into_iter().zip(bits).collect(),
        tests,
        checks: Vec::new(),
    };
    report.checks = checks(&report);
    Ok(report)
}

fn check(name: &str, t: Option<f64>, what: &str) -> Check {
    match t {
        Some(t) => Check {
            name: name.into(),
            holds: t <= THRESHOLD,
            detail: format!("max |t| = {t:.2} ({what})"),
        },
        None => Check {
            name: name.into(),
            holds: false,
            detail: format!("not measured ({what})"),
        },
    }
}

/// The regression checks of the tests in `r`.
pub fn checks(r: &LeakageReport) -> Vec<Check> {
    let mut out = Vec::new();
    if let Some(k) = r.test(Test::Key) {
        out.push(check(
            "no key leakage while idle with keys loaded, beyond the key ring's rotation",
            k.max_t(NOT_RING, "idle, keys loaded"),
            "fixed vs random keys, every register but the key ring, idle phase",
        ));
        out.push(check(
            "no key leakage after ZEROIZE",
            k.max_t(ALL, "after ZEROIZE"),
            "fixed vs random keys, all registers",
        ));
        out.push(check(
            "no key leakage while idle after a command, beyond the key ring's rotation",
            k.max_t(NOT_RING, "idle after the command"),
            "fixed vs random keys, every register but the key ring, from 16 cycles after PROTECT",
        ));
    }
    if let Some(p) = r.test(Test::Plaintext) {
        out.push(check(
            "no data leakage while idle after a command",
            p.max_t(ALL, "idle after the command"),
            "fixed vs random plaintext, all registers, from 16 cycles after PROTECT",
        ));
        out.push(check(
            "no data leakage after ZEROIZE",
            p.max_t(ALL, "after ZEROIZE"),
            "fixed vs random plaintext, all registers",
        ));
    }
    if let Some(m) = r.test(Test::MacCompare) {
        // from the MAC compare to the end of the trace: the wrong octet's position and value
        // must not show anywhere
        let c = m.channel(ALL);
        let t = c.map(|c| {
            let from = m
                .phases
                .iter()
                .find(|p| p.name == "MAC compare")
                .map(|p| p.start)
                .unwrap_or(0);
            c.phases
                .iter()
                .filter(|p| p.cycles.1 > from)
                .map(|p| p.max_abs_t)
                .fold(0.0, f64::max)
        });
        out.push(check(
            "no leakage of a wrong MAC octet's position or value (MAC compare onwards)",
            t,
            "wrong octet 0 vs any octet, all registers, from the MAC compare to the end",
        ));
    }
    out
}

impl std::fmt::Display for LeakageReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "TVLA, Hamming distance of every flip-flop per cycle ({:?} build, seed {}), |t| > {THRESHOLD} = leakage",
            self.options.variant, self.options.seed
        )?;
        for t in &self.tests {
            writeln!(
                f,
                "\n{:?} test: {} fixed + {} random traces of {} cycles; max |t| per phase",
                t.test, t.traces.0, t.traces.1, t.cycles
            )?;
            write!(f, "  {:<28}", "phase (cycles)")?;
            for c in &t.channels {
                write!(f, " {:>10}", short(&c.name))?;
            }
            writeln!(f)?;
            for (i, p) in t.phases.iter().enumerate() {
                write!(f, "  {:<28}", format!("{} ({})", p.name, p.end - p.start))?;
                for c in &t.channels {
                    let v = c.phases.get(i).map(|x| x.max_abs_t).unwrap_or(0.0);
                    write!(f, " {:>10}", fmt_t(v))?;
                }
                writeln!(f)?;
            }
        }
        writeln!(f, "\nchecks:")?;
        for c in &self.checks {
            writeln!(
                f,
                "  {} {}: {}",
                if c.holds { "PASS" } else { "FAIL" },
                c.name,
                c.detail
            )?;
        }
        Ok(())
    }
}

/// A column heading of at most 10 characters.
fn short(name: &str) -> String {
    match name {
        ALL => "all".into(),
        NOT_RING => "not ring".into(),
        n => n.chars().take(10).collect(),
    }
}

/// |t| for a table: "certain" where the classes are told apart with zero variance.
pub fn fmt_t(v: f64) -> String {
    if v >= super::tvla::T_CERTAIN {
        "certain".into()
    } else {
        format!("{v:.1}")
    }
}
