//! Named word lists (`[lists]`): defined once, inherited through `extends`, added to by
//! later packs (`[lists.add]`), and resolved when an engine is built from the final
//! stack of packs, so an addition reaches every rule that uses the list.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use foldhash::HashMap;

use super::expr::{Node, TokenRegex};
use super::keys::suggestion_suffix;
use super::{Location, Stored};

/// One list entry: an expression as written, parsed.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(bound(deserialize = "'de: 'static"))]
pub struct Entry {
    pub source: String,
    pub node: Node,
}

/// A `[lists]` definition or a `[lists.add]` to an inherited list.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
#[serde(bound(deserialize = "'de: 'static"))]
pub struct NamedList {
    pub name: String,
    pub add: bool,
    pub entries: Stored<Vec<Entry>>,
    /// Where it is written (its value).
    pub location: Location,
}

/// The lists a pack sees: its own and those of the packs it extends.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(bound(deserialize = "'de: 'static"))]
pub struct Lists {
    items: Vec<Arc<NamedList>>,
}

/// Why an `@name` cannot be resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResolveError {
    /// No such list; the message has a did-you-mean. `offset` is the `@` in the expression.
    Unknown { offset: usize, message: String },
    /// A problem not at a place in this expression: lists using each other in a circle,
    /// or a broken entry of a list it uses.
    Elsewhere(String),
}

impl ResolveError {
    pub fn message(&self) -> &str {
        match self {
            ResolveError::Unknown { message, .. } | ResolveError::Elsewhere(message) => message,
        }
    }
}

impl Lists {
    /// Whether `other` holds the very same lists (not equal copies).
    pub fn same_as(&self, other: &Lists) -> bool {
        self.items.len() == other.items.len() && self.items.iter().zip(&other.items).all(|(a, b)| Arc::ptr_eq(a, b))
    }

    /// Adds a list; a second definition of a name is an error naming both places, and
    /// an addition needs a list to add to.
    pub fn push(&mut self, list: Arc<NamedList>) -> Result<(), String> {
        if self.items.iter().any(|known| Arc::ptr_eq(known, &list) || known.location == list.location) {
            return Ok(());
        }
        if list.add {
            if self.definition(&list.name).is_none() {
                let close = suggestion_suffix(&list.name, self.names());
                return Err(format!("[lists.add] `{}`: no such list to add to{close}", list.name));
            }
        } else if let Some(first) = self.definition(&list.name) {
            return Err(format!("list `{}` is already defined at {}; add entries to it under [lists.add] instead", list.name, first.location));
        }
        self.items.push(list);
        Ok(())
    }

    /// Adds every list of `other` (those already here once).
    pub fn extend(&mut self, other: &Lists) -> Result<(), String> {
        other.items.iter().try_for_each(|list| self.push(Arc::clone(list)))
    }

    fn definition(&self, name: &str) -> Option<&NamedList> {
        self.items.iter().find(|l| !l.add && l.name == name).map(|l| &**l)
    }

    /// Names of the defined lists.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.items.iter().filter(|l| !l.add).map(|l| l.name.as_str())
    }

    /// Every definition and addition, in order.
    pub fn iter(&self) -> impl Iterator<Item = &NamedList> {
        self.items.iter().map(|l| &**l)
    }

    /// A resolver that expands `@name` with these lists, each list once: the
    /// expansions are kept in `memo`, for this resolver and the next ones.
    pub fn resolver<'a>(&'a self, memo: &'a Memo) -> Resolver<'a> {
        Resolver { lists: self, memo, active: Vec::new() }
    }

    /// `node` resolved with the lists `memo` has expanded before, and those it
    /// expands now added to them.
    pub fn resolve_with(&self, memo: &Memo, node: &Node) -> Result<Node, ResolveError> {
        self.resolver(memo).resolve(node)
    }

    /// `node` resolved, its expansions kept nowhere: to check it.
    pub fn resolve(&self, node: &Node) -> Result<Node, ResolveError> {
        self.resolve_with(&Memo::default(), node)
    }
}

/// Lists expanded so far, kept across resolutions made at different times and on
/// different threads (an engine compiles an expression when a message first needs
/// it): each list is expanded once. It is locked only to look up or keep one list or
/// regex, not for a whole resolution, so that a thread resolving an expression does
/// not wait for another to copy the tree of its own.
#[derive(Debug, Default)]
pub struct Memo(Mutex<Expanded>);

/// What a resolver has expanded: the lists by name, and one of each token regex by
/// its source, so that rules writing the same `/re/` share it and it is built once
/// (building one costs as much as matching it on thousands of tokens).
#[derive(Debug, Default)]
struct Expanded {
    lists: HashMap<String, Arc<Node>>,
    regexes: HashMap<String, Arc<TokenRegex>>,
}

