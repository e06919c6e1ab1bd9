"""Reads a tagged PDF back for the tests (tests/accessible.rs), independently of
samizdat's writer: the catalog's accessibility keys, every page's content stream
walked operator by operator with its stack of marked content, the text each
marked-content sequence shows (decoded through the fonts' ToUnicode maps, with
/ActualText where a span gives one), and the structure tree with each element's
role, language, alternative text and text. Prints one JSON object.

Usage: python pdf_tags.py FILE.pdf   (needs pikepdf)
"""

import json
import re
import sys

import pikepdf


def cmap_of(font):
    """ToUnicode map of a font: code (int) -> text."""
    out = {}
    tu = font.get("/ToUnicode")
    if tu is None:
        return out
    data = tu.read_bytes().decode("latin-1")

    def utf16(h):
        return bytes.fromhex(h).decode("utf-16-be", errors="replace")

    for block in re.findall(r"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>", block):
            out[int(src, 16)] = utf16(dst)
    for block in re.findall(r"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, rest in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(\[.*?\]|<[0-9A-Fa-f]*>)", block):
            lo, hi = int(lo, 16), int(hi, 16)
            if rest.startswith("["):
                for k, d in enumerate(re.findall(r"<([0-9A-Fa-f]*)>", rest)):
                    out[lo + k] = utf16(d)
            else:
                base = bytes.fromhex(rest[1:-1])
                for k in range(hi - lo + 1):
                    v = int.from_bytes(base, "big") + k
                    out[lo + k] = v.to_bytes(len(base), "big").decode("utf-16-be", errors="replace")
    return out


def text_string(s):
    """A PDF text string (UTF-16BE with BOM, or PDFDocEncoding) as str."""
    b = bytes(s)
    if b.startswith(b"\xfe\xff"):
        return b[2:].decode("utf-16-be", errors="replace")
    return b.decode("latin-1")


def walk_page(page, index):
    fonts = {}
    res = page.get("/Resources", {})
    for name, f in res.get("/Font", {}).items():
        fonts[name] = cmap_of(f)
    stack = []  # entries: dict(tag, mcid, artifact, actual)
    font = None
    per_mcid = {}
    shown = {"tagged": 0, "artifact": 0, "unmarked": 0}
    images = {"tagged": 0, "artifact": 0, "unmarked": 0}
    artifact_text = []
    actual_texts = []

    def where():
        if any(e["artifact"] for e in stack):
            return "artifact"
        if any(e["mcid"] is not None for e in stack):
            return "tagged"
        return "unmarked"

    def add_text(t):
        # Inside a span with /ActualText, that replaces the glyphs' text.
        for e in reversed(stack):
            if e["actual"] is not None:
                if not e["used"]:
                    e["used"] = True
                    t = e["actual"]
                else:
                    t = ""
                break
        kind = where()
        shown[kind] += 1
        if kind == "artifact":
            artifact_text.append(t)
            return
        for e in reversed(stack):
            if e["mcid"] is not None:
                per_mcid.setdefault(e["mcid"], []).append(t)
                break

    for operands, op in pikepdf.parse_content_stream(page):
        op = str(op)
        if op in ("BDC", "BMC"):
            tag = str(operands[0])
            props = operands[1] if op == "BDC" and len(operands) > 1 else None
            mcid = None
            actual = None
            if isinstance(props, pikepdf.Dictionary):
                if "/MCID" in props:
                    mcid = int(props["/MCID"])
                if "/ActualText" in props:
                    actual = text_string(props["/ActualText"])
                    actual_texts.append(actual)
            art = None
            if tag == "/Artifact":
                art = "Artifact"
                if isinstance(props, pikepdf.Dictionary):
                    art = "/".join(str(props.get(k, "")).lstrip("/") for k in ("/Type", "/Subtype")).strip("/")
            stack.append({"tag": tag, "mcid": mcid, "artifact": art, "actual": actual, "used": False})
        elif op == "EMC":
            if stack:
                stack.pop()
        elif op == "Tf":
            font = fonts.get(str(operands[0]), {})
        elif op in ("Tj", "'", '"', "TJ"):
            parts = operands[-1] if op != "TJ" else operands[0]
            items = parts if op == "TJ" else [parts]
            text = ""
            for it in items:
                if isinstance(it, pikepdf.String):
                    b = bytes(it)
                    for k in range(0, len(b) - 1, 2):
                        code = (b[k] << 8) | b[k + 1]
                        text += (font or {}).get(code, "\ufffd")
            add_text(text)
        elif op == "Do":
            images[where()] += 1
    annots = []
    for a in page.get("/Annots", []):
        annots.append({
            "struct_parent": int(a["/StructParent"]) if "/StructParent" in a else None,
            "contents": text_string(a["/Contents"]) if "/Contents" in a else None,
        })
    return {
        "index": index,
        "tabs": str(page.get("/Tabs", "")),
        "struct_parents": int(page["/StructParents"]) if "/StructParents" in page else None,
        "shown": shown,
        "images": images,
        "artifact_text": "".join(artifact_text),
        "actual_texts": actual_texts,
        "mcid_text": {str(k): "".join(v) for k, v in per_mcid.items()},
        "annots": annots,
    }


