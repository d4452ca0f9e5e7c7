//! The transaction vocabulary: one self-contained operation ([`Txn`]) that runs on any
//! [`CryptoEngine`], its result ([`TxnOut`]), when an RTL result counts as the model's
//! ([`same`]), and how both are printed in a failure.

use crate::engine::{CryptoEngine, EngineError, Outcome, Status};
use crate::keys::{Key128, LongTermKey};
use crate::profile::{MAC_LEN, SecurityInputs};
use crate::sim::params;

/// A key pair as loaded with LOAD_KEYS: (K_enc, K_int).
pub(super) type KeyPair = ([u8; 16], [u8; 16]);

/// One transaction, self-contained so it can be replayed on a fresh model.
#[derive(Debug, Clone)]
pub(super) enum Txn {
    Aes {
        key: [u8; 16],
        block: [u8; 16],
    },
    Nea2 {
        keys: KeyPair,
        inputs: SecurityInputs,
        data: Vec<u8>,
        bits: usize,
    },
    Nia2 {
        keys: KeyPair,
        inputs: SecurityInputs,
        data: Vec<u8>,
        bits: usize,
    },
    Unprotect {
        keys: KeyPair,
        frame: Vec<u8>,
    },
    Protect {
        keys: KeyPair,
        frame: Vec<u8>,
    },
    /// The engine's HASH: SHA-256(`msg`) without a key, HMAC-SHA-256(`key`, `msg`) with one; a
    /// key longer than a block is first hashed on the engine too (RFC 2104).
    Hash {
        key: Option<Vec<u8>>,
        msg: Vec<u8>,
    },
    /// DERIVE from key store `ltk` and the nonces, checked by its effect: NEA2 and NIA2 of
    /// `data` (`bits`) under the derived keys, then PROTECT of the response `frame`.
    Derive {
        ltk: Vec<u8>,
        n_aiotf: Vec<u8>,
        n_dev: Vec<u8>,
        inputs: SecurityInputs,
        data: Vec<u8>,
        bits: usize,
        frame: Vec<u8>,
    },
}

/// The result of a transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum TxnOut {
    Block([u8; 16]),
    Bytes(Vec<u8>),
    Mac([u8; 4]),
    Frame(Outcome, Vec<u8>),
    /// DERIVE's effect: the NEA2 output, the NIA2 MAC, the PROTECT outcome and frame.
    Derived(Vec<u8>, [u8; 4], Outcome, Vec<u8>),
}

