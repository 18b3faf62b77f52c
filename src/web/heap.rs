//! The wasm module's memory allocator: one free list per power-of-two size class, on top
//! of `memory.grow`.
//!
//! Why not the standard library's dlmalloc: it is about 7 KB of code (3.5 KB gzipped, a
//! twentieth of the package's size budget) for a program that holds a few hundred small
//! blocks at a time. The modal allocates the same shapes every time it opens (option
//! strings, texts, listeners), so exact-size-class free lists give every block back to the
//! next open: memory stays flat over thousands of open/close cycles (`cargo xtask bench`
//! measures it), at the price of rounding each block up to a power of two. Blocks are never
//! split or merged, so there is no fragmentation bookkeeping to get wrong.
//!
//! wasm32-unknown-unknown without the `atomics` feature has one thread, so the heap is a
//! plain cell.

use std::alloc::{GlobalAlloc, Layout};
use std::cell::UnsafeCell;
use std::ptr::null_mut;

/// Size classes 2^3 (8 bytes, enough for the free-list link) to 2^31.
const CLASSES: usize = 32;
/// The smallest class's exponent.
const MIN_CLASS: usize = 3;
/// Alignment of every fresh block (enough for any Rust type on wasm32, `u128` included).
const BLOCK_ALIGN: usize = 16;
/// A wasm page.
const PAGE: usize = 65536;

struct Heap {
    /// The first free block of each class; each free block holds the next one's address.
    free: [*mut u8; CLASSES],
    /// Where the next fresh block may start.
    next: usize,
    /// The end of the memory this heap got from `memory.grow`.
    end: usize,
}

/// The allocator (see the module documentation).
pub(crate) struct SizeClasses(UnsafeCell<Heap>);

// SAFETY: the wasm32-unknown-unknown target this module is compiled for is single-threaded.
unsafe impl Sync for SizeClasses {}

#[global_allocator]
static HEAP: SizeClasses = SizeClasses(UnsafeCell::new(Heap {
    free: [null_mut(); CLASSES],
    next: 0,
    end: 0,
}));

/// The class of a layout: the exponent of the smallest power of two holding its size and
/// its alignment.
fn class_of(layout: Layout) -> usize {
    let size = layout.size().max(layout.align());
    if size <= 1 << MIN_CLASS {
        return MIN_CLASS;
    }
    (usize::BITS - (size - 1).leading_zeros()) as usize
}

impl Heap {
    /// A fresh block of `1 << class` bytes aligned to `align`, from the end of the heap.
    fn fresh(&mut self, class: usize, align: usize) -> *mut u8 {
        let size = 1usize << class;
        let align = align.max(BLOCK_ALIGN);
        let mut start = (self.next + align - 1) & !(align - 1);
        if start.checked_add(size).is_none_or(|end| end > self.end) {
            let pages = (size + align).div_ceil(PAGE);
            let old_pages = core::arch::wasm32::memory_grow(0, pages);
            if old_pages == usize::MAX {
                return null_mut();
            }
            let base = old_pages * PAGE;
            if base != self.end {
                // Someone else grew the memory in between: start over in the new pages.
                self.next = base;
            }
            self.end = base + pages * PAGE;
            start = (self.next + align - 1) & !(align - 1);
        }
        self.next = start + size;
        start as *mut u8
    }
}

unsafe impl GlobalAlloc for SizeClasses {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let class = class_of(layout);
        if class >= CLASSES {
            return null_mut();
        }
        // SAFETY: single-threaded, and no allocator call re-enters another.
        let heap = unsafe { &mut *self.0.get() };
        let head = heap.free[class];
        // A recycled block is 16-aligned (or more); stricter layouts take a fresh one.
        if !head.is_null() && layout.align() <= BLOCK_ALIGN {
            // SAFETY: a free block's first word is the link to the next free block.
            heap.free[class] = unsafe { *(head as *mut *mut u8) };
            return head;
        }
        heap.fresh(class, layout.align())
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let class = class_of(layout);
        // SAFETY: as in `alloc`; `ptr` is a block of this class that is no longer used, at
        // least 8 bytes long and aligned for a pointer.
        unsafe {
            let heap = &mut *self.0.get();
            // Always a slot: `alloc` gave out no block of a larger class.
            if let Some(slot) = heap.free.get_mut(class) {
                *(ptr as *mut *mut u8) = *slot;
                *slot = ptr;
            }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller guarantees that `new_size`, rounded to `layout.align()`, fits
        // in an isize; the alignment is the old, valid one.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        if class_of(new_layout) == class_of(layout) {
            // The block already has room (a growing Vec or String often stays in its class).
            return ptr;
        }
        // SAFETY: `new_layout` is non-zero-sized as `new_size` is; both blocks are valid
        // for the copied length and distinct.
        unsafe {
            let new = self.alloc(new_layout);
            if !new.is_null() {
                std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
            new
        }
    }
}
