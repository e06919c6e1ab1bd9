//! Markdown → model → layout → PDF and EPUB: nothing may panic, both writers
//! must accept whatever the parser and the layout accept, and every XML file
//! of the EPUB must parse.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../harness.rs"]
mod harness;

fuzz_target!(|data: &[u8]| {
    if let Some(out) = harness::pipeline(data) {
        harness::check_epub_xml(&out.epub);
    }
});
