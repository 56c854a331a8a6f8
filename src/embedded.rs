//! What build.rs made of `rules/`: the built-in packs' files, and the default pack
//! compiled ([`crate::rules::compile_builtin`], [`crate::engine::compile_default_words`]).

include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
