//! Loading YAML with a nesting limit. `saphyr_parser::Parser::load` recurses once per level of nesting
//! (`load_node` → `load_sequence` → `load_node` …), and the tree saphyr builds is dropped, cloned (aliases)
//! and hashed (mapping keys) recursively too: a workflow file of `- - - …` a few tens of kilobytes long
//! overflows the stack, which aborts the whole run instead of failing one file. So the events are pulled
//! here, in a loop, and a document nested deeper than any workflow needs is refused as a YAML error at the
//! node that crossed the limit.

use saphyr_parser::{Event, Input, Parser, ScanError, SpannedEventReceiver};

/// Sequences and mappings inside each other. Real workflows nest about ten deep (`jobs.<id>.steps[].with`,
/// matrix `include` lists); 256 levels of recursive drop fit easily in a 2 MiB thread stack.
pub const MAX_DEPTH: usize = 256;

/// What `parser.load(recv, true)` does, without recursion and with the nesting limit. One difference:
/// `load` forgets anchors at each new document, the parser's event stream does not; GitHub reads one
/// document per workflow file, so only a multi-document file could tell.
pub fn load<'input, T: Input, R: SpannedEventReceiver<'input>>(
    parser: &mut Parser<'input, T>,
    recv: &mut R,
) -> Result<(), ScanError> {
    let mut depth = 0usize;
    while let Some(next) = parser.next_event() {
        let (ev, span) = next?;
        match ev {
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(ScanError::new(
                        span.start,
                        format!("sequences and mappings nested more than {MAX_DEPTH} deep"),
                    ));
                }
            }
            Event::SequenceEnd | Event::MappingEnd => depth = depth.saturating_sub(1),
            _ => {}
        }
        recv.on_event(ev, span);
    }
    Ok(())
}
