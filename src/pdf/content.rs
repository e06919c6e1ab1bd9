//! Page content streams: PDF operators written straight into bytes.
//!
//! The builder writes the handful of operators a samizdat page needs (state,
//! transforms, rectangles and lines, clips, images, text as glyph codes) with
//! a number formatter of its own: coordinates are rounded to 1/1000 pt and
//! written without trailing zeros, so the same layout always gives the same
//! bytes, and a volume's 1,600 pages are written in parallel without going
//! through a general-purpose float printer.

/// A content stream being written.
#[derive(Debug, Default)]
pub(super) struct Content {
    buf: Vec<u8>,
    /// Inside a hex string of a `TJ` array.
    in_string: bool,
}

impl Content {
    /// An empty stream with room for `capacity` bytes.
    pub fn with_capacity(capacity: usize) -> Content {
        Content { buf: Vec::with_capacity(capacity), in_string: false }
    }

    /// The operators written so far.
    pub fn finish(self) -> Vec<u8> {
        self.buf
    }

    /// Writes a number, rounded to three decimals, and a space.
    pub fn num(&mut self, v: f64) -> &mut Self {
        write_num(&mut self.buf, v);
        self.buf.push(b' ');
        self
    }

    /// Writes an operator and a line end.
    pub fn op(&mut self, op: &str) -> &mut Self {
        self.buf.extend_from_slice(op.as_bytes());
        self.buf.push(b'\n');
        self
    }

    /// Writes a name (`/Name`) and a space.
    pub fn name(&mut self, name: &str) -> &mut Self {
        self.buf.push(b'/');
        self.buf.extend_from_slice(name.as_bytes());
        self.buf.push(b' ');
        self
    }

    /// `q`: saves the graphics state.
    pub fn save(&mut self) {
        self.op("q");
    }

    /// `Q`: restores the graphics state.
    pub fn restore(&mut self) {
        self.op("Q");
    }

    /// `cm`: concatenates `[a b c d e f]` to the current transform.
    pub fn transform(&mut self, m: [f64; 6]) {
        for v in m {
            self.num(v);
        }
        self.op("cm");
    }

    /// A translation by `(x, y)`.
    pub fn translate(&mut self, x: f64, y: f64) {
        if x != 0.0 || y != 0.0 {
            self.transform([1.0, 0.0, 0.0, 1.0, x, y]);
        }
    }

    /// `re`: appends a rectangle to the path.
    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64) {
        self.num(x).num(y).num(w).num(h).op("re");
    }

    /// Intersects the clip with a rectangle (`re W n`).
    pub fn clip_rect(&mut self, x: f64, y: f64, w: f64, h: f64) {
        self.rect(x, y, w, h);
        self.op("W n");
    }

    /// `g`: DeviceGray fill.
    pub fn fill_gray(&mut self, gray: f64) {
        self.num(gray).op("g");
    }

    /// `G`: DeviceGray stroke.
    pub fn stroke_gray(&mut self, gray: f64) {
        self.num(gray).op("G");
    }

    /// Solid black for fills: DeviceGray, or in a CMYK job black ink alone
    /// (`0 0 0 1 k`), so that no press separation but K carries the text.
    pub fn fill_black(&mut self, cmyk: bool) {
        if cmyk {
            self.op("0 0 0 1 k");
        } else {
            self.fill_gray(0.0);
        }
    }

    /// Solid black for strokes, as [`Content::fill_black`].
    pub fn stroke_black(&mut self, cmyk: bool) {
        if cmyk {
            self.op("0 0 0 1 K");
        } else {
            self.stroke_gray(0.0);
        }
    }

    /// `w`: line width.
    pub fn line_width(&mut self, w: f64) {
        self.num(w).op("w");
    }

    /// `m`: starts a subpath.
    pub fn move_to(&mut self, x: f64, y: f64) {
        self.num(x).num(y).op("m");
    }

    /// `l`: a straight segment.
    pub fn line_to(&mut self, x: f64, y: f64) {
        self.num(x).num(y).op("l");
    }

    /// `S`: strokes the path.
    pub fn stroke(&mut self) {
        self.op("S");
    }

    /// `f`: fills the path (non-zero winding).
    pub fn fill(&mut self) {
        self.op("f");
    }

    /// `Do`: paints an XObject.
    pub fn x_object(&mut self, name: &str) {
        self.name(name).op("Do");
    }

    /// `BT`: begins a text object.
    pub fn begin_text(&mut self) {
        self.op("BT");
    }

    /// `ET`: ends a text object.
    pub fn end_text(&mut self) {
        self.op("ET");
    }

    /// `Tf`: font and size.
    pub fn font(&mut self, name: &str, size: f64) {
        self.name(name).num(size).op("Tf");
    }

    /// `Tm`: the text matrix.
    pub fn text_matrix(&mut self, m: [f64; 6]) {
        for v in m {
            self.num(v);
        }
        self.op("Tm");
    }

    /// Starts a `TJ` array.
    pub fn start_shown(&mut self) {
        self.buf.push(b'[');
        self.in_string = false;
    }

    /// One glyph code inside a `TJ` array, as two bytes of a literal string
    /// (codes with nothing between them share one string), and the adjustment
    /// after it (thousandths of the font size, positive moves left) when it is
    /// not zero. Literal rather than hex strings: half the bytes to write and
    /// to deflate. `(`, `)` and `\` are escaped, and a carriage return, which a
    /// reader would take for a line end inside a string (ISO 32000-1, 7.3.4.2).
    pub fn shown_glyph(&mut self, cid: u16, adjust: f64) {
        if !self.in_string {
            self.buf.push(b'(');
            self.in_string = true;
        }
        let bytes = cid.to_be_bytes();
        let plain = |b: u8| !matches!(b, b'(' | b')' | b'\\' | b'\r');
        if plain(bytes[0]) && plain(bytes[1]) {
            // Most codes: both bytes as they are, in one two-byte copy.
            self.buf.extend_from_slice(&bytes);
        } else {
            for b in bytes {
                if !plain(b) {
                    self.buf.push(b'\\');
                }
                self.buf.push(if b == b'\r' { b'r' } else { b });
            }
        }
        if adjust.abs() >= 0.0005 {
            self.buf.push(b')');
            self.in_string = false;
            write_num(&mut self.buf, adjust);
        }
    }

    /// Ends a `TJ` array and shows it.
    pub fn end_shown(&mut self) {
        if self.in_string {
            self.buf.push(b')');
            self.in_string = false;
        }
        self.buf.extend_from_slice(b"]TJ\n");
    }

    /// `/Tag <</MCID n>> BDC`: content of a structure element.
    pub fn begin_tagged(&mut self, tag: &str, mcid: usize) {
        self.name(tag);
        self.buf.extend_from_slice(b"<</MCID ");
        self.buf.extend_from_slice(mcid.to_string().as_bytes());
        self.buf.extend_from_slice(b">>BDC\n");
    }

    /// `/Artifact <<…>> BDC` with the artifact's properties written out
    /// (`/Type /Pagination /Subtype /Header`).
    pub fn begin_artifact(&mut self, properties: &str) {
        self.buf.extend_from_slice(b"/Artifact <<");
        self.buf.extend_from_slice(properties.as_bytes());
        self.buf.extend_from_slice(b">>BDC\n");
    }

    /// `/Span <</ActualText <FEFF…>>> BDC`: what the glyphs up to the matching
    /// [`Content::end_marked`] stand for (`text` in UTF-16BE).
    pub fn begin_actual_text(&mut self, text: &str) {
        self.buf.extend_from_slice(b"/Span <</ActualText <FEFF");
        for unit in text.encode_utf16() {
            self.buf.extend_from_slice(format!("{unit:04X}").as_bytes());
        }
        self.buf.extend_from_slice(b">>>BDC\n");
    }

    /// `EMC`: ends the innermost marked-content sequence.
    pub fn end_marked(&mut self) {
        self.buf.extend_from_slice(b"EMC\n");
    }
}

