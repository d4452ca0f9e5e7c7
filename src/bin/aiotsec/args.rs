//! The command line's types (clap): one variant of [`Cmd`] per subcommand, each with its own
//! argument struct. The flags are a stable interface (scripts and `tests/cli.rs` use them).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use aiotsec::engine::BackendKind;
use aiotsec::procedure::Attack;

/// The exit codes, the same for every command (`aiotsec --help`, the README).
pub const EXIT_CODES: &str = "Exit codes (every command):
    0  success
    1  a check that ran and failed: a MAC mismatch in unprotect, a co-simulation mismatch,
       an attack that was not rejected, a leakage check that does not hold
    2  bad input or usage (also I/O errors, such as a trace that cannot be written)
Errors go to standard error; with --json also as {\"error\": ...} on standard output.";

#[derive(Parser)]
#[command(
    name = "aiotsec",
    version,
    about = "TS 33.369 cl. 5.3.2 AIoT command protection: golden model, RTL co-simulation, tools",
    after_help = EXIT_CODES
)]
pub struct Cli {
    #[command(subcommand)]
    pub cmd: Cmd,
    /// Machine-readable JSON output (before or after the subcommand).
    #[arg(long, global = true)]
    pub json: bool,
    /// Profile file (TOML, merged over the provisional default; at most 64 KiB). Refused by the
    /// commands that do not use a profile (kdf, cosim, cosim-merge, completions).
    #[arg(long, global = true, value_name = "FILE")]
    pub profile: Option<PathBuf>,
}

/// The options every subcommand takes, given before or after the subcommand (`Cli`'s global
/// flags, copied into the subcommand's arguments by `Cli::into_cmd`).
#[derive(Clone, Default)]
pub struct Common {
    pub json: bool,
    pub profile: Option<PathBuf>,
}

/// `completions SHELL`.
#[derive(Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
    #[arg(skip)]
    pub common: Common,
}

/// `profile` takes no arguments of its own.
#[derive(Args)]
pub struct ProfileArgs {
    #[arg(skip)]
    pub common: Common,
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
    /// Engine backend.
    #[arg(long, value_enum, default_value = "model")]
    pub backend: BackendKind,
    #[command(flatten)]
    pub link: LinkArgs,
    #[arg(skip)]
    pub common: Common,
}

/// How to reach `--backend serial`: the board's UART, or `aiotsec board-sim`'s pty.
#[derive(Args, Clone)]
pub struct LinkArgs {
    /// Serial port of `--backend serial` (e.g. /dev/ttyUSB1, or the `pty:` line of
    /// `aiotsec board-sim`).
    #[arg(long, value_name = "PATH")]
    pub port: Option<String>,
    /// Baud rate of `--port` (the bridge's build: 1000000, or 115200 if built so).
    #[arg(long, default_value_t = 1_000_000, value_parser = num::<u32>)]
    pub baud: u32,
    /// Read timeout of one request on `--port`, in milliseconds.
    #[arg(long, default_value_t = 2000, value_name = "MS", value_parser = num::<u64>)]
    pub timeout_ms: u64,
}

impl LinkArgs {
    /// The library's view of these flags.
    pub fn options(&self) -> aiotsec::engine::BackendOptions {
        aiotsec::engine::BackendOptions {
            port: self.port.clone(),
            baud: self.baud,
            timeout: std::time::Duration::from_millis(self.timeout_ms),
        }
    }
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
    /// Key (hex; KAIOTF or K_AIoT: 16 or 32 octets, any length accepted).
    #[arg(long)]
    pub key: String,
    /// FC, one octet (hex, with or without 0x).
    #[arg(long)]
    pub fc: String,
    /// A parameter P_i (hex, up to 65535 octets); repeat for P0, P1, ... (L_i is added).
    #[arg(long = "param")]
    pub params: Vec<String>,
    /// Where the KDF runs: the model, or the engine's HASH command (rtl: the Verilated KDF unit;
    /// keys of at most 64 octets, S of at most the frame buffer).
    #[arg(long, value_enum, default_value = "model")]
    pub backend: BackendKind,
    #[command(flatten)]
    pub link: LinkArgs,
    #[arg(skip)]
    pub common: Common,
}

#[derive(Args)]
pub struct AesArgs {
    /// AES-128 key (hex, 16 octets).
    #[arg(long)]
    pub key: String,
    /// Plaintext block (hex, 16 octets).
    #[arg(long)]
    pub block: String,
    /// Engine backend.
    #[arg(long, value_enum, default_value = "model")]
    pub backend: BackendKind,
    #[command(flatten)]
    pub link: LinkArgs,
    #[arg(skip)]
    pub common: Common,
}

