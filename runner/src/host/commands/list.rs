//! `runner list`: what can go in a scenario file.

use crate::host::exit_code;
use crate::host::expect::FUNCTIONS;
use crate::host::plugin::Catalog;
use crate::host::sanitize;
use crate::host::stdout::Stdout;
use crate::protocol::StrategyKind;

pub(crate) fn list(catalog: &mut Catalog) -> u8 {
    let mut stdout = Stdout::new();
    // Manifests are the plugins' words: their controls are shown, not obeyed.
    let mut println = |text: String| stdout.line(&sanitize::multiline(&text));
    println("plugin search path (first match wins):".to_owned());
    for (dir, origin) in catalog.search_path().dirs() {
        let state = if dir.is_dir() { "" } else { " (missing)" };
        println(format!("  {} — {}{state}", dir.display(), origin.describe()));
    }
    println(String::new());
    let libraries = catalog.search_path().discover();
    if libraries.is_empty() {
        println(
            "no plugins found (build them with `cargo build --release --workspace`, install them with `./install.sh`, or use --plugin-dir)\n".to_owned(),
        );
    }
    for library in libraries {
        match catalog.describe(&library) {
            Ok(manifest) => {
                println(format!("plugin {} {} — {}", manifest.name, manifest.version, manifest.description));
                println(format!("  {}", library.display()));
                for workload in &manifest.workloads {
                    println(format!("  workload {}: {}", workload.name, workload.description));
                    for p in &workload.params {
                        println(format!("    {} ({}, default {}): {}", p.name, p.kind, p.default, p.help));
                    }
                }
            }
            Err(e) => println(format!("{}: cannot be loaded: {e}", library.display())),
        }
        println(String::new());
    }
    println("strategies (`kind` in [[strategy]]):".to_owned());
    for kind in StrategyKind::ALL {
        let options = kind.options();
        let options = if options.is_empty() { String::new() } else { format!(" [options: {}]", options.join(", ")) };
        println(format!("  {:<11} {}{options}", kind.name(), kind.help()));
    }
    println("\nexpectation functions (`check` in [[expect]]):".to_owned());
    for f in FUNCTIONS {
        println(format!("  {} → {}, {}: {}", f.signature(), f.returns.name(), f.source.name(), f.help));
    }
    exit_code::OK
}