impl Txn {
    /// The operation kind, as counted in the cycle statistics.
    pub(super) fn op_name(&self) -> &'static str {
        match self {
            Txn::Aes { .. } => "aes-block",
            Txn::Nea2 { .. } => "nea2",
            Txn::Nia2 { .. } => "nia2",
            Txn::Unprotect { .. } => "unprotect",
            Txn::Protect { .. } => "protect",
            Txn::Hash { key: None, .. } => "sha256",
            Txn::Hash { key: Some(_), .. } => "hmac-sha256",
            Txn::Derive { .. } => "derive",
        }
    }

    /// AES blocks the operation computes (for throughput figures).
    pub(super) fn aes_blocks(&self, out: &Result<TxnOut, EngineError>) -> u64 {
        let nia = |bits: usize| 1 + (bits as u64 + 64).div_ceil(128).max(1);
        match self {
            Txn::Aes { .. } => 1,
            Txn::Nea2 { bits, .. } => (*bits as u64).div_ceil(128),
            Txn::Nia2 { bits, .. } => nia(*bits),
            Txn::Unprotect { frame, .. } | Txn::Protect { frame, .. } => match out {
                Ok(TxnOut::Frame(o, _))
                    if o.status == Status::Ok || o.status == Status::MacFailure =>
                {
                    let body = frame.len().saturating_sub(params::CLEAR_LEN + MAC_LEN) as u64;
                    let mac_bits = (frame.len().saturating_sub(MAC_LEN) * 8) as u64;
                    let ciph = if o.ciphered { body.div_ceil(16) } else { 0 };
                    1 + (mac_bits + 64).div_ceil(128) + ciph
                }
                _ => 0,
            },
            Txn::Hash { .. } => 0,
            Txn::Derive { bits, .. } => (*bits as u64).div_ceil(128) + nia(*bits),
        }
    }

    /// Octets the operation processes (0 for an AES block).
    pub(super) fn octets(&self) -> u64 {
        match self {
            Txn::Aes { .. } => 0,
            Txn::Nea2 { bits, .. } | Txn::Nia2 { bits, .. } => bits.div_ceil(8) as u64,
            Txn::Unprotect { frame, .. } | Txn::Protect { frame, .. } => frame.len() as u64,
            Txn::Hash { key, msg } => (key.as_ref().map_or(0, Vec::len) + msg.len()) as u64,
            Txn::Derive { .. } => 0,
        }
    }

    /// [`Txn::run`], with the cycles of the operation the transaction is about (a hardware
    /// backend's; `None` on the model): the last command's, or DERIVE's for a DERIVE checked by
    /// its effect.
    pub(super) fn run_timed(
        &self,
        e: &mut dyn CryptoEngine,
    ) -> (Result<TxnOut, EngineError>, Option<u64>) {
        let mut derive_cycles = None;
        let out = self.run_inner(e, &mut derive_cycles);
        let cycles = match self {
            Txn::Derive { .. } => derive_cycles,
            _ => e.last_cycles(),
        };
        (out, cycles)
    }

    /// Run the transaction on `e` (loading its keys first when it needs them).
    pub(super) fn run(&self, e: &mut dyn CryptoEngine) -> Result<TxnOut, EngineError> {
        self.run_inner(e, &mut None)
    }

    fn run_inner(
        &self,
        e: &mut dyn CryptoEngine,
        derive_cycles: &mut Option<u64>,
    ) -> Result<TxnOut, EngineError> {
        let load = |e: &mut dyn CryptoEngine, k: &KeyPair| {
            e.load_keys(&Key128::new(k.0), &Key128::new(k.1))
        };
        match self {
            Txn::Aes { key, block } => e.aes_block(&Key128::new(*key), block).map(TxnOut::Block),
            Txn::Nea2 {
                keys,
                inputs,
                data,
                bits,
            } => {
                load(e, keys)?;
                e.nea2(*inputs, data, *bits).map(TxnOut::Bytes)
            }
            Txn::Nia2 {
                keys,
                inputs,
                data,
                bits,
            } => {
                load(e, keys)?;
                e.nia2(*inputs, data, *bits).map(TxnOut::Mac)
            }
            Txn::Unprotect { keys, frame } => {
                load(e, keys)?;
                let mut f = frame.clone();
                let o = e.unprotect(&mut f)?;
                Ok(TxnOut::Frame(o, f))
            }
            Txn::Protect { keys, frame } => {
                load(e, keys)?;
                let mut f = frame.clone();
                let o = e.protect(&mut f)?;
                Ok(TxnOut::Frame(o, f))
            }
            Txn::Hash { key, msg } => {
                let d = match key {
                    None => e.hash(None, msg)?,
                    Some(k) if k.len() > crate::engine::HASH_MAX_KEY => {
                        let kh = e.hash(None, k)?;
                        e.hash(Some(kh.expose()), msg)?
                    }
                    Some(k) => e.hash(Some(k), msg)?,
                };
                Ok(TxnOut::Bytes(d.expose().to_vec()))
            }
            Txn::Derive {
                ltk,
                n_aiotf,
                n_dev,
                inputs,
                data,
                bits,
                frame,
            } => {
                let k = LongTermKey::from_slice(ltk)
                    .map_err(|e| EngineError::Invalid(e.to_string()))?;
                e.set_key_store(&k)?;
                e.derive(n_aiotf, n_dev)?;
                *derive_cycles = e.last_cycles();
                let c = e.nea2(*inputs, data, *bits)?;
                let mac = e.nia2(*inputs, data, *bits)?;
                let mut f = frame.clone();
                let o = e.protect(&mut f)?;
                Ok(TxnOut::Derived(c, mac, o, f))
            }
        }
    }

    /// The transaction's inputs, for a failure message.
    pub(super) fn describe(&self) -> String {
        match self {
            Txn::Aes { key, block } => {
                format!("AES key {} block {}", hex::encode(key), hex::encode(block))
            }
            Txn::Nea2 {
                keys,
                inputs,
                data,
                bits,
            }
            | Txn::Nia2 {
                keys,
                inputs,
                data,
                bits,
            } => format!(
                "{} key {} count {:08x} bearer {} direction {} bits {} data {}",
                self.op_name(),
                hex::encode(if matches!(self, Txn::Nea2 { .. }) {
                    keys.0
                } else {
                    keys.1
                }),
                inputs.count,
                inputs.bearer,
                inputs.direction,
                bits,
                short_hex(data)
            ),
            Txn::Unprotect { keys, frame } | Txn::Protect { keys, frame } => format!(
                "{} enc {} int {} frame ({} octets) {}",
                self.op_name(),
                hex::encode(keys.0),
                hex::encode(keys.1),
                frame.len(),
                short_hex(frame)
            ),
            Txn::Hash { key, msg } => format!(
                "{} key {} message ({} octets) {}",
                self.op_name(),
                key.as_deref().map_or("-".into(), hex::encode),
                msg.len(),
                short_hex(msg)
            ),
            Txn::Derive {
                ltk,
                n_aiotf,
                n_dev,
                inputs,
                bits,
                frame,
                ..
            } => format!(
                "derive K_AIoT {} N_AIOTF {} N_DEV {}, then nea2/nia2 count {:08x} bearer {} \
                 direction {} bits {}, protect ({} octets) {}",
                hex::encode(ltk),
                hex::encode(n_aiotf),
                hex::encode(n_dev),
                inputs.count,
                inputs.bearer,
                inputs.direction,
                bits,
                frame.len(),
                short_hex(frame)
            ),
        }
    }
}

