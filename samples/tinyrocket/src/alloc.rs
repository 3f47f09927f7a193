//! tinyrocket's bundled global allocator (Cargo feature `bundled-alloc`).
//!
//! A static 1 MiB arena is carved into power-of-two blocks from 16 bytes to
//! 256 KiB, each aligned to its own size, with one free list per block size;
//! a spinlock guards the lot. A request is served from the class of
//! max(size, align) rounded up to a power of two, so every Layout alignment
//! up to 256 KiB is honoured. Freed blocks go back on their class's list and
//! are never merged. When neither the list nor the rest of the arena can
//! serve a request, the allocation returns null, and std reports the failure.

use std::alloc::{GlobalAlloc, Layout};
use std::cell::UnsafeCell;
use std::hint;
use std::ops::{Deref, DerefMut};
use std::ptr;
use std::sync::atomic::{AtomicBool, Ordering};

const ARENA_SIZE: usize = 1 << 20;
/// The smallest block: room for a free-list link, and malloc's alignment.
const MIN_SHIFT: u32 = 4;
const MAX_SHIFT: u32 = 18;
const CLASSES: usize = (MAX_SHIFT - MIN_SHIFT + 1) as usize;

#[global_allocator]
static GLOBAL: BundledAlloc = BundledAlloc::new();

#[repr(C, align(4096))]
struct Arena([u8; ARENA_SIZE]);

/// The link stored in the first bytes of a free block.
struct FreeBlock {
    next: *mut FreeBlock,
}

struct State {
    /// Offset of the first arena byte never handed out.
    top: usize,
    /// The free blocks of each class, class 0 being 1 << MIN_SHIFT bytes.
    free: [*mut FreeBlock; CLASSES],
}

pub struct BundledAlloc {
    locked: AtomicBool,
    state: UnsafeCell<State>,
    arena: UnsafeCell<Arena>,
}

// SAFETY: `state` and the arena's unallocated bytes are only touched through a
// Guard, which holds `locked`; allocated blocks belong to their callers.
unsafe impl Sync for BundledAlloc {}

/// Exclusive access to the allocator state, released on drop.
struct Guard<'a> {
    alloc: &'a BundledAlloc,
}

impl Deref for Guard<'_> {
    type Target = State;

    fn deref(&self) -> &State {
        // SAFETY: the guard holds the lock.
        unsafe { &*self.alloc.state.get() }
    }
}

impl DerefMut for Guard<'_> {
    fn deref_mut(&mut self) -> &mut State {
        // SAFETY: the guard holds the lock, and `&mut self` makes this the only reference.
        unsafe { &mut *self.alloc.state.get() }
    }
}

impl Drop for Guard<'_> {
    fn drop(&mut self) {
        self.alloc.locked.store(false, Ordering::Release);
    }
}

/// The class that serves `layout`, or None when it is larger than the largest block.
fn class_of(layout: Layout) -> Option<usize> {
    let need = layout.size().max(layout.align()).max(1 << MIN_SHIFT);
    let shift = need.checked_next_power_of_two()?.trailing_zeros();
    (shift <= MAX_SHIFT).then(|| (shift - MIN_SHIFT) as usize)
}

const fn block_size(class: usize) -> usize {
    1 << (class as u32 + MIN_SHIFT)
}

impl BundledAlloc {
    const fn new() -> Self {
        BundledAlloc {
            locked: AtomicBool::new(false),
            state: UnsafeCell::new(State {
                top: 0,
                free: [ptr::null_mut(); CLASSES],
            }),
            arena: UnsafeCell::new(Arena([0; ARENA_SIZE])),
        }
    }

