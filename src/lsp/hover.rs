//! Hover: the rule behind a flagged span, or the message-level summary on the
//! Subject line (the first line when there is no Subject). A hover works the same in
//! every client, where a code lens needs set-up in some (Neovim).

use tower_lsp_server::ls_types::{Hover, HoverContents, MarkupContent, MarkupKind, Position};

use super::convert;
use super::document::Document;
use super::position::{self, PositionEncoding};

/// What to show at `at` in `doc`, from its current check.
pub fn hover(doc: &Document, at: Position, encoding: PositionEncoding) -> Option<Hover> {
    let checked = doc.current().filter(|checked| checked.enabled)?;
    let offset = position::offset(&doc.rope, at, encoding);
    let hit = checked.visible(&doc.ignored).find(|(f, _)| f.span.start <= offset && offset < f.span.end.max(f.span.start + 1));
    let (value, range) = match hit {
        Some((finding, _)) => (convert::finding_markdown(checked, finding), Some(position::range(&doc.rope, finding.span.clone(), encoding))),
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
