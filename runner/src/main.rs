//! The `runner` binary; everything is in the library.

fn main() -> std::process::ExitCode {
    runner::main()
}
