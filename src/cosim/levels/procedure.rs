//! Level `procedure`: the whole clause 5.3.2 procedure (AIOTF, NG-RAN, device) with the
//! device's crypto on the RTL and, separately, on the model, for every command ciphered and
//! null and every attack; both runs must succeed with the same verdict and response.

use super::super::runner::Runner;
use crate::error::Error;
use crate::messages::Command;
use crate::procedure::{self, Attack, Trace};

/// One run of the procedure.
struct Case {
    cipher: bool,
    command: Command,
    attack: Option<Attack>,
}

/// The level (directed shard only).
pub(super) fn run(r: &mut Runner) {
    r.begin("procedure");
    for (i, case) in cases().into_iter().enumerate() {
        run_case(r, i as u64, case);
    }
    r.end();
}

/// Every command ciphered and null, then every attack on a ciphered READ and a null WRITE.
fn cases() -> Vec<Case> {
    let commands = [
        Command::Read {
            offset: 0,
            length: 16,
        },
        Command::Read {
            offset: 100,
            length: 28,
        },
        Command::Write {
            offset: 8,
            data: vec![0xa5; 12],
        },
        Command::Disable,
    ];
    let mut cases = Vec::new();
    for c in &commands {
        for cipher in [true, false] {
            cases.push(Case {
                cipher,
                command: c.clone(),
                attack: None,
            });
        }
    }
    for a in Attack::ALL {
        for (cipher, command) in [(true, &commands[0]), (false, &commands[2])] {
            cases.push(Case {
                cipher,
                command: command.clone(),
                attack: Some(a),
            });
        }
    }
    cases
}

/// Case number `i` on the RTL (with back-pressure and random placement) and on the model.
fn run_case(r: &mut Runner, i: u64, case: Case) {
    let mut cfg = procedure::Config::demo();
    cfg.cipher = case.cipher;
    cfg.command = case.command;
    cfg.attack = case.attack;
    cfg.seed = Some(r.opts.seed.wrapping_add(i));
    let _ = r.rtl.set_stall_prob(r.opts.stall_prob);
    r.rtl.set_random_placement(true);
    let profile = r.profile.clone();
    let rt = procedure::run(&profile, &cfg, r.dut());
    let mt = procedure::run(&r.profile, &cfg, &mut r.model);
    let name = format!(
        "cipher {} {:?} attack {:?}",
        cfg.cipher, cfg.command, cfg.attack
    );
    r.expect(&name, agree(&rt, &mt), || detail(&rt, &mt));
    r.bar.inc(1);
}

/// Both runs succeeded, with the same verdict, response status and response data.
fn agree(rt: &Result<Trace, Error>, mt: &Result<Trace, Error>) -> bool {
    match (rt, mt) {
        (Ok(a), Ok(b)) => {
            a.success
                && b.success
                && a.verdict == b.verdict
                && a.response_status == b.response_status
                && a.response_data == b.response_data
        }
        _ => false,
    }
}

fn detail(rt: &Result<Trace, Error>, mt: &Result<Trace, Error>) -> String {
    match (rt, mt) {
        (Ok(a), Ok(b)) => format!(
            "RTL success {} '{}' {:?} vs model success {} '{}' {:?}",
            a.success, a.verdict, a.response_status, b.success, b.verdict, b.response_status
        ),
        _ => format!(
            "RTL {:?} / model {:?}",
            rt.as_ref().err(),
            mt.as_ref().err()
        ),
    }
}
