//! File workloads: the lecture's `hash_file` (sha1 read in chunks, and the
//! digest changing when one byte is appended), and its directory demo (make a
//! tree, walk it, fail to `rmdir` it while it is not empty, remove it).
//! Files live in the run's scratch directory, which the runner makes and
//! removes whatever happens, so a crashed or killed run leaves nothing behind.

mod buffer;
mod hash;
mod tree;

use runner_sdk::export_plugin;

export_plugin! {
    name: "files",
    description: "files: sha1 of files read in chunks; make, walk and remove a tree",
    workloads: [hash::Hash, tree::Tree],
}
