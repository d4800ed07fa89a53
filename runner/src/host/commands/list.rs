//! `runner list`: what can go in a scenario file.

use crate::host::exit_code;
use crate::host::expect::FUNCTIONS;
use crate::host::plugin::Catalog;
use crate::protocol::StrategyKind;

pub(crate) fn list(catalog: &mut Catalog) -> u8 {
    let libraries = catalog.search_path().discover();
    if libraries.is_empty() {
        println!("no plugins found (build them with `cargo build --release --workspace`, or use --plugin-dir)\n");
    }
    for library in libraries {
        match catalog.describe(&library) {
            Ok(manifest) => {
                println!("plugin {} {} — {}", manifest.name, manifest.version, manifest.description);
                println!("  {}", library.display());
                for workload in &manifest.workloads {
                    println!("  workload {}: {}", workload.name, workload.description);
                    for p in &workload.params {
                        println!("    {} ({}, default {}): {}", p.name, p.kind, p.default, p.help);
                    }
                }
            }
            Err(e) => println!("{}: cannot be loaded: {e}", library.display()),
        }
        println!();
    }
    println!("strategies (`kind` in [[strategy]]):");
    for kind in StrategyKind::ALL {
        let options = kind.options();
        let options = if options.is_empty() { String::new() } else { format!(" [options: {}]", options.join(", ")) };
        println!("  {:<11} {}{options}", kind.name(), kind.help());
    }
    println!("\nexpectation functions (`check` in [[expect]]):");
    for function in FUNCTIONS {
        println!(
            "  {} → {}, {}: {}",
            function.signature(),
            function.returns.name(),
            function.source.name(),
            function.help
        );
    }
    exit_code::OK
}
