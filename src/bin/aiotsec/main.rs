//! `aiotsec`: a thin command line over the library. Every command takes `--json`; commands the
//! tag's engine can do take `--backend model|rtl`.
//!
//! `args` holds the clap types and `commands` one function per subcommand; this file parses,
//! dispatches, and prints what a command returns (text for people, JSON for machines) with its
//! exit code.

mod args;
mod commands;

use std::io::Write;
use std::process::ExitCode;

use clap::{CommandFactory, Parser};
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
        Cmd::Profile(a) => commands::profile(&a.common),
        Cmd::Completions(a) => completions(&a),
        #[cfg(feature = "rtl")]
        Cmd::Cosim(a) => commands::cosim(a),
        #[cfg(feature = "rtl")]
        Cmd::CosimMerge(a) => commands::cosim_merge(&a),
        #[cfg(feature = "rtl")]
        Cmd::Leakage(a) => commands::leakage(&a),
        #[cfg(feature = "rtl")]
        Cmd::Energy(a) => commands::energy(&a),
        #[cfg(feature = "report")]
        Cmd::Report(a) => commands::report(&a),
    }
}

/// The completion script of `a.shell` for this command line.
fn completions(a: &args::CompletionsArgs) -> Result<Output, Error> {
    if a.common.json || a.common.profile.is_some() {
        return Err(Error::Usage(
            "completions takes neither --json nor --profile".into(),
        ));
    }
    let mut buf = Vec::new();
    clap_complete::generate(a.shell, &mut Cli::command(), "aiotsec", &mut buf);
    let text = String::from_utf8_lossy(&buf).trim_end().to_string();
    Ok(Output::new(text, Value::Null))
}

fn main() -> ExitCode {
    let cmd = Cli::parse().into_cmd();
    let json_mode = cmd.common().json;
    emit(run(cmd), json_mode)
}

/// What a command prints: text for people, JSON for machines.
pub struct Output {
    text: String,
    json: Value,
    /// The command ran but its verdict is negative (a failed procedure, co-simulation
    /// mismatches): exit code 1.
    ok: bool,
    /// In text mode, print to standard error instead (a failed check whose standard output
    /// would otherwise feed the next command of a pipe).
    to_stderr: bool,
}

impl Output {
    /// A command that produced its result.
    pub fn new(text: String, json: Value) -> Self {
        Self::verdict(text, json, true)
    }

    /// A command whose result is a verdict: `ok == false` still prints, but exits with 1.
    pub fn verdict(text: String, json: Value, ok: bool) -> Self {
        Output {
            text,
            json,
            ok,
            to_stderr: false,
        }
    }

    /// A check that ran and failed (exit code 1): the text goes to standard error, so nothing
    /// reaches the next command of a pipe.
    pub fn failed_check(text: String, json: Value) -> Self {
        Output {
            text,
            json,
            ok: false,
            to_stderr: true,
        }
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
            let code = if o.ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            };
            if json_mode {
                let s = serde_json::to_string_pretty(&o.json).unwrap_or_default();
                write_line(&mut std::io::stdout().lock(), &s, code)
            } else if o.to_stderr {
                write_line(&mut std::io::stderr().lock(), &o.text, code)
            } else {
                write_line(&mut std::io::stdout().lock(), &o.text, code)
            }
        }
        Err(e) => {
            let code = ExitCode::from(2);
            if json_mode {
                let s = json!({"error": e.to_string()}).to_string();
                write_line(&mut std::io::stdout().lock(), &s, code)
            } else {
                write_line(&mut std::io::stderr().lock(), &format!("error: {e}"), code)
            }
        }
    }
}

/// Write `s` and a newline, then return `code`. A reader that went away (`aiotsec profile |
/// head -1`) ends the command quietly with `code`; any other write error is reported on
/// standard error with exit code 2.
fn write_line(w: &mut dyn Write, s: &str, code: ExitCode) -> ExitCode {
    match writeln!(w, "{s}").and_then(|()| w.flush()) {
        Ok(()) => code,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => code,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "error: cannot write the output: {e}");
            ExitCode::from(2)
        }
    }
}
