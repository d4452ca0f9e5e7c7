//! The co-simulation regression: `cosim`.

use aiotsec::cosim::{self, CosimOptions};
use aiotsec::error::Error;

use crate::args::CosimArgs;
use crate::{Output, to_json};

pub fn cosim(a: CosimArgs) -> Result<Output, Error> {
    super::no_profile(
        &a.common,
        "cosim",
        "the RTL is built with the provisional profile's values as Verilog parameters",
    )?;
    let opts = CosimOptions {
        seed: a.seed,
        count: a.count,
        stall_prob: a.stall_prob,
        vcd: a.vcd,
        fault: a.fault,
        progress: !a.common.json && !a.quiet,
        jobs: a.jobs,
        shard: a.shard.unwrap_or((0, 1)),
        only: a.only,
        case: a.case,
    };
    let report = cosim::run(&opts)?;
    if let Some(p) = &a.junit {
        std::fs::write(p, report.to_junit())
            .map_err(|e| Error::Protocol(format!("--junit {}: {e}", p.display())))?;
    }
    let ok = report.mismatches() == 0;
    Ok(Output::verdict(format!("{report}"), to_json(&report), ok))
}
