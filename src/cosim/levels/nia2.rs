//! Level `nia2`: 128-NIA2 on the engine, on the TS 33.401 vectors, then the shared directed and
//! random cases of a raw algorithm level.

use super::super::runner::Runner;
use super::super::txn::{KeyPair, Txn, TxnOut};
use super::{Randoms, Shape, algorithm_cases};
use crate::profile::SecurityInputs;
use crate::vectors::NiaVector;

/// 64-bit cases over the bearers; 200-bit extremes on BEARER 0, DIRECTION 0.
const SHAPE: Shape = Shape {
    bearer_bits: 64,
    extreme_bits: 200,
    extreme_bearer: 0,
    extreme_direction: 0,
};

/// The level, with the random transactions `n`.
pub(super) fn run(r: &mut Runner, vectors: &[NiaVector], n: Randoms) {
    r.begin("nia2");
    if r.directed {
        for v in vectors {
            let keys = ([0u8; 16], v.key);
            let txn = Txn::Nia2 {
                keys,
                inputs: v.inputs,
                data: v.message.clone(),
                bits: v.bits,
            };
            r.check_vs(&v.name, txn, TxnOut::Mac(v.mac));
        }
    }
    algorithm_cases(r, txn, &SHAPE, n);
    r.end();
}

fn txn(keys: KeyPair, inputs: SecurityInputs, data: Vec<u8>, bits: usize) -> Txn {
    Txn::Nia2 {
        keys,
        inputs,
        data,
        bits,
    }
}
