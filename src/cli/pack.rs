//! `tactful pack check|test|new|sync`: the tools a team uses on its own rule packs.
//!
//! Exit statuses follow `check`: 0 when all is well, 1 when a pack has problems or an
//! example fails, 2 when the command cannot do its job (no such path, a pack that does
//! not load for `test`, a failed sync).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::{Args, Subcommand};
use tactful::engine::run_examples;
use tactful::fsread::Within;
use tactful::rules::git::{GitPack, SyncError, Synced};
use tactful::rules::{builtin_pack, builtin_pack_names, Loader, Rule};
use tactful::wording::counted;
use tactful::{Config, Engine, Pack, PackError, Selection, Toggle};

use super::{signals, EXIT_ERROR, EXIT_FINDINGS};

#[derive(Args, Debug)]
pub struct PackArgs {
    #[command(subcommand)]
    pub command: PackCommand,
}

#[derive(Subcommand, Debug)]
pub enum PackCommand {
    /// Validate packs: TOML, keys, regexes, unique ids, extends, examples present.
    Check(PathsArgs),
    /// Run every rule's examples (must flag, must pass, rewrites) like a test suite.
    Test(PathsArgs),
    /// Create a new pack folder with one example rule and its tests.
    New(NewArgs),
    /// Fetch the git packs named in the config into the cache, pinned to their refs.
    Sync(SyncArgs),
}

#[derive(Args, Debug)]
pub struct PathsArgs {
    /// Pack files or folders, folders of packs (searched for packs), or built-in names.
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<String>,
}

#[derive(Args, Debug)]
pub struct NewArgs {
    /// The pack's name: letters, digits, `-` and `_`; also the folder created.
    pub name: String,
    /// Where to create the folder (default: the current directory).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct SyncArgs {
    /// Sync the git packs of this config file only, instead of the user and workspace ones.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

pub fn run(args: &PackArgs) -> anyhow::Result<ExitCode> {
    match &args.command {
        PackCommand::Check(paths) => check(paths),
        PackCommand::Test(paths) => test(paths),
        PackCommand::New(new) => scaffold(new),
        PackCommand::Sync(sync) => sync_packs(sync),
    }
}

/// One pack to check or test, as found from the command line.
enum Target {
    Builtin(String),
    /// A pack named on the command line.
    Path(PathBuf),
    /// A pack found inside a folder named on the command line (`searched`, canonical),
    /// which it may not lead out of.
    Found {
        path: PathBuf,
        searched: PathBuf,
    },
}

impl Target {
    fn label(&self) -> String {
        match self {
            Target::Builtin(name) => format!("builtin:{name}"),
            Target::Path(path) | Target::Found { path, .. } => path.display().to_string(),
        }
    }

