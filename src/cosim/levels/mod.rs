//! The stimulus programs, one file per level, run in the order of the report; and what they
//! share: the official vectors, the split of the random transactions, and the directed and
//! random cases of the raw NEA2/NIA2 levels. A new level is one new file and one line in
//! [`run`].

mod aes;
mod kdf;
mod message;
mod nea2;
mod nia2;
mod procedure;
mod security;
mod timing;

use rand::{Rng, RngCore};

use super::runner::Runner;
use super::txn::{KeyPair, Txn};
use crate::error::Error;
use crate::profile::SecurityInputs;
use crate::sim::params;
use crate::vectors::{self, CmacVector, CtrVector, NeaVector, NiaVector};

/// The official vectors the directed levels check.
pub(super) struct Vectors {
    nea2: Vec<NeaVector>,
    nia2: Vec<NiaVector>,
    ctr: Vec<CtrVector>,
    cmac: Vec<CmacVector>,
}

impl Vectors {
    /// Read the NEA2, NIA2 and AES mode vector files.
    pub(super) fn load() -> Result<Self, Error> {
        let nea2 = vectors::nea2()?;
        let nia2 = vectors::nia2()?;
        let (ctr, cmac, _) = vectors::aes_modes()?;
        Ok(Self {
            nea2,
            nia2,
            ctr,
            cmac,
        })
    }
}

/// The random transactions of a level: global indices `start .. start + n` of the run's
/// `count` (the same whatever the run's split over simulations and process shards).
#[derive(Debug, Clone, Copy)]
pub(super) struct Randoms {
    pub(super) start: u64,
    pub(super) n: u64,
}

impl Randoms {
    /// The first `n` of these and the rest.
    fn split(self, n: u64) -> (Randoms, Randoms) {
        let n = n.min(self.n);
        (
            Randoms {
                start: self.start,
                n,
            },
            Randoms {
                start: self.start + n,
                n: self.n - n,
            },
        )
    }
}

/// Split of the random transactions over the levels: a fifth each to AES, NEA2 and NIA2, the
/// rest to the message level, in that order of the global index.
struct RandomSplit {
    aes: Randoms,
    nea2: Randoms,
    nia2: Randoms,
    message: Randoms,
}

impl RandomSplit {
    fn of(count: usize) -> Self {
        let all = Randoms {
            start: 0,
            n: count as u64,
        };
        let fifth = all.n / 5;
        let (aes, rest) = all.split(fifth);
        let (nea2, rest) = rest.split(fifth);
        let (nia2, message) = rest.split(fifth);
        Self {
            aes,
            nea2,
            nia2,
            message,
        }
    }
}

impl RandomSplit {
    /// The split of a run without the AES level (the serial backend): a quarter each to NEA2
    /// and NIA2, the rest to the message level.
    fn without_aes(count: usize) -> Self {
        let all = Randoms {
            start: 0,
            n: count as u64,
        };
        let quarter = all.n / 4;
        let (aes, rest) = all.split(0);
        let (nea2, rest) = rest.split(quarter);
        let (nia2, message) = rest.split(quarter);
        Self {
            aes,
            nea2,
            nia2,
            message,
        }
    }
}

/// Run every level on `r` that `--only` / `--case` leave on: the first four always (random
/// transactions, plus the directed cases on the directed shard), the procedure, security and
/// stall-free timing on the directed shard only.
pub(super) fn run(r: &mut Runner, v: &Vectors) {
    let serial = r.serial.is_some();
    let n = if serial {
        RandomSplit::without_aes(r.opts.count)
    } else {
        RandomSplit::of(r.opts.count)
    };
    if r.level_enabled("aes") && !serial {
        aes::run(r, &v.ctr, &v.cmac, n.aes);
    }
    if r.level_enabled("nea2") {
        nea2::run(r, &v.nea2, n.nea2);
    }
    if r.level_enabled("nia2") {
        nia2::run(r, &v.nia2, n.nia2);
    }
    if r.level_enabled("message") {
        message::run(r, n.message);
    }
    if r.level_enabled("kdf") && !serial {
        kdf::run(r, r.opts.count);
    }
    if !r.directed {
        return;
    }
    if r.level_enabled("procedure") {
        procedure::run(r);
    }
    if r.level_enabled("security") && !serial {
        security::run(r);
    }
    if r.opts.only.is_none() && r.opts.case.is_none() && !serial {
        timing::run(r);
    }
}