#[derive(Args)]
pub struct DeriveArgs {
    /// Long-term key K_AIoT (hex, 128 or 256 bits); with --n-aiotf and --n-dev.
    #[arg(long)]
    pub ltk: Option<String>,
    /// N_AIOTF, the AIOTF's nonce (hex, 16 octets in the provisional profile).
    #[arg(long)]
    pub n_aiotf: Option<String>,
    /// N_DEV, the device's nonce (hex, 8 octets in the provisional profile).
    #[arg(long)]
    pub n_dev: Option<String>,
    /// Start from KAIOTF instead.
    #[arg(long)]
    pub kaiotf: Option<String>,
    #[arg(skip)]
    pub common: Common,
}

#[derive(Args)]
pub struct ProtectArgs {
    #[command(flatten)]
    pub keys: KeyArgs,
    /// Direction: the request or response COUNT/BEARER/DIRECTION of the profile.
    #[arg(long, value_enum, default_value = "request")]
    pub dir: Dir,
    /// Cipher with 128-NEA2 (on) or null ciphering (off); integrity protection always.
    #[arg(long, value_enum, default_value = "on")]
    pub cipher: OnOff,
    /// Plain AIOT NAS message (hex; whitespace allowed; `-` reads standard input); default:
    /// encode --command.
    #[arg(long, conflicts_with_all = ["plain_file", "command", "offset", "length", "data"])]
    pub plain: Option<String>,
    /// Read the plain message (hex) from this file instead.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["command", "offset", "length", "data"])]
    pub plain_file: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub cmd: CmdArgs,
    /// Engine backend (the tag's engine protects responses only).
    #[arg(long, value_enum, default_value = "model")]
    pub backend: BackendKind,
    #[command(flatten)]
    pub link: LinkArgs,
    #[arg(skip)]
    pub common: Common,
}

#[derive(Args)]
pub struct UnprotectArgs {
    #[command(flatten)]
    pub keys: KeyArgs,
    /// Direction: the request or response COUNT/BEARER/DIRECTION of the profile.
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
    pub link: LinkArgs,
    #[arg(skip)]
    pub common: Common,
}

#[derive(Args)]
pub struct ProcedureArgs {
    /// Cipher the command and its response with 128-NEA2 (on) or null ciphering (off).
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
    #[command(flatten)]
    pub link: LinkArgs,
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
    #[arg(skip)]
    pub common: Common,
}

#[cfg(feature = "rtl")]
#[derive(Args)]
pub struct CosimArgs {
    /// Seed of the stimulus (decimal or 0x hex).
    #[arg(long, default_value = "1", value_parser = num::<u64>)]
    pub seed: u64,
    /// Random transactions after the vectors and directed cases.
    #[arg(long, default_value_t = 50000)]
    pub count: usize,
    /// Per-cycle stall probability on every handshake of the random transactions (0..1).
    #[arg(long, default_value_t = 0.2)]
    pub stall_prob: f64,
    /// Trace the whole run to this VCD file (about 100 MB per 1000 random transactions).
    #[arg(long, value_name = "FILE")]
    pub vcd: Option<PathBuf>,
    /// Trace the whole run to this FST file instead (GTKWave's compressed format, Verilator
    /// --trace-fst; failure traces are then FST too, AES-core ones stay VCD). Not with --fault.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["vcd", "fault"])]
    pub fst: Option<PathBuf>,
    /// Close the --vcd / --fst trace when it reaches this many MiB (the run goes on untraced).
    #[arg(long, default_value_t = 1024, value_name = "MIB")]
    pub vcd_limit_mb: u64,
    /// TEST ONLY: run against a deliberately broken RTL build (1: no K2 path, 2: S-box fault,
    /// 3: a wrong SHA-256 rotation in the KDF unit).
    #[arg(long, default_value_t = 0)]
    pub fault: u8,
    /// Parallel simulations (0: one per core). The stimulus does not depend on it.
    #[arg(long, default_value_t = 0)]
    pub jobs: usize,
    /// Run slice I of N of the same stimulus (random transactions k with k % N == I; the
    /// directed cases in slice 0), e.g. one per CI matrix entry or Slurm array task.
    #[arg(long, value_name = "I/N", value_parser = shard)]
    pub shard: Option<(u32, u32)>,
    /// Run one level only (aes, nea2, nia2, message, procedure, security).
    #[arg(long, value_name = "LEVEL")]
    pub only: Option<String>,
    /// Rerun exactly one check, by the id a failure line gives (LEVEL:dN or LEVEL:rK).
    #[arg(long, value_name = "ID")]
    pub case: Option<String>,
    /// Also write the results as JUnit XML (one testcase per level) to FILE.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
    /// Engine under test: the Verilated RTL, or `serial` (the engine behind --port: a board, or
    /// `aiotsec board-sim`'s pty).
    #[arg(long, value_enum, default_value = "rtl")]
    pub backend: BackendKind,
    #[command(flatten)]
    pub link: LinkArgs,
    #[arg(skip)]
    pub common: Common,
}

