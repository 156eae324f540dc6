//! A plain-SQL `pg_dump` file, read as pg_dump writes it: `CREATE TABLE` (and `CREATE DOMAIN`) statements
//! give the columns and their types, `ALTER TABLE … ADD CONSTRAINT … PRIMARY KEY` the keys (pg_dump puts
//! those after the data, so the file is read twice: schema first, then the `COPY … FROM stdin` blocks,
//! streamed). Every row of every table is read, with the same rules and columns as the live database, so
//! a dump gives the findings the database would.
//!
//! Refused rather than half-read: custom-format archives, compressed files, and dumps of `INSERT`
//! statements (`pg_dump --inserts`), whose rows this reader would otherwise skip.

use super::columns::{is_creation_time, is_time_type, Column, Kind, TableSpec};
use super::copy_text::decode_row;
use super::scan::{Layout, TableScan};
use super::{shown_path, Gathered, Run, SourceFacts, TableRead};
use crate::diag::SourceDiag;
use crate::redact::visible_line;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

fn error(path: &Path, what: String) -> SourceDiag {
    SourceDiag::plain("live/dump", format!("{}: {what}", shown_path(path)))
}

fn open(path: &Path) -> Result<BufReader<std::fs::File>, SourceDiag> {
    let meta =
        std::fs::symlink_metadata(path).map_err(|e| error(path, format!("cannot read it: {e}")))?;
    if !meta.is_file() && !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
        return Err(error(path, "not a file".into()));
    }
    let file =
        std::fs::File::open(path).map_err(|e| error(path, format!("cannot read it: {e}")))?;
    Ok(BufReader::with_capacity(1 << 20, file))
}

/// What the schema part of the dump says.
#[derive(Default)]
struct Schema {
    /// `(schema, name)` → (column, type as written), in order.
    tables: HashMap<(String, String), Vec<(String, String)>>,
    keys: HashMap<(String, String), Vec<String>>,
    domains: HashMap<String, String>,
}

pub(crate) fn gather(path: &Path, run: &Run<'_>) -> Result<Gathered, SourceDiag> {
    let schema = read_schema(path)?;
    let mut g = Gathered {
        complete: true,
        source: SourceFacts {
            kind: "dump",
            shown: shown_path(path),
            ..SourceFacts::default()
        },
        sampling_how: "every row of every table in the dump".to_string(),
        ..Gathered::default()
    };
    let mut reader = open(path)?;
    let mut line = Vec::new();
    let mut decoded = Vec::new();
    let mut fields = Vec::new();
    let mut number = 0usize;
    let mut reads: Vec<(TableRead, super::scan::TableOutcome)> = Vec::new();
    loop {
        line.clear();
        number += 1;
        let n = reader
            .read_until(b'\n', &mut line)
            .map_err(|e| error(path, format!("cannot read it: {e}")))?;
        if n == 0 {
            break;
        }
        let text = String::from_utf8_lossy(&line);
        let Some((qname, columns)) = copy_header(text.trim_end()) else {
            continue;
        };
        let key = (qname.0.clone(), qname.1.clone());
        let typed = schema.tables.contains_key(&key);
        let spec = if typed {
            table_spec(&schema, &key)
        } else {
            untyped_spec(&schema, &key, &columns)
        };
        let excluded = run.policy.excludes(&key.0, &key.1);
        if excluded {
            g.excluded
                .push(visible_line(&spec.qualified()).into_owned());
        }
        let position = |name: &str| columns.iter().position(|c| c == name);
        let mut layout = Layout::default();
        let mut key_columns = spec.key.clone();
        for k in &spec.key {
            match position(k) {
                Some(i) => layout.key.push(i),
                None => key_columns.clear(),
            }
        }
        if key_columns.is_empty() {
            layout.key.clear();
            key_columns = vec!["(row number)".to_string()];
        }
        layout.created = spec.created.as_deref().and_then(position);
        let mut read_columns = Vec::new();
        for c in &spec.columns {
            if let Some(i) = position(&c.name) {
                layout.values.push(i);
                read_columns.push(c.clone());
            }
        }
        let mut scan = TableScan::new(run.rules, &key.0, &key.1, read_columns.clone(), key_columns);
        // The block's rows, to the `\.` line.
        loop {
            line.clear();
            number += 1;
            let n = reader
                .read_until(b'\n', &mut line)
                .map_err(|e| error(path, format!("cannot read it: {e}")))?;
            if n == 0 {
                return Err(error(
                    path,
                    format!(
                        "the data of {} ends without `\\.`: the dump is cut short",
                        visible_line(&spec.qualified())
                    ),
                ));
            }
            if line.last() == Some(&b'\n') {
                line.pop();
            }
            if line == b"\\." || line == b"\\.\r" {
                break;
            }
            if excluded || read_columns.is_empty() {
                continue;
            }
            decode_row(&line, &mut decoded, &mut fields);
            if fields.len() != columns.len() {
                return Err(error(
                    path,
                    format!(
                        "line {number}: a row of {} has {} fields, its COPY names {} columns",
                        visible_line(&spec.qualified()),
                        fields.len(),
                        columns.len()
                    ),
                ));
            }
            scan.row(&layout, &decoded, &fields);
        }
        if excluded {
            continue;
        }
        let read = TableRead {
            table: visible_line(&spec.qualified()).into_owned(),
            columns: read_columns.len(),
            rows_read: 0,
            rows_estimated: None,
            complete: true,
            method: if read_columns.is_empty() {
                "no text or long-number columns: nothing to read".to_string()
            } else if !typed {
                "every row in the dump; no CREATE TABLE for it (a data-only dump), so every column read as text".to_string()
            } else {
                "every row in the dump".to_string()
            },
            examples_left_out: 0,
            not_evaluated: None,
        };
        reads.push((read, scan.finish()));
    }
    reads.sort_by(|a, b| a.0.table.cmp(&b.0.table));
    for (read, out) in reads {
        g.add_table(read, out, None, run.policy.fail_closed);
    }
    g.excluded.sort();
    Ok(g)
}

