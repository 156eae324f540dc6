#![no_main]
//! GitHub list pages on arbitrary bytes (issue 13: stream-parse lists): the capped streaming parser
//! never panics, never keeps more items than its room, and whatever list it accepts is the list a
//! whole-page parse sees — the same items, in order — so stopping early can only ever fail closed.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    use shipgate::github::client::list_page_for_fuzzing;
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let Ok(body) = std::str::from_utf8(rest) else {
        return;
    };
    // The first byte picks the page's shape and the room left under the cap.
    let field = (first & 1 == 1).then_some("environments");
    let room = usize::from(first >> 1);
    let whole: Option<Vec<serde_json::Value>> = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| match field {
            None => Some(v),
            Some(f) => v.get(f).cloned(),
        })
        .and_then(|v| v.as_array().cloned());
    match list_page_for_fuzzing(body, field, room) {
        Ok(items) => {
            assert!(items.len() <= room);
            match (&whole, field) {
                (Some(all), _) => {
                    assert_eq!(&items, all, "read a list the whole parse reads otherwise")
                }
                // A bare list's items are all parsed: the whole parse must agree.
                (None, None) => panic!("accepted a list the whole parse refuses"),
                // Skipped fields are checked for JSON syntax only (a lone surrogate, 1e999 in a field
                // nobody reads is no reason to fail); the list itself was parsed in full.
                (None, Some(_)) => {}
            }
        }
        // Over the cap: if the page is a valid list at all, it is longer than the room.
        Err(true) => {
            if let Some(all) = whole {
                assert!(all.len() > room);
            }
        }
        Err(false) => {}
    }
});