    fn load(&self) -> Result<Pack, PackError> {
        match self {
            Target::Builtin(name) => builtin_pack(name).expect("checked built-in name"),
            Target::Path(path) => Pack::load(path),
            Target::Found { path, searched } => Loader::default().path_inside(path, Within { root: searched, name: "the folder searched for packs" }),
        }
    }
}

/// Packs named by `paths`: a file, a folder with `.toml` files (one pack), a folder of
/// such folders (searched a few levels down), or a built-in name.
fn targets(paths: &[String]) -> anyhow::Result<Vec<Target>> {
    let mut out = Vec::new();
    for arg in paths {
        let path = Path::new(arg);
        if path.exists() {
            let before = out.len();
            if path.is_dir() {
                let searched = path.canonicalize().with_context(|| format!("{arg}: cannot read"))?;
                collect(path, &searched, 0, &mut out).with_context(|| format!("{arg}: cannot read"))?;
            } else {
                out.push(Target::Path(path.to_path_buf()));
            }
            anyhow::ensure!(out.len() > before, "{arg}: no packs here (a pack is a .toml file or a folder of them)");
        } else if builtin_pack_names().any(|name| name == arg) {
            out.push(Target::Builtin(arg.clone()));
        } else {
            anyhow::bail!("{arg}: no such file, folder or built-in pack");
        }
    }
    Ok(out)
}

/// Packs in the folder `path`, inside `searched`. A link that leads out of `searched`
/// is not followed: it becomes a target that fails to load, with the reason.
fn collect(path: &Path, searched: &Path, depth: usize, out: &mut Vec<Target>) -> std::io::Result<()> {
    let found = |path: &Path| Target::Found { path: path.to_path_buf(), searched: searched.to_path_buf() };
    if !path.canonicalize()?.starts_with(searched) {
        out.push(found(path));
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    if entries.iter().any(|p| p.is_file() && p.extension().is_some_and(|ext| ext == "toml")) {
        out.push(found(path));
        return Ok(());
    }
    if depth < 4 {
        let hidden = |p: &Path| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.'));
        for dir in entries.iter().filter(|p| p.is_dir() && !hidden(p)) {
            collect(dir, searched, depth + 1, out)?;
        }
    }
    Ok(())
}

/// Own rules without a `flag` example (errors) or without a `pass` one (warnings).
fn example_problems(pack: &Pack) -> (Vec<PackError>, Vec<PackError>) {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    for rule in pack.own_rules() {
        let id = &rule.info.id;
        if rule.info.examples.flag.is_empty() {
            let message = format!("rule `{id}` has no example: add `examples.flag = [\"...\"]` with a sentence it must flag");
            errors.push(PackError::at_location(&rule.location, message));
        } else if rule.info.examples.pass.is_empty() {
            let message = format!("rule `{id}` has no `examples.pass`: a sentence it must leave alone guards against false alarms");
            warnings.push(PackError::at_location(&rule.location, message));
        }
    }
    (errors, warnings)
}

/// Own rules with an expression or regex that has no anchor word or literal: they are
/// tried on every sentence of every message, which a team pack should avoid.
fn unanchored_warnings(pack: &Pack) -> Vec<PackError> {
    let mut selection = Selection::default();
    for rule in pack.own_rules() {
        selection.set(rule.info.id.clone(), Toggle::On);
    }
    let own: Vec<&str> = pack.own_rules().map(|rule| rule.info.id.as_str()).collect();
    let Ok(engine) = Engine::new(std::slice::from_ref(pack), &selection) else { return Vec::new() };
    engine
        .unanchored()
        .into_iter()
        .filter(|found| own.contains(&found.rule.as_str()))
        .map(|found| {
            let message = format!(
                "rule `{}`: `{}` has no word that every match contains, so it is tried on every sentence; start it from a word or a list of words",
                found.rule, found.source
            );
            PackError::at_location(&found.location, message)
        })
        .collect()
}

fn check(args: &PathsArgs) -> anyhow::Result<ExitCode> {
    let targets = targets(&args.paths)?;
    let mut bad = 0;
    for target in &targets {
        match target.load() {
            Ok(pack) => {
                let (errors, mut warnings) = example_problems(&pack);
                warnings.extend(unanchored_warnings(&pack));
                for warning in &warnings {
                    println!("warning: {warning}");
                }
                for error in &errors {
                    println!("error: {error}");
                }
                if errors.is_empty() {
                    println!("ok: {} (pack `{}`, {})", target.label(), pack.name, counted(pack.rules.len(), "rule"));
                } else {
                    bad += 1;
                }
            }
            Err(err) => {
                println!("error: {err}");
                bad += 1;
            }
        }
    }
    println!("{} checked, {bad} with problems", counted(targets.len(), "pack"));
    Ok(if bad == 0 { ExitCode::SUCCESS } else { ExitCode::from(EXIT_FINDINGS) })
}

/// Counts of one run of `pack test`.
#[derive(Default)]
struct Tally {
    passed: usize,
    failed: usize,
}

fn test(args: &PathsArgs) -> anyhow::Result<ExitCode> {
    let targets = targets(&args.paths)?;
    let mut tally = Tally::default();
    let mut failures = Vec::new();
    let mut broken = 0;
    for target in &targets {
        let pack = match target.load() {
            Ok(pack) => pack,
            Err(err) => {
                println!("\n{}: cannot load: {err}", target.label());
                broken += 1;
                continue;
            }
        };
        let own: Vec<&Arc<Rule>> = pack.own_rules().collect();
        println!("\nrunning {} of pack `{}` ({})", counted(own.len(), "rule"), pack.name, target.label());
        for rule in own {
            let problems = run_examples(&pack, rule).with_context(|| format!("rule `{}`", rule.info.id))?;
            let total = example_count(rule);
            tally.failed += problems.len().min(total);
            tally.passed += total.saturating_sub(problems.len());
            if problems.is_empty() {
                println!("test {} ... ok ({})", rule.info.id, counted(total, "example"));
            } else {
                println!("test {} ... FAILED ({} of {total} examples)", rule.info.id, problems.len());
                let mut block = format!("{} ({}):\n", rule.info.id, rule.location);
                for problem in problems {
                    writeln!(block, "    {problem}").unwrap();
                }
                failures.push(block);
            }
        }
    }
    if !failures.is_empty() {
        println!("\nfailures:\n");
        for block in &failures {
            println!("{block}");
        }
    }
    if broken > 0 {
        println!("\n{} did not load", counted(broken, "pack"));
    }
    println!("\n{} passed, {} failed", tally.passed, tally.failed);
    Ok(if broken > 0 {
        ExitCode::from(EXIT_ERROR)
    } else if tally.failed > 0 {
        ExitCode::from(EXIT_FINDINGS)
    } else {
        ExitCode::SUCCESS
    })
}

fn example_count(rule: &Rule) -> usize {
    let examples = &rule.info.examples;
    examples.flag.len() + examples.pass.len() + examples.rewrite.len()
}

fn scaffold(args: &NewArgs) -> anyhow::Result<ExitCode> {
    let name = &args.name;
    let valid =
        name.chars().next().is_some_and(|c| c.is_ascii_alphanumeric()) && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    anyhow::ensure!(valid, "pack name `{name}`: use letters, digits, `-` and `_`, starting with a letter or digit");
    let parent = match &args.dir {
        Some(dir) => dir.clone(),
        None => std::env::current_dir().context("reading the current directory")?,
    };
    let folder = parent.join(name);
    anyhow::ensure!(!folder.exists(), "{} already exists; choose another name or remove it", folder.display());
    std::fs::create_dir_all(&folder).with_context(|| format!("{}: cannot create", folder.display()))?;
    let category = name.to_ascii_lowercase().replace('_', "-");
    let file = folder.join("pack.toml");
    std::fs::write(&file, new_pack_text(name, &category)).with_context(|| format!("{}: cannot write", file.display()))?;
    println!("created {}", file.display());
    println!("next: edit the rule, then run `tactful pack test {}`", folder.display());
    println!("use it: add \"./{name}\" to `packs` in .tactful.toml (see `tactful init`)");
    Ok(ExitCode::SUCCESS)
}

/// The scaffold: one rule with examples and a rewrite test, and the other features commented.
fn new_pack_text(name: &str, category: &str) -> String {
    format!(
        r#"# The {name} rule pack. The format is described in rules/README.md of tactful.
# Check it with `tactful pack check {name}` and run its examples with `tactful pack test {name}`.

[pack]
name = "{name}"
description = "Our team's rules on top of the built-in ones."
# Start from the built-in rules; this pack's rules come on top.
extends = ["default"]

# Switch inherited rules or whole categories "off", "on", or to a severity.
# [pack.rules]
# "clarity" = "off"
# "pressure.asap" = "error"

# Words of this team: phrases that are always fine, and phrases always flagged.
# [vocabulary]
# allow = ["ASAP"]
#
# [[vocabulary.flag]]
# phrases = ["act now"]
# message = "We never rush a customer."
# replacement = "whenever suits you"

[[rule]]
id = "{category}.no-guarantees"
severity = "warning"
message = "We don't promise outcomes in writing: say what we will do instead."
why = "A written guarantee reads like a contract term, and a promise we cannot keep costs more trust than a modest one we keep."
phrases = ["we guarantee", "guaranteed results"]
# Sentences that mention a guarantee without making one.
unless = ['''\bno guarantee''']
suggestions = [{{ title = "Describe the commitment", replacement = "we commit to" }}]
examples.flag = ["We guarantee delivery by Friday."]
examples.pass = ["There is no guarantee in the contract, so let's agree on a date together."]
examples.rewrite = [{{ from = "We guarantee delivery by Friday.", to = "We commit to delivery by Friday." }}]
"#
    )
}

fn sync_packs(args: &SyncArgs) -> anyhow::Result<ExitCode> {
    let files: Vec<PathBuf> = match &args.config {
        Some(file) => vec![file.clone()],
        None => {
            let cwd = std::env::current_dir().context("reading the current directory")?;
            [Config::user_file(), Config::find_workspace_file(&cwd)].into_iter().flatten().filter(|f| f.is_file()).collect()
        }
    };
    let mut packs: Vec<GitPack> = Vec::new();
    for file in &files {
        for pack in Config::load(file)?.git_packs() {
            if !packs.contains(&pack) {
                packs.push(pack);
            }
        }
    }
    if packs.is_empty() {
        let looked = files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>();
        let looked = if looked.is_empty() { "no config file found".to_owned() } else { looked.join(", ") };
        println!("no git packs to sync ({looked})");
        return Ok(ExitCode::SUCCESS);
    }
    signals::catch();
    let interrupted = || signals::received().is_some();
    let mut failed = 0;
    for pack in &packs {
        let label = match &pack.path {
            Some(path) => format!("{} at {} ({path})", pack.url, pack.rev),
            None => format!("{} at {}", pack.url, pack.rev),
        };
        match pack.sync(&interrupted) {
            Ok(done) => {
                let what = match done {
                    Synced::New { commit } => format!("fetched {}", short(&commit)),
                    Synced::Updated { from, to } => format!("updated {} -> {}", short(&from), short(&to)),
                    Synced::Unchanged { commit } => format!("up to date ({})", short(&commit)),
                };
                let loaded = pack
                    .synced()
                    .map_err(|e| anyhow::anyhow!(e))
                    .and_then(|checkout| Loader::default().path_inside(&checkout.pack, checkout.within()).map_err(Into::into));
                match loaded {
                    Ok(loaded) => println!("{label}: {what}; pack `{}`, {}", loaded.name, counted(loaded.rules.len(), "rule")),
                    Err(err) => {
                        eprintln!("error: {label}: {what}, but the pack does not load: {err}");
                        failed += 1;
                    }
                }
            }
            Err(SyncError::Interrupted) => {
                let signal = signals::received().unwrap_or_default();
                eprintln!("error: {label}: {}", SyncError::Interrupted);
                eprintln!("tactful pack sync: stopped by {}", signals::name(signal));
                return Ok(ExitCode::from(signals::exit_status(signal)));
            }
            Err(err) => {
                eprintln!("error: {err}");
                failed += 1;
            }
        }
    }
    Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(EXIT_ERROR) })
}

fn short(commit: &str) -> &str {
    &commit[..commit.len().min(10)]
}
