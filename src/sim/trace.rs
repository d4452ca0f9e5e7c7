//! VCD waveforms of the Verilated models: opening and closing a trace through the shim, shared by
//! [`EngineSim`](super::EngineSim) and [`AesSim`](super::AesSim).

use std::ffi::{CString, c_char, c_void};
use std::path::Path;
use std::ptr::NonNull;

use crate::error::EngineError;

/// The shim's `aiot_*_trace_open` of one model kind.
pub(super) type TraceOpen = unsafe extern "C" fn(*mut c_void, *const c_char) -> i32;
/// The shim's `aiot_*_trace_close` of one model kind.
pub(super) type TraceClose = unsafe extern "C" fn(*mut c_void);

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
