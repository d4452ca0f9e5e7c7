//! `aiotsec`: a thin command line over the library. Every command takes `--json`; commands the
//! tag's engine can do take `--backend model|rtl`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use serde_json::json;

use aiotsec::engine::{self, BackendKind, CryptoEngine};
use aiotsec::error::Error;
use aiotsec::hexutil::{decode, encode, parse_hex_u64};
use aiotsec::kdf::{derive_command_keys, derive_kaiotf, kdf};
use aiotsec::keys::{CommandKeys, Key128, Key256, LongTermKey};
use aiotsec::messages::{self, Command};
use aiotsec::procedure::{self, Attack};
use aiotsec::profile::{Profile, SecurityInputs};

#[derive(Parser)]
#[command(
    name = "aiotsec",
    version,
    about = "TS 33.369 cl. 5.3.2 AIoT command protection: golden model, RTL co-simulation, tools"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Args, Clone)]
struct Common {
    /// Machine-readable JSON output.
    #[arg(long, global = true)]
    json: bool,
    /// Profile file (TOML, merged over the provisional default).
    #[arg(long, global = true)]
    profile: Option<PathBuf>,
}

#[derive(Args)]
struct AlgArgs {
    /// 128-bit key (hex).
    #[arg(long)]
    key: String,
    /// COUNT, 32 bits (hex, with or without 0x).
    #[arg(long)]
    count: String,
    /// BEARER (0..=31).
    #[arg(long)]
    bearer: u8,
    /// DIRECTION (0 uplink, 1 downlink).
    #[arg(long)]
    direction: u8,
    /// Length of the message in bits.
    #[arg(long)]
    bits: usize,
    /// Message (hex, at least ceil(bits/8) octets).
    #[arg(long)]
    data: String,
    #[arg(long, value_enum, default_value = "model")]
    backend: BackendKind,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum OnOff {
    On,
    Off,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum CommandKind {
    Read,
    Write,
    Disable,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Dir {
    /// Command Request (AIOTF -> device): the profile's request COUNT/BEARER/DIRECTION.
    Request,
    /// Command Response (device -> AIOTF).
    Response,
}

#[derive(Args)]
struct KeyArgs {
    /// KCommand_enc (hex); with --int-key instead of --kaiotf.
    #[arg(long)]
    enc_key: Option<String>,
    /// KCommand_int (hex).
    #[arg(long)]
    int_key: Option<String>,
    /// KAIOTF (hex, 256 bits): derive both command keys from it.
    #[arg(long)]
    kaiotf: Option<String>,
}

#[derive(Args)]
struct CmdArgs {
    /// Command of the request.
    #[arg(long, value_enum, default_value = "read")]
    command: CommandKind,
    /// Offset in the tag's user memory.
    #[arg(long, default_value_t = 0)]
    offset: u16,
    /// Read length.
    #[arg(long, default_value_t = 16)]
    length: u16,
    /// Write data (hex).
    #[arg(long, default_value = "")]
    data: String,
}

#[derive(Subcommand)]
enum Cmd {
    /// TS 33.220 KDF: HMAC-SHA-256(key, FC || P0 || L0 || ...), 256-bit output.
    Kdf {
        #[arg(long)]
        key: String,
        #[arg(long)]
        fc: String,
        #[arg(long = "param")]
        params: Vec<String>,
        #[command(flatten)]
        common: Common,
    },
    /// 128-NEA2 (encrypt = decrypt); prints ceil(bits/8) octets.
    Nea2 {
        #[command(flatten)]
        a: AlgArgs,
        #[command(flatten)]
        common: Common,
    },
    /// 128-NIA2; prints the 32-bit MAC.
    Nia2 {
        #[command(flatten)]
        a: AlgArgs,
        #[command(flatten)]
        common: Common,
    },
    /// One AES-128 block encryption.
    Aes {
        #[arg(long)]
        key: String,
        #[arg(long)]
        block: String,
        #[arg(long, value_enum, default_value = "model")]
        backend: BackendKind,
        #[command(flatten)]
        common: Common,
    },
    /// Key hierarchy: KAIOTF (Annex A.3) and KCommand_enc/int (Annex A.4), provisional values.
    Derive {
        /// Long-term key K_AIoT (hex, 128 or 256 bits); with --n-aiotf and --n-dev.
        #[arg(long)]
        ltk: Option<String>,
        #[arg(long)]
        n_aiotf: Option<String>,
        #[arg(long)]
        n_dev: Option<String>,
        /// Start from KAIOTF instead.
        #[arg(long)]
        kaiotf: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// Protect an AIOT NAS message (a plain message given in hex, or a command to encode).
    Protect {
        #[command(flatten)]
        keys: KeyArgs,
        #[arg(long, value_enum, default_value = "request")]
        dir: Dir,
        #[arg(long, value_enum, default_value = "on")]
        cipher: OnOff,
        /// Plain AIOT NAS message (hex); default: encode --command.
        #[arg(long)]
        plain: Option<String>,
        #[command(flatten)]
        cmd: CmdArgs,
        /// Engine backend (the tag's engine protects responses only).
        #[arg(long, value_enum, default_value = "model")]
        backend: BackendKind,
        #[command(flatten)]
        common: Common,
    },
    /// Verify and decipher a protected AIOT NAS message.
    Unprotect {
        #[command(flatten)]
        keys: KeyArgs,
        #[arg(long, value_enum, default_value = "request")]
        dir: Dir,
        /// Protected message (hex).
        #[arg(long)]
        message: String,
        /// Engine backend (the tag's engine unprotects requests only).
        #[arg(long, value_enum, default_value = "model")]
        backend: BackendKind,
        #[command(flatten)]
        common: Common,
    },
    /// Run TS 33.369 clause 5.3.2 steps 1-9 end to end with a trace.
    Procedure {
        #[arg(long, value_enum, default_value = "on")]
        cipher: OnOff,
        #[command(flatten)]
        cmd: CmdArgs,
        /// Inject an attack at the air interface.
        #[arg(long, value_enum)]
        attack: Option<Attack>,
        /// Backend of the device's crypto engine.
        #[arg(long, value_enum, default_value = "model")]
        device: BackendKind,
        /// Long-term key (hex); default: the demo key 00..1f.
        #[arg(long)]
        ltk: Option<String>,
        /// Seed for the nonces (default: fresh from the OS).
        #[arg(long)]
        seed: Option<u64>,
        /// Print KAIOTF and the command keys in the trace even for a key given with --ltk.
        #[arg(long)]
        show_keys: bool,
        #[command(flatten)]
        common: Common,
    },
    /// Print the effective profile (TOML).
    Profile {
        #[command(flatten)]
        common: Common,
    },
    /// Co-simulation regression: the Verilated RTL against the golden model.
    #[cfg(feature = "rtl")]
    Cosim {
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long, default_value_t = 50000)]
        count: usize,
        #[arg(long, default_value_t = 0.2)]
        stall_prob: f64,
        /// Trace the whole run to this VCD file.
        #[arg(long)]
        vcd: Option<PathBuf>,
        /// TEST ONLY: run against a deliberately broken RTL build (1: no K2 path, 2: S-box fault).
        #[arg(long, default_value_t = 0)]
        fault: u8,
        /// Parallel simulations (0: one per core).
        #[arg(long, default_value_t = 0)]
        jobs: usize,
        #[command(flatten)]
        common: Common,
    },
}

fn hex_arg(name: &str, s: &str) -> Result<Vec<u8>, Error> {
    decode(s).map_err(|e| Error::Hex(format!("--{name}: {e}")))
}

fn alg_inputs(a: &AlgArgs) -> Result<(Key128, SecurityInputs, Vec<u8>), Error> {
    let key = Key128::from_hex(&a.key)?;
    let count = u32::try_from(parse_hex_u64(&a.count)?)
        .map_err(|_| Error::Hex("--count exceeds 32 bits".into()))?;
    let inputs = SecurityInputs {
        count,
        bearer: a.bearer,
        direction: a.direction,
    };
    aiotsec::algorithms::check_inputs(&inputs)?;
    let data = hex_arg("data", &a.data)?;
    aiotsec::algorithms::octets_for(a.bits, &data)?;
    Ok((key, inputs, data))
}

fn command_of(c: &CmdArgs) -> Result<Command, Error> {
    Ok(match c.command {
        CommandKind::Read => Command::Read {
            offset: c.offset,
            length: c.length,
        },
        CommandKind::Write => Command::Write {
            offset: c.offset,
            data: hex_arg("data", &c.data)?,
        },
        CommandKind::Disable => Command::Disable,
    })
}

fn command_keys(profile: &Profile, k: &KeyArgs) -> Result<CommandKeys, Error> {
    match (&k.kaiotf, &k.enc_key, &k.int_key) {
        (Some(ka), None, None) => derive_command_keys(profile, &Key256::from_hex(ka)?),
        (None, Some(e), Some(i)) => Ok(CommandKeys {
            enc: Key128::from_hex(e)?,
            int: Key128::from_hex(i)?,
        }),
        _ => Err(Error::Protocol(
            "give either --kaiotf, or both --enc-key and --int-key".into(),
        )),
    }
}

fn inputs_of(profile: &Profile, d: Dir) -> SecurityInputs {
    match d {
        Dir::Request => profile.request,
        Dir::Response => profile.response,
    }
}

/// What a command prints: text for people, JSON for machines.
struct Output {
    text: String,
    json: serde_json::Value,
    ok: bool,
}

fn out(text: String, json: serde_json::Value) -> Output {
    Output {
        text,
        json,
        ok: true,
    }
}

fn open_engine(kind: BackendKind, profile: &Profile) -> Result<Box<dyn CryptoEngine>, Error> {
    Ok(engine::open(kind, profile)?)
}

fn cycles_json(e: &dyn CryptoEngine) -> serde_json::Value {
    e.last_cycles()
        .map_or(serde_json::Value::Null, |c| json!(c))
}

fn run(cmd: Cmd) -> Result<Output, Error> {
    match cmd {
        Cmd::Kdf {
            key, fc, params, ..
        } => {
            let key = hex_arg("key", &key)?;
            let fc = u8::try_from(parse_hex_u64(&fc)?)
                .map_err(|_| Error::Hex("--fc exceeds one octet".into()))?;
            let ps: Vec<Vec<u8>> = params
                .iter()
                .map(|p| hex_arg("param", p))
                .collect::<Result<_, _>>()?;
            let refs: Vec<&[u8]> = ps.iter().map(|p| p.as_slice()).collect();
            let o = kdf(&key, fc, &refs)?;
            let h = encode(o.expose());
            Ok(out(
                h.clone(),
                json!({"output": h, "s": encode(&aiotsec::kdf::kdf_input(fc, &refs)?)}),
            ))
        }
        Cmd::Nea2 { a, common } => {
            let profile = Profile::load_or_default(common.profile.as_deref())?;
            let (key, inputs, data) = alg_inputs(&a)?;
            let mut e = open_engine(a.backend, &profile)?;
            e.load_keys(&key, &key)?;
            let o = e.nea2(inputs, &data, a.bits)?;
            let h = encode(&o);
            Ok(out(
                h.clone(),
                json!({"output": h, "bits": a.bits, "backend": e.name(), "cycles": cycles_json(&*e)}),
            ))
        }
        Cmd::Nia2 { a, common } => {
            let profile = Profile::load_or_default(common.profile.as_deref())?;
            let (key, inputs, data) = alg_inputs(&a)?;
            let mut e = open_engine(a.backend, &profile)?;
            e.load_keys(&key, &key)?;
            let m = e.nia2(inputs, &data, a.bits)?;
            let h = encode(&m);
            Ok(out(
                h.clone(),
                json!({"mac": h, "bits": a.bits, "backend": e.name(), "cycles": cycles_json(&*e)}),
            ))
        }
        Cmd::Aes {
            key,
            block,
            backend,
            common,
        } => {
            let profile = Profile::load_or_default(common.profile.as_deref())?;
            let key = Key128::from_hex(&key)?;
            let b: [u8; 16] = hex_arg("block", &block)?
                .try_into()
                .map_err(|_| Error::Hex("--block must be 16 octets".into()))?;
            let mut e = open_engine(backend, &profile)?;
            let o = e.aes_block(&key, &b)?;
            let h = encode(&o);
            Ok(out(
                h.clone(),
                json!({"output": h, "backend": e.name(), "cycles": cycles_json(&*e)}),
            ))
        }
        Cmd::Derive {
            ltk,
            n_aiotf,
            n_dev,
            kaiotf,
            common,
        } => {
            let profile = Profile::load_or_default(common.profile.as_deref())?;
            let ka = match (kaiotf, ltk, n_aiotf, n_dev) {
                (Some(k), None, None, None) => Key256::from_hex(&k)?,
                (None, Some(l), Some(na), Some(nd)) => derive_kaiotf(
                    &profile,
                    &LongTermKey::from_hex(&l)?,
                    &hex_arg("n-aiotf", &na)?,
                    &hex_arg("n-dev", &nd)?,
                )?,
                _ => {
                    return Err(Error::Protocol(
                        "give --kaiotf, or --ltk with --n-aiotf and --n-dev".into(),
                    ));
                }
            };
            let ck = derive_command_keys(&profile, &ka)?;
            let (a, e, i) = (
                encode(ka.expose()),
                encode(ck.enc.expose()),
                encode(ck.int.expose()),
            );
            Ok(out(
                format!("KAIOTF       {a}\nKCommand_enc {e}\nKCommand_int {i}"),
                json!({"kaiotf": a, "kcommand_enc": e, "kcommand_int": i, "provisional": true}),
            ))
        }
        Cmd::Protect {
            keys,
            dir,
            cipher,
            plain,
            cmd,
            backend,
            common,
        } => {
            let profile = Profile::load_or_default(common.profile.as_deref())?;
            let ck = command_keys(&profile, &keys)?;
            let plain = match plain {
                Some(p) => hex_arg("plain", &p)?,
                None => match dir {
                    Dir::Request => messages::CommandRequest {
                        command: command_of(&cmd)?,
                    }
                    .encode(&profile)?,
                    Dir::Response => {
                        return Err(Error::Protocol(
                            "--dir response needs --plain (an encoded Command Response)".into(),
                        ));
                    }
                },
            };
            let on = cipher == OnOff::On;
            let (msg, cycles) = match backend {
                BackendKind::Model => (
                    messages::protect(&profile, &ck, inputs_of(&profile, dir), &plain, on)?,
                    serde_json::Value::Null,
                ),
                _ => {
                    if dir != Dir::Response {
                        return Err(Error::Protocol(
                            "the tag's engine protects Command Responses only: use --dir response"
                                .into(),
                        ));
                    }
                    let mut f = messages::lay_out(&profile, &plain, on);
                    let mut e = open_engine(backend, &profile)?;
                    e.load_keys(&ck.enc, &ck.int)?;
                    let o = e.protect(&mut f)?;
                    if o.status != engine::Status::Ok {
                        return Err(Error::Protocol(format!("engine: {:?}", o.status)));
                    }
                    let c = cycles_json(&*e);
                    e.zeroize()?;
                    (f, c)
                }
            };
            let h = encode(&msg);
            Ok(out(
                h.clone(),
                json!({"message": h, "plain": encode(&plain), "ciphered": on, "cycles": cycles}),
            ))
        }
        Cmd::Unprotect {
            keys,
            dir,
            message,
            backend,
            common,
        } => {
            let profile = Profile::load_or_default(common.profile.as_deref())?;
            let ck = command_keys(&profile, &keys)?;
            let msg = hex_arg("message", &message)?;
            let (plain, ciphered, cycles) = match backend {
                BackendKind::Model => {
                    let u = messages::unprotect(&profile, &ck, inputs_of(&profile, dir), &msg)?;
                    (u.plain, u.ciphered, serde_json::Value::Null)
                }
                _ => {
                    if dir != Dir::Request {
                        return Err(Error::Protocol(
                            "the tag's engine unprotects Command Requests only: use --dir request"
                                .into(),
                        ));
                    }
                    let mut e = open_engine(backend, &profile)?;
                    e.load_keys(&ck.enc, &ck.int)?;
                    let mut f = msg.clone();
                    let o = e.unprotect(&mut f)?;
                    let c = cycles_json(&*e);
                    e.zeroize()?;
                    match o.status {
                        engine::Status::Ok => {}
                        engine::Status::MacFailure => {
                            return Err(Error::Integrity("MAC mismatch"));
                        }
                        s => return Err(Error::Protocol(format!("engine: {s:?}"))),
                    }
                    (messages::body(&profile, &f).to_vec(), o.ciphered, c)
                }
            };
            let decoded = match dir {
                Dir::Request => messages::CommandRequest::decode(&plain, &profile)
                    .map(|r| format!("{:?}", r.command)),
                Dir::Response => messages::CommandResponse::decode(&plain, &profile)
                    .map(|r| format!("{:?} data={}", r.status, encode(&r.data))),
            };
            let d = decoded.unwrap_or_else(|e| format!("(undecodable: {e})"));
            let h = encode(&plain);
            Ok(out(
                format!("{h}\n{d}"),
                json!({"plain": h, "ciphered": ciphered, "decoded": d, "cycles": cycles}),
            ))
        }
        Cmd::Procedure {
            cipher,
            cmd,
            attack,
            device,
            ltk,
            seed,
            show_keys,
            common,
        } => {
            let profile = Profile::load_or_default(common.profile.as_deref())?;
            let mut cfg = procedure::Config::demo();
            cfg.cipher = cipher == OnOff::On;
            cfg.command = command_of(&cmd)?;
            cfg.attack = attack;
            cfg.seed = seed;
            if let Some(l) = ltk {
                cfg.long_term_key = LongTermKey::from_hex(&l)?;
                cfg.show_keys = show_keys;
            }
            let mut e = open_engine(device, &profile)?;
            let t = procedure::run(&profile, &cfg, &mut *e)?;
            let mut text = String::new();
            text.push_str(&format!(
                "TS 33.369 clause 5.3.2 command protection (PROVISIONAL profile values), device engine: {}\n",
                t.backend
            ));
            for s in &t.steps {
                text.push_str(&format!("[{}] {:<8} {}\n", s.step, s.actor, s.action));
                for (k, v) in &s.details {
                    text.push_str(&format!("            {k:<13} {v}\n"));
                }
            }
            text.push_str(&format!(
                "result: {} ({})",
                if t.success { "OK" } else { "FAILED" },
                t.verdict
            ));
            let ok = t.success;
            Ok(Output {
                text,
                json: serde_json::to_value(&t).unwrap_or(serde_json::Value::Null),
                ok,
            })
        }
        Cmd::Profile { common } => {
            let profile = Profile::load_or_default(common.profile.as_deref())?;
            Ok(out(
                profile.to_toml(),
                serde_json::to_value(&profile).unwrap_or(serde_json::Value::Null),
            ))
        }
        #[cfg(feature = "rtl")]
        Cmd::Cosim {
            seed,
            count,
            stall_prob,
            vcd,
            fault,
            jobs,
            common,
        } => cosim_cmd(aiotsec::cosim::CosimOptions {
            seed,
            count,
            stall_prob,
            vcd,
            fault,
            progress: !common.json,
            jobs,
        }),
    }
}

#[cfg(feature = "rtl")]
fn cosim_cmd(opts: aiotsec::cosim::CosimOptions) -> Result<Output, Error> {
    let report = aiotsec::cosim::run(&opts)?;
    let ok = report.mismatches() == 0;
    Ok(Output {
        text: format!("{report}"),
        json: serde_json::to_value(&report).unwrap_or(serde_json::Value::Null),
        ok,
    })
}

fn wants_json(cmd: &Cmd) -> bool {
    match cmd {
        Cmd::Kdf { common, .. }
        | Cmd::Nea2 { common, .. }
        | Cmd::Nia2 { common, .. }
        | Cmd::Aes { common, .. }
        | Cmd::Derive { common, .. }
        | Cmd::Protect { common, .. }
        | Cmd::Unprotect { common, .. }
        | Cmd::Procedure { common, .. }
        | Cmd::Profile { common } => common.json,
        #[cfg(feature = "rtl")]
        Cmd::Cosim { common, .. } => common.json,
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json_mode = wants_json(&cli.cmd);
    match run(cli.cmd) {
        Ok(o) => {
            if json_mode {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&o.json).unwrap_or_default()
                );
            } else {
                println!("{}", o.text);
            }
            if o.ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            if json_mode {
                println!("{}", json!({"error": e.to_string()}));
            } else {
                eprintln!("error: {e}");
            }
            ExitCode::from(2)
        }
    }
}
