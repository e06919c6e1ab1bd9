//! Tagged PDF (ISO 32000-1, 14.7–14.8; PDF/UA-1): the layout's logical
//! structure written as the structure tree, and the names the content streams
//! mark their content with.
//!
//! Every drawn item of a reading-order page is inside marked content: the
//! content of a structure element (`/P <</MCID 3>> BDC … EMC`, the MCID
//! numbered per page) or an artifact (running heads, folios, rules, dot
//! leaders, a table header repeated where the table continues, crop marks).
//! Each structure element lists its marked content (as MCRs naming their page),
//! then its child elements, then the links on its text (`/Link` with an
//! `OBJR` to the annotation). The parent tree maps each page's MCIDs, and each
//! link annotation, back to their elements. Elements that hold nothing drawn
//! (a statement only for the EPUB) are left out.

use std::collections::BTreeMap;

use pdf_writer::types::{StructRole, TableHeaderScope};
use pdf_writer::writers::StructChildren;
use pdf_writer::{Finish, Pdf, Rect as PRect, Ref, Str, TextStr};

use crate::layout::{Artifact, Role, StructNode};
use crate::model::Lang;

/// The tag a structure element's content is marked with.
pub(super) fn role_name(role: Role) -> &'static str {
    match role {
        Role::Document => "Document",
        Role::Part => "Part",
        Role::Sect => "Sect",
        Role::Div => "Div",
        Role::H(1) => "H1",
        Role::H(2) => "H2",
        Role::H(3) => "H3",
        Role::H(4) => "H4",
        Role::H(5) => "H5",
        Role::H(_) => "H6",
        Role::P => "P",
        Role::L => "L",
        Role::LI => "LI",
        Role::Lbl => "Lbl",
        Role::LBody => "LBody",
        Role::BlockQuote => "BlockQuote",
        Role::Table => "Table",
        Role::THead => "THead",
        Role::TBody => "TBody",
        Role::TR => "TR",
        Role::TH => "TH",
        Role::TD => "TD",
        Role::Figure => "Figure",
        Role::Caption => "Caption",
        Role::Note => "Note",
        Role::Reference => "Reference",
        Role::TOC => "TOC",
        Role::TOCI => "TOCI",
    }
}

fn struct_role(role: Role) -> StructRole {
    match role {
        Role::Document => StructRole::Document,
        Role::Part => StructRole::Part,
        Role::Sect => StructRole::Sect,
        Role::Div => StructRole::Div,
        Role::H(1) => StructRole::H1,
        Role::H(2) => StructRole::H2,
        Role::H(3) => StructRole::H3,
        Role::H(4) => StructRole::H4,
        Role::H(5) => StructRole::H5,
        Role::H(_) => StructRole::H6,
        Role::P => StructRole::P,
        Role::L => StructRole::L,
        Role::LI => StructRole::LI,
        Role::Lbl => StructRole::Lbl,
        Role::LBody => StructRole::LBody,
        Role::BlockQuote => StructRole::BlockQuote,
        Role::Table => StructRole::Table,
        Role::THead => StructRole::THead,
        Role::TBody => StructRole::TBody,
        Role::TR => StructRole::TR,
        Role::TH => StructRole::TH,
        Role::TD => StructRole::TD,
        Role::Figure => StructRole::Figure,
        Role::Caption => StructRole::Caption,
        Role::Note => StructRole::Note,
        Role::Reference => StructRole::Reference,
        Role::TOC => StructRole::TOC,
        Role::TOCI => StructRole::TOCI,
    }
}

/// The properties of an artifact's `BDC`.
pub(super) fn artifact_properties(a: Artifact) -> &'static str {
    match a {
        Artifact::Header => "/Type /Pagination /Subtype /Header",
        Artifact::Footer => "/Type /Pagination /Subtype /Footer",
        Artifact::Layout => "/Type /Layout",
    }
}

