//! The board model (feature `serial`): `engine_uart_bridge` (UART + bridge + engine + frame
//! buffer, the `default` target of `aiotsec:ip:bridge` in `hdl/bridge/bridge.core`) Verilated
//! as `Vbridge` with a small CLKS_PER_BIT, for `aiotsec board-sim` and `tests/serial_pty.rs`,
//! with `sim/bridge_shim.cpp` as its extern "C" side.

use std::path::{Path, PathBuf};

use crate::fail;
use crate::verilate::Model;

/// The core of the board design.
const BRIDGE_CORE: &str = "aiotsec:ip:bridge";

/// Clock cycles per UART bit of the simulated board (12 MHz / baud on a real board; small here so
/// that an octet costs 10 x 4 cycles of simulation: the wire, not the engine, is most of what
/// board-sim simulates; 4 is the least uart_rx takes).
pub(crate) const CLKS_PER_BIT: u32 = 4;
/// Clock cycles without an octet inside a frame before ERR_TIMEOUT (64 octet times at 4 clocks
/// per bit). `board-sim` maps idle wall time onto cycles so that this is about half a second.
pub(crate) const TIMEOUT_CLKS: u32 = 2_560;
/// Data octets of one WRITE / READ (as on the board).
pub(crate) const MAX_DATA: u32 = 256;

/// The board model and its sources, with the engine's `-G` parameters `gparams`.
pub(crate) fn model(hdl: &Path, gparams: &[String]) -> (Model, Vec<PathBuf>) {
    let cores = crate::cores::Cores::load(hdl)
        .unwrap_or_else(|e| fail(&format!("reading the cores under {}: {e}", hdl.display())));
    let resolved = cores.resolve(BRIDGE_CORE, "default").unwrap_or_else(|e| {
        fail(&format!(
            "{BRIDGE_CORE}: {e} (build without the `serial` feature to leave the board model out)"
        ))
    });
    let mut sources = resolved.sources;
    sources.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
    for s in &sources {
        println!("cargo:rerun-if-changed={}", s.display());
    }
    let mut extra = gparams.to_vec();
    extra.push(format!("-GCLKS_PER_BIT={CLKS_PER_BIT}"));
    extra.push(format!("-GTIMEOUT_CLKS={TIMEOUT_CLKS}"));
    extra.push(format!("-GMAX_DATA={MAX_DATA}"));
    (
        Model {
            prefix: "Vbridge",
            top: "engine_uart_bridge",
            extra,
            fst: false,
        },
        sources,
    )
}

/// The constants of the board model for `$OUT_DIR/rtl_params.rs`.
pub(crate) fn rust_params() -> String {
    format!(
        "/// Clock cycles per UART bit of the board model (`Vbridge`).\n\
         pub const BRIDGE_CLKS_PER_BIT: u32 = {CLKS_PER_BIT};\n\
         /// Clock cycles of silence inside a frame before the board model's ERR_TIMEOUT.\n\
         pub const BRIDGE_TIMEOUT_CLKS: u32 = {TIMEOUT_CLKS};\n\
         /// Data octets of one WRITE / READ of the board model.\n\
         pub const BRIDGE_MAX_DATA: u32 = {MAX_DATA};\n"
    )
}
