//! What the rule packs and the scanner both speak: sets of file classes, and the normalised view of text
//! that keywords are matched in. Kept apart so `pack` (which checks each rule's examples) and `scanner`
//! (which runs the rules) do not import each other.

use crate::repo::classify::FileClass;

/// A set of file classes as a bit mask.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClassSet(u32);

impl ClassSet {
    pub fn of(classes: &[FileClass]) -> ClassSet {
        ClassSet(classes.iter().fold(0, |m, c| m | (1 << *c as u32)))
    }
    pub fn union(sets: impl IntoIterator<Item = ClassSet>) -> ClassSet {
        ClassSet(sets.into_iter().fold(0, |m, s| m | s.0))
    }
    pub fn contains(self, c: FileClass) -> bool {
        self.0 & (1 << c as u32) != 0
    }
    pub fn classes(self) -> Vec<FileClass> {
        FileClass::ALL
            .iter()
            .copied()
            .filter(|c| self.contains(*c))
            .collect()
    }
}

/// The gate's view of text: ASCII lower-case, with `_` and `-` read as a space. Same length as the input.
pub fn normalised(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    normalise_into(text, &mut out);
    out
}

pub(crate) fn normalise_into(text: &[u8], out: &mut Vec<u8>) {
    out.clear();
    out.extend(text.iter().map(|&b| match b {
        b'A'..=b'Z' => b | 0x20,
        b'_' | b'-' => b' ',
        _ => b,
    }));
}
