//! Level `nea2`: 128-NEA2 on the engine, on the TS 33.401 vectors, then the shared directed and
//! random cases of a raw algorithm level.

use super::super::runner::Runner;
use super::super::txn::{KeyPair, Txn, TxnOut};
use super::{Randoms, Shape, algorithm_cases};
use crate::profile::SecurityInputs;
use crate::vectors::NeaVector;

/// 133-bit cases over the bearers; 300-bit extremes on BEARER 31, DIRECTION 1.
const SHAPE: Shape = Shape {
    bearer_bits: 133,
    extreme_bits: 300,
    extreme_bearer: 31,
    extreme_direction: 1,
};

/// The level, with the random transactions `n`.
pub(super) fn run(r: &mut Runner, vectors: &[NeaVector], n: Randoms) {
    r.begin("nea2");
    if r.directed {
        for v in vectors {
            let keys = (v.key, [0u8; 16]);
            let txn = Txn::Nea2 {
                keys,
                inputs: v.inputs,
                data: v.plaintext.clone(),
                bits: v.bits,
            };
            r.check_vs(&v.name, txn, TxnOut::Bytes(v.ciphertext.clone()));
        }
    }
    algorithm_cases(r, txn, &SHAPE, n);
    r.end();
}

fn txn(keys: KeyPair, inputs: SecurityInputs, data: Vec<u8>, bits: usize) -> Txn {
    Txn::Nea2 {
        keys,
        inputs,
        data,
        bits,
    }
}
