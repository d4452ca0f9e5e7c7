//! Waveforms of the Verilated models (VCD, and FST for the engine): opening, closing and checking
//! a trace through the shim, shared by [`EngineSim`](super::EngineSim) and
//! [`AesSim`](super::AesSim).
//!
//! A failed write (a full disk) never stops or hangs the simulation: the shim keeps the first
//! error (later data is dropped) and [`check_trace`] turns it into [`EngineError::Io`].

use std::ffi::{CString, c_char, c_void};
use std::path::Path;
use std::ptr::NonNull;

use crate::error::EngineError;

/// The shim's `aiot_*_trace_open` of one model kind.
pub(super) type TraceOpen = unsafe extern "C" fn(*mut c_void, *const c_char) -> i32;
/// The shim's `aiot_*_trace_close` of one model kind.
pub(super) type TraceClose = unsafe extern "C" fn(*mut c_void);

/// The shim's `aiot_*_trace_error` of one model kind.
pub(super) type TraceError = unsafe extern "C" fn(*mut c_void) -> i32;

/// Waveform format of the engine model's traces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TraceFormat {
    /// Value change dump (IEEE 1364), every model.
    #[default]
    Vcd,
    /// GTKWave's compressed FST (a separate build Verilated with `--trace-fst`; the engine as
    /// designed only, not the FAULT builds; AES-core traces stay VCD).
    Fst,
}

impl TraceFormat {
    /// File extension of the format (`vcd`, `fst`).
    pub fn extension(self) -> &'static str {
        match self {
            Self::Vcd => "vcd",
            Self::Fst => "fst",
        }
    }
}

/// [`EngineError::Io`] if the waveform of model `h` hit a write error since it was opened.
pub(super) fn check_trace(err: TraceError, h: NonNull<c_void>) -> Result<(), EngineError> {
    // SAFETY: `h` is a live model handle of the kind `err` takes.
    let e = unsafe { err(h.as_ptr()) };
    if e == 0 {
        return Ok(());
    }
    Err(EngineError::Io(format!(
        "writing the waveform failed: {} (the trace is incomplete)",
        std::io::Error::from_raw_os_error(e)
    )))
}

/// An FST file read back with gtkwave's reader (what `cosim --fst` wrote).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FstSummary {
    /// Last time stamp (two per simulated clock cycle).
    pub end_time: u64,
    /// Number of traced variables.
    pub vars: u64,
}

/// Reads the header of the FST file at `path` ([`EngineError::Io`] if it is not a readable FST).
pub fn fst_summary(path: &Path) -> Result<FstSummary, EngineError> {
    let c = c_path(path)?;
    let (mut end_time, mut vars) = (0u64, 0u64);
    // SAFETY: `c` is NUL-terminated; the two out-pointers are valid for the call.
    let rc = unsafe { super::ffi::aiot_fst_summary(c.as_ptr(), &mut end_time, &mut vars) };
    if rc != 0 {
        return Err(EngineError::Io(format!(
            "{}: not a readable FST file",
            path.display()
        )));
    }
    Ok(FstSummary { end_time, vars })
}

/// Opens a VCD on model `h` through the shim's `open` (the engine's or the AES core's).
pub(super) fn open_trace(
    open: TraceOpen,
    h: NonNull<c_void>,
    path: &Path,
) -> Result<(), EngineError> {
    let c = c_path(path)?;
    // SAFETY: `h` is a live model handle of the kind `open` takes, `c` NUL-terminated.
    let rc = unsafe { open(h.as_ptr(), c.as_ptr()) };
    if rc != 0 {
        return Err(EngineError::Io(format!("cannot open {}", path.display())));
    }
    Ok(())
}

/// Closes the VCD of model `h`, if `tracing`.
pub(super) fn close_trace(close: TraceClose, h: NonNull<c_void>, tracing: &mut bool) {
    if *tracing {
        // SAFETY: `h` is a live model handle of the kind `close` takes.
        unsafe { close(h.as_ptr()) };
        *tracing = false;
    }
}

/// `path` as the NUL-terminated string the shim takes ([`EngineError::Io`] if it holds a NUL).
fn c_path(path: &Path) -> Result<CString, EngineError> {
    CString::new(path.to_string_lossy().as_bytes())
        .map_err(|_| EngineError::Io(format!("{}: path contains NUL", path.display())))
}
