// mimalloc: a request allocates and frees dozens of small objects (headers, bodies, futures);
// glibc's malloc spent ~15 % of a verify in malloc/free/consolidation, mimalloc's per-thread
// free lists a fraction of it. (The floor server in bench/ uses it too, so the comparison
// stays fair.)
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    jwtd::cli::main()
}
