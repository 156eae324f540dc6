//! Loading YAML within bounds: a nesting limit and an alias-expansion budget, both checked on the event
//! stream before saphyr's loader builds anything.
//!
//! - **Nesting.** `saphyr_parser::Parser::load` recurses once per level of nesting (`load_node` →
//!   `load_sequence` → `load_node` …), and the tree saphyr builds is dropped, cloned (aliases) and hashed
//!   (mapping keys) recursively too: a workflow file of `- - - …` a few tens of kilobytes long overflows
//!   the stack, which aborts the whole run instead of failing one file. So the events are pulled here, in
//!   a loop, and a document nested deeper than any workflow needs is refused at the node that crossed it.
//! - **Aliases.** saphyr's loader clones an anchor's subtree for each alias. Its own budget counts a
//!   mapping key as one node whatever the key holds, so anchors whose *keys* are sequences of aliases
//!   (`&b {? [*a, *a, …]: x}`) grow nine-fold per line while the budget sees three nodes: 457 bytes took
//!   over 3 GB and aborted the run. Here every node an alias would add is counted — keys included — from
//!   the sizes of the anchored nodes, and the file is refused once aliases would add more than
//!   [`MAX_ALIAS_NODES`].

use saphyr_parser::{Event, Input, Parser, ScanError, SpannedEventReceiver};
use std::collections::HashMap;

/// Sequences and mappings inside each other. Real workflows nest about ten deep (`jobs.<id>.steps[].with`,
/// matrix `include` lists); 256 levels of recursive drop fit easily in a 2 MiB thread stack.
pub const MAX_DEPTH: usize = 256;

/// Nodes that aliases may add to a file, all documents together. A real workflow's anchors (a shared
/// `env:` block, a list of steps reused by a few jobs) add hundreds; this is a few tens of megabytes of
/// tree at most.
pub const MAX_ALIAS_NODES: u64 = 100_000;

/// One open sequence or mapping: its anchor (0 = none) and the nodes inside it so far, itself included.
struct Open {
    anchor: usize,
    nodes: u64,
}

/// What `parser.load(recv, true)` does, without recursion and within the bounds above. One difference:
/// `load` forgets anchors at each new document, the parser's event stream does not; GitHub reads one
/// document per workflow file, so only a multi-document file could tell.
pub fn load<'input, T: Input, R: SpannedEventReceiver<'input>>(
    parser: &mut Parser<'input, T>,
    recv: &mut R,
) -> Result<(), ScanError> {
    let mut open: Vec<Open> = Vec::new();
    // Anchor id → the number of nodes an alias to it adds (its subtree, keys and expansions included).
    let mut sizes: HashMap<usize, u64> = HashMap::new();
    let mut alias_nodes = 0u64;
    while let Some(next) = parser.next_event() {
        let (ev, span) = next?;
        // The nodes this event completes (a scalar, an alias, a closed collection), for its parent.
        let completed = match &ev {
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if open.len() >= MAX_DEPTH {
                    return Err(ScanError::new(
                        span.start,
                        format!("sequences and mappings nested more than {MAX_DEPTH} deep"),
                    ));
                }
                open.push(Open {
                    anchor: *anchor,
                    nodes: 1,
                });
                None
            }
            Event::SequenceEnd | Event::MappingEnd => open.pop().map(|closed| {
                if closed.anchor > 0 {
                    sizes.insert(closed.anchor, closed.nodes);
                }
                closed.nodes
            }),
            Event::Scalar(_, _, anchor, _) => {
                if *anchor > 0 {
                    sizes.insert(*anchor, 1);
                }
                Some(1)
            }
            Event::Alias(id) => {
                // An alias to an anchor still open (or unknown) resolves to one bad node in saphyr.
                let adds = sizes.get(id).copied().unwrap_or(1);
                alias_nodes = alias_nodes.saturating_add(adds);
                if alias_nodes > MAX_ALIAS_NODES {
                    return Err(ScanError::new(
                        span.start,
                        format!(
                            "aliases expand to more than {MAX_ALIAS_NODES} nodes (an alias bomb); \
                             shipgate refuses the file rather than build it"
                        ),
                    ));
                }
                Some(adds)
            }
            _ => None,
        };
        if let (Some(n), Some(parent)) = (completed, open.last_mut()) {
            parent.nodes = parent.nodes.saturating_add(n);
        }
        recv.on_event(ev, span);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use saphyr::{MarkedYaml, YamlLoader};

    fn load_str(text: &str) -> Result<usize, String> {
        let mut parser = Parser::new_from_str(text);
        let mut loader: YamlLoader<MarkedYaml> = YamlLoader::default();
        load(&mut parser, &mut loader).map_err(|e| e.info().to_string())?;
        Ok(loader.into_documents().len())
    }

    /// Nine anchors, each a mapping whose key lists nine aliases of the previous one: 9^9 nodes.
    fn key_bomb() -> String {
        let mut text = String::from("x:\n  - &a {? [l,l,l,l,l,l,l,l,l]: x}\n");
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
        for pair in names.windows(2) {
            let aliases = vec![format!("*{}", pair[0]); 9].join(",");
            text.push_str(&format!("  - &{} {{? [{aliases}]: x}}\n", pair[1]));
        }
        text
    }

    #[test]
    fn aliases_in_mapping_keys_count_towards_the_budget() {
        let loaded = load_str(&key_bomb());
        assert!(
            matches!(&loaded, Err(e) if e.contains("alias bomb")),
            "{loaded:?}"
        );
    }

    #[test]
    fn sequence_fan_out_is_refused_by_the_same_budget() {
        let mut text = String::from("x:\n  - &a [l,l,l,l,l,l,l,l,l]\n");
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
        for pair in names.windows(2) {
            let aliases = vec![format!("*{}", pair[0]); 9].join(",");
            text.push_str(&format!("  - &{} [{aliases}]\n", pair[1]));
        }
        let loaded = load_str(&text);
        assert!(
            matches!(&loaded, Err(e) if e.contains("alias bomb")),
            "{loaded:?}"
        );
    }

    #[test]
    fn ordinary_anchors_load() {
        // A shared env block and a shared step list, reused by several jobs: what real workflows do.
        let mut text = String::from(
            "env: &env {A: 1, B: 2}\nsteps: &steps\n  - run: make\n  - run: make test\njobs:\n",
        );
        for j in 0..50 {
            text.push_str(&format!("  j{j}:\n    env: *env\n    steps: *steps\n"));
        }
        assert_eq!(load_str(&text), Ok(1));
    }

    #[test]
    fn the_budget_is_the_total_not_per_alias() {
        // Each alias adds 1,001 nodes, under the budget on its own; 100 of them are over it together.
        let big = (0..1000)
            .map(|i| format!("v{i}"))
            .collect::<Vec<_>>()
            .join(",");
        let mut text = format!("big: &big [{big}]\nuses:\n");
        for _ in 0..100 {
            text.push_str("  - *big\n");
        }
        let loaded = load_str(&text);
        assert!(
            matches!(&loaded, Err(e) if e.contains("alias bomb")),
            "{loaded:?}"
        );
        let few = format!("big: &big [{big}]\nuses:\n  - *big\n  - *big\n");
        assert_eq!(load_str(&few), Ok(1));
    }
}
