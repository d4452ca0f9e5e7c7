//! The command line's types (clap): one variant of [`Cmd`] per subcommand, each with its own
//! argument struct. The flags are a stable interface (scripts and `tests/cli.rs` use them).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use aiotsec::engine::BackendKind;
use aiotsec::procedure::Attack;

#[derive(Parser)]
#[command(
    name = "aiotsec",
    version,
    about = "TS 33.369 cl. 5.3.2 AIoT command protection: golden model, RTL co-simulation, tools"
)]
pub struct Cli {
    #[command(subcommand)]
    pub cmd: Cmd,
}

#[derive(Args, Clone)]
pub struct Common {
    /// Machine-readable JSON output.
    #[arg(long, global = true)]
    pub json: bool,
    /// Profile file (TOML, merged over the provisional default).
    #[arg(long, global = true)]
    pub profile: Option<PathBuf>,
}

/// A number in decimal, or in hex with a `0x` prefix (`16`, `0x10`).
pub fn num<T: TryFrom<u64>>(s: &str) -> Result<T, String> {
    let t = s.trim().replace('_', "");
    let v = match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(h) => u64::from_str_radix(h, 16),
        None => t.parse::<u64>(),
    }
    .map_err(|e| format!("`{s}` is not a number (decimal, or hex with 0x): {e}"))?;
    T::try_from(v).map_err(|_| format!("{s} is out of range"))
}

#[derive(Args)]
pub struct AlgArgs {
    /// 128-bit key (hex).
    #[arg(long)]
    pub key: String,
    /// COUNT, 32 bits (hex, with or without 0x).
    #[arg(long)]
    pub count: String,
    /// BEARER, 5 bits (0..=31; decimal or 0x hex).
    #[arg(long, value_parser = num::<u8>)]
    pub bearer: u8,
    /// DIRECTION (0 uplink, 1 downlink).
    #[arg(long, value_parser = num::<u8>)]
    pub direction: u8,
    /// Length of the message in bits (decimal or 0x hex).
    #[arg(long, value_parser = num::<usize>)]
    pub bits: usize,
    /// Message (hex, at least ceil(bits/8) octets).
    #[arg(long)]
    pub data: String,
    #[arg(long, value_enum, default_value = "model")]
    pub backend: BackendKind,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum OnOff {
    On,
    Off,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum CommandKind {
    Read,
    Write,
    Disable,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Dir {
    /// Command Request (AIOTF -> device): the profile's request COUNT/BEARER/DIRECTION.
    Request,
    /// Command Response (device -> AIOTF).
    Response,
}

#[derive(Args)]
pub struct KeyArgs {
    /// KCommand_enc (hex); with --int-key instead of --kaiotf.
    #[arg(long)]
    pub enc_key: Option<String>,
    /// KCommand_int (hex).
    #[arg(long)]
    pub int_key: Option<String>,
    /// KAIOTF (hex, 256 bits): derive both command keys from it.
    #[arg(long)]
    pub kaiotf: Option<String>,
}

#[derive(Args)]
pub struct CmdArgs {
    /// Command of the request.
    #[arg(long, value_enum, default_value = "read")]
    pub command: CommandKind,
    /// Offset in the tag's user memory, 16 bits (decimal or 0x hex).
    #[arg(long, default_value = "0", value_parser = num::<u16>)]
    pub offset: u16,
    /// Read length in octets, 16 bits (decimal or 0x hex).
    #[arg(long, default_value = "16", value_parser = num::<u16>)]
    pub length: u16,
    /// Write data (hex).
    #[arg(long, default_value = "")]
    pub data: String,
}

// The argument structs of the subcommands below carry no doc comment of their own: the help
// text of each subcommand is the doc comment of its variant in `Cmd`.

#[derive(Args)]
pub struct KdfArgs {
    #[arg(long)]
    pub key: String,
    #[arg(long)]
    pub fc: String,
    #[arg(long = "param")]
    pub params: Vec<String>,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Args)]
pub struct AesArgs {
    #[arg(long)]
    pub key: String,
    #[arg(long)]
    pub block: String,
    #[arg(long, value_enum, default_value = "model")]
    pub backend: BackendKind,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Args)]
pub struct DeriveArgs {
    /// Long-term key K_AIoT (hex, 128 or 256 bits); with --n-aiotf and --n-dev.
    #[arg(long)]
    pub ltk: Option<String>,
    #[arg(long)]
    pub n_aiotf: Option<String>,
    #[arg(long)]
    pub n_dev: Option<String>,
    /// Start from KAIOTF instead.
    #[arg(long)]
    pub kaiotf: Option<String>,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Args)]
