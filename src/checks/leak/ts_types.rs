//! TypeScript modules that declare nothing but types. `interface`, `type`, `declare` and type-only
//! imports and exports are erased by the compiler: the emitted module is empty, so production
//! importing (or re-exporting, `export * from './test-helpers'`) such a module loads no test code.
//!
//! Read conservatively, statement by statement at the top level: every statement must be one of those
//! forms, and anything else (a `const`, a function, a class, an `enum`, a call, a value re-export, an
//! import with side effects or of test code) makes the module one that emits code. A misread keeps the
//! import judged as before; it never hides one.

use super::libraries;
use super::paths;
use super::tokens::is_ident;
use super::{Extracted, Fact, Source};
use crate::repo::lexer::{self, NonCode, Syntax};
use std::ops::Range;

/// A test-side TypeScript module that declares only types: say so, so that production importing it is
/// not reported (`Index::leak`).
pub(crate) fn extract(src: &Source, out: &mut Extracted) {
    if declares_only_types(src.text, src.dir()) {
        out.facts.push(Fact::TypesOnly {
            path: src.path.to_string(),
        });
    }
}

/// Could a test-side TypeScript file of this name declare only types? Not a runner's test file
/// (`x.test.ts`, `x.spec.ts`, `x.cy.ts`): those hold tests. Asked of every test-side file, so by name only.
pub(crate) fn may_declare_only_types(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    matches!(paths::extension(&lower), "ts" | "mts" | "cts" | "tsx")
        && ![".test.", ".spec.", ".cy.", ".e2e."]
            .iter()
            .any(|w| lower.contains(w))
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(Range<usize>),
    /// A string literal's content (without its quotes).
    Str(Range<usize>),
    Punct(u8),
}

#[derive(Debug)]
struct T {
    tok: Tok,
    /// A line break (in whitespace or a comment) comes before it.
    nl: bool,
}

fn tokens(text: &[u8]) -> Vec<T> {
    let non_code = lexer::non_code(Syntax::CLike, text);
    let mut out = Vec::new();
    let mut k = 0;
    let mut i = 0;
    let mut nl = false;
    while i < text.len() {
        while k < non_code.len() && non_code[k].0.end <= i {
            k += 1;
        }
        if let Some((r, kind)) = non_code.get(k).filter(|(r, _)| r.start == i) {
            let r = r.clone();
            if *kind == NonCode::Comment {
                nl |= text[r.clone()].contains(&b'\n');
            } else {
                let inner = (r.start + 1).min(r.end)..r.end.saturating_sub(1).max(r.start + 1);
                out.push(T {
                    tok: Tok::Str(inner),
                    nl,
                });
                nl = false;
            }
            i = r.end.max(i + 1);
            continue;
        }
        let b = text[i];
        if b.is_ascii_whitespace() {
            nl |= b == b'\n';
            i += 1;
        } else if is_ident(b) {
            let len = text[i..].iter().take_while(|c| is_ident(**c)).count();
            out.push(T {
                tok: Tok::Word(i..i + len),
                nl,
            });
            nl = false;
            i += len;
        } else {
            out.push(T {
                tok: Tok::Punct(b),
                nl,
            });
            nl = false;
            i += 1;
        }
    }
    out
}

/// The top-level statement being read.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Stmt {
    /// `type X = …`: continues over operators and object types.
    Alias,
    /// `interface X …`, `declare …`: over once its body closes.
    Block,
    /// `import … from '…'`, `export type { … } from '…'`: continues to its `from`.
    FromClause,
}

/// Does the module at `text` (in directory `dir`) declare nothing but types?
pub(crate) fn declares_only_types(text: &[u8], dir: &str) -> bool {
    let toks = tokens(text);
    let word = |t: &T| match &t.tok {
        Tok::Word(r) => Some(&text[r.clone()]),
        _ => None,
    };
    let is_word = |t: Option<&T>, w: &[u8]| t.and_then(word) == Some(w);
    let punct = |t: Option<&T>| match t.map(|t| &t.tok) {
        Some(Tok::Punct(p)) => Some(*p),
        _ => None,
    };
    let mut depth = 0usize;
    let mut stmt: Option<Stmt> = None;
    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i];
        if depth > 0 {
            match t.tok {
                Tok::Punct(b'{' | b'(' | b'[') => depth += 1,
                Tok::Punct(b'}' | b')' | b']') => depth -= 1,
                _ => {}
            }
            i += 1;
            continue;
        }
        let prev = i.checked_sub(1).map(|j| &toks[j]);
        let starts = match (prev, stmt) {
            (None, _) | (_, None) => true,
            (Some(p), Some(s)) => {
                if punct(Some(p)) == Some(b';') {
                    true
                } else {
                    !continues(text, p, t, s)
                }
            }
        };
        if starts {
            match statement(text, &toks, i) {
                Some((kind, next)) => {
                    stmt = Some(kind);
                    i = next;
                    continue;
                }
                None => return false,
            }
        }
        match t.tok {
            Tok::Punct(b'{' | b'(' | b'[') => depth += 1,
            Tok::Punct(b'}' | b')' | b']') => return false,
            _ => {}
        }
        if stmt == Some(Stmt::FromClause) && is_word(Some(t), b"from") {
            // `… from '…'`: the specifier of an import or a type-only re-export.
            let Some(Tok::Str(r)) = toks.get(i + 1).map(|t| &t.tok) else {
                return false;
            };
            if !harmless_specifier(&String::from_utf8_lossy(&text[r.clone()]), dir) {
                return false;
            }
            i += 2;
            stmt = Some(Stmt::Block);
            continue;
        }
        i += 1;
    }
    depth == 0
}

