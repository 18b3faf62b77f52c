//! The reference backend (owned by the backend helper).
fn main() {}
