//! Analyses of the Verilated engine's register activity (feature `rtl` for the parts that run
//! it): the **energy proxy** (register bit toggles per command and per idle cycle, per register
//! group: [`energy`]) and the **leakage assessment** in simulation (fixed-versus-random TVLA on a
//! Hamming-distance model, the number of register bits that change in each cycle: [`leakage`],
//! with the statistics in [`tvla`]).
//!
//! Both drive the engine through the RTL backend ([`RtlEngine`](crate::engine::rtl::RtlEngine),
//! no stalls, fixed placement, so that every trace has the same cycle schedule) and read every
//! flip-flop of the model in every cycle ([`EngineSim::record_toggles`](crate::sim::EngineSim)).
//! There is no cell library here: toggles are a proxy for dynamic energy, not joules.

pub mod tvla;

#[cfg(feature = "rtl")]
pub mod energy;
#[cfg(feature = "rtl")]
pub mod leakage;
#[cfg(feature = "rtl")]
mod program;

/// The register group of the SHA-256 / KDF unit ([`register_group`]).
pub const KDF_GROUP: &str = "SHA-256/KDF";

/// The register group a flip-flop belongs to, from its RTL hierarchical name: the key ring, the
/// CMAC park register, the AES core's state, key and control, the engine's control, and for any
/// other instance (a SHA-256 / KDF unit, a bridge) the instance name; registers at the top of a
/// wrapper around the engine are `"<top> (wrapper)"`.
pub fn register_group(name: &str) -> String {
    let parts: Vec<&str> = name.split('.').collect();
    let leaf = parts.last().copied().unwrap_or(name);
    let parent = if parts.len() >= 2 {
        parts[parts.len() - 2]
    } else {
        ""
    };
    let top = parts.first().copied().unwrap_or("");
    if leaf.starts_with("ring_") {
        return "key ring".into();
    }
    if leaf.starts_with("park_") {
        return "park register".into();
    }
    if parts.iter().any(|p| p.starts_with("u_aes")) {
        return match leaf {
            "state_q" => "AES state".into(),
            "key_q" => "AES key".into(),
            _ => "AES control".into(),
        };
    }
    // the engine's own registers: directly in tag_crypto_engine (or its generate blocks), or in
    // an instance of it inside a wrapper
    let in_engine = top == "tag_crypto_engine" && parts.len() >= 2;
    match parent {
        "u_eng" | "g_ff" | "g_ram" => "engine control".into(),
        p if p == top && in_engine => "engine control".into(),
        p if p == top => format!("{top} (wrapper)"),
        p if p.contains("sha") || p.contains("kdf") => KDF_GROUP.into(),
        p if p.contains("uart") || p.contains("bridge") => "UART/bridge".into(),
        p => p.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::register_group;

    #[test]
    fn groups_of_the_engine_registers() {
        for (name, g) in [
            ("tag_crypto_engine.g_ff.ring_q", "key ring"),
            ("tag_crypto_engine.g_ff.park_q", "park register"),
            ("tag_crypto_engine.u_aes.state_q", "AES state"),
            ("tag_crypto_engine.u_aes.key_q", "AES key"),
            ("tag_crypto_engine.u_aes.cnt_q", "AES control"),
            ("tag_crypto_engine.state_q", "engine control"),
            ("tce_planted_leak.u_eng.mism_q", "engine control"),
            ("tce_planted_leak.u_eng.g_ff.ring_q", "key ring"),
            ("tce_planted_leak.leak_q", "tce_planted_leak (wrapper)"),
            ("tag_crypto_engine.u_sha256.h_q", "SHA-256/KDF"),
            ("tag_crypto_engine.u_other.x_q", "u_other"),
        ] {
            assert_eq!(register_group(name), g, "{name}");
        }
    }
}
