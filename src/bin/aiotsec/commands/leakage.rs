//! The analyses of the Verilated engine's register activity: `leakage` and `energy`.

use std::io::Write;

use aiotsec::analysis::{energy, leakage};
use aiotsec::error::Error;
use aiotsec::profile::Profile;
use aiotsec::sim::Variant;

use crate::args::{EnergyArgs, LeakageArgs};
use crate::{Output, to_json};

pub fn leakage(a: &LeakageArgs) -> Result<Output, Error> {
    super::no_profile(
        &a.common,
        "leakage",
        "the RTL is built with the provisional profile's values as Verilog parameters",
    )?;
    let opts = leakage::LeakageOptions {
        traces: a.traces,
        seed: a.seed,
        idle_cycles: a.idle,
        variant: if a.planted_leak {
            Variant::PlantedLeak
        } else {
            Variant::Normal
        },
        tests: if a.test.is_empty() {
            leakage::Test::ALL.to_vec()
        } else {
            a.test.clone()
        },
        keep_curves: a.curves.is_some(),
    };
    let show = !a.quiet && !a.common.json;
    let total = opts.traces;
    let mut report = leakage::run(&Profile::default(), &opts, |t, k| {
        if show && (k % 50 == 0 || k == total) {
            eprint!("\rleakage: {t:?} test, {k}/{total} traces");
            let _ = std::io::stderr().flush();
            if k == total {
                eprintln!();
            }
        }
    })?;
    if let Some(p) = &a.curves {
        let text = serde_json::to_string(&report)
            .map_err(|e| Error::Protocol(format!("--curves: {e}")))?;
        std::fs::write(p, text)
            .map_err(|e| Error::Protocol(format!("--curves {}: {e}", p.display())))?;
        for t in &mut report.tests {
            for c in &mut t.channels {
                c.t = None;
            }
        }
    }
    let ok = report.ok();
    Ok(Output::verdict(format!("{report}"), to_json(&report), ok))
}

pub fn energy(a: &EnergyArgs) -> Result<Output, Error> {
    super::no_profile(
        &a.common,
        "energy",
        "the RTL is built with the provisional profile's values as Verilog parameters",
    )?;
    let r = energy::run(&Profile::default(), a.runs, a.seed, a.idle, Variant::Normal)?;
    Ok(Output::new(format!("{r}"), to_json(&r)))
}
