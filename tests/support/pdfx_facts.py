"""Reads a PDF back for the PDF/X tests (tests/print.rs), independently of
samizdat's writer, and prints one JSON object with what a PDF/X-4 preflight
looks at: the header version, the Info keys, the XMP properties, the output
intents and their profiles, every page's boxes and annotations, the colour
spaces that content streams and images use, font embedding and encryption.

Usage: python pdfx_facts.py FILE.pdf   (needs pikepdf)
"""

import json
import re
import sys

import pikepdf

DEVICE_OPS = {"rg": "DeviceRGB", "RG": "DeviceRGB", "k": "DeviceCMYK", "K": "DeviceCMYK", "g": "DeviceGray", "G": "DeviceGray"}


def space_name(cs):
    """A colour space object as a short name: DeviceRGB, ICCBased/3, ..."""
    if isinstance(cs, pikepdf.Name):
        return str(cs)[1:]
    if isinstance(cs, pikepdf.Array) and len(cs) > 0:
        family = str(cs[0])[1:]
        if family == "ICCBased":
            return "ICCBased/%d" % int(cs[1].get("/N"))
        return family
    return repr(cs)


def xmp_props(pdf):
    meta = pdf.Root.get("/Metadata")
    if meta is None:
        return {}
    text = meta.read_bytes().decode("utf-8", errors="replace")
    props = {}
    for key in ["pdfxid:GTS_PDFXVersion", "pdf:Trapped", "xmpMM:DocumentID", "xmpMM:VersionID",
                "xmpMM:RenditionClass", "xmp:CreateDate", "xmp:ModifyDate", "xmp:MetadataDate",
                "pdfaid:part", "pdfaid:conformance"]:
        m = re.search(r"<%s>([^<]*)</%s>" % (key, key), text)
        if m:
            props[key] = m.group(1)
    props["has_pdfxid_extension"] = "http://www.npes.org/pdfx/ns/id/</pdfaSchema:namespaceURI>" in text
    return props


def main(path):
    with open(path, "rb") as f:
        header = f.read(8).decode("latin-1")
    pdf = pikepdf.open(path)
    info = {}
    for key in ["/GTS_PDFXVersion", "/Trapped", "/Title", "/CreationDate", "/ModDate", "/GTS_PDFXConformance"]:
        v = pdf.trailer.get("/Info", {}).get(key)
        if v is not None:
            info[key[1:]] = str(v)
    intents = []
    for oi in pdf.Root.get("/OutputIntents", []):
        prof = oi.get("/DestOutputProfile")
        intents.append({
            "S": str(oi.get("/S")),
            "identifier": str(oi.get("/OutputConditionIdentifier", "")),
            "registry": str(oi.get("/RegistryName", "")),
            "info": str(oi.get("/Info", "")),
            "profile_n": int(prof.get("/N")) if prof is not None else None,
            "profile_class": prof.read_bytes()[12:16].decode("latin-1") if prof is not None else None,
            "profile_space": prof.read_bytes()[16:20].decode("latin-1") if prof is not None else None,
            "profile_obj": prof.objgen[0] if prof is not None else None,
        })
    pages = []
    content_spaces = set()
    for page in pdf.pages:
        obj = page.obj
        boxes = {k[1:]: [float(x) for x in obj[k]] for k in ["/MediaBox", "/TrimBox", "/BleedBox", "/ArtBox"] if k in obj}
        annots = [str(a.get("/Subtype")) for a in obj.get("/Annots", [])]
        for operands, op in pikepdf.parse_content_stream(page):
            name = str(op)
            if name in DEVICE_OPS:
                content_spaces.add(DEVICE_OPS[name])
            elif name in ("cs", "CS"):
                content_spaces.add(str(operands[0])[1:])
        pages.append({"boxes": boxes, "annots": annots, "images": len(page.images)})
    images = []
    fonts = []
    for o in pdf.objects:
        if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Image" and o.get("/ImageMask") is not True:
            images.append({"space": space_name(o.get("/ColorSpace")), "filter": str(o.get("/Filter", "")),
                           "interpolate": bool(o.get("/Interpolate", False)),
                           "obj": o.objgen[0]})
        if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == "/FontDescriptor":
            embedded = any(k in o for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            fonts.append({"name": str(o.get("/FontName")), "embedded": embedded})
    out = {
        "header": header,
        "info": info,
        "xmp": xmp_props(pdf),
        "intents": intents,
        "pages": pages,
        "content_spaces": sorted(content_spaces),
        "images": images,
        "fonts": fonts,
        "encrypted": pdf.is_encrypted or "/Encrypt" in pdf.trailer,
        "has_id": "/ID" in pdf.trailer,
    }
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1])
