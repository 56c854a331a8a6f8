//! Reports for `check`: rustc-style text for people, JSON for scripts.

use std::io::{self, Write};

use serde::Serialize;
use tactful::{Finding, Message, Severity};

/// One checked input with its findings.
pub struct Checked {
    pub path: String,
    pub message: Message,
    pub findings: Vec<Finding>,
}

/// The JSON report: byte offsets into the file (or into the decoded text when
/// `decoded` is true), 1-based lines and columns in Unicode scalar values.
pub fn json(out: &mut impl Write, results: &[Checked]) -> io::Result<()> {
    #[derive(Serialize)]
    struct FileReport<'a> {
        path: &'a str,
        decoded: bool,
        diagnostics: Vec<Diagnostic<'a>>,
    }
    #[derive(Serialize)]
    struct Diagnostic<'a> {
        rule: &'a str,
        category: &'a str,
        severity: Severity,
        message: &'a str,
        why: &'a str,
        start: usize,
        end: usize,
        line: usize,
        column: usize,
        end_line: usize,
        end_column: usize,
        text: &'a str,
        suggestions: &'a [tactful::Suggestion],
    }
    let files: Vec<FileReport<'_>> = results
        .iter()
        .map(|checked| {
            let text = checked.message.text();
            let diagnostics = checked
                .findings
                .iter()
                .map(|f| {
                    let (line, column) = line_column(text, f.span.start);
                    let (end_line, end_column) = line_column(text, f.span.end);
                    Diagnostic {
                        rule: &f.rule.id,
                        category: &f.rule.category,
                        severity: f.severity,
                        message: &f.rule.message,
                        why: &f.rule.why,
                        start: f.span.start,
                        end: f.span.end,
                        line,
                        column,
                        end_line,
                        end_column,
                        text: &text[f.span.clone()],
                        suggestions: &f.suggestions,
                    }
                })
                .collect();
            FileReport { path: &checked.path, decoded: checked.message.is_decoded(), diagnostics }
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &files)?;
    writeln!(out)
}

/// The text report, in the shape of rustc's diagnostics.
pub fn text(out: &mut impl Write, results: &[Checked], color: bool) -> io::Result<()> {
    let paint = Paint(color);
    let mut counts = [0usize; 4];
    for checked in results {
        let text = checked.message.text();
        for finding in &checked.findings {
            counts[finding.severity as usize] += 1;
            let (line, column) = line_column(text, finding.span.start);
            let sev = finding.severity;
            writeln!(out, "{}: {}", paint.severity(sev, &format!("{sev}[{}]", finding.rule.id)), paint.bold(&finding.rule.message))?;
            let decoded = if checked.message.is_decoded() { " (decoded text)" } else { "" };
            let gutter = line.to_string().len();
            writeln!(out, "{:gutter$}{} {}:{line}:{column}{decoded}", "", paint.blue("-->"), checked.path)?;
            let line_start = text[..finding.span.start].rfind('\n').map_or(0, |i| i + 1);
            let line_end = text[line_start..].find('\n').map_or(text.len(), |i| line_start + i);
            let source = text[line_start..line_end].trim_end_matches('\r');
            let underline_end = finding.span.end.min(line_start + source.len());
            let pad = display_width(&text[line_start..finding.span.start]);
            let marks = display_width(&text[finding.span.start..underline_end]).max(1);
            writeln!(out, "{:gutter$} {}", "", paint.blue("|"))?;
            writeln!(out, "{} {} {}", paint.blue(&line.to_string()), paint.blue("|"), source.replace('\t', " "))?;
            writeln!(out, "{:gutter$} {} {:pad$}{}", "", paint.blue("|"), "", paint.severity(sev, &"^".repeat(marks)))?;
            if let Some(suggestion) = finding.suggestions.first() {
                let replacement =
                    if suggestion.replacement.is_empty() { "(remove it)".to_owned() } else { format!("“{}”", suggestion.replacement) };
                writeln!(out, "{:gutter$} {} {}: {replacement}", "", paint.blue("="), paint.bold("suggestion"))?;
            }
            writeln!(out)?;
        }
    }
    let total: usize = counts.iter().sum();
    if total > 0 {
        let parts: Vec<String> = Severity::ALL
            .iter()
            .rev()
            .filter(|sev| counts[**sev as usize] > 0)
            .map(|sev| format!("{} {sev}{}", counts[*sev as usize], if counts[*sev as usize] == 1 { "" } else { "s" }))
            .collect();
        writeln!(out, "{total} finding{} ({}) in {} file{}", plural(total), parts.join(", "), results.len(), plural(results.len()))?;
    }
    Ok(())
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// 1-based line and column (in Unicode scalar values) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (before.matches('\n').count() + 1, before[line_start..].chars().count() + 1)
}

/// Columns a terminal gives the text; wide (CJK, emoji) characters take two.
fn display_width(text: &str) -> usize {
    text.chars()
        .map(|c| match c as u32 {
            0x0300..=0x036F | 0x200B..=0x200F | 0xFE00..=0xFE0F => 0,
            0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFF00..=0xFF60 | 0x1F300..=0x1FAFF | 0x20000..=0x3FFFD => 2,
            _ => 1,
        })
        .sum()
}

/// ANSI colours, or plain text when off.
struct Paint(bool);

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    fn severity(&self, severity: Severity, text: &str) -> String {
        let code = match severity {
            Severity::Error => "1;31",
            Severity::Warning => "1;33",
            Severity::Info => "1;36",
            Severity::Hint => "1;32",
        };
        self.wrap(code, text)
    }

    fn bold(&self, text: &str) -> String {
        self.wrap("1", text)
    }

    fn blue(&self, text: &str) -> String {
        self.wrap("1;34", text)
    }
}