/// Hex of the first 48 octets of `d` (`..` when there are more).
fn short_hex(d: &[u8]) -> String {
    if d.len() <= 48 {
        hex::encode(d)
    } else {
        format!("{}..", hex::encode(&d[..48]))
    }
}

/// Whether the RTL result matches the model's.
pub(super) fn same(rtl: &Result<TxnOut, EngineError>, model: &Result<TxnOut, EngineError>) -> bool {
    match (rtl, model) {
        (Ok(a), Ok(b)) => a == b,
        (Err(EngineError::Protocol(_) | EngineError::Timeout(_)), _) => false,
        (Err(a), Err(b)) => {
            std::mem::discriminant(a) == std::mem::discriminant(b)
                || matches!(
                    (a, b),
                    (
                        EngineError::Capacity { .. } | EngineError::Invalid(_),
                        EngineError::Invalid(_)
                    )
                )
        }
        (Err(EngineError::Capacity { .. }), Ok(_)) => true, // beyond the hardware's buffer
        _ => false,
    }
}

/// A result, for a failure message.
pub(super) fn show(r: &Result<TxnOut, EngineError>) -> String {
    match r {
        Ok(TxnOut::Block(b)) => hex::encode(b),
        Ok(TxnOut::Bytes(b)) => short_hex(b),
        Ok(TxnOut::Mac(m)) => hex::encode(m),
        Ok(TxnOut::Frame(o, f)) => format!(
            "{:?} ciphered={} mac={} frame={}",
            o.status,
            o.ciphered,
            hex::encode(o.mac),
            short_hex(f)
        ),
        Ok(TxnOut::Derived(c, m, o, f)) => format!(
            "nea2 {} nia2 {} protect {:?} mac={} frame={}",
            short_hex(c),
            hex::encode(m),
            o.status,
            hex::encode(o.mac),
            short_hex(f)
        ),
        Err(e) => format!("error: {e}"),
    }
}

/// AES-CMAC (RFC 4493) of `msg` under `key`, every block computed by `e`'s AES_BLOCK command:
/// the CMAC vectors then check the RTL AES core alone.
pub(super) fn cmac_with(
    e: &mut dyn CryptoEngine,
    key: &Key128,
    msg: &[u8],
) -> Result<[u8; 16], EngineError> {
    let dbl = |b: u128| (b << 1) ^ if b >> 127 == 1 { 0x87 } else { 0 };
    let l = u128::from_be_bytes(e.aes_block(key, &[0; 16])?);
    let k1 = dbl(l);
    let k2 = dbl(k1);
    let n = msg.len().div_ceil(16).max(1);
    let mut x = 0u128;
    for i in 0..n {
        let chunk = &msg[i * 16..msg.len().min(i * 16 + 16)];
        let mut b = [0u8; 16];
        b[..chunk.len()].copy_from_slice(chunk);
        let mut v = u128::from_be_bytes(b);
        if i == n - 1 {
            if chunk.len() == 16 {
                v ^= k1;
            } else {
                v ^= (0x80u128 << (8 * (15 - chunk.len()))) ^ k2;
            }
        }
        x = u128::from_be_bytes(e.aes_block(key, &(x ^ v).to_be_bytes())?);
    }
    Ok(x.to_be_bytes())
}
