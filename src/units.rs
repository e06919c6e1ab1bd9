//! Typed lengths. Every length that crosses a module boundary is a [`Pt`]
//! (a PostScript point, 1/72 inch); millimetres and inches exist only at the
//! manifest edge and are converted on the way in.

use std::fmt;
use std::ops::{Add, AddAssign, Div, Mul, Neg, Sub, SubAssign};

/// A length in PostScript points (1/72 inch).
///
/// Constructed only from finite values, so a `Pt` is never NaN.
#[derive(Debug, Clone, Copy, Default, PartialEq, PartialOrd)]
pub struct Pt(f64);

impl Pt {
    /// Zero length.
    pub const ZERO: Pt = Pt(0.0);

    /// A length in points. Non-finite input becomes zero, so NaN cannot enter layout.
    pub const fn new(v: f64) -> Pt {
        if v.is_finite() { Pt(v) } else { Pt(0.0) }
    }

    /// A length given in millimetres.
    pub fn mm(v: f64) -> Pt {
        Pt::new(v * 72.0 / 25.4)
    }

    /// A length given in centimetres.
    pub fn cm(v: f64) -> Pt {
        Pt::mm(v * 10.0)
    }

    /// A length given in inches.
    pub fn inch(v: f64) -> Pt {
        Pt::new(v * 72.0)
    }

    /// The raw value in points.
    pub fn get(self) -> f64 {
        self.0
    }

    /// The value in millimetres.
    pub fn to_mm(self) -> f64 {
        self.0 * 25.4 / 72.0
    }

    /// The larger of two lengths.
    pub fn max(self, other: Pt) -> Pt {
        if self.0 >= other.0 { self } else { other }
    }

    /// The smaller of two lengths.
    pub fn min(self, other: Pt) -> Pt {
        if self.0 <= other.0 { self } else { other }
    }

    /// The absolute value.
    pub fn abs(self) -> Pt {
        Pt(self.0.abs())
    }
}

impl fmt::Display for Pt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.2}pt", self.0)
    }
}

impl Add for Pt {
    type Output = Pt;
    fn add(self, o: Pt) -> Pt {
        Pt::new(self.0 + o.0)
    }
}

impl AddAssign for Pt {
    fn add_assign(&mut self, o: Pt) {
        *self = *self + o;
    }
}

impl Sub for Pt {
    type Output = Pt;
    fn sub(self, o: Pt) -> Pt {
        Pt::new(self.0 - o.0)
    }
}

impl SubAssign for Pt {
    fn sub_assign(&mut self, o: Pt) {
        *self = *self - o;
    }
}

impl Neg for Pt {
    type Output = Pt;
    fn neg(self) -> Pt {
        Pt(-self.0)
    }
}

impl Mul<f64> for Pt {
    type Output = Pt;
    fn mul(self, k: f64) -> Pt {
        Pt::new(self.0 * k)
    }
}

impl Div<f64> for Pt {
    type Output = Pt;
    fn div(self, k: f64) -> Pt {
        Pt::new(self.0 / k)
    }
}

impl Div for Pt {
    type Output = f64;
    fn div(self, o: Pt) -> f64 {
        let r = self.0 / o.0;
        if r.is_finite() { r } else { 0.0 }
    }
}

impl std::iter::Sum for Pt {
    fn sum<I: Iterator<Item = Pt>>(iter: I) -> Pt {
        iter.fold(Pt::ZERO, |a, b| a + b)
    }
}

/// A length in ems of a glyph run's font size, kept in 32 bits: set glyphs are
/// stored by the million in a volume's layout, and an em-relative advance is
/// what the PDF writer wants anyway. `Em::at` turns it into points.
#[derive(Debug, Clone, Copy, Default, PartialEq, PartialOrd)]
pub struct Em(f32);

impl Em {
    /// Zero.
    pub const ZERO: Em = Em(0.0);

    /// A length in ems; non-finite input becomes zero.
    pub fn new(v: f64) -> Em {
        if v.is_finite() { Em(v as f32) } else { Em(0.0) }
    }

    /// `len` measured in ems of `size`.
    pub fn of(len: Pt, size: Pt) -> Em {
        Em::new(len / size)
    }

    /// The length at font size `size`.
    pub fn at(self, size: Pt) -> Pt {
        size * f64::from(self.0)
    }

    /// The raw value in ems.
    pub fn get(self) -> f32 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Millimetres convert exactly enough that an A5 page is 419.53 × 595.28 pt.
    #[test]
    fn a5_in_points() {
        assert!((Pt::mm(148.0).get() - 419.527).abs() < 0.001);
        assert!((Pt::mm(210.0).get() - 595.276).abs() < 0.001);
    }

    // NaN and infinity never enter a length.
    #[test]
    fn non_finite_becomes_zero() {
        assert_eq!(Pt::new(f64::NAN), Pt::ZERO);
        assert_eq!(Pt::new(1.0) / Pt::ZERO, 0.0);
        assert_eq!(Em::new(f64::INFINITY), Em::ZERO);
        assert_eq!(Em::of(Pt::new(5.0), Pt::ZERO), Em::ZERO);
    }

    // An advance survives the trip through ems to well under a thousandth of a point.
    #[test]
    fn em_round_trip() {
        let size = Pt::new(10.5);
        for v in [0.0, 0.25, 3.333_333, 7.901, 41.0] {
            assert!((Em::of(Pt::new(v), size).at(size).get() - v).abs() < 1e-5, "{v}");
        }
    }
}
