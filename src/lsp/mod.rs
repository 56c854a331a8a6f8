//! `tactful lsp`: the language server, on stdin and stdout.
//!
//! The only module that knows the Language Server Protocol. It keeps the open
//! documents, converts at its edge (positions in [`position`], findings in
//! [`convert`]) and calls the library: [`tactful::Config`] for settings,
//! [`tactful::Engine::check`] on a [`tactful::Message`] for findings.
//!
//! - [`wire`]: vets the bytes from the client so a malformed message never ends the
//!   connection.
//! - [`server`]: the handlers, each a few lines, each under a panic guard.
//! - [`check`]: debounced checks off the executor, newest revision wins.
//! - [`workspace`] and [`settings`]: which config applies to a document.
//! - [`actions`]: quick fixes, ignore, disable, fix all; [`hover`]: explanations.
//!
//! Logs go to stderr and `window/logMessage`; stdout carries only the protocol.

mod actions;
mod check;
mod convert;
mod document;
mod hover;
mod position;
mod server;
mod settings;
mod wire;
mod workspace;

use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use tower_lsp_server::LspService;

use server::{Server, State};

/// Options of `tactful lsp`.
#[derive(Args, Debug)]
pub struct LspArgs {
    /// Talk over stdin and stdout (the only transport; accepted because clients pass it).
    #[arg(long)]
    pub stdio: bool,
}

/// How many requests are handled at once; notifications are applied in order.
const CONCURRENCY: usize = 16;

/// How long in-flight work may take once the input has ended.
const GRACE: Duration = Duration::from_millis(500);

/// Serves until `exit` or the end of stdin. Exit status 0, or 1 after an `exit`
/// that came without `shutdown`, as the protocol says.
pub fn run(_args: &LspArgs) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("tactful-lsp")
        .build()
        .context("starting the async runtime")?;
    let code = runtime.block_on(serve());
    // The stdin reader may be blocked in a read that never returns; do not wait for it.
    runtime.shutdown_timeout(Duration::from_millis(100));
    Ok(code)
}

async fn serve() -> ExitCode {
    let saw_exit = Arc::new(AtomicBool::new(false));
    let (to_server, from_relay) = tokio::io::duplex(1 << 20);
    let relay = {
        let saw_exit = Arc::clone(&saw_exit);
        tokio::spawn(async move {
            if let Err(err) = wire::relay(tokio::io::stdin(), to_server, &saw_exit).await {
                eprintln!("tactful: reading stdin: {err}");
            }
        })
    };
    let state = Arc::new(State::default());
    let (service, socket) = LspService::build(|client| Server::new(client, Arc::clone(&state)))
        .custom_method(wire::MALFORMED_METHOD, Server::malformed)
        .custom_method("tactful/debugPanic", Server::debug_panic)
        .finish();
    let serving = tower_lsp_server::Server::new(from_relay, tokio::io::stdout(), socket).concurrency_level(CONCURRENCY).serve(service);
    tokio::pin!(serving);
    tokio::select! {
        () = &mut serving => {}
        _ = relay => {
            // The input ended (or `exit` came): finish what is in flight, but do not wait
            // for answers from a client that has gone away.
            let _ = tokio::time::timeout(GRACE, &mut serving).await;
        }
    }
    if saw_exit.load(Ordering::SeqCst) && !state.shutdown_requested.load(Ordering::SeqCst) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