/// `board-sim`.
#[cfg(all(feature = "rtl", feature = "serial"))]
#[derive(Args)]
pub struct BoardSimArgs {
    /// The baud rate the simulated board's UART runs at (a host at another rate gets garbage).
    #[arg(long, default_value_t = 1_000_000, value_parser = num::<u32>)]
    pub baud: u32,
    /// Simulated clock cycles per millisecond of wall time while the line is idle (the bridge's
    /// inter-octet timeout of 2,560 cycles is then 2560/N ms of silence).
    #[arg(long, default_value_t = 5, value_name = "N", value_parser = num::<u64>)]
    pub idle_cycles_per_ms: u64,
    /// Run until killed, not until standard input closes (for `aiotsec board-sim --no-stdin &`).
    #[arg(long)]
    pub no_stdin: bool,
    /// Write the board's waveform to this VCD file (large).
    #[arg(long, value_name = "FILE")]
    pub vcd: Option<PathBuf>,
    #[arg(skip)]
    pub common: Common,
}

/// `cosim-merge FILE...`.
/// `aiotsec leakage`: the TVLA assessment of the Verilated engine.
#[cfg(feature = "rtl")]
#[derive(Args)]
pub struct LeakageArgs {
    /// Traces per test (fixed and random classes together, each trace's class drawn at random).
    #[arg(long, default_value_t = 2000)]
    pub traces: usize,
    /// Seed of the class choice and of the random inputs (decimal or 0x hex).
    #[arg(long, default_value = "1", value_parser = num::<u64>)]
    pub seed: u64,
    /// Idle cycles in each idle phase of the command program.
    #[arg(long, default_value_t = 64)]
    pub idle: usize,
    /// The tests to run (default: all three).
    #[arg(long, value_enum, value_delimiter = ',')]
    pub test: Vec<aiotsec::analysis::leakage::Test>,
    /// TEST ONLY: run the engine with a planted key leak (hdl/leak), the detector's control.
    #[arg(long)]
    pub planted_leak: bool,
    /// Write the t curves (t at every cycle, per channel) to this JSON file, for plots.
    #[arg(long, value_name = "FILE")]
    pub curves: Option<PathBuf>,
    /// No progress line.
    #[arg(long)]
    pub quiet: bool,
    #[arg(skip)]
    pub common: Common,
}

/// `aiotsec report`: the hardware report from the measurements `scripts/report` collected.
#[cfg(feature = "report")]
#[derive(Args)]
pub struct ReportArgs {
    /// The folder of measurements (hwreport.json, parts.json, energy.json, leakage.json, ...).
    #[arg(long, default_value = "report/data")]
    pub data: PathBuf,
    /// Where report.json, the SVG plots, tables.md and index.html go.
    #[arg(long, default_value = "report")]
    pub out: PathBuf,
    /// A JSON object recorded as the report's `meta` (machine, commit, date, mode).
    #[arg(long, default_value = "{}")]
    pub meta: String,
    #[arg(skip)]
    pub common: Common,
}

/// `aiotsec energy`: register toggles per command and per idle cycle.
#[cfg(feature = "rtl")]
#[derive(Args)]
pub struct EnergyArgs {
    /// Runs of the command program averaged (random keys and data each).
    #[arg(long, default_value_t = 50)]
    pub runs: usize,
    /// Seed of the random keys and data (decimal or 0x hex).
    #[arg(long, default_value = "1", value_parser = num::<u64>)]
    pub seed: u64,
    /// Idle cycles in each idle phase of the command program.
    #[arg(long, default_value_t = 64)]
    pub idle: usize,
    #[arg(skip)]
    pub common: Common,
}

#[cfg(feature = "rtl")]
#[derive(Args)]
pub struct CosimMergeArgs {
    /// The `--json` reports of the slices `--shard 0/N` .. `--shard N-1/N` of one run.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Also write the merged results as JUnit XML to FILE.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    #[arg(skip)]
    pub common: Common,
}

