//! Links the `pipec` binary (and the examples, among them the TPC-H floor
//! runner, so that the comparison stays like for like) as a position-dependent
//! executable on Linux.
//!
//! A position-independent executable (rustc's default) is relocated by the
//! dynamic loader at every start: with DataFusion linked in that is ~240,000
//! pointers written into ~4 MB of tables, a copy-on-write page fault per
//! page, ~3 ms before `main` (`pipec --version` 5.2 ms against 2.1 ms
//! without; docs/performance.md). A fixed-address executable has them
//! resolved by the linker. The cost is that the executable's own image is
//! not placed at a random address (shared libraries, heap and stacks still
//! are). Build with `PIPEC_PIE=1` to keep rustc's default.

fn main() {
    println!("cargo:rerun-if-env-changed=PIPEC_PIE");
    let linux = std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux");
    let keep_pie = std::env::var_os("PIPEC_PIE").is_some_and(|v| v != "0");
    if linux && !keep_pie {
        println!("cargo:rustc-link-arg-bins=-no-pie");
        println!("cargo:rustc-link-arg-examples=-no-pie");
    }
}