/// The columns to read, key and creation column of a table, from the dump's schema (the same choice
/// the live catalogue makes).
fn table_spec(schema: &Schema, key: &(String, String)) -> TableSpec {
    let mut spec = TableSpec {
        schema: key.0.clone(),
        name: key.1.clone(),
        columns: Vec::new(),
        key: schema.keys.get(key).cloned().unwrap_or_default(),
        created: None,
    };
    for (name, ty) in schema.tables.get(key).map(Vec::as_slice).unwrap_or(&[]) {
        let ty = resolve(ty, &schema.domains);
        if is_time_type(&ty) {
            if spec.created.is_none() && is_creation_time(name) {
                spec.created = Some(name.clone());
            }
            continue;
        }
        let Some(kind) = kind_of(&ty) else { continue };
        if kind == Kind::Number && spec.key.contains(name) {
            continue;
        }
        spec.columns.push(Column {
            name: name.clone(),
            kind,
        });
    }
    spec
}

/// A table whose COPY block has no `CREATE TABLE` in the dump (`pg_dump --data-only`): its types are
/// unknown, so every column is read as text, as CSV columns are.
fn untyped_spec(schema: &Schema, key: &(String, String), columns: &[String]) -> TableSpec {
    TableSpec {
        schema: key.0.clone(),
        name: key.1.clone(),
        columns: columns
            .iter()
            .map(|c| Column {
                name: c.clone(),
                kind: Kind::Text,
            })
            .collect(),
        key: schema.keys.get(key).cloned().unwrap_or_default(),
        created: columns.iter().find(|c| is_creation_time(c)).cloned(),
    }
}

/// A type with domains replaced by what they are over, schema prefixes dropped, lower case.
fn resolve(ty: &str, domains: &HashMap<String, String>) -> String {
    let mut t = normalise_type(ty);
    for _ in 0..16 {
        let (base, array) = match t.strip_suffix("[]") {
            Some(b) => (b.to_string(), "[]"),
            None => (t.clone(), ""),
        };
        match domains.get(&base) {
            Some(under) => t = format!("{}{array}", normalise_type(under)),
            None => break,
        }
    }
    t
}

fn normalise_type(ty: &str) -> String {
    let t = ty.trim().to_ascii_lowercase();
    let t = t
        .split('.')
        .next_back()
        .map(|s| s.trim_matches('"').to_string())
        .unwrap_or(t.clone());
    // `character varying(30)` → `character varying`; `numeric(10,2)[]` → `numeric[]`.
    match (t.find('('), t.find(')')) {
        (Some(a), Some(b)) if b > a => format!("{}{}", t[..a].trim_end(), &t[b + 1..]),
        _ => t,
    }
}

