//! The `pipec` command.

use std::process::ExitCode;

/// mimalloc: the compiler and the runtime allocate many small values on
/// several threads, where it is markedly faster than the system allocator
/// (docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    pipec::internals::main()
}
