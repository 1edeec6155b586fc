//! The one theme: calm colours on white, the Okabe–Ito palette (Okabe &
//! Ito, "Color Universal Design", 2008), which stays distinguishable with
//! every common colour-vision deficiency, and type sized from the image
//! height so a 1280×800 PNG stays legible on a phone.

use std::sync::Once;

use plotters::style::{FontStyle, RGBColor, register_font};
use serde::{Deserialize, Serialize};

/// DejaVu Sans 2.37 (Bitstream Vera licence + public domain changes, see
/// `assets/fonts/LICENSE-DejaVu.txt`): Latin, Cyrillic and Greek.
static DEJAVU_SANS: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// The family every text is drawn in; the embedded font is registered
/// under it, so no system font is needed.
pub(crate) const FONT: &str = "sans-serif";

/// Register the embedded font with plotters (once per process).
pub(crate) fn register_fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        for style in [FontStyle::Normal, FontStyle::Bold] {
            // the bytes are a valid TrueType font, checked by the tests
            let _ = register_font(FONT, style, DEJAVU_SANS);
        }
    });
}

/// Okabe–Ito colours by name.
pub mod okabe_ito {
    use plotters::style::RGBColor;
    /// Orange.
    pub const ORANGE: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
    /// Sky blue.
    pub const SKY_BLUE: RGBColor = RGBColor(0x56, 0xB4, 0xE9);
    /// Bluish green.
    pub const GREEN: RGBColor = RGBColor(0x00, 0x9E, 0x73);
    /// Yellow.
    pub const YELLOW: RGBColor = RGBColor(0xF0, 0xE4, 0x42);
    /// Blue.
    pub const BLUE: RGBColor = RGBColor(0x00, 0x72, 0xB2);
    /// Vermillion.
    pub const VERMILLION: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
    /// Reddish purple.
    pub const PURPLE: RGBColor = RGBColor(0xCC, 0x79, 0xA7);
}

/// Colours and proportions of every chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Theme {
    /// Page background.
    pub background: (u8, u8, u8),
    /// Titles, labels and annotations.
    pub text: (u8, u8, u8),
    /// Axis lines and tick labels.
    pub axis: (u8, u8, u8),
    /// Grid lines.
    pub grid: (u8, u8, u8),
    /// Series colours in order (the first is the main one; control and
    /// treatment are the first two).
    pub palette: Vec<(u8, u8, u8)>,
    /// A better-than-control / positive colour.
    pub good: (u8, u8, u8),
    /// A worse-than-control / negative colour.
    pub bad: (u8, u8, u8),
    /// Title height as a share of the image height.
    pub title_scale: f64,
    /// Axis label height as a share of the image height.
    pub label_scale: f64,
}

fn rgb(c: RGBColor) -> (u8, u8, u8) {
    (c.0, c.1, c.2)
}

impl Default for Theme {
    fn default() -> Self {
        use okabe_ito::*;
        Theme {
            background: (255, 255, 255),
            text: (0x33, 0x33, 0x33),
            axis: (0x66, 0x66, 0x66),
            grid: (0xE8, 0xE8, 0xE8),
            palette: [BLUE, ORANGE, GREEN, PURPLE, SKY_BLUE, VERMILLION, YELLOW]
                .into_iter()
                .map(rgb)
                .collect(),
            good: rgb(GREEN),
            bad: rgb(VERMILLION),
            title_scale: 0.045,
            label_scale: 0.030,
        }
    }
}

impl Theme {
    /// Colour `i` of the palette (cycling).
    pub(crate) fn series(&self, i: usize) -> RGBColor {
        let (r, g, b) = self.palette[i % self.palette.len().max(1)];
        RGBColor(r, g, b)
    }

    pub(crate) fn color(c: (u8, u8, u8)) -> RGBColor {
        RGBColor(c.0, c.1, c.2)
    }
}
