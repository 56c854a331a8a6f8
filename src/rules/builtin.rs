//! The packs shipped inside the binary (embedded by build.rs from `rules/`): their
//! names and texts, which [`super::load`] reads, and the default pack as build.rs
//! compiled it, which a load takes instead of reading its files again.

use std::sync::OnceLock;

use super::budget::Budget;
use super::{Loader, Pack, PackError};
use crate::embedded;

/// The pack used when a config names none.
pub const DEFAULT_PACK: &str = "default";

/// Names of every built-in pack.
pub fn builtin_pack_names() -> impl Iterator<Item = &'static str> {
    embedded::builtin_packs().iter().map(|(name, _)| *name)
}

/// The `(origin, text)` of each file of the built-in pack `name`.
pub(super) fn builtin_sources(name: &str) -> Option<Vec<(String, String)>> {
    let (_, files) = embedded::builtin_packs().iter().find(|(pack, _)| *pack == name)?;
    Some(files.iter().map(|(file, text)| ((*file).to_owned(), (*text).to_owned())).collect())
}

/// The built-in pack `name` as build.rs compiled it, with what compiling it cost; only
/// the default pack is compiled ahead. Read once per process: a constant of the binary
/// (`None` where there is none, such as in build.rs itself).
pub(super) fn compiled(name: &str) -> Option<&'static (Pack, Budget)> {
    static DEFAULT: OnceLock<Option<(Pack, Budget)>> = OnceLock::new();
    let read = || postcard::from_bytes(embedded::DEFAULT_PACK_COMPILED).ok();
    (name == DEFAULT_PACK).then(|| DEFAULT.get_or_init(read).as_ref()).flatten()
}

/// The default pack as build.rs compiled it: every load of the default pack shares its
/// rules and lists, so an engine can tell them apart from ones another pack changed.
pub fn compiled_default_pack() -> Option<&'static Pack> {
    compiled(DEFAULT_PACK).map(|(pack, _)| pack)
}

/// Loads the built-in pack `name` from its files and serializes it with what loading it
/// cost: what build.rs embeds for [`compiled`].
pub fn compile_builtin(name: &str) -> Result<(Pack, Vec<u8>), PackError> {
    let mut loader = Loader::default();
    let sources = builtin_sources(name).ok_or_else(|| PackError::whole_file(name, "no such built-in pack".to_owned()))?;
    let pack = loader.builtin_from_files(name, &sources)?;
    let bytes = postcard::to_allocvec(&(&pack, loader.budget())).map_err(|err| PackError::whole_file(name, format!("cannot serialize: {err}")))?;
    Ok((pack, bytes))
}
