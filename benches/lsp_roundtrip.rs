//! Placeholder: the LSP round-trip benchmark is being written.
fn main() {}
