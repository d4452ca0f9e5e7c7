//! Key types. Every key zeroizes its bytes on drop and never prints them through `Debug`/`Display`;
//! the bytes are reachable only through the explicit [`Key128::expose`] / [`Key256::expose`].

use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::error::Error;

macro_rules! key_type {
    ($(#[$doc:meta])* $name:ident, $len:expr) => {
        $(#[$doc])*
        #[derive(Clone, Zeroize, ZeroizeOnDrop, PartialEq, Eq)]
        pub struct $name([u8; $len]);

        impl $name {
            /// Octets of this key type.
            pub const LEN: usize = $len;

            /// Wrap raw key bytes.
            pub fn new(bytes: [u8; $len]) -> Self {
                Self(bytes)
            }

            /// Build from a slice of exactly [`Self::LEN`] octets.
            pub fn from_slice(bytes: &[u8]) -> Result<Self, Error> {
                let arr: [u8; $len] = bytes.try_into().map_err(|_| Error::KeyLength {
                    expected: $len,
                    got: bytes.len(),
                })?;
                Ok(Self(arr))
            }

            /// Parse from hex.
            pub fn from_hex(text: &str) -> Result<Self, Error> {
                let mut v = crate::hexutil::decode(text)?;
                let k = Self::from_slice(&v);
                v.zeroize();
                k
            }

            /// The key bytes. Deliberately explicit: keys never print by accident.
            pub fn expose(&self) -> &[u8; $len] {
                &self.0
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, concat!(stringify!($name), "(<redacted>)"))
            }
        }
    };
}

key_type!(
    /// A 128-bit algorithm key (KCommand_enc, KCommand_int, or a raw NEA2/NIA2/AES key).
    Key128,
    16
);
key_type!(
    /// A 256-bit key (KAIOTF, or a 256-bit long-term key).
    Key256,
    32
);

/// The device's long-term key K_AIoT: 16 or 32 octets, held inline (no heap copy to forget).
#[derive(Clone, Zeroize, ZeroizeOnDrop, PartialEq, Eq)]
pub struct LongTermKey {
    bytes: [u8; 32],
    len: u8,
}

impl LongTermKey {
    /// Wrap 16 or 32 key octets.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, Error> {
        match bytes.len() {
            n @ (16 | 32) => {
                let mut k = Self {
                    bytes: [0; 32],
                    len: n as u8,
                };
                k.bytes[..n].copy_from_slice(bytes);
                Ok(k)
            }
            n => Err(Error::KeyLength {
                expected: if n < 24 { 16 } else { 32 },
                got: n,
            }),
        }
    }

    /// Parse from hex (32 or 64 hex digits).
    pub fn from_hex(text: &str) -> Result<Self, Error> {
        let mut v = crate::hexutil::decode(text)?;
        let k = Self::from_slice(&v);
        v.zeroize();
        k
    }

    /// The key bytes.
    pub fn expose(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len).min(32)]
    }
}

impl std::fmt::Debug for LongTermKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LongTermKey(<redacted {} octets>)", self.len)
    }
}

/// KCommand_enc and KCommand_int, derived together from one KAIOTF.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommandKeys {
    /// KCommand_enc: the 128-NEA2 key of the round (Annex A.4, the 128 least significant bits of
    /// the KDF output).
    pub enc: Key128,
    /// KCommand_int: the 128-NIA2 key of the round (Annex A.4, likewise).
    pub int: Key128,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_key_bytes() {
        let k = Key128::new([0xAB; 16]);
        let s = format!("{k:?}");
        assert!(!s.to_lowercase().contains("ab"), "{s}");
        let l = LongTermKey::from_slice(&[0xCD; 32]).unwrap();
        assert!(!format!("{l:?}").to_lowercase().contains("cd"));
    }

    #[test]
    fn lengths_are_checked() {
        assert!(Key128::from_slice(&[0; 15]).is_err());
        assert!(Key256::from_slice(&[0; 33]).is_err());
        assert!(LongTermKey::from_slice(&[0; 20]).is_err());
        assert!(Key128::from_hex("zz").is_err());
    }

    #[test]
    fn dropped_keys_leave_no_bytes() {
        use crate::testutil::bytes_after_drop;
        assert!(
            bytes_after_drop(Key128::new([0x5a; 16]))
                .iter()
                .all(|b| *b == 0)
        );
        assert!(
            bytes_after_drop(Key256::new([0x5a; 32]))
                .iter()
                .all(|b| *b == 0)
        );
        let l = LongTermKey::from_slice(&[0x5a; 32]).unwrap();
        assert!(bytes_after_drop(l).iter().all(|b| *b == 0));
        let c = CommandKeys {
            enc: Key128::new([0x11; 16]),
            int: Key128::new([0x22; 16]),
        };
        assert!(bytes_after_drop(c).iter().all(|b| *b == 0));
    }

    #[test]
    fn zeroize_clears_bytes() {
        let mut k = Key128::new([0x5A; 16]);
        k.zeroize();
        assert_eq!(k.expose(), &[0u8; 16]);
    }
}
