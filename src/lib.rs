//! tactful: tone and trust risks in business email, found while the message is written.
//!
//! The crate is a pure library under two thin front ends (the `tactful check` CLI and
//! the `tactful lsp` language server, both in the binary):
//!
//! - [`message`] turns a compose buffer, a draft or a raw RFC 822 message into text
//!   plus regions (subject, body, quoted thread, signature, code, links), all as byte
//!   offsets into one string.
//! - [`rules`] reads rule packs (strict TOML, the built-in ones embedded) and compiles
//!   them once.
//! - [`engine`] runs every compiled rule over the checked regions of a message and
//!   returns [`Finding`]s: plain data with a byte span and suggested rewrites.
//! - [`fsread`] is the one way files tactful did not write are read (configs, packs,
//!   git checkouts, input): regular files only, within a size limit, never through a
//!   link out of their folder.
//!
//! Nothing here knows about LSP, terminals or JSON output; positions are UTF-8 byte
//! offsets and the front ends convert at their edge.

mod bytes;
pub mod config;
mod embedded;
pub mod engine;
pub mod finding;
pub mod fsread;
pub mod message;
mod parallel;
pub mod rules;
pub mod selection;
#[cfg(test)]
mod testing;
pub mod text;
pub mod wording;

pub use config::Config;
pub use engine::{Engine, Selection, SentenceCache, Toggle};
pub use finding::{Finding, Severity, Suggestion};
pub use message::Message;
pub use rules::{Pack, PackError, RuleInfo};