/// Does token `t` (at depth 0) continue statement `s`, whose last token was `p`?
fn continues(text: &[u8], p: &T, t: &T, s: Stmt) -> bool {
    let word = |x: &T| match &x.tok {
        Tok::Word(r) => Some(&text[r.clone()]),
        _ => None,
    };
    let closed_block = p.tok == Tok::Punct(b'}');
    match s {
        // Its bindings were read with it: only the `from` is left.
        Stmt::FromClause => word(t) == Some(b"from"),
        Stmt::Block => {
            // An interface's header (`interface A<T>\n  extends B {`) continues; once its body has
            // closed, whatever follows is a statement of its own.
            !closed_block
                && (!t.nl
                    || word(t) == Some(b"extends")
                    || matches!(t.tok, Tok::Punct(b'{' | b',' | b'<' | b'>')))
        }
        Stmt::Alias => {
            const OPERATORS: &[u8] = b"=|&,<:?(.";
            const LEADING: &[u8] = b"|&>?:[.";
            let after_operator = match &p.tok {
                Tok::Punct(b) => OPERATORS.contains(b) || *b == b'>' && !closed_block,
                Tok::Word(_) => matches!(
                    word(p),
                    Some(b"extends" | b"keyof" | b"typeof" | b"infer" | b"is" | b"in" | b"as")
                ),
                Tok::Str(_) => false,
            };
            let leading = match &t.tok {
                Tok::Punct(b) => LEADING.contains(b),
                Tok::Word(_) => matches!(word(t), Some(b"extends" | b"is" | b"as")),
                Tok::Str(_) => false,
            };
            if closed_block && !t.nl {
                // `{ a: 1 } | B`, `{ a: 1 }[]`: an object type operated on.
                return matches!(t.tok, Tok::Punct(b'|' | b'&' | b'[' | b'>' | b',' | b'.'))
                    || matches!(word(t), Some(b"extends"));
            }
            after_operator || leading || !t.nl && !closed_block
        }
    }
}

/// Read the statement starting at token `i`: its kind and the index after its keywords, or None when it
/// is not one the compiler erases.
fn statement(text: &[u8], toks: &[T], i: usize) -> Option<(Stmt, usize)> {
    let word = |j: usize| word_at(text, toks, j);
    let punct = |j: usize| punct_at(toks, j);
    if punct(i) == Some(b';') {
        return Some((Stmt::Block, i + 1));
    }
    match word(i)? {
        b"interface" | b"declare" => Some((Stmt::Block, i + 1)),
        b"type" if word(i + 1).is_some() => Some((Stmt::Alias, i + 2)),
        b"import" => {
            // `import type …` is erased; any import must still have the plain form and name a harmless
            // module (some compilers keep imports as written).
            let typed = word(i + 1) == Some(b"type") && word(i + 2) != Some(b"from");
            let from = bindings(text, toks, i + 1 + usize::from(typed))?;
            Some((Stmt::FromClause, from))
        }
        b"export" => match word(i + 1) {
            Some(b"interface" | b"declare") => Some((Stmt::Block, i + 2)),
            Some(b"default") if word(i + 2) == Some(b"interface") => Some((Stmt::Block, i + 3)),
            // `export type * from '…'`, `export type { A } from '…'`: erased.
            Some(b"type") if punct(i + 2) == Some(b'*') && word(i + 3) == Some(b"from") => {
                Some((Stmt::FromClause, i + 3))
            }
            Some(b"type") if punct(i + 2) == Some(b'{') => {
                let close = (i + 3..toks.len()).find(|&j| punct(j) == Some(b'}'))?;
                Some(after_list(text, toks, close))
            }
            // `export type X = …`.
            Some(b"type") if word(i + 2).is_some() => Some((Stmt::Alias, i + 3)),
            // `export { type A, type B }` (with or without `from`), `export {}`: every name a type.
            None if punct(i + 1) == Some(b'{') => {
                let close = (i + 2..toks.len()).find(|&j| punct(j) == Some(b'}'))?;
                let mut first = true;
                for j in i + 2..close {
                    if first && word(j) != Some(b"type") {
                        return None;
                    }
                    first = punct(j) == Some(b',');
                }
                Some(after_list(text, toks, close))
            }
            _ => None,
        },
        _ => None,
    }
}

