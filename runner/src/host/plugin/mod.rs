//! Plugins as the host sees them: found on the search path or named by path,
//! and described by a child (`runner __describe`), since the host itself never
//! loads a plugin.

mod catalog;
mod describe;
mod manifest_check;
mod pin;
mod search;

pub(crate) use catalog::{Catalog, ManifestSource};
pub(crate) use describe::describe;
pub(crate) use pin::Pin;
pub(crate) use search::{PluginRef, SearchPath};
