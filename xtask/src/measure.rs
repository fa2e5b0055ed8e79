//! The process's allocator (mimalloc), counting what one thread allocates while it is asked
//! to: `fuzz` checks that decoding a body never needs memory far out of proportion to it.

use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;

/// mimalloc, with per-thread counts while [`peak_allocation`] runs.
pub struct Counting;

thread_local! {
    /// Whether this thread counts its allocations now.
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    /// Bytes this thread holds now, since counting started.
    static CURRENT: Cell<isize> = const { Cell::new(0) };
    /// The most it held.
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

/// Adds `change` to this thread's count when it is counting.
fn count(change: isize) {
    // `try_with`: a thread being torn down allocates too, after its locals are gone.
    let _ = COUNTING.try_with(|counting| {
        if counting.get() {
            let now = CURRENT.get() + change;
            CURRENT.set(now);
            if now > PEAK.get() {
                PEAK.set(now);
            }
        }
    });
}

// SAFETY: every call is passed to mimalloc as it came; the counting touches only plain
// thread-local cells, which never allocate.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size() as isize);
        // SAFETY: the caller's contract, passed on.
        unsafe { mimalloc::MiMalloc.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count(layout.size() as isize);
        // SAFETY: the caller's contract, passed on.
        unsafe { mimalloc::MiMalloc.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        count(-(layout.size() as isize));
        // SAFETY: the caller's contract, passed on.
        unsafe { mimalloc::MiMalloc.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size as isize - layout.size() as isize);
        // SAFETY: the caller's contract, passed on.
        unsafe { mimalloc::MiMalloc.realloc(ptr, layout, new_size) }
    }
}

/// Runs `work` and returns its result with the most memory this thread held at once while it
/// ran, in bytes.
pub fn peak_allocation<T>(work: impl FnOnce() -> T) -> (T, usize) {
    CURRENT.set(0);
    PEAK.set(0);
    COUNTING.set(true);
    let result = work();
    COUNTING.set(false);
    (result, PEAK.get().max(0) as usize)
}

#[cfg(test)]
mod tests {
    use super::peak_allocation;

    #[test]
    fn the_peak_counts_what_the_thread_held_at_once() {
        let (_, peak) = peak_allocation(|| {
            let first = vec![0u8; 10_000];
            drop(first);
            let second = vec![0u8; 4_000];
            second.len()
        });
        assert!((10_000..14_000).contains(&peak), "{peak}");
        // Nothing is counted outside.
        let (_, peak) = peak_allocation(|| 1 + 1);
        assert_eq!(peak, 0);
    }
}