fn kind_of(ty: &str) -> Option<Kind> {
    if let Some(elem) = ty.strip_suffix("[]") {
        return match kind_of(elem)? {
            Kind::Json => Some(Kind::JsonArray),
            Kind::Text => Some(Kind::TextArray),
            _ => None,
        };
    }
    match ty {
        "text" | "character varying" | "varchar" | "character" | "char" | "bpchar" | "citext"
        | "name" => Some(Kind::Text),
        "json" | "jsonb" => Some(Kind::Json),
        "bigint" | "int8" | "numeric" | "decimal" => Some(Kind::Number),
        _ => None,
    }
}

fn read_schema(path: &Path) -> Result<Schema, SourceDiag> {
    let mut reader = open(path)?;
    let mut head = [0u8; 5];
    let n = reader.by_ref().take(5).read(&mut head).unwrap_or(0);
    if head[..n].starts_with(b"PGDMP") {
        return Err(error(
            path,
            "a pg_dump archive (custom or directory format), not plain SQL".into(),
        )
        .with_help("turn it into SQL first: pg_restore -f dump.sql ARCHIVE"));
    }
    if head[..n].starts_with(&[0x1f, 0x8b]) {
        return Err(error(path, "compressed (gzip): decompress it first".into()));
    }
    let mut reader = open(path)?;
    let mut s = Schema::default();
    let mut line = Vec::new();
    let mut in_copy = false;
    let mut table: Option<(String, String)> = None;
    let mut altering: Option<(String, String)> = None;
    let mut number = 0usize;
    loop {
        line.clear();
        number += 1;
        if reader
            .read_until(b'\n', &mut line)
            .map_err(|e| error(path, format!("cannot read it: {e}")))?
            == 0
        {
            break;
        }
        let text = String::from_utf8_lossy(&line);
        let l = text.trim_end();
        if in_copy {
            in_copy = l != "\\.";
            continue;
        }
        if let Some(t) = &table {
            if l.starts_with(')') {
                table = None;
            } else if let Some(col) = column_line(l) {
                s.tables.entry(t.clone()).or_default().push(col);
            }
            continue;
        }
        if let Some(t) = altering.take() {
            if let Some(cols) = l
                .split("PRIMARY KEY (")
                .nth(1)
                .and_then(|r| r.split(')').next())
            {
                let names: Vec<String> = split_idents(cols);
                s.keys.insert(t, names);
                continue;
            }
        }
        if copy_header(l).is_some() {
            in_copy = true;
        } else if let Some(rest) = strip_any(l, &["CREATE TABLE ", "CREATE UNLOGGED TABLE "]) {
            if let Some((name, after)) = qualified_name(rest) {
                if after.trim_start().starts_with('(') && !after.contains(')') {
                    s.tables.entry(name.clone()).or_default();
                    table = Some(name);
                }
            }
        } else if let Some(rest) = l.strip_prefix("CREATE DOMAIN ") {
            if let Some(((_, name), after)) = qualified_name(rest) {
                if let Some(ty) = after.trim_start().strip_prefix("AS ") {
                    let ty = ty
                        .split([';'])
                        .next()
                        .unwrap_or("")
                        .split(" CONSTRAINT ")
                        .next()
                        .unwrap_or("")
                        .split(" DEFAULT ")
                        .next()
                        .unwrap_or("");
                    s.domains.insert(name.to_ascii_lowercase(), ty.to_string());
                }
            }
        } else if let Some(rest) = strip_any(l, &["ALTER TABLE ONLY ", "ALTER TABLE "]) {
            if let Some((name, after)) = qualified_name(rest) {
                if let Some(cols) = after
                    .split("PRIMARY KEY (")
                    .nth(1)
                    .and_then(|r| r.split(')').next())
                {
                    s.keys.insert(name, split_idents(cols));
                } else if !l.ends_with(';') {
                    altering = Some(name);
                }
            }
        } else if l.starts_with("INSERT INTO ") {
            return Err(error(
                path,
                format!("line {number} is an INSERT statement (pg_dump --inserts): this reader takes COPY blocks, and would skip those rows"),
            )
            .with_help("dump without --inserts / --column-inserts (the default COPY format)"));
        }
    }
    Ok(s)
}