pub struct ProtectArgs {
    #[command(flatten)]
    pub keys: KeyArgs,
    #[arg(long, value_enum, default_value = "request")]
    pub dir: Dir,
    #[arg(long, value_enum, default_value = "on")]
    pub cipher: OnOff,
    /// Plain AIOT NAS message (hex; whitespace allowed; `-` reads standard input); default:
    /// encode --command.
    #[arg(long, conflicts_with = "plain_file")]
    pub plain: Option<String>,
    /// Read the plain message (hex) from this file instead.
    #[arg(long, value_name = "FILE")]
    pub plain_file: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub cmd: CmdArgs,
    /// Engine backend (the tag's engine protects responses only).
    #[arg(long, value_enum, default_value = "model")]
    pub backend: BackendKind,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Args)]
pub struct UnprotectArgs {
    #[command(flatten)]
    pub keys: KeyArgs,
    #[arg(long, value_enum, default_value = "request")]
    pub dir: Dir,
    /// Protected message (hex; whitespace and a trailing newline allowed); absent or `-`: read
    /// from standard input, so `aiotsec protect ... | aiotsec unprotect ...` works.
    #[arg(long, conflicts_with = "message_file")]
    pub message: Option<String>,
    /// Read the protected message (hex) from this file instead.
    #[arg(long, value_name = "FILE")]
    pub message_file: Option<std::path::PathBuf>,
    /// Engine backend (the tag's engine unprotects requests only).
    #[arg(long, value_enum, default_value = "model")]
    pub backend: BackendKind,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Args)]
pub struct ProcedureArgs {
    #[arg(long, value_enum, default_value = "on")]
    pub cipher: OnOff,
    #[command(flatten)]
    pub cmd: CmdArgs,
    /// Inject an attack at the air interface.
    #[arg(long, value_enum)]
    pub attack: Option<Attack>,
    /// Backend of the device's crypto engine.
    #[arg(long, value_enum, default_value = "model")]
    pub device: BackendKind,
    /// Long-term key (hex); default: the demo key 00..1f.
    #[arg(long)]
    pub ltk: Option<String>,
    /// Seed for the nonces and attack positions (decimal or 0x hex; default: drawn from the OS
    /// and printed, so that the run can be repeated).
    #[arg(long, value_parser = num::<u64>)]
    pub seed: Option<u64>,
    /// Print KAIOTF and the command keys in the trace even for a key given with --ltk.
    #[arg(long)]
    pub show_keys: bool,
    #[command(flatten)]
    pub common: Common,
}

#[cfg(feature = "rtl")]
#[derive(Args)]
pub struct CosimArgs {
    /// Seed of the stimulus (decimal or 0x hex).
    #[arg(long, default_value = "1", value_parser = num::<u64>)]
    pub seed: u64,
    #[arg(long, default_value_t = 50000)]
    pub count: usize,
    #[arg(long, default_value_t = 0.2)]
    pub stall_prob: f64,
    /// Trace the whole run to this VCD file.
    #[arg(long)]
    pub vcd: Option<PathBuf>,
    /// TEST ONLY: run against a deliberately broken RTL build (1: no K2 path, 2: S-box fault).
    #[arg(long, default_value_t = 0)]
    pub fault: u8,
    /// Parallel simulations (0: one per core).
    #[arg(long, default_value_t = 0)]
    pub jobs: usize,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Subcommand)]
pub enum Cmd {
    /// TS 33.220 KDF: HMAC-SHA-256(key, FC || P0 || L0 || ...), 256-bit output.
    Kdf(KdfArgs),
    /// 128-NEA2 (encrypt = decrypt); prints ceil(bits/8) octets.
    Nea2(AlgArgs),
    /// 128-NIA2; prints the 32-bit MAC.
    Nia2(AlgArgs),
    /// One AES-128 block encryption.
    Aes(AesArgs),
    /// Key hierarchy: KAIOTF (Annex A.3) and KCommand_enc/int (Annex A.4), provisional values.
    Derive(DeriveArgs),
    /// Protect an AIOT NAS message (a plain message given in hex, or a command to encode).
    Protect(ProtectArgs),
    /// Verify and decipher a protected AIOT NAS message.
    Unprotect(UnprotectArgs),
    /// Run TS 33.369 clause 5.3.2 steps 1-9 end to end with a trace.
    Procedure(ProcedureArgs),
    /// Print the effective profile (TOML).
    Profile(Common),
    /// Co-simulation regression: the Verilated RTL against the golden model.
    #[cfg(feature = "rtl")]
    Cosim(CosimArgs),
}

impl Cmd {
    /// The options every subcommand takes.
    pub fn common(&self) -> &Common {
        match self {
            Cmd::Kdf(a) => &a.common,
            Cmd::Nea2(a) | Cmd::Nia2(a) => &a.common,
            Cmd::Aes(a) => &a.common,
            Cmd::Derive(a) => &a.common,
            Cmd::Protect(a) => &a.common,
            Cmd::Unprotect(a) => &a.common,
            Cmd::Procedure(a) => &a.common,
            Cmd::Profile(common) => common,
            #[cfg(feature = "rtl")]
            Cmd::Cosim(a) => &a.common,
        }
    }
}
