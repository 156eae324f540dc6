#![no_main]
//! Path classification on arbitrary (UTF-8) paths; a path's third-party tree is a directory prefix of
//! it, and every path inside one is classified vendored.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    use shipgate::repo::classify::{classify_default, vendor_root, FileClass};
    if let Ok(path) = std::str::from_utf8(data) {
        let class = classify_default(path);
        if let Some(root) = vendor_root(path) {
            assert!(path.starts_with(root) && path[root.len()..].starts_with('/'));
            assert_eq!(class, FileClass::Vendor, "{path:?}");
        }
    }
});
