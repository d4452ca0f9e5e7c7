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
        progress: !a.common.json,
        jobs: a.jobs,
    };
    let report = cosim::run(&opts)?;
    let ok = report.mismatches() == 0;
    Ok(Output::verdict(format!("{report}"), to_json(&report), ok))
}