/// Writes `v` rounded to three decimals, without trailing zeros (`-0` as `0`).
/// Values beyond ±2^31 (never a coordinate) are clamped so the integer maths
/// cannot overflow; NaN is written as 0.
pub(super) fn write_num(out: &mut Vec<u8>, v: f64) {
    let v = if v.is_nan() { 0.0 } else { v.clamp(-2.0e9, 2.0e9) };
    let milli = (v * 1000.0).round() as i64;
    if milli == 0 {
        out.push(b'0');
        return;
    }
    // Written right to left into a buffer, then copied out at once: a number of a
    // content stream is a few bytes, and a volume's streams have millions of them.
    let mut buf = [0u8; 24];
    let mut i = buf.len();
    let m = milli.unsigned_abs();
    let (mut int, frac) = (m / 1000, m % 1000);
    if frac != 0 {
        // Three decimals without their trailing zeros.
        let (mut f, mut keep) = (frac, 3);
        while f % 10 == 0 {
            f /= 10;
            keep -= 1;
        }
        for _ in 0..keep {
            i -= 1;
            buf[i] = b'0' + (f % 10) as u8;
            f /= 10;
        }
        i -= 1;
        buf[i] = b'.';
    }
    loop {
        i -= 1;
        buf[i] = b'0' + (int % 10) as u8;
        int /= 10;
        if int == 0 {
            break;
        }
    }
    if milli < 0 {
        i -= 1;
        buf[i] = b'-';
    }
    out.extend_from_slice(&buf[i..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(v: f64) -> String {
        let mut out = Vec::new();
        write_num(&mut out, v);
        String::from_utf8(out).unwrap()
    }

    // Numbers are rounded to 1/1000 and written in PDF's plain decimal form.
    #[test]
    fn numbers() {
        assert_eq!(num(0.0), "0");
        assert_eq!(num(-0.0001), "0");
        assert_eq!(num(1.0), "1");
        assert_eq!(num(-12.5), "-12.5");
        assert_eq!(num(595.2756), "595.276");
        assert_eq!(num(0.05), "0.05");
        assert_eq!(num(1000.0), "1000");
        assert_eq!(num(f64::NAN), "0");
        assert_eq!(num(1e300), "2000000000");
    }

    // Every number of up to three decimals is written as Rust's shortest form of it.
    #[test]
    fn numbers_match_the_shortest_form() {
        for milli in (-2_000_000i64..2_000_000).step_by(7).chain([999, 1000, 1001, -1, 1, 10, 100]) {
            let v = milli as f64 / 1000.0;
            assert_eq!(num(v), format!("{v}"), "{milli}");
        }
    }

    // Glyph codes are two bytes of a literal string, delimiters and CR escaped;
    // small adjustments are left out.
    #[test]
    fn shown_glyphs() {
        let mut c = Content::default();
        c.start_shown();
        c.shown_glyph(0x1A2, -12.25);
        c.shown_glyph(0x0028, 0.0001);
        c.shown_glyph(0x5C0D, 0.0);
        c.end_shown();
        assert_eq!(c.finish(), b"[(\x01\xA2)-12.25(\x00\\(\\\\\\r)]TJ\n");
    }
}
