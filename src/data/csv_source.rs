//! CSV exports (of PostgreSQL, or of an engine not read directly yet): one table a file, named by the
//! file (`public.people.csv` → `public.people`), columns named by the header row. CSV has no types, so
//! every column is read as text — a cell holding a JSON document or a `{a,b}` array is read as one, as
//! the live database's columns are — and the row's key is its `id` column, else its row number.

use super::columns::{is_creation_time, Column, Kind};
use super::scan::{Layout, TableScan};
use super::{shown_path, Gathered, Run, SourceFacts, TableRead};
use crate::diag::SourceDiag;
use crate::redact::visible_line;
use std::path::{Path, PathBuf};

fn error(path: &Path, what: String) -> SourceDiag {
    SourceDiag::plain("live/csv", format!("{}: {what}", shown_path(path)))
}

/// The files named, a directory standing for its `*.csv` files (sorted).
fn files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, SourceDiag> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|e| error(p, format!("cannot list it: {e}")))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| {
                    f.is_file() && f.extension().is_some_and(|x| x.eq_ignore_ascii_case("csv"))
                })
                .collect();
            if found.is_empty() {
                return Err(error(p, "holds no .csv file".into()));
            }
            found.sort();
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

/// `public.people.csv` → ("public", "people"); `people.csv` → ("", "people").
fn table_name(path: &Path) -> (String, String) {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    match stem.split_once('.') {
        Some((schema, name)) if !schema.is_empty() && !name.is_empty() => {
            (schema.to_string(), name.to_string())
        }
        _ => (String::new(), stem),
    }
}

pub(crate) fn gather(paths: &[PathBuf], run: &Run<'_>) -> Result<Gathered, SourceDiag> {
    let files = files(paths)?;
    let mut g = Gathered {
        complete: true,
        source: SourceFacts {
            kind: "csv",
            shown: files
                .iter()
                .map(|f| shown_path(f))
                .collect::<Vec<_>>()
                .join(", "),
            ..SourceFacts::default()
        },
        sampling_how: "every row of every file".to_string(),
        ..Gathered::default()
    };
    let mut reads = Vec::new();
    for path in &files {
        let (schema, name) = table_name(path);
        let qualified = if schema.is_empty() {
            name.clone()
        } else {
            format!("{schema}.{name}")
        };
        if run.policy.excludes(&schema, &name) {
            g.excluded.push(visible_line(&qualified).into_owned());
            continue;
        }
        let file =
            std::fs::File::open(path).map_err(|e| error(path, format!("cannot read it: {e}")))?;
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .buffer_capacity(1 << 20)
            .from_reader(file);
        let headers = reader
            .byte_headers()
            .map_err(|e| error(path, format!("cannot read its header row: {e}")))?
            .clone();
        if headers.is_empty() {
            return Err(error(path, "has no header row naming its columns".into()));
        }
        let names: Vec<String> = headers
            .iter()
            .map(|h| String::from_utf8_lossy(h).trim().to_string())
            .collect();
        let id = names.iter().position(|n| n.eq_ignore_ascii_case("id"));
        let layout = Layout {
            key: id.into_iter().collect(),
            created: names.iter().position(|n| is_creation_time(n)),
            values: (0..names.len()).collect(),
        };
        let columns: Vec<Column> = names
            .iter()
            .map(|n| Column {
                name: n.clone(),
                kind: Kind::Text,
            })
            .collect();
        let key_columns = match id {
            Some(i) => vec![names[i].clone()],
            None => vec!["(row number)".to_string()],
        };
        let mut scan = TableScan::new(run.rules, &schema, &name, columns, key_columns);
        let mut record = csv::ByteRecord::new();
        let mut fields = Vec::new();
        loop {
            match reader.read_byte_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => return Err(error(path, format!("{e}"))),
            }
            fields.clear();
            fields.extend((0..record.len()).map(|i| record.range(i)));
            scan.row(&layout, record.as_slice(), &fields);
        }
        let read = TableRead {
            table: visible_line(&qualified).into_owned(),
            columns: names.len(),
            rows_read: 0,
            rows_estimated: None,
            complete: true,
            method: "every row of the file".to_string(),
            examples_left_out: 0,
            not_evaluated: None,
        };
        reads.push((read, scan.finish()));
    }
    reads.sort_by(|a, b| a.0.table.cmp(&b.0.table));
    for (read, out) in reads {
        g.add_table(read, out, None, run.policy.fail_closed);
    }
    Ok(g)
}
