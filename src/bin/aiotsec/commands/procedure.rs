//! The procedure and its profile: `procedure`, `profile`.

use aiotsec::error::Error;
use aiotsec::keys::LongTermKey;
use aiotsec::procedure::{self, Trace};

use super::{command_of, load_profile, open_engine};
use crate::args::{Common, OnOff, ProcedureArgs};
use crate::{Output, to_json};

/// The run's configuration: the demo configuration with the arguments over it.
fn config_of(a: &ProcedureArgs) -> Result<procedure::Config, Error> {
    let mut cfg = procedure::Config::demo();
    cfg.cipher = a.cipher == OnOff::On;
    cfg.command = command_of(&a.cmd)?;
    cfg.attack = a.attack;
    cfg.seed = a.seed;
    if let Some(l) = &a.ltk {
        cfg.long_term_key = LongTermKey::from_hex(l)?;
        cfg.show_keys = a.show_keys;
    }
    Ok(cfg)
}

/// The trace for people: one line per step, its details indented below it, then the result.
fn trace_text(t: &Trace) -> String {
    let mut text = format!(
        "TS 33.369 clause 5.3.2 command protection (PROVISIONAL profile values), device engine: {}, \
         seed {} (--seed {} repeats this run)\n",
        t.backend, t.seed, t.seed
    );
    for s in &t.steps {
        text.push_str(&format!("[{}] {:<8} {}\n", s.step, s.actor, s.action));
        for (k, v) in &s.details {
            text.push_str(&format!("            {k:<13} {v}\n"));
        }
    }
    if let Some(c) = t.cycles {
        text.push_str(&format!("device engine ({}): {c} cycles\n", t.backend));
    }
    text.push_str(&format!(
        "result: {} ({})",
        if t.success { "OK" } else { "FAILED" },
        t.verdict
    ));
    text
}

pub fn procedure(a: &ProcedureArgs) -> Result<Output, Error> {
    let profile = load_profile(&a.common)?;
    let cfg = config_of(a)?;
    let mut e = open_engine(a.device, &a.link, &profile)?;
    let t = procedure::run(&profile, &cfg, &mut *e)?;
    Ok(Output::verdict(trace_text(&t), to_json(&t), t.success))
}

pub fn profile(common: &Common) -> Result<Output, Error> {
    let profile = load_profile(common)?;
    Ok(Output::new(profile.to_toml(), to_json(&profile)))
}
