//! The Rust half of the FFI contract with the Verilated models; `sim/shim.cpp` is the other half.
//! Everything the two sides must agree on sits here and nowhere else in Rust: the `#[repr(C)]`
//! layouts of the per-cycle inputs and outputs, the `extern "C"` functions of the shim, and the
//! sizes both sides assert. A change here needs the same change in `sim/shim.cpp`.

use std::ffi::{c_char, c_void};

/// Inputs of `tag_crypto_engine` for one cycle (layout shared with `sim/shim.cpp`).
#[repr(C)]
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TceIn {
    pub addr: u32,
    pub len: u32,
    pub rst_n: u8,
    pub cmd_valid: u8,
    pub cmd_op: u8,
    /// Command-octet stream (LOAD_KEYS: the two keys; NEA2 / NIA2: COUNT, BEARER, DIRECTION).
    pub dat_valid: u8,
    pub dat_data: u8,
    pub rsp_ready: u8,
    /// Acknowledge a pending memory request this cycle (`mem_ack = ack_en && mem_req`).
    pub ack_en: u8,
    /// Value on `mem_rdata` when no read is acknowledged (garbage, to catch early sampling).
    pub idle_rdata: u8,
    /// The engine's `zeroize` input: clear from any state (sampled at the rising edge).
    pub zeroize: u8,
    pub pad_in: [u8; 3],
}

/// Outputs of `tag_crypto_engine` (plus the memory answer the harness drove, in `pre`).
#[repr(C)]
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TceOut {
    pub rsp_mac: u32,
    pub mem_addr: u32,
    pub cmd_ready: u8,
    pub rsp_valid: u8,
    pub rsp_status: u8,
    pub mem_req: u8,
    pub mem_we: u8,
    pub mem_wdata: u8,
    pub mem_ack: u8,
    pub mem_rdata: u8,
    pub dat_ready: u8,
    /// The engine owns the frame buffer (any state but idle): no other master may write it.
    pub mem_own: u8,
    pub pad: [u8; 2],
}

// The shim asserts the same sizes (static_assert in sim/shim.cpp).
const _: () = assert!(std::mem::size_of::<TceIn>() == 20 && std::mem::size_of::<TceOut>() == 20);

/// Inputs of `aes128_enc` for one cycle.
#[repr(C)]
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct AesIn {
    pub key: [u32; 4],
    pub block: [u32; 4],
    pub rst_n: u8,
    pub in_valid: u8,
    pub out_ready: u8,
    pub pad: u8,
}

/// Outputs of `aes128_enc`.
#[repr(C)]
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct AesOut {
    pub block: [u32; 4],
    pub in_ready: u8,
    pub out_valid: u8,
    pub pad: [u8; 2],
}

// The sizes of `AiotAesIn` / `AiotAesOut` in sim/shim.cpp (36 and 20 octets).
const _: () = assert!(std::mem::size_of::<AesIn>() == 36 && std::mem::size_of::<AesOut>() == 20);

/// A 128-bit value as the four 32-bit words Verilator uses (word 0 = bits `[31:0]`).
pub fn u128_to_words(x: u128) -> [u32; 4] {
    [
        x as u32,
        (x >> 32) as u32,
        (x >> 64) as u32,
        (x >> 96) as u32,
    ]
}

/// Inverse of [`u128_to_words`].
pub fn words_to_u128(w: [u32; 4]) -> u128 {
    (w[0] as u128) | ((w[1] as u128) << 32) | ((w[2] as u128) << 64) | ((w[3] as u128) << 96)
}

unsafe extern "C" {
    pub(super) fn aiot_tce_new(variant: u32) -> *mut c_void;
    pub(super) fn aiot_tce_delete(h: *mut c_void);
    pub(super) fn aiot_tce_step(
        h: *mut c_void,
        inp: *const TceIn,
        mem: *const u8,
        mem_len: u32,
        pre: *mut TceOut,
        post: *mut TceOut,
    );
    pub(super) fn aiot_tce_trace_open(h: *mut c_void, path: *const c_char) -> i32;
    pub(super) fn aiot_tce_trace_close(h: *mut c_void);
    pub(super) fn aiot_tce_secret_bits(h: *mut c_void) -> u32;
    pub(super) fn aiot_tce_secret_names(h: *mut c_void) -> *const c_char;
    pub(super) fn aiot_tce_reg_layout(h: *mut c_void) -> *const c_char;
    pub(super) fn aiot_tce_reg_nwords(h: *mut c_void) -> u32;
    pub(super) fn aiot_tce_reg_snap(h: *mut c_void, w: *mut u32, cap: u32);

    pub(super) fn aiot_aes_new() -> *mut c_void;
    pub(super) fn aiot_aes_delete(h: *mut c_void);
    pub(super) fn aiot_aes_step(
        h: *mut c_void,
        inp: *const AesIn,
        pre: *mut AesOut,
        post: *mut AesOut,
    );
    pub(super) fn aiot_aes_trace_open(h: *mut c_void, path: *const c_char) -> i32;
    pub(super) fn aiot_aes_trace_close(h: *mut c_void);
    pub(super) fn aiot_aes_secret_bits(h: *mut c_void) -> u32;
}
