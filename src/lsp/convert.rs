//! From the engine's findings to protocol types: diagnostics with their `data`, and
//! the Markdown of hovers. Pure translation; positions go through [`super::position`].

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write;

use ropey::Rope;
use serde::{Deserialize, Serialize};
use tactful::{Finding, Severity};
use tower_lsp_server::ls_types::{CodeDescription, Diagnostic, DiagnosticSeverity, NumberOrString, Range, Uri};

use super::document::{Checked, IgnoreKey};
use super::position::{self, PositionEncoding};
use super::workspace::Problem;

/// `Diagnostic.source` of every finding.
pub const SOURCE: &str = "tactful";

/// What a diagnostic carries in `data`: everything its code actions need, so that
/// building them is a translation of what the client sends back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FindingData {
    /// The document version the finding was found in; actions on another are stale.
    pub version: i32,
    pub rule: String,
    pub category: String,
    /// The flagged text, to make sure the edit replaces what was flagged.
    pub text: String,
    /// Which occurrence of (rule, text) in the document: the key of "ignore".
    pub occurrence: usize,
    pub suggestions: Vec<SuggestionData>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuggestionData {
    pub title: String,
    pub replacement: String,
}

impl FindingData {
    pub fn of(checked: &Checked, finding: &Finding, occurrence: usize) -> FindingData {
        FindingData {
            version: checked.version,
            rule: finding.rule.clone(),
            category: finding.category.clone(),
            text: checked.message.text().get(finding.span.clone()).unwrap_or_default().to_owned(),
            occurrence,
            suggestions: finding.suggestions.iter().map(|s| SuggestionData { title: s.title.clone(), replacement: s.replacement.clone() }).collect(),
        }
    }

    /// The data of a diagnostic we published, if it is one.
    pub fn from_diagnostic(diagnostic: &Diagnostic) -> Option<FindingData> {
        if diagnostic.source.as_deref() != Some(SOURCE) {
            return None;
        }
        serde_json::from_value(diagnostic.data.clone()?).ok()
    }
}

pub fn severity(severity: Severity) -> DiagnosticSeverity {
    match severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
        Severity::Hint => DiagnosticSeverity::HINT,
    }
}

/// One finding as a diagnostic.
pub fn diagnostic(checked: &Checked, finding: &Finding, occurrence: usize, encoding: PositionEncoding) -> Diagnostic {
    let data = FindingData::of(checked, finding, occurrence);
    Diagnostic {
        range: position::range(&checked.rope, finding.span.clone(), encoding),
        severity: Some(severity(finding.severity)),
        code: Some(NumberOrString::String(finding.rule.clone())),
        code_description: checked.rule(finding).and_then(|rule| rule.link.as_deref()?.parse::<Uri>().ok()).map(|href| CodeDescription { href }),
        source: Some(SOURCE.to_owned()),
        message: finding.message.clone(),
        data: serde_json::to_value(data).ok(),
        ..Diagnostic::default()
    }
}

/// The diagnostics of a check, ignored findings left out.
pub fn diagnostics(checked: &Checked, ignored: &HashSet<IgnoreKey>, encoding: PositionEncoding) -> Vec<Diagnostic> {
    checked.visible(ignored).map(|(finding, occurrence)| diagnostic(checked, finding, *occurrence, encoding)).collect()
}

/// A config or pack problem as a diagnostic on its file (`rope` is the file's text):
/// from the place it names to the end of that line.
pub fn problem(rope: &Rope, problem: &Problem, encoding: PositionEncoding) -> Diagnostic {
    let start = position::from_line_column(rope, problem.error.line, problem.error.column, encoding);
    let end = position::line_end(rope, start.line as usize, encoding);
    Diagnostic {
        range: Range::new(start, if end.character > start.character { end } else { start }),
        severity: Some(if problem.fatal { DiagnosticSeverity::ERROR } else { DiagnosticSeverity::WARNING }),
        source: Some(SOURCE.to_owned()),
        message: problem.error.message.clone(),
        ..Diagnostic::default()
    }
}

