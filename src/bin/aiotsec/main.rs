//! `aiotsec`: a thin command line over the library. Every command takes `--json`; commands the
//! tag's engine can do take `--backend model|rtl`.
//!
//! `args` holds the clap types and `commands` one function per subcommand; this file parses,
//! dispatches, and prints what a command returns (text for people, JSON for machines) with its
//! exit code.

mod args;
mod commands;

use std::process::ExitCode;

use clap::Parser;
use serde::Serialize;
use serde_json::{Value, json};

use aiotsec::engine::CryptoEngine;
use aiotsec::error::Error;

use args::{Cli, Cmd};

fn run(cmd: Cmd) -> Result<Output, Error> {
    match cmd {
        Cmd::Kdf(a) => commands::kdf(&a),
        Cmd::Nea2(a) => commands::nea2(&a),
        Cmd::Nia2(a) => commands::nia2(&a),
        Cmd::Aes(a) => commands::aes(&a),
        Cmd::Derive(a) => commands::derive(&a),
        Cmd::Protect(a) => commands::protect(&a),
        Cmd::Unprotect(a) => commands::unprotect(&a),
        Cmd::Procedure(a) => commands::procedure(&a),
        Cmd::Profile(common) => commands::profile(&common),
        #[cfg(feature = "rtl")]
        Cmd::Cosim(a) => commands::cosim(a),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json_mode = cli.cmd.common().json;
    emit(run(cli.cmd), json_mode)
}

/// What a command prints: text for people, JSON for machines.
pub struct Output {
    text: String,
    json: Value,
    /// The command ran but its verdict is negative (a failed procedure, co-simulation
    /// mismatches): exit code 1.
    ok: bool,
}

impl Output {
    /// A command that produced its result.
    pub fn new(text: String, json: Value) -> Self {
        Self::verdict(text, json, true)
    }

    /// A command whose result is a verdict: `ok == false` still prints, but exits with 1.
    pub fn verdict(text: String, json: Value, ok: bool) -> Self {
        Output { text, json, ok }
    }
}

/// A library value as JSON (`null` if it cannot be represented).
pub fn to_json<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// The engine's cycle count of its last operation (`null` for the model).
pub fn cycles_json(e: &dyn CryptoEngine) -> Value {
    e.last_cycles().map_or(Value::Null, |c| json!(c))
}

/// Print a command's outcome and turn it into the exit code: 0 done, 1 negative verdict,
/// 2 error (clap exits with 2 on a usage error too). Errors go to stderr as text, to stdout as
/// `{"error": ...}` with `--json`.
pub fn emit(result: Result<Output, Error>, json_mode: bool) -> ExitCode {
    match result {
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
