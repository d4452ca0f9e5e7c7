//! The Rust half of the FFI contract with the Verilated models; `sim/shim.cpp` is the other half.
//! Everything the two sides must agree on sits here and nowhere else in Rust: the `#[repr(C)]`
//! layouts of the per-cycle inputs and outputs, the `extern "C"` functions of the shim, and the
//! sizes both sides assert. A change here needs the same change in `sim/shim.cpp`.

use std::ffi::{c_char, c_void};

/// Inputs of `tag_crypto_engine` for one cycle (layout shared with `sim/shim.cpp`).
#[repr(C)]
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TceIn {
    /// `cmd_addr`: first octet of the command's region in the frame buffer (low ADDR_W bits used).
    pub addr: u32,
    /// `cmd_len`: the region's length, in octets for message operations and in bits for NEA2 / NIA2
    /// (low ADDR_W + 4 bits used).
    pub len: u32,
    /// `rst_n`: active-low synchronous reset (0 or 1); the scrub of 32 cycles follows its release.
    pub rst_n: u8,
    /// `cmd_valid`: a command is offered (0 or 1), taken at `cmd_valid && cmd_ready`.
    pub cmd_valid: u8,
    /// `cmd_op` (3 bits): 0 LOAD_KEYS, 1 ZEROIZE, 2 NEA2, 3 NIA2, 4 UNPROTECT, 5 PROTECT, 6 HASH,
    /// 7 DERIVE
    /// (`engine::rtl::Op`).
    pub cmd_op: u8,
    /// Command-octet stream (LOAD_KEYS: the two keys; NEA2 / NIA2: COUNT, BEARER, DIRECTION).
    pub dat_valid: u8,
    /// `dat_data`: the command octet offered while `dat_valid` (keys: octet 0 = bits `[127:120]`).
    pub dat_data: u8,
    /// `rsp_ready`: the host takes the response (0 or 1); the response is held until then.
    pub rsp_ready: u8,
    /// Acknowledge a pending memory request this cycle (`mem_ack = ack_en && mem_req`).
    pub ack_en: u8,
    /// Value on `mem_rdata` when no read is acknowledged (garbage, to catch early sampling).
    pub idle_rdata: u8,
    /// The engine's `zeroize` input: clear from any state (sampled at the rising edge).
    pub zeroize: u8,
    /// Padding to the 20-octet C layout; always 0.
    pub pad_in: [u8; 3],
}

/// Outputs of `tag_crypto_engine` (plus the memory answer the harness drove, in `pre`).
#[repr(C)]
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TceOut {
    /// `rsp_mac`: the 32-bit MAC after NIA2 and PROTECT (bit 31 = first octet of MAC-I), 0
    /// otherwise and while `rsp_valid` is low.
    pub rsp_mac: u32,
    /// `mem_addr`: frame buffer address of the memory request (ADDR_W bits).
    pub mem_addr: u32,
    /// `cmd_ready`: the engine is idle and takes a command this cycle (low during the scrub and
    /// while `zeroize`).
    pub cmd_ready: u8,
    /// `rsp_valid`: a response (`rsp_status`, `rsp_mac`) is offered.
    pub rsp_valid: u8,
    /// `rsp_status` (3 bits): 0 OK, 1 MAC_FAIL, 2 BAD_IND, 3 BAD_LEN, 4 NO_KEYS, 5 BAD_OP
    /// (`engine::rtl::status`).
    pub rsp_status: u8,
    /// `mem_req`: a one-octet memory transfer is requested, held until `mem_ack`.
    pub mem_req: u8,
    /// `mem_we`: the request is a write of `mem_wdata` (else a read).
    pub mem_we: u8,
    /// `mem_wdata`: the octet to write.
    pub mem_wdata: u8,
    /// `mem_ack` as the harness drove it this cycle (an input of the engine, recorded here).
    pub mem_ack: u8,
    /// `mem_rdata` as the harness drove it: the addressed octet on an acknowledged read, else
    /// `TceIn::idle_rdata`.
    pub mem_rdata: u8,
    /// `dat_ready`: the engine takes the offered command octet this cycle (it may stay low up to 31
    /// cycles per octet while the key ring turns).
    pub dat_ready: u8,
    /// The engine owns the frame buffer (any state but idle): no other master may write it.
    pub mem_own: u8,
    /// Padding to the 20-octet C layout; always 0.
    pub pad: [u8; 2],
}

// The shim asserts the same sizes (static_assert in sim/shim.cpp).
const _: () = assert!(std::mem::size_of::<TceIn>() == 20 && std::mem::size_of::<TceOut>() == 20);

/// Inputs of `aes128_enc` for one cycle.
#[repr(C)]
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct AesIn {
    /// `in_key`, as [`u128_to_words`] of the key read big-endian (octet 0 = bits `[127:120]`,
    /// FIPS-197).
    pub key: [u32; 4],
    /// `in_block`, the plaintext block, in the same word and byte order as `key`.
    pub block: [u32; 4],
    /// `rst_n`: active-low synchronous reset (0 or 1); clears key and state.
    pub rst_n: u8,
    /// `in_valid`: key and block are offered, taken at `in_valid && in_ready`.
    pub in_valid: u8,
    /// `out_ready`: the host takes the result; it is held until then.
    pub out_ready: u8,
    /// Padding to the 36-octet C layout; always 0.
    pub pad: u8,
}

/// Outputs of `aes128_enc`.
#[repr(C)]
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct AesOut {
    /// `out_block`, the ciphertext (valid while `out_valid`), word and byte order as
    /// `AesIn::block`.
    pub block: [u32; 4],
    /// `in_ready`: the core takes a new key and block this cycle.
    pub in_ready: u8,
    /// `out_valid`: `block` holds the result (216 busy cycles after the input handshake).
    pub out_valid: u8,
    /// Padding to the 20-octet C layout; always 0.
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
    /// The first write error (errno) of the model's waveform since it was opened, or 0.
    pub(super) fn aiot_tce_trace_error(h: *mut c_void) -> i32;
    pub(super) fn aiot_tce_secret_bits(h: *mut c_void) -> u32;
    pub(super) fn aiot_tce_secret_names(h: *mut c_void) -> *const c_char;
    pub(super) fn aiot_tce_reg_layout(h: *mut c_void) -> *const c_char;
    pub(super) fn aiot_tce_reg_nwords(h: *mut c_void) -> u32;
    pub(super) fn aiot_tce_reg_snap(h: *mut c_void, w: *mut u32, cap: u32);
    /// Provision the model's key store (K_AIoT behind `ltk_idx` / `ltk_data`): 16 or 32 octets
    /// at `key`; any other length empties it.
    pub(super) fn aiot_tce_set_key_store(h: *mut c_void, key: *const u8, len: u32);

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
    /// Reads back an FST file's end time and variable count (sim/fst_writer.cpp); 0, or -1 when
    /// `path` is not a readable FST.
    pub(super) fn aiot_fst_summary(path: *const c_char, end_time: *mut u64, vars: *mut u64) -> i32;
    /// The first write error (errno) of the AES model's VCD since it was opened, or 0.
    pub(super) fn aiot_aes_trace_error(h: *mut c_void) -> i32;
    pub(super) fn aiot_aes_secret_bits(h: *mut c_void) -> u32;
}