/// Hover text for one finding: what, why, what instead, which rule.
pub fn finding_markdown(checked: &Checked, finding: &Finding) -> String {
    let rule = checked.rule(finding);
    let mut out = format!("**{}**\n", escape(&finding.message));
    if let Some(why) = rule.map(|rule| &rule.why).filter(|why| !why.is_empty()) {
        let _ = write!(out, "\n{}\n", escape(why));
    }
    if !finding.suggestions.is_empty() {
        out.push_str("\nTry instead:\n");
        for suggestion in &finding.suggestions {
            let _ = writeln!(out, "- {}", escape(&suggestion_label(&suggestion.title, &suggestion.replacement)));
        }
    }
    let _ = write!(out, "\n`{}` · {} · {}", finding.rule, finding.category, finding.severity);
    if let Some(link) = rule.and_then(|rule| rule.link.as_ref()) {
        let _ = write!(out, " · [about this rule]({link})");
    }
    out
}

/// "Title: “replacement”", or the title alone when it already quotes the replacement.
pub fn suggestion_label(title: &str, replacement: &str) -> String {
    if replacement.is_empty() {
        format!("{title} (remove it)")
    } else if title.contains(replacement) {
        title.to_owned()
    } else {
        format!("{title}: “{replacement}”")
    }
}

/// The message-level summary: findings by category and the draft's "heat".
pub fn summary_markdown(checked: &Checked, ignored: &HashSet<IgnoreKey>) -> String {
    let mut by_category: BTreeMap<&str, [usize; 4]> = BTreeMap::new();
    let mut weight = 0.0;
    let mut total = 0;
    for (finding, _) in checked.visible(ignored) {
        by_category.entry(finding.category.as_str()).or_default()[finding.severity as usize] += 1;
        weight += heat_weight(finding.severity);
        total += 1;
    }
    let words = checked.message.masked().split_whitespace().filter(|w| w.chars().any(char::is_alphanumeric)).count();
    let per_100 = weight * 100.0 / words.max(1) as f64;
    let (label, bar) = heat(per_100);
    let mut out = match total {
        0 => "**tactful: no findings in this message**\n".to_owned(),
        1 => "**tactful: 1 finding in this message**\n".to_owned(),
        n => format!("**tactful: {n} findings in this message**\n"),
    };
    let _ = writeln!(out, "\nHeat: {bar} {label} ({per_100:.1} per 100 words, {words} words checked)");
    if !by_category.is_empty() {
        out.push('\n');
    }
    for (category, counts) in by_category {
        let n: usize = counts.iter().sum();
        let detail: Vec<String> = Severity::ALL
            .iter()
            .rev()
            .filter(|s| counts[**s as usize] > 0)
            .map(|s| tactful::wording::counted(counts[*s as usize], s.as_str()))
            .collect();
        let _ = writeln!(out, "- {category}: {n} ({})", detail.join(", "));
    }
    out
}

fn heat_weight(severity: Severity) -> f64 {
    match severity {
        Severity::Error => 3.0,
        Severity::Warning => 2.0,
        Severity::Info => 1.0,
        Severity::Hint => 0.5,
    }
}

/// A label and a five-step bar for weighted findings per 100 words.
fn heat(per_100: f64) -> (&'static str, &'static str) {
    match per_100 {
        x if x <= 0.0 => ("cool", "▱▱▱▱▱"),
        x if x < 2.0 => ("mild", "▰▱▱▱▱"),
        x if x < 5.0 => ("warm", "▰▰▰▱▱"),
        x if x < 10.0 => ("hot", "▰▰▰▰▱"),
        _ => ("heated", "▰▰▰▰▰"),
    }
}

/// Markdown-escapes text written by pack authors.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_escapes() {
        assert_eq!(suggestion_label("Use one mark", "?"), "Use one mark: “?”");
        assert_eq!(suggestion_label("Replace with “soon”", "soon"), "Replace with “soon”");
        assert_eq!(suggestion_label("Drop it", ""), "Drop it (remove it)");
        assert_eq!(escape("a *b* [c]"), "a \\*b\\* \\[c\\]");
        assert_eq!(heat(0.0).0, "cool");
        assert_eq!(heat(3.0).0, "warm");
    }
}