impl Memo {
    fn expanded(&self) -> MutexGuard<'_, Expanded> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The list `name` as expanded before.
    fn list(&self, name: &str) -> Option<Arc<Node>> {
        self.expanded().lists.get(name).cloned()
    }

    /// Keeps `expanded` as the list `name`, unless another thread kept one first:
    /// the one kept, which every expression naming the list shares.
    fn keep_list(&self, name: &str, expanded: Arc<Node>) -> Arc<Node> {
        Arc::clone(self.expanded().lists.entry(name.to_owned()).or_insert(expanded))
    }

    /// The token regex written as `regex` is, the first one met.
    fn regex(&self, regex: &Arc<TokenRegex>) -> Arc<TokenRegex> {
        let mut expanded = self.expanded();
        if let Some(known) = expanded.regexes.get(&regex.source) {
            return Arc::clone(known);
        }
        expanded.regexes.insert(regex.source.clone(), Arc::clone(regex));
        Arc::clone(regex)
    }
}

/// Expands `@name`s.
#[derive(Debug)]
pub struct Resolver<'a> {
    lists: &'a Lists,
    memo: &'a Memo,
    active: Vec<String>,
}

impl Resolver<'_> {
    /// `node` with every `@name` replaced by its entries (and additions).
    pub fn resolve(&mut self, node: &Node) -> Result<Node, ResolveError> {
        Ok(match node {
            Node::List(name, offset) => self.list(name, *offset)?,
            Node::Seq(items) => Node::Seq(items.iter().map(|n| self.resolve(n)).collect::<Result<_, _>>()?),
            Node::Alt(items) => Node::Alt(items.iter().map(|n| self.resolve(n)).collect::<Result<_, _>>()?),
            Node::Repeat { node, min, max } => Node::Repeat { node: Box::new(self.resolve(node)?), min: *min, max: *max },
            Node::Not(inner) => Node::Not(Box::new(self.resolve(inner)?)),
            Node::Focus(inner) => Node::Focus(Box::new(self.resolve(inner)?)),
            Node::Capture(name, inner) => Node::Capture(name.clone(), Box::new(self.resolve(inner)?)),
            Node::Regex(regex) => Node::Regex(self.memo.regex(regex)),
            other => other.clone(),
        })
    }

    fn list(&mut self, name: &str, offset: usize) -> Result<Node, ResolveError> {
        if let Some(done) = self.memo.list(name) {
            return Ok(Node::Shared(done));
        }
        if let Some(start) = self.active.iter().position(|n| n == name) {
            let circle: Vec<String> = self.active[start..].iter().chain([&name.to_owned()]).map(|n| format!("@{n}")).collect();
            return Err(ResolveError::Elsewhere(format!("lists use each other in a circle: {}", circle.join(" -> "))));
        }
        if self.lists.definition(name).is_none() {
            let close = suggestion_suffix(name, self.lists.names());
            return Err(ResolveError::Unknown { offset, message: format!("unknown list `@{name}`{close}") });
        }
        self.active.push(name.to_owned());
        let lists = self.lists;
        let mut entries = Vec::new();
        for list in lists.items.iter().filter(|l| l.name == name) {
            for entry in list.entries.iter() {
                // An entry's own unknown names were reported when its pack loaded.
                entries.push(self.resolve(&entry.node).map_err(|err| match err {
                    ResolveError::Unknown { message, .. } => ResolveError::Elsewhere(format!("in list `@{name}` ({}): {message}", list.location)),
                    cycle => cycle,
                })?);
            }
        }
        self.active.pop();
        Ok(Node::Shared(self.memo.keep_list(name, Arc::new(Node::Alt(entries)))))
    }
}

/// Whether `name` is a list name: lower-case letters, digits and `-`, starting with a letter.
pub fn valid_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase()) && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::expr::parse;

    fn regexes(node: &Node) -> Vec<Arc<TokenRegex>> {
        match node {
            Node::Regex(regex) => vec![Arc::clone(regex)],
            Node::Seq(items) | Node::Alt(items) => items.iter().flat_map(regexes).collect(),
            _ => Vec::new(),
        }
    }

    /// Expressions resolved at different times share one token regex per source, so
    /// it is built once; regexes written otherwise stay apart.
    #[test]
    fn a_token_regex_written_twice_is_shared() {
        let lists = Lists::default();
        let memo = Memo::default();
        let first = lists.resolve_with(&memo, &parse("/[a-z]+ed/ it /[a-z]+ing/").unwrap()).unwrap();
        let second = lists.resolve_with(&memo, &parse("so /[a-z]+ed/").unwrap()).unwrap();
        let (first, second) = (regexes(&first), regexes(&second));
        assert!(Arc::ptr_eq(&first[0], &second[0]));
        assert!(!Arc::ptr_eq(&first[1], &second[0]));
        assert_eq!(second[0].source, "[a-z]+ed");
    }
}
