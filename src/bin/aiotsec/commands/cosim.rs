//! The co-simulation regression: `cosim`.

use aiotsec::cosim::{self, CosimOptions};
use aiotsec::engine::BackendKind;
use aiotsec::error::Error;

use std::io::Read;

use aiotsec::cosim::CosimReport;

use crate::args::{CosimArgs, CosimMergeArgs};
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
        trace_format: if a.fst.is_some() {
            cosim::TraceFormat::Fst
        } else {
            cosim::TraceFormat::Vcd
        },
        vcd: a.vcd.or(a.fst),
        vcd_limit: a.vcd_limit_mb.saturating_mul(1 << 20),
        fault: a.fault,
        progress: !a.common.json && !a.quiet,
        jobs: a.jobs,
        shard: a.shard.unwrap_or((0, 1)),
        only: a.only,
        case: a.case,
        serial: match a.backend {
            BackendKind::Rtl => None,
            BackendKind::Serial => Some(a.link.options()),
            BackendKind::Model => {
                return Err(Error::Usage(
                    "cosim checks an engine against the model: --backend rtl or serial".into(),
                ));
            }
        },
    };
    let report = cosim::run(&opts)?;
    if let Some(p) = &a.junit {
        std::fs::write(p, report.to_junit())
            .map_err(|e| Error::Protocol(format!("--junit {}: {e}", p.display())))?;
    }
    let ok = report.mismatches() == 0;
    Ok(Output::verdict(format!("{report}"), to_json(&report), ok))
}

/// Largest report file read (a report keeps at most 32 failures: a few hundred KiB at most).
const MAX_REPORT: u64 = 16 << 20;

pub fn cosim_merge(a: &CosimMergeArgs) -> Result<Output, Error> {
    super::no_profile(&a.common, "cosim-merge", "it reads reports")?;
    let mut reports = Vec::new();
    for f in &a.files {
        let what = |e: String| Error::Protocol(format!("{}: {e}", f.display()));
        let fh = std::fs::File::open(f).map_err(|e| what(e.to_string()))?;
        let mut text = String::new();
        fh.take(MAX_REPORT + 1)
            .read_to_string(&mut text)
            .map_err(|e| what(e.to_string()))?;
        if text.len() as u64 > MAX_REPORT {
            return Err(what(format!("larger than {MAX_REPORT} octets")));
        }
        let r: CosimReport = serde_json::from_str(&text)
            .map_err(|e| what(format!("not a cosim --json report: {e}")))?;
        reports.push(r);
    }
    let report = CosimReport::merge_shards(reports)?;
    if let Some(p) = &a.junit {
        std::fs::write(p, report.to_junit())
            .map_err(|e| Error::Protocol(format!("--junit {}: {e}", p.display())))?;
    }
    let ok = report.mismatches() == 0;
    Ok(Output::verdict(format!("{report}"), to_json(&report), ok))
}
