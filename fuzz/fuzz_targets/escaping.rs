#![no_main]
//! File-name keys and output escaping on arbitrary bytes: a key is printable and gives its bytes back,
//! two different names never share a key, and escaped text carries no control character or runner
//! command.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    use shipgate::redact::{neutralise_commands, visible, visible_line, visible_with_offsets};
    use shipgate::repo::files::{path_from_key, path_key};
    let (a, b) = data.split_at(data.len() / 2);
    let (ka, kb) = (path_key(a), path_key(b));
    assert!(!ka.chars().any(char::is_control));
    assert_eq!(path_from_key(&ka).as_deref(), Some(a));
    assert_eq!(a == b, ka == kb);

    let text = String::from_utf8_lossy(data);
    let line = visible_line(&text);
    assert!(!line.chars().any(char::is_control));
    let multi = visible(&text);
    assert!(!multi.chars().any(|c| c.is_control() && c != '\n' && c != '\t'));
    let n = text.len();
    let mut offsets = [0, n / 3, n / 2, n];
    for o in &mut offsets {
        while !text.is_char_boundary(*o) {
            *o -= 1;
        }
    }
    let moved = visible_with_offsets(&text, &mut offsets);
    assert_eq!(moved, multi);
    assert!(offsets.windows(2).all(|w| w[0] <= w[1]) && offsets[3] == moved.len());
    assert!(offsets.iter().all(|o| moved.is_char_boundary(*o)));
    for l in neutralise_commands(&multi).split('\n') {
        let t = l.trim_start();
        assert!(!t.starts_with("::") && !t.starts_with("##["));
    }
});