/// `I/N` with I < N.
#[cfg(feature = "rtl")]
fn shard(s: &str) -> Result<(u32, u32), String> {
    let (i, n) = s
        .split_once('/')
        .ok_or_else(|| format!("`{s}`: expected I/N, e.g. 0/4"))?;
    let (i, n): (u32, u32) = (
        i.trim().parse().map_err(|e| format!("`{s}`: {e}"))?,
        n.trim().parse().map_err(|e| format!("`{s}`: {e}"))?,
    );
    if n == 0 || i >= n {
        return Err(format!("`{s}`: need 0 <= I < N"));
    }
    Ok((i, n))
}

#[derive(Subcommand)]
pub enum Cmd {
    /// TS 33.220 KDF: HMAC-SHA-256(key, FC || P0 || L0 || ...), 256-bit output.
    #[command(
        after_help = "Example:\n    aiotsec kdf --key 45cbc3f8a81193fd5c5229300d59edf812e998a115ec4e0ce903ba89367e2628 --fc 0x69 --param 03 --param 02\n    # TS 33.501 A.8 KRRCenc, N-RRC-enc-alg(0x03), 128-NEA2(0x02) -> 52a995dff89bc294bd89ffb137a29f2466a09e992386c8d1df7892964c6fb522"
    )]
    Kdf(KdfArgs),
    /// 128-NEA2 (encrypt = decrypt); prints ceil(bits/8) octets.
    #[command(
        after_help = "Example:\n    aiotsec nea2 --key d3c5d592327fb11c4035c6680af8c6d1 --count 0x398a59b4 --bearer 21 --direction 1 --bits 253 --data 981ba6824c1bfb1ab485472029b71d808ce33e2cc3c0b5fc1f3de8a6dc66b1f0\n    # 128-EEA2/128-NEA2 test set 1 (TS 33.401 C.1.1) -> e9fed8a63d155304d71df20bf3e82214b20ed7dad2f233dc3c22d7bdeeed8e78"
    )]
    Nea2(AlgArgs),
    /// 128-NIA2; prints the 32-bit MAC.
    #[command(
        after_help = "Example:\n    aiotsec nia2 --key 2bd6459f82c5b300952c49104881ff48 --count 0x38a6f056 --bearer 24 --direction 0 --bits 58 --data 3332346263393840\n    # 128-EIA2/128-NIA2 test set 1 (TS 33.401 C.2.1) -> 118c6eb8"
    )]
    Nia2(AlgArgs),
    /// One AES-128 block encryption.
    #[command(
        after_help = "Example:\n    aiotsec aes --key 000102030405060708090a0b0c0d0e0f --block 00112233445566778899aabbccddeeff --backend rtl"
    )]
    Aes(AesArgs),
    /// Key hierarchy: KAIOTF (Annex A.3) and KCommand_enc/int (Annex A.4), provisional values.
    #[command(
        after_help = "Example:\n    aiotsec derive --ltk 000102030405060708090a0b0c0d0e0f --n-aiotf 101112131415161718191a1b1c1d1e1f --n-dev 2021222324252627"
    )]
    Derive(DeriveArgs),
    /// Protect an AIOT NAS message (a plain message given in hex, or a command to encode).
    #[command(
        after_help = "Example:\n    aiotsec protect --kaiotf $K --command write --offset 0x10 --data dead > msg.hex"
    )]
    Protect(ProtectArgs),
    /// Verify and decipher a protected AIOT NAS message.
    #[command(
        after_help = "Example:\n    aiotsec unprotect --kaiotf $K --message-file msg.hex\n    aiotsec protect --kaiotf $K --command read --length 4 | aiotsec unprotect --kaiotf $K"
    )]
    Unprotect(UnprotectArgs),
    /// Run TS 33.369 clause 5.3.2 steps 1-9 end to end with a trace.
    #[command(
        after_help = "Example:\n    aiotsec procedure --attack mac-guess --device rtl --seed 7"
    )]
    Procedure(ProcedureArgs),
    /// Print the effective profile (TOML).
    #[command(
        after_help = "Example:\n    aiotsec --profile my.toml profile    # the default with my.toml's keys over it"
    )]
    Profile(ProfileArgs),
    /// Shell completion script on standard output (bash, zsh, fish, elvish, powershell).
    #[command(
        after_help = "Example:\n    aiotsec completions bash > ~/.local/share/bash-completion/completions/aiotsec"
    )]
    Completions(CompletionsArgs),
    /// Co-simulation regression: the Verilated RTL against the golden model.
    #[cfg(feature = "rtl")]
    #[command(after_help = "Example:\n    aiotsec cosim --seed 1 --count 2000 --jobs 2")]
    Cosim(CosimArgs),
    /// Merge the JSON reports of the slices of a sharded co-simulation into one report.
    #[cfg(feature = "rtl")]
    #[command(
        after_help = "Example:\n    for i in 0 1 2 3; do aiotsec cosim --count 100000 --shard $i/4 --json > s$i.json; done\n    aiotsec cosim-merge s0.json s1.json s2.json s3.json --junit cosim.xml"
    )]
    CosimMerge(CosimMergeArgs),
    /// The Verilated board (UART pins, bridge, engine) behind a pseudo-terminal: prints
    /// `pty: PATH`, then serves `--backend serial --port PATH` until killed or stdin closes.
    #[cfg(all(feature = "rtl", feature = "serial"))]
    #[command(
        after_help = "Example:\n    aiotsec board-sim --no-stdin &     # pty: /dev/pts/3\n    aiotsec nia2 --backend serial --port /dev/pts/3 --key 2bd6459f82c5b300952c49104881ff48 --count 0x38a6f056 --bearer 24 --direction 0 --bits 58 --data 3332346263393840"
    )]
    BoardSim(BoardSimArgs),
    /// Leakage assessment in simulation: fixed-vs-random TVLA on register Hamming distances.
    #[cfg(feature = "rtl")]
    #[command(
        after_help = "Example:\n    aiotsec leakage --traces 2000 --seed 1\n    aiotsec leakage --traces 200 --test key --planted-leak   # the detector's control: must flag"
    )]
    Leakage(LeakageArgs),
    /// Energy proxy: register bit toggles per command and per idle cycle, per register group.
    #[cfg(feature = "rtl")]
    #[command(after_help = "Example:\n    aiotsec energy --runs 50 --json")]
    Energy(EnergyArgs),
    /// Build the hardware report (plots, report.json, tables.md, index.html) from measurements.
    #[cfg(feature = "report")]
    #[command(
        after_help = "Example:\n    scripts/report --quick    # measures, then runs: aiotsec report --data report/data --out report"
    )]
    Report(ReportArgs),
}

