//! README's "Use it from your tests" examples are the tested code: each code block
//! marked `<!-- example: PATH -->` must appear, exactly, in the file at PATH.

use std::path::Path;

#[test]
fn every_readme_example_is_copied_exactly_from_a_tested_file() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let Ok(readme) = std::fs::read_to_string(root.join("README.md")) else {
        // A packaged crate has no workspace around it.
        return;
    };
    let marker = "<!-- example: ";
    let mut checked = 0;
    for (at, _) in readme.match_indices(marker) {
        let rest = &readme[at + marker.len()..];
        let path = &rest[..rest.find(" -->").expect("marker closes")];
        let fence = rest.find("```").expect("a code block follows the marker");
        let body_start = fence + rest[fence..].find('\n').expect("fence line ends") + 1;
        let body_len = rest[body_start..]
            .find("\n```")
            .expect("the code block closes");
        let block = &rest[body_start..body_start + body_len];
        let source = std::fs::read_to_string(root.join(path))
            .unwrap_or_else(|e| panic!("README names {path}: {e}"));
        assert!(
            source.contains(block),
            "README's example from {path} differs from the file:\n{block}"
        );
        checked += 1;
    }
    assert_eq!(checked, 4, "README's marked examples");
}