def main(path):
    pdf = pikepdf.open(path)
    root = pdf.Root
    pages = [walk_page(p, i) for i, p in enumerate(pdf.pages)]
    page_index = {p.objgen: i for i, p in enumerate(pdf.pages)}
    out = {
        "catalog": {
            "marked": bool(root.get("/MarkInfo", {}).get("/Marked", False)),
            "lang": str(root.get("/Lang", "")),
            "display_doc_title": bool(root.get("/ViewerPreferences", {}).get("/DisplayDocTitle", False)),
            "struct_tree": "/StructTreeRoot" in root,
        },
        "pages": pages,
        "elements": [],
    }
    if "/StructTreeRoot" not in root:
        print(json.dumps(out, ensure_ascii=False))
        return
    elements = out["elements"]
    seen = {}

    def visit(elem, parent, page_hint):
        key = elem.objgen
        if key in seen:
            return seen[key]
        idx = len(elements)
        seen[key] = idx
        role = str(elem.get("/S", "")).lstrip("/")
        record = {
            "role": role,
            "parent": parent,
            "lang": str(elem["/Lang"]) if "/Lang" in elem else None,
            "alt": text_string(elem["/Alt"]) if "/Alt" in elem else None,
            "id": text_string(elem["/ID"]) if "/ID" in elem else None,
            "attributes": [],
            "kids": [],
            "content": [],
            "objects": 0,
        }
        a = elem.get("/A")
        if a is not None:
            for d in (a if isinstance(a, pikepdf.Array) else [a]):
                record["attributes"].append({str(k).lstrip("/"): (
                    [float(x) for x in v] if isinstance(v, pikepdf.Array) else str(v).lstrip("/")
                ) for k, v in d.items()})
        elements.append(record)
        pg = elem.get("/Pg", page_hint)
        kids = elem.get("/K")
        if kids is None:
            kids = []
        elif not isinstance(kids, pikepdf.Array):
            kids = [kids]
        for k in kids:
            if isinstance(k, int) or (isinstance(k, pikepdf.Object) and k._type_code == pikepdf.ObjectType.integer):
                record["content"].append([page_index.get(pg.objgen) if pg is not None else None, int(k)])
            elif isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/MCR":
                p = k.get("/Pg", pg)
                record["content"].append([page_index.get(p.objgen) if p is not None else None, int(k["/MCID"])])
            elif isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/OBJR":
                record["objects"] += 1
            elif isinstance(k, pikepdf.Dictionary):
                record["kids"].append(visit(k, idx, pg))
        return idx

    tree = root["/StructTreeRoot"]
    top = tree.get("/K")
    tops = top if isinstance(top, pikepdf.Array) else [top]
    for t in tops:
        if t is not None:
            visit(t, None, None)
    for e in elements:
        e["text"] = "".join(pages[p]["mcid_text"].get(str(m), "") for p, m in e["content"] if p is not None)
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1])
