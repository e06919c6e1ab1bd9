//! samizdat: Markdown statements → print-ready PDF and EPUB 3 from one
//! manifest (`book.toml`).
//!
//! The modules follow the pipeline and import only upstream:
//! `locale` (the languages and their words) · `date` (parsing and display) ·
//! `manifest` (book.toml → [`manifest::Settings`]) · `markdown` (pulldown-cmark →
//! [`model::Document`]) · `model` · `typography` (ru/kk rules, hyphenation) ·
//! `fonts` (loading, shaping, metrics) · `layout` (line breaking, pagination →
//! [`layout::Layout`]) · `pdf` (layout → bytes) · `epub` (model → bytes) ·
//! `diag` (diagnostics with places). `driver`: the only module
//! that touches the filesystem.

pub mod cover;
pub mod date;
pub mod diag;
pub mod driver;
pub mod epub;
pub mod fonts;
mod hash;
pub mod images;
pub mod layout;
pub mod locale;
pub mod manifest;
pub mod markdown;
pub mod model;
pub mod pdf;
pub mod preflight;
pub mod typography;
pub mod units;