/// The level names, in the order of the report.
pub(super) const LEVELS: [&str; 7] = [
    "aes",
    "nea2",
    "nia2",
    "message",
    "kdf",
    "procedure",
    "security",
];

/// Builds the transaction of a raw NEA2/NIA2 level from its keys, inputs, data and length.
type MakeTxn = fn(KeyPair, SecurityInputs, Vec<u8>, usize) -> Txn;

/// The longest NEA2/NIA2 input the RTL engine's buffer holds, in bits.
fn max_bits() -> usize {
    params::BUFFER_LEN * 8
}

/// The directed lengths of the raw NEA2/NIA2 levels (bits): around 0, one block, 256, 1024 and
/// the buffer size.
fn directed_lengths() -> Vec<usize> {
    let max_bits = max_bits();
    let mut lens: Vec<usize> = (0..=17).collect();
    lens.extend(119..=137);
    lens.extend([255, 256, 257, 1023, 1024, 1025, max_bits - 1, max_bits]);
    lens
}

/// The directed cases of a raw NEA2/NIA2 level besides the lengths.
struct Shape {
    /// Length of the cases over all 32 bearers in both directions.
    bearer_bits: usize,
    /// Length, BEARER and DIRECTION of the COUNT 0/0xffffffff, all-zero/all-one key cases.
    extreme_bits: usize,
    extreme_bearer: u8,
    extreme_direction: u8,
}

/// Directed and random cases of a raw NEA2/NIA2 level: every length of [`directed_lengths`],
/// all 32 bearers in both directions, COUNT 0/0xffffffff with all-zero/all-one keys (see
/// [`Shape`]), then `n` random transactions with back-pressure.
fn algorithm_cases(r: &mut Runner, make: MakeTxn, shape: &Shape, n: Randoms) {
    if r.directed {
        lengths(r, make);
        bearers_and_directions(r, make, shape.bearer_bits);
        count_and_key_extremes(r, make, shape);
    }
    random_algorithm(r, make, n);
}

fn lengths(r: &mut Runner, make: MakeTxn) {
    for bits in directed_lengths() {
        let (keys, inputs, data) = (r.keys(), r.inputs(), r.data(bits));
        r.check(
            &format!("{bits} bits"),
            make(keys, inputs, data, bits),
            0.0,
            false,
        );
    }
}

fn bearers_and_directions(r: &mut Runner, make: MakeTxn, bits: usize) {
    for bearer in 0..32u8 {
        for direction in 0..2u8 {
            let keys = r.keys();
            let inputs = SecurityInputs {
                count: r.rng.next_u32(),
                bearer,
                direction,
            };
            let data = r.data(bits);
            r.check(
                "bearer/direction",
                make(keys, inputs, data, bits),
                0.0,
                false,
            );
        }
    }
}

fn count_and_key_extremes(r: &mut Runner, make: MakeTxn, shape: &Shape) {
    for count in [0u32, 0xffff_ffff] {
        for key in [[0u8; 16], [0xff; 16]] {
            let inputs = SecurityInputs {
                count,
                bearer: shape.extreme_bearer,
                direction: shape.extreme_direction,
            };
            let data = r.data(shape.extreme_bits);
            let txn = make((key, key), inputs, data, shape.extreme_bits);
            r.check("COUNT/key extremes", txn, 0.0, false);
        }
    }
}

/// The random transactions `n`, mostly up to 1200 bits, a fifth up to the buffer size.
fn random_algorithm(r: &mut Runner, make: MakeTxn, n: Randoms) {
    let stall = r.opts.stall_prob;
    for k in r.randoms(n.start, n.n) {
        r.begin_random(k);
        let (keys, inputs) = (r.keys(), r.inputs());
        let bits = if r.rng.gen_bool(0.8) {
            r.rng.gen_range(0..=1200)
        } else {
            r.rng.gen_range(0..=max_bits())
        };
        let data = r.data(bits);
        r.check("random", make(keys, inputs, data, bits), stall, true);
    }
}
