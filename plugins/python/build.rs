//! Finds out which Python the plugin embeds, for two reasons:
//!
//! - `runner list` shows it (`RUNNER_PYTHON_VERSION`, e.g. `CPython 3.11.2
//!   (/usr/bin/python3.11)`): the plugin's manifest is static text, so the
//!   version is read from the interpreter pyo3 builds against;
//! - a missing `libpythonX.Y.so` (Debian's `python3-dev` not installed) fails
//!   here with the package to install, instead of as a linker error.
//!
//! The interpreter is pyo3's choice, which `PYO3_PYTHON` (set in the
//! workspace's `.cargo/config.toml`) decides.

use std::path::Path;
use std::process::Command;

fn main() {
    let config = pyo3_build_config::get();
    let executable = config.executable().unwrap_or("python3").to_owned();
    let version = Command::new(&executable)
        .args(["-c", "import platform; print(platform.python_implementation(), platform.python_version())"])
        .output()
        .ok()
        .filter(|out| out.status.success())
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
        .unwrap_or_else(|| format!("Python {}", config.version()));
    println!("cargo:rustc-env=RUNNER_PYTHON_VERSION={version} ({executable})");

    if let (Some(dir), Some(name)) = (config.lib_dir(), config.lib_name())
        && config.shared()
    {
        let library = Path::new(dir).join(format!("lib{name}.so"));
        if !library.exists() {
            panic!(
                "{} is missing: the Python plugin links against libpython. On Debian/Ubuntu: \
                 `apt-get install python3-dev` (or pick another interpreter with PYO3_PYTHON=/path/to/python3)",
                library.display()
            );
        }
        // The library's directory goes into the plugin's run path, so an
        // interpreter outside the system's library path (a pyenv or
        // /opt build with --enable-shared) is found when the plugin is loaded.
        // For Debian's python3.11 it is the system directory, which changes
        // nothing.
        println!("cargo:rustc-cdylib-link-arg=-Wl,-rpath,{dir}");
    }
    println!("cargo:rerun-if-env-changed=PYO3_PYTHON");
}