fn strip_any<'a>(l: &'a str, prefixes: &[&str]) -> Option<&'a str> {
    prefixes.iter().find_map(|p| l.strip_prefix(p))
}

/// `COPY schema.name (a, "B c") FROM stdin;` → ((schema, name), [a, B c]).
fn copy_header(l: &str) -> Option<((String, String), Vec<String>)> {
    let rest = l.strip_prefix("COPY ")?;
    if !l.ends_with("FROM stdin;") {
        return None;
    }
    let (name, after) = qualified_name(rest)?;
    let inner = after.trim_start().strip_prefix('(')?;
    let close = inner.rfind(") FROM stdin;")?;
    Some((name, split_idents(&inner[..close])))
}

/// A column line of `CREATE TABLE`: `    "Full name" character varying(200) NOT NULL,` → (name, type).
fn column_line(l: &str) -> Option<(String, String)> {
    let body = l.strip_prefix("    ")?;
    if body.starts_with("CONSTRAINT ") {
        return None;
    }
    let (name, rest) = ident(body)?;
    let ty = rest.trim().trim_end_matches(',');
    let cut = [
        " NOT NULL",
        " DEFAULT ",
        " GENERATED ",
        " COLLATE ",
        " CONSTRAINT ",
    ]
    .iter()
    .filter_map(|k| ty.find(k))
    .min()
    .unwrap_or(ty.len());
    Some((name, ty[..cut].trim().to_string()))
}

/// `schema.name` or `name` at the start of `s` → ((schema, name), the rest).
fn qualified_name(s: &str) -> Option<((String, String), &str)> {
    let (first, rest) = ident(s)?;
    if let Some(after_dot) = rest.strip_prefix('.') {
        let (second, rest) = ident(after_dot)?;
        return Some(((first, second), rest));
    }
    Some(((String::new(), first), rest))
}

/// One identifier, quoted (`"a ""b"""`) or bare, at the start of `s`.
fn ident(s: &str) -> Option<(String, &str)> {
    if let Some(q) = s.strip_prefix('"') {
        let mut out = String::new();
        let mut chars = q.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c == '"' {
                if chars.peek().is_some_and(|(_, n)| *n == '"') {
                    out.push('"');
                    chars.next();
                } else {
                    return Some((out, &q[i + 1..]));
                }
            } else {
                out.push(c);
            }
        }
        return None;
    }
    let end = s
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
        .unwrap_or(s.len());
    (end > 0).then(|| (s[..end].to_string(), &s[end..]))
}

/// `a, "B c", d` → [a, B c, d].
fn split_idents(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = s.trim_start();
    while let Some((name, after)) = ident(rest) {
        out.push(name);
        rest = after.trim_start().trim_start_matches(',').trim_start();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_columns_and_types_as_pg_dump_writes_them() {
        assert_eq!(
            copy_header(r#"COPY public."Weird ""Name""" (code, "Note x") FROM stdin;"#),
            Some((
                ("public".to_string(), "Weird \"Name\"".to_string()),
                vec!["code".to_string(), "Note x".to_string()]
            ))
        );
        assert_eq!(
            column_line("    phone character varying(30) DEFAULT 'x'::text NOT NULL,"),
            Some(("phone".into(), "character varying(30)".into()))
        );
        assert_eq!(column_line("    CONSTRAINT c CHECK (x > 0)"), None);
        let mut domains = HashMap::new();
        domains.insert("email_address".to_string(), "public.citext".to_string());
        assert_eq!(
            kind_of(&resolve("public.email_address", &domains)),
            Some(Kind::Text)
        );
        assert_eq!(
            kind_of(&resolve("public.email_address[]", &domains)),
            Some(Kind::TextArray)
        );
        assert_eq!(
            kind_of(&resolve("numeric(12,0)", &domains)),
            Some(Kind::Number)
        );
        assert_eq!(kind_of(&resolve("jsonb", &domains)), Some(Kind::Json));
        assert_eq!(kind_of(&resolve("integer", &domains)), None);
    }
}