/// Properties of crop marks and other printer's marks (a "page" artifact).
pub(super) const PRINTER_MARKS: &str = "/Type /Page";

/// What one page contributes to the structure tree.
pub(super) struct PageTags<'a> {
    /// The page object.
    pub page: Ref,
    /// The structure element of each MCID of the page, in MCID order.
    pub mcids: &'a [u32],
    /// The page's link annotations, the element each is on, and the key of its
    /// entry in the parent tree.
    pub links: Vec<(Ref, Option<u32>, i32)>,
    /// Bounding boxes (PDF user space) of the pictures drawn for figures.
    pub figures: &'a [(u32, [f64; 4])],
}

/// Writes the structure tree for `nodes` and returns the `StructTreeRoot`'s
/// ref, for the catalog. Page `i`'s parent-tree key is `i`.
pub(super) fn write_tree(
    pdf: &mut Pdf,
    alloc: &mut impl FnMut() -> Ref,
    nodes: &[StructNode],
    pages: &[PageTags<'_>],
    doc_lang: Lang,
) -> Ref {
    let n = nodes.len();
    // Each element's marked content, in page order; its links; its pictures' box.
    let mut content: Vec<Vec<(Ref, usize)>> = vec![Vec::new(); n];
    let mut links: Vec<Vec<(Ref, Ref, i32)>> = vec![Vec::new(); n];
    let mut boxes: BTreeMap<u32, [f64; 4]> = BTreeMap::new();
    for p in pages {
        for (mcid, &node) in p.mcids.iter().enumerate() {
            if let Some(c) = content.get_mut(node as usize) {
                c.push((p.page, mcid));
            }
        }
        for &(annot, node, key) in &p.links {
            let owner = node.filter(|&x| (x as usize) < n).unwrap_or(0);
            links[owner as usize].push((annot, p.page, key));
        }
        for &(node, b) in p.figures {
            let e = boxes.entry(node).or_insert(b);
            *e = [e[0].min(b[0]), e[1].min(b[1]), e[2].max(b[2]), e[3].max(b[3])];
        }
    }
    // Children in index order; an element is kept when it or a descendant holds
    // something drawn (children always come after their parent).
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut kept: Vec<bool> = (0..n).map(|i| !content[i].is_empty() || !links[i].is_empty()).collect();
    for i in (1..n).rev() {
        if let Some(p) = nodes[i].parent.map(|p| p as usize).filter(|&p| p < i) {
            children[p].push(i);
            if kept[i] {
                kept[p] = true;
            }
        }
    }
    for c in &mut children {
        c.reverse();
    }
    if n > 0 {
        kept[0] = true;
    }
    let page_index: BTreeMap<Ref, usize> = pages.iter().enumerate().map(|(k, p)| (p.page, k)).collect();
    let root_ref = alloc();
    let refs: Vec<Option<Ref>> = kept.iter().map(|&k| k.then(&mut *alloc)).collect();
    let link_refs: Vec<Vec<Ref>> = links.iter().map(|l| l.iter().map(|_| alloc()).collect()).collect();

    for i in 0..n {
        let Some(r) = refs[i] else { continue };
        let node = &nodes[i];
        let parent_ref =
            node.parent.and_then(|p| refs.get(p as usize).copied().flatten()).unwrap_or(root_ref);
        let parent_lang = node.parent.map_or(doc_lang, |p| nodes[p as usize].lang);
        let mut e = pdf.struct_element(r);
        e.kind(struct_role(node.role)).parent(parent_ref);
        if node.lang != parent_lang || (i == 0 && node.lang != doc_lang) {
            e.lang(TextStr(node.lang.tag()));
        }
        if let Some(alt) = &node.alt {
            e.alt(TextStr(alt));
        }
        if node.role == Role::Note {
            e.id(Str(format!("note-{i}").as_bytes()));
        }
        match node.role {
            Role::Figure => {
                let mut attrs = e.attributes();
                let mut layout = attrs.push().layout();
                layout.placement(pdf_writer::types::Placement::Block);
                if let Some(b) = boxes.get(&(i as u32)) {
                    layout.bbox(PRect::new(b[0] as f32, b[1] as f32, b[2] as f32, b[3] as f32));
                }
            }
            Role::TH => {
                e.attributes().push().table().scope(TableHeaderScope::Column);
            }
            _ => {}
        }
        // Its own content with the note calls in it, in the order drawn; then
        // its other children, in reading order; then its links.
        let mut inline: Vec<((usize, usize), Option<usize>)> =
            content[i].iter().map(|&(page, mcid)| ((page_index[&page], mcid), None)).collect();
        for &c in children[i].iter().filter(|&&c| nodes[c].role == Role::Reference && refs[c].is_some()) {
            let at = content[c].first().map_or((usize::MAX, 0), |&(page, mcid)| (page_index[&page], mcid));
            inline.push((at, Some(c)));
        }
        inline.sort_by_key(|k| k.0);
        let mut kids: StructChildren<'_> = e.children();
        for (at, child) in inline {
            match child.and_then(|c| refs[c]) {
                Some(cr) => {
                    kids.struct_element(cr);
                }
                None => {
                    kids.marked_content_ref().page(pages[at.0].page).marked_content_id(at.1 as i32);
                }
            }
        }
        for &c in children[i].iter().filter(|&&c| nodes[c].role != Role::Reference) {
            if let Some(cr) = refs[c] {
                kids.struct_element(cr);
            }
        }
        for &lr in &link_refs[i] {
            kids.struct_element(lr);
        }
        kids.finish();
        e.finish();
        for (&(annot, page, _), &lr) in links[i].iter().zip(&link_refs[i]) {
            let mut link = pdf.struct_element(lr);
            link.kind(StructRole::Link).parent(r);
            link.children().object_ref().page(page).object(annot);
        }
    }

    // The parent tree: each page's MCIDs (an array of elements, by MCID), then
    // each link annotation.
    let mut entries: Vec<(i32, Ref)> = Vec::new();
    for (key, p) in pages.iter().enumerate() {
        if p.mcids.is_empty() {
            continue;
        }
        let array_ref = alloc();
        let mut arr = pdf.indirect(array_ref).array();
        for &node in p.mcids {
            match refs.get(node as usize).copied().flatten() {
                Some(r) => arr.item(r),
                None => arr.item(pdf_writer::Null),
            };
        }
        arr.finish();
        entries.push((key as i32, array_ref));
    }
    for (i, l) in links.iter().enumerate() {
        for (&(_, _, key), &lr) in l.iter().zip(&link_refs[i]) {
            entries.push((key, lr));
        }
    }
    entries.sort_by_key(|e| e.0);
    let next_key = entries.last().map_or(0, |e| e.0 + 1);
    let mut tree = pdf.indirect(root_ref).start::<pdf_writer::writers::StructTreeRoot>();
    if let Some(r) = refs.first().copied().flatten() {
        tree.child(r);
    }
    {
        let mut parents = tree.parent_tree();
        let mut nums = parents.nums();
        for (key, r) in entries {
            nums.insert(key, r);
        }
    }
    tree.parent_tree_next_key(next_key);
    // Notes are found by their ID (PDF/UA-1, 7.9).
    let notes: Vec<(String, Ref)> = (0..n)
        .filter(|&i| nodes[i].role == Role::Note)
        .filter_map(|i| refs[i].map(|r| (format!("note-{i}"), r)))
        .collect();
    if !notes.is_empty() {
        let mut ids = tree.id_tree();
        let mut names = ids.names();
        let mut sorted = notes;
        sorted.sort();
        for (id, r) in &sorted {
            names.insert(Str(id.as_bytes()), *r);
        }
    }
    tree.finish();
    root_ref
}
