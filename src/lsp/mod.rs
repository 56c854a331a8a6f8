//! `tactful lsp`: the language server, on stdin and stdout.
//!
//! Editors frame messages with `Content-Length` headers; the Thunderbird add-on
//! reaches the same server through native messaging (`--native-messaging`, or when
//! Thunderbird starts the binary as the host named in its manifest), see [`wire`].
//!
//! The only module that knows the Language Server Protocol. It keeps the open
//! documents, converts at its edge (positions in [`position`], findings in
//! [`convert`]) and calls the library: [`tactful::Config`] for settings,
//! [`tactful::Engine::check`] on a [`tactful::Message`] for findings.
//!
//! - [`wire`]: the two framings; vets the bytes from the client so a malformed
//!   message never ends the connection.
//! - [`server`]: the handlers, each a few lines, each under a panic guard.
//! - [`check`]: debounced checks off the executor, newest revision wins.
//! - [`workspace`] and [`settings`]: which config applies to a document.
//! - [`actions`]: quick fixes, ignore, disable, fix all; [`hover`]: explanations.
//!
//! Logs go to stderr and `window/logMessage`; stdout carries only the protocol.

mod actions;
mod check;
mod context;
mod convert;
mod document;
mod hover;
mod position;
mod server;
mod settings;
mod wire;
mod workspace;

use std::ffi::OsString;
use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use tokio::io::AsyncWrite;
use tower_lsp_server::LspService;

use context::State;
use server::Server;
use wire::Framing;

/// Options of `tactful lsp`.
#[derive(Args, Debug, Default)]
pub struct LspArgs {
    /// Talk over stdin and stdout (always; accepted because clients pass it).
    #[arg(long)]
    pub stdio: bool,
    /// Frame messages as WebExtension native messaging (a 4-byte length in native byte
    /// order, then the JSON) instead of `Content-Length` headers: for the Thunderbird add-on.
    #[arg(long)]
    pub native_messaging: bool,
}

impl LspArgs {
    /// The options when a browser or mail client starts `tactful` as a native-messaging
    /// host: it runs the manifest's `path` with the manifest's path and the add-on's id
    /// (`[path, manifest.json, id]`; Windows adds a window handle), which no subcommand
    /// looks like.
    pub fn for_native_host(args: &[OsString]) -> Option<LspArgs> {
        let manifest = Path::new(args.get(1)?);
        let is_manifest = manifest.extension().is_some_and(|ext| ext.eq_ignore_ascii_case("json")) && manifest.is_absolute();
        (is_manifest && args.len() >= 3).then(|| LspArgs { native_messaging: true, ..LspArgs::default() })
    }
}

/// How many requests are handled at once; notifications are applied in order.
const CONCURRENCY: usize = 16;

/// How long in-flight work may take once the input has ended.
const GRACE: Duration = Duration::from_millis(500);

/// Serves until `exit` or the end of stdin. Exit status 0, or 1 after an `exit`
/// that came without `shutdown`, as the protocol says.
pub fn run(args: &LspArgs) -> anyhow::Result<ExitCode> {
    let framing = if args.native_messaging { Framing::Native } else { Framing::ContentLength };
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().thread_name("tactful-lsp").build().context("starting the async runtime")?;
    let code = runtime.block_on(serve(framing));
    // The stdin reader may be blocked in a read that never returns; do not wait for it.
    runtime.shutdown_timeout(Duration::from_millis(100));
    Ok(code)
}

async fn serve(framing: Framing) -> ExitCode {
    let saw_exit = Arc::new(AtomicBool::new(false));
    let (to_server, from_relay) = tokio::io::duplex(1 << 20);
    let relay = {
        let saw_exit = Arc::clone(&saw_exit);
        tokio::spawn(async move {
            if let Err(err) = wire::relay(tokio::io::stdin(), framing, to_server, &saw_exit).await {
                eprintln!("tactful: reading stdin: {err}");
            }
        })
    };
    let state = Arc::new(State::default());
    let (service, socket) = LspService::build(|client| Server::new(client, Arc::clone(&state)))
        .custom_method(wire::MALFORMED_METHOD, Server::malformed)
        .custom_method(wire::CHANGE_NOT_APPLIED_METHOD, Server::change_not_applied)
        .custom_method("tactful/debugPanic", Server::debug_panic)
        .finish();
    // The library writes `Content-Length` frames; for native messaging they are
    // reframed on their way to stdout.
    let (output, reframing): (Box<dyn AsyncWrite + Send + Unpin>, _) = match framing {
        Framing::ContentLength => (Box::new(tokio::io::stdout()), None),
        Framing::Native => {
            let (from_server, to_reframe) = tokio::io::duplex(1 << 20);
            let reframing = tokio::spawn(async move {
                if let Err(err) = wire::reframe(to_reframe, tokio::io::stdout()).await {
                    eprintln!("tactful: writing stdout: {err}");
                }
            });
            (Box::new(from_server), Some(reframing))
        }
    };
    let mut serving = Box::pin(tower_lsp_server::Server::new(from_relay, output, socket).concurrency_level(CONCURRENCY).serve(service));
    tokio::select! {
        () = &mut serving => {}
        _ = relay => {
            // The input ended (or `exit` came): finish what is in flight, but do not wait
            // for answers from a client that has gone away.
            let _ = tokio::time::timeout(GRACE, &mut serving).await;
        }
    }
    // Ends the server's output, so the reframing passes on what is left and stops.
    drop(serving);
    if let Some(reframing) = reframing {
        let _ = tokio::time::timeout(GRACE, reframing).await;
    }
    if saw_exit.load(Ordering::SeqCst) && !state.shutdown_requested.load(Ordering::SeqCst) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