    fn lock(&self) -> Guard<'_> {
        while self
            .locked
            .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            // Wait with plain loads, so that waiting cores do not fight over the line.
            while self.locked.load(Ordering::Relaxed) {
                hint::spin_loop();
            }
        }
        Guard { alloc: self }
    }

    fn base(&self) -> *mut u8 {
        self.arena.get().cast()
    }

    /// Pushes the block at arena offset `offset` onto the free list of `class`.
    ///
    /// # Safety
    /// The block must be unused, inside the arena and aligned to its size.
    unsafe fn push(&self, state: &mut State, offset: usize, class: usize) {
        let block = self.base().add(offset).cast::<FreeBlock>();
        block.write(FreeBlock {
            next: state.free[class],
        });
        state.free[class] = block;
    }

    /// Takes a new block of `class` from the top of the arena; null when it is full.
    ///
    /// # Safety
    /// `state` must come from this allocator's Guard.
    unsafe fn carve(&self, state: &mut State, class: usize) -> *mut u8 {
        let size = block_size(class);
        let base = self.base() as usize;
        let start = (base + state.top + size - 1) & !(size - 1);
        if start + size > base + ARENA_SIZE {
            return ptr::null_mut();
        }
        // Keep the alignment gap below `start` as smaller blocks. Each step
        // takes the largest block the current address is aligned to; that
        // block ends at or below `start`, which is aligned to a larger size.
        let mut at = base + state.top;
        while at < start {
            let shift = at.trailing_zeros();
            self.push(state, at - base, (shift - MIN_SHIFT) as usize);
            at += 1 << shift;
        }
        state.top = start + size - base;
        self.base().add(start - base)
    }
}

unsafe impl GlobalAlloc for BundledAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let class = match class_of(layout) {
            Some(class) => class,
            None => return ptr::null_mut(),
        };
        let mut state = self.lock();
        let head = state.free[class];
        if head.is_null() {
            return self.carve(&mut state, class);
        }
        state.free[class] = (*head).next;
        head.cast()
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // The layout is the one `ptr` was allocated with, so it has a class.
        let class = match class_of(layout) {
            Some(class) => class,
            None => return,
        };
        let offset = ptr as usize - self.base() as usize;
        let mut state = self.lock();
        self.push(&mut state, offset, class);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller guarantees that new_size, rounded up to the
        // alignment, does not overflow isize.
        let new_layout = Layout::from_size_align_unchecked(new_size, layout.align());
        if class_of(new_layout) == class_of(layout) {
            return ptr;
        }
        let new_ptr = self.alloc(new_layout);
        if !new_ptr.is_null() {
            ptr::copy_nonoverlapping(ptr, new_ptr, layout.size().min(new_size));
            self.dealloc(ptr, layout);
        }
        new_ptr
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::thread;

    fn in_arena(p: *mut u8, size: usize) -> bool {
        let base = GLOBAL.base() as usize;
        let p = p as usize;
        p >= base && p + size <= base + ARENA_SIZE
    }

    #[test]
    fn honours_alignment() {
        for shift in 0..=12 {
            let align = 1usize << shift;
            for size in [1, 7, 24, 100, 5000] {
                let layout = Layout::from_size_align(size, align).unwrap();
                unsafe {
                    let p = GLOBAL.alloc(layout);
                    assert!(!p.is_null());
                    assert_eq!(p as usize % align, 0, "size {size} align {align}");
                    assert!(in_arena(p, size));
                    p.write_bytes(0xa5, size);
                    GLOBAL.dealloc(p, layout);
                }
            }
        }
    }

    #[test]
    fn refuses_what_does_not_fit() {
        let huge = Layout::from_size_align(ARENA_SIZE, 16).unwrap();
        assert!(unsafe { GLOBAL.alloc(huge) }.is_null());
        assert_eq!(
            class_of(Layout::from_size_align(usize::MAX / 2, 1).unwrap()),
            None
        );
    }

    #[test]
    fn realloc_keeps_contents() {
        let layout = Layout::from_size_align(20, 4).unwrap();
        unsafe {
            let p = GLOBAL.alloc(layout);
            p.copy_from_nonoverlapping(b"0123456789abcdefghij".as_ptr(), 20);
            // 20 and 30 bytes share the 32-byte class: the block stays put.
            assert_eq!(GLOBAL.realloc(p, layout, 30), p);
            let q = GLOBAL.realloc(p, Layout::from_size_align(30, 4).unwrap(), 300);
            assert!(!q.is_null());
            assert_eq!(std::slice::from_raw_parts(q, 20), b"0123456789abcdefghij");
            GLOBAL.dealloc(q, Layout::from_size_align(300, 4).unwrap());
        }
    }

    #[test]
    fn threads_do_not_share_blocks() {
        let workers: Vec<_> = (0..4u8)
            .map(|id| {
                thread::spawn(move || {
                    for round in 0..2000usize {
                        let len = 1 + (round * 37 + id as usize * 11) % 700;
                        let v = vec![id; len];
                        let s = format!("{id}:{round}");
                        assert!(v.iter().all(|&b| b == id));
                        assert_eq!(s, format!("{id}:{round}"));
                    }
                })
            })
            .collect();
        for w in workers {
            w.join().unwrap();
        }
    }
}
