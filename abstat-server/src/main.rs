//! The `abstat` command.
fn main() {}
