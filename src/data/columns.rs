//! What a column's name and type say about its values: which columns are read, which hold guidance text
//! (example values on purpose), and which one dates a row's creation.

/// How a column's values are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text of any kind (text, varchar, char, citext, a domain over them) — or, in CSV, any column: a value
    /// that is a JSON object or array, or an array in PostgreSQL's `{a,b}` form, is read as such.
    Text,
    /// json or jsonb: every string and number inside, each with its key path.
    Json,
    /// An array of text: each element.
    TextArray,
    /// An array of json: each element's strings and numbers.
    JsonArray,
    /// bigint or numeric: long numbers (NHS numbers, card numbers) are stored as such.
    Number,
}

/// A column that is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub kind: Kind,
}

/// A table as its source describes it: the columns to read, what identifies a row, what dates it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableSpec {
    pub schema: String,
    pub name: String,
    pub columns: Vec<Column>,
    /// The primary key's columns, in key order; empty when there is none.
    pub key: Vec<String>,
    /// A creation-timestamp column (`created_at`, `inserted_at`, …), for first and last seen.
    pub created: Option<String>,
}

impl TableSpec {
    /// `schema.name` as reports and `[data]` globs name it (unquoted).
    pub fn qualified(&self) -> String {
        if self.schema.is_empty() {
            self.name.clone()
        } else {
            format!("{}.{}", self.schema, self.name)
        }
    }
}

/// The words of a name: `helpText` and `HELP_TEXT` → `help`, `text`.
pub fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        word.extend(c.to_lowercase());
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// Words that name text shown to people as guidance, where example values are written on purpose.
const GUIDANCE_WORDS: &[&str] = &[
    "help",
    "hint",
    "hints",
    "placeholder",
    "example",
    "examples",
    "instruction",
    "instructions",
    "guidance",
    "tooltip",
    "template",
    "templates",
];

/// A column (or JSON key) whose name says it holds guidance shown to users — help text, hints,
/// placeholders, examples, instructions, tooltips, templates — holds example values on purpose: the
/// rules that report a form hint as a note in code (`hint-downgrade`) leave its values out. Its name
/// decides, never a value: `help_text` with `name@example.com` is guidance, `contact_email` with the
/// same value is a record.
pub fn is_guidance(name: &str) -> bool {
    words(name)
        .iter()
        .any(|w| GUIDANCE_WORDS.contains(&w.as_str()))
}

/// A column that records when its row was created: `created_at`, `created`, `inserted_at`, `date_created`,
/// `creation_time`, `createdAt`. (`updated_at` and `deleted_at` do not date creation.)
pub fn is_creation_time(name: &str) -> bool {
    let w = words(name);
    w.iter().any(|x| {
        matches!(
            x.as_str(),
            "created" | "creation" | "inserted" | "createdat" | "insertedat"
        )
    }) && !w
        .iter()
        .any(|x| matches!(x.as_str(), "by" | "user" | "id" | "uid" | "who"))
}

/// Is a type (as pg_dump writes it, or `format_type` shows it) a timestamp or a date?
pub fn is_time_type(ty: &str) -> bool {
    let t = ty.trim().to_ascii_lowercase();
    t.starts_with("timestamp") || t == "date"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_case_and_separators() {
        assert_eq!(words("helpText"), vec!["help", "text"]);
        assert_eq!(words("HELP_TEXT"), vec!["help", "text"]);
        assert_eq!(words("contact-email2"), vec!["contact", "email2"]);
    }

    #[test]
    fn guidance_is_decided_by_the_name_and_its_twin_is_a_record() {
        for g in [
            "help_text",
            "hintText",
            "email_placeholder",
            "example_value",
            "Instructions",
        ] {
            assert!(is_guidance(g), "{g}");
        }
        for r in [
            "email",
            "contact_email",
            "helpdesk_phone",
            "description",
            "helper_name",
        ] {
            assert!(!is_guidance(r), "{r}");
        }
    }

    #[test]
    fn creation_columns() {
        for c in [
            "created_at",
            "createdAt",
            "inserted_at",
            "date_created",
            "creation_time",
        ] {
            assert!(is_creation_time(c), "{c}");
        }
        for c in [
            "updated_at",
            "created_by",
            "created_by_user_id",
            "deleted_at",
        ] {
            assert!(!is_creation_time(c), "{c}");
        }
        assert!(is_time_type("timestamp with time zone") && is_time_type("date"));
        assert!(!is_time_type("text"));
    }
}
