//! `cargo xtask` (owned by the build helper).
fn main() {}
