//! Repository text inside Markdown that GitHub renders (the job summary, the evidence report): made
//! inert. A file name, a branch name or a finding's message is written by whoever wrote the pull
//! request; rendered as Markdown it could forge a verdict (`<!--` hiding the real findings, a `\r`
//! ending the table), link to a look-alike page, or load a remote image that tells a tracker who read
//! the report. So it is shown as the characters it is: control characters as visible escapes, HTML as
//! entities, every Markdown punctuation character backslash-escaped (no emphasis, link, image,
//! heading, list or table syntax survives), and bare URLs broken so GitHub does not autolink them.

use crate::redact::visible_line;

/// Inert text for a paragraph, list item or table cell, on one line.
pub fn text(s: &str) -> String {
    let line = visible_line(s);
    let mut out = String::with_capacity(line.len() + line.len() / 8);
    let mut rest: &str = &line;
    while let Some(c) = rest.chars().next() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            // CommonMark lets any ASCII punctuation be escaped; these are the ones that start or end
            // inline syntax: emphasis, code, links and images (no `[`, so no `](` or `![`), tables,
            // strikethrough, and a backslash that would escape what follows. The text is always
            // placed after a cell's `|` or a list's `- `, so line-start syntax cannot begin.
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            // GitHub autolinks `scheme://…` and `www.…` in plain text: an escaped `:` or `.` is shown
            // as itself but no longer starts a link.
            ':' if rest[1..].starts_with("//") => out.push_str("\\:"),
            '.' if out.ends_with("www") => out.push_str("\\."),
            _ => out.push(c),
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Inline code that stays code whatever it contains, safe in a table cell. Inside a code span nothing
/// renders (no HTML, no links, no escapes: a backslash is shown as typed), so only the span's own
/// delimiters and the table's `|` need care: the fence is longer than any run of backticks inside.
pub fn code(s: &str) -> String {
    let line = visible_line(s).replace('|', "\\|");
    let run = longest_backtick_run(&line);
    if run == 0 {
        return format!("`{line}`");
    }
    let fence = "`".repeat(run + 1);
    format!("{fence} {line} {fence}")
}

fn longest_backtick_run(s: &str) -> usize {
    let (mut best, mut now) = (0, 0);
    for c in s.chars() {
        if c == '`' {
            now += 1;
            best = best.max(now);
        } else {
            now = 0;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_images_and_emphasis_do_not_render() {
        let hostile =
            "![x](https://tracker.example/p.png) [click](https://evil.example) **bold** _it_";
        let t = text(hostile);
        assert_eq!(
            t,
            "!\\[x\\](https\\://tracker.example/p.png) \\[click\\](https\\://evil.example) \\*\\*bold\\*\\* \\_it\\_"
        );
    }

    #[test]
    fn html_and_control_characters_are_shown_not_obeyed() {
        assert_eq!(
            text("<!-- hide --><img src=x>\r| PASS |"),
            "&lt;!-- hide --&gt;&lt;img src=x&gt;\\\\x0d\\| PASS \\|"
        );
    }

    #[test]
    fn bare_urls_are_not_autolinked() {
        assert_eq!(text("see www.evil.example"), "see www\\.evil.example");
        assert_eq!(text("http://a.example"), "http\\://a.example");
        assert_eq!(text("ratio 1:2"), "ratio 1:2");
    }

    #[test]
    fn code_spans_hold_anything_literally() {
        assert_eq!(code("release_1"), "`release_1`");
        assert_eq!(code("a|b"), "`a\\|b`");
        assert_eq!(code("x`y``z"), "``` x`y``z ```");
        assert_eq!(code("<b>\n"), "`<b>\\x0a`");
    }
}
