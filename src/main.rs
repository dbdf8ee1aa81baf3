//! The `quire` binary: all the work is in the library; see `quire::cli`.

fn main() -> std::process::ExitCode {
    quire::cli::main()
}
