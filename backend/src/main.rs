//! The `huimin` binary: see `backend::cli`.

/// mimalloc: the server allocates many small, short-lived buffers per request on every worker
/// thread (JSON, SQL rows, HTTP frames), where it spends less time than glibc's allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    backend::cli::main()
}
