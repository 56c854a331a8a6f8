//! `tactful rules` and `tactful explain`: what the loaded packs contain.

use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;
use tactful::rules::Rule;
use tactful::RuleInfo;

use super::RuleOptions;

#[derive(Args, Debug)]
pub struct RulesArgs {
    /// Only rules of this category.
    #[arg(long)]
    pub category: Option<String>,
    #[command(flatten)]
    pub rules: RuleOptions,
}

#[derive(Args, Debug)]
pub struct ExplainArgs {
    /// The rule id, e.g. `pressure.asap`.
    pub rule: String,
    #[command(flatten)]
    pub rules: RuleOptions,
}

/// The config and the rules of its packs, one per id, in load order.
fn loaded(options: &RuleOptions) -> anyhow::Result<(tactful::Config, Vec<Arc<Rule>>)> {
    let cwd = std::env::current_dir()?;
    let config = options.config(&cwd)?;
    let rules = tactful::rules::layered_rules(&options.packs(&config)?)?;
    Ok((config, rules))
}

/// One line a rule: id, category, severity (or "off"), message.
pub fn list(args: &RulesArgs) -> anyhow::Result<ExitCode> {
    let (config, rules) = loaded(&args.rules)?;
    let selection = config.selection();
    let infos = rules.iter().map(|r| &r.info);
    let shown: Vec<&RuleInfo> = infos.filter(|i| args.category.as_ref().is_none_or(|c| &i.category == c)).map(|i| &**i).collect();
    let width = shown.iter().map(|i| i.id.len()).max().unwrap_or(0);
    for info in shown {
        let severity = selection.resolve(info).map_or("off", |s| s.as_str());
        println!("{:width$}  {:12}  {:7}  {}", info.id, info.category, severity, info.message);
    }
    Ok(ExitCode::SUCCESS)
}

/// The why, examples and rewrites of one rule.
pub fn explain(args: &ExplainArgs) -> anyhow::Result<ExitCode> {
    let (_, rules) = loaded(&args.rules)?;
    let infos = || rules.iter().map(|r| &r.info);
    let Some(info) = infos().find(|i| i.id == args.rule) else {
        let hint = match tactful::rules::builtin_pack_providing(&args.rule) {
            Some(pack) => format!("; it is in the built-in pack `{pack}`: `tactful explain {} --pack {pack}`", args.rule),
            None => match tactful::rules::did_you_mean(&args.rule, infos().map(|i| i.id.as_str())) {
                Some(close) => format!(" (did you mean `{close}`?)"),
                None => " (see `tactful rules`)".to_owned(),
            },
        };
        anyhow::bail!("no rule `{}` in the loaded packs{hint}", args.rule);
    };
    println!("{} ({}, {}, pack {})", info.id, info.category, info.severity, info.pack);
    println!("\n{}\n", info.message);
    if !info.why.is_empty() {
        println!("Why: {}\n", info.why);
    }
    if let Some(link) = &info.link {
        println!("More: {link}\n");
    }
    if !info.suggestions.is_empty() {
        println!("Rewrites:");
        for s in &info.suggestions {
            println!("  - {}: “{}”", s.title, s.replacement);
        }
        println!();
    }
    for (label, examples) in [("Flagged", &info.examples.flag), ("Not flagged", &info.examples.pass)] {
        if !examples.is_empty() {
            println!("{label}:");
            for example in examples {
                println!("  {}", example.trim().replace('\n', "\n  "));
            }
            println!();
        }
    }
    Ok(ExitCode::SUCCESS)
}