fn word_at<'t>(text: &'t [u8], toks: &[T], j: usize) -> Option<&'t [u8]> {
    match toks.get(j).map(|t| &t.tok) {
        Some(Tok::Word(r)) => text.get(r.clone()),
        _ => None,
    }
}

fn punct_at(toks: &[T], j: usize) -> Option<u8> {
    match toks.get(j).map(|t| &t.tok) {
        Some(Tok::Punct(p)) => Some(*p),
        _ => None,
    }
}

/// After an export list's `}` at `close`: its `from` clause, or the statement's end.
fn after_list(text: &[u8], toks: &[T], close: usize) -> (Stmt, usize) {
    if word_at(text, toks, close + 1) == Some(b"from") {
        (Stmt::FromClause, close + 1)
    } else {
        (Stmt::Block, close + 1)
    }
}

/// An import's bindings from token `j` (`A`, `A, { B }`, `{ B, C }`, `* as A`) up to its `from`: the
/// index of the `from`, or None for any other form (`import './x'`, `import(…)`, `import.meta`,
/// `import x = require(…)`), which runs code.
fn bindings(text: &[u8], toks: &[T], mut j: usize) -> Option<usize> {
    let word = |j: usize| word_at(text, toks, j);
    let punct = |j: usize| punct_at(toks, j);
    if word(j).is_some_and(|w| w != b"from") {
        j += 1;
        if word(j) == Some(b"from") {
            return Some(j);
        }
        if punct(j) != Some(b',') {
            return None;
        }
        j += 1;
    }
    match punct(j)? {
        b'{' => {
            let close = (j + 1..toks.len()).find(|&k| punct(k) == Some(b'}'))?;
            let inside = (j + 1..close).all(|k| word(k).is_some() || punct(k) == Some(b','));
            (inside && word(close + 1) == Some(b"from")).then_some(close + 1)
        }
        b'*' if word(j + 1) == Some(b"as") && word(j + 2).is_some() => {
            (word(j + 3) == Some(b"from")).then_some(j + 3)
        }
        _ => None,
    }
}

/// An import a types-only module may keep (some compilers keep imports as written,
/// `verbatimModuleSyntax`): not a test library, and not a relative module whose path names tests.
fn harmless_specifier(spec: &str, dir: &str) -> bool {
    if spec.starts_with("./") || spec.starts_with("../") || spec == "." || spec == ".." {
        return paths::join(dir, spec).is_some_and(|p| !paths::has_test_word(&p))
            && !paths::has_test_word(spec);
    }
    libraries::js_module(spec).is_none()
}

#[cfg(test)]
mod tests {
    use super::declares_only_types;

    fn only_types(code: &str) -> bool {
        declares_only_types(code.as_bytes(), "src/types/helpers")
    }

    #[test]
    fn interfaces_aliases_and_type_imports_are_erased() {
        for code in [
            "import Ctx from '@acme/core/types';\nimport {\n  A,\n  B,\n} from '.acme/types';\nimport { Account } from '../account';\n\nexport interface Make {\n  ctx: Ctx;\n  id?: string;\n}\n\nexport interface MakeAccount extends Make {\n  data?: Account;\n}\n",
            "export type Kind =\n  | 'a'\n  | 'b';\ntype Pair<T> = [T, T]\nexport type Fn = (\n  a: string,\n) => Promise<void>;\n",
            "/** docs */\nexport type { A } from '../a';\nexport type * from '../b';\nexport { type C } from '../c';\ndeclare global {\n  interface Window { x: number }\n}\n",
            "export interface A\n  extends B {\n  x: { y: number };\n}\ninterface C { (a: number): void }\n",
            "export type O = { a: 1 } | { b: 2 };\nexport type R = Record<\n  string,\n  number\n>;\n",
            "",
        ] {
            assert!(only_types(code), "{code}");
        }
    }

    #[test]
    fn anything_that_emits_code_is_not() {
        for code in [
            "export interface A { x: number }\nexport const make = () => ({ x: 1 });\n",
            "export function make() {}\n",
            "export class Make {}\n",
            "export enum E { A }\n",
            "export * from './helpers';\n",
            "export { make } from '../make';\n",
            "import { make } from '../make';\nexport { make };\n",
            "import './setup';\nexport interface A {}\n",
            "import { jest } from '@jest/globals';\nexport interface A {}\n",
            "import { seed } from './fixtures';\nexport interface A { s: typeof seed }\n",
            "import x = require('../x');\nexport type A = typeof x;\n",
            "export interface A {}\nevil();\n",
            "export interface A {} evil();\n",
            "export interface A {}\n(() => evil())();\n",
            "export type A = string;\nconsole.log('x');\n",
            "export type A = { a: 1 }\nmodule.exports = {};\n",
            "export default { a: 1 };\n",
            "const x = 1;\n",
        ] {
            assert!(!only_types(code), "{code}");
        }
    }
}
