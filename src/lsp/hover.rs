//! Hover: the rules behind every flagged span under the cursor (the narrowest first,
//! so a phrase inside a flagged sentence is not hidden by it), or the message-level
//! summary on the Subject line (the first line when there is no Subject). A hover
//! works the same in every client, where a code lens needs set-up in some (Neovim).

use tower_lsp_server::ls_types::{Hover, HoverContents, MarkupContent, MarkupKind, Position};

use super::convert;
use super::document::Document;
use super::position::{self, PositionEncoding};

/// What to show at `at` in `doc`, from its current check.
pub fn hover(doc: &Document, at: Position, encoding: PositionEncoding) -> Option<Hover> {
    let checked = doc.current().filter(|checked| checked.enabled)?;
    let offset = position::offset(&doc.rope, at, encoding);
    let mut hits: Vec<_> =
        checked.visible(&doc.ignored).filter(|(f, _)| f.span.start <= offset && offset < f.span.end.max(f.span.start + 1)).collect();
    hits.sort_by_key(|(f, _)| f.span.len());
    let (value, range) = match hits.first() {
        Some((narrowest, _)) => {
            let said: Vec<String> = hits.iter().map(|(finding, _)| convert::finding_markdown(checked, finding)).collect();
            (said.join("\n\n---\n\n"), Some(position::range(&doc.rope, narrowest.span.clone(), encoding)))
        }
        None => {
            let summary_line = checked.message.subject().map_or(0, |s| position::position(&doc.rope, s.start, encoding).line);
            if at.line != summary_line {
                return None;
            }
            (convert::summary_markdown(checked, &doc.ignored), None)
        }
    };
    Some(Hover { contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value }), range })
}
