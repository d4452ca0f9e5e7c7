//! The simulated board behind a pty: `board-sim`.

use std::io::Write;

use aiotsec::error::Error;
use aiotsec::sim::pty::{BoardConfig, BoardSim};
use serde_json::json;

use crate::Output;
use crate::args::BoardSimArgs;

pub fn board_sim(a: &BoardSimArgs) -> Result<Output, Error> {
    super::no_profile(
        &a.common,
        "board-sim",
        "the board is built with the provisional profile's values as Verilog parameters",
    )?;
    let mut b = BoardSim::new(BoardConfig {
        nominal_baud: a.baud,
        idle_cycles_per_ms: a.idle_cycles_per_ms,
        watch_stdin: !a.no_stdin,
        vcd: a.vcd.clone(),
    })?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "pty: {}", b.path())
            .and_then(|()| out.flush())
            .map_err(|e| Error::Protocol(format!("cannot write the pty line: {e}")))?;
    }
    b.serve()?;
    Ok(Output::new(
        format!(
            "board-sim: standard input closed after {} cycles",
            b.cycles()
        ),
        json!({"cycles": b.cycles()}),
    ))
}