impl Cli {
    /// The subcommand with the global flags copied into its arguments.
    pub fn into_cmd(self) -> Cmd {
        let mut cmd = self.cmd;
        *cmd.common_mut() = Common {
            json: self.json,
            profile: self.profile,
        };
        cmd
    }
}

impl Cmd {
    /// The options every subcommand takes.
    pub fn common_mut(&mut self) -> &mut Common {
        match self {
            Cmd::Kdf(a) => &mut a.common,
            Cmd::Nea2(a) | Cmd::Nia2(a) => &mut a.common,
            Cmd::Aes(a) => &mut a.common,
            Cmd::Derive(a) => &mut a.common,
            Cmd::Protect(a) => &mut a.common,
            Cmd::Unprotect(a) => &mut a.common,
            Cmd::Procedure(a) => &mut a.common,
            Cmd::Profile(a) => &mut a.common,
            Cmd::Completions(a) => &mut a.common,
            #[cfg(feature = "rtl")]
            Cmd::Cosim(a) => &mut a.common,
            #[cfg(feature = "rtl")]
            Cmd::CosimMerge(a) => &mut a.common,
            #[cfg(all(feature = "rtl", feature = "serial"))]
            Cmd::BoardSim(a) => &mut a.common,
            #[cfg(feature = "rtl")]
            Cmd::Leakage(a) => &mut a.common,
            #[cfg(feature = "rtl")]
            Cmd::Energy(a) => &mut a.common,
            #[cfg(feature = "report")]
            Cmd::Report(a) => &mut a.common,
        }
    }

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
            Cmd::Profile(a) => &a.common,
            Cmd::Completions(a) => &a.common,
            #[cfg(feature = "rtl")]
            Cmd::Cosim(a) => &a.common,
            #[cfg(feature = "rtl")]
            Cmd::CosimMerge(a) => &a.common,
            #[cfg(all(feature = "rtl", feature = "serial"))]
            Cmd::BoardSim(a) => &a.common,
            #[cfg(feature = "rtl")]
            Cmd::Leakage(a) => &a.common,
            #[cfg(feature = "rtl")]
            Cmd::Energy(a) => &a.common,
            #[cfg(feature = "report")]
            Cmd::Report(a) => &a.common,
        }
    }
}
