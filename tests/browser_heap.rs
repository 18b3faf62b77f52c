//! The wasm build's allocator (src/web/heap.rs): blocks keep their contents through
//! growth, and memory freed is reused, so repeated work does not grow the wasm memory.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn memory_bytes() -> usize {
    core::arch::wasm32::memory_size(0) * 65536
}

#[wasm_bindgen_test]
fn growing_and_shrinking_vectors_keep_their_contents() {
    let mut bytes: Vec<u8> = Vec::new();
    for index in 0..200_000u32 {
        bytes.push((index % 251) as u8);
    }
    assert!(bytes.iter().enumerate().all(|(i, b)| *b == (i % 251) as u8));
    bytes.truncate(10);
    bytes.shrink_to_fit();
    assert_eq!(bytes, (0..10).collect::<Vec<u8>>());
    let mut text = String::new();
    for word in ["tenant", "client", "secret"].iter().cycle().take(6000) {
        text.push_str(word);
    }
    assert_eq!(text.len(), 6 * 6000);
    assert!(text.starts_with("tenantclientsecret") && text.ends_with("secret"));
}

#[wasm_bindgen_test]
fn over_aligned_blocks_are_aligned() {
    #[repr(align(64))]
    struct Wide([u8; 64]);
    let boxes: Vec<Box<Wide>> = (0..50).map(|i| Box::new(Wide([i; 64]))).collect();
    for (i, boxed) in boxes.iter().enumerate() {
        assert_eq!(&**boxed as *const Wide as usize % 64, 0);
        assert!(boxed.0.iter().all(|b| usize::from(*b) == i));
    }
    let small: Vec<Box<u128>> = (0..50u128).map(Box::new).collect();
    assert!(small.iter().all(|b| &**b as *const u128 as usize % 16 == 0));
}

#[wasm_bindgen_test]
fn memory_freed_is_reused_by_the_same_work() {
    let work = || {
        let strings: Vec<String> = (0..500).map(|i| "x".repeat(i % 97 + 1)).collect();
        let total: usize = strings.iter().map(String::len).sum();
        let mut buffer = Vec::new();
        for _ in 0..20 {
            buffer.extend_from_slice(&[7u8; 1000]);
        }
        total + buffer.len()
    };
    let first = work();
    let before = memory_bytes();
    for _ in 0..1000 {
        assert_eq!(work(), first);
    }
    assert_eq!(memory_bytes(), before, "the wasm memory grew");
}
