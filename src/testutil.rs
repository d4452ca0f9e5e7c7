//! Test helpers shared by the unit tests.

/// The bytes of a value after its destructor ran, read before its memory is reused: a wiped
/// secret reads as zeros.
pub fn bytes_after_drop<T>(value: T) -> Vec<u8> {
    let mut slot = std::mem::MaybeUninit::new(value);
    let p = slot.as_mut_ptr();
    // SAFETY: `p` points to an initialised T that is dropped exactly once; the slot stays alive,
    // and after `drop_in_place` its bytes are read as plain octets (destructors that wipe write
    // them with volatile stores; padding, never written, is what `MaybeUninit::new` copied).
    unsafe {
        core::ptr::drop_in_place(p);
        std::slice::from_raw_parts(p.cast::<u8>(), std::mem::size_of::<T>()).to_vec()
    }
}

/// The bytes of a live value (to show that a secret is there before it is dropped).
pub fn bytes_of<T>(value: &T) -> Vec<u8> {
    // SAFETY: reads size_of::<T>() octets of a live, initialised value through a shared borrow.
    unsafe {
        std::slice::from_raw_parts((value as *const T).cast::<u8>(), std::mem::size_of::<T>())
            .to_vec()
    }
}
