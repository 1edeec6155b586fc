//! Drawing a [`Chart`] with plotters onto a PNG or SVG canvas.

use std::ops::Range;

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde::{Deserialize, Serialize};

use super::draw;
use super::spec::Chart;
use super::text::Lang;
use super::theme::{FONT, Theme, register_fonts};
use crate::{Error, Result};

/// Output format and size in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "format", rename_all = "lowercase")]
pub enum Format {
    /// PNG, 8-bit RGB.
    Png {
        /// Width in pixels.
        w: u32,
        /// Height in pixels.
        h: u32,
    },
    /// SVG (text as text, in the `sans-serif` family).
    Svg {
        /// Width in pixels.
        w: u32,
        /// Height in pixels.
        h: u32,
    },
}

impl Format {
    /// A phone-friendly PNG, 1280 × 800.
    pub const PHONE: Format = Format::Png { w: 1280, h: 800 };

    fn size(self) -> (u32, u32) {
        match self {
            Format::Png { w, h } | Format::Svg { w, h } => (w, h),
        }
    }
}

/// Smallest and largest accepted side, in pixels.
pub const SIZE_LIMITS: (u32, u32) = (200, 4096);

/// Render `chart` as `format` with `theme`; `lang` overrides the chart's
/// language for the words the chart adds (legends, annotations).
pub fn render(chart: &Chart, format: Format, theme: &Theme, lang: Option<Lang>) -> Result<Vec<u8>> {
    let (w, h) = format.size();
    let (lo, hi) = SIZE_LIMITS;
    if !(lo..=hi).contains(&w) || !(lo..=hi).contains(&h) {
        return Err(Error::Render(format!(
            "a chart of {w}×{h} pixels: width and height must be between {lo} and {hi}"
        )));
    }
    register_fonts();
    let ctx = Ctx::new(chart, theme, lang.unwrap_or(chart.lang), (w, h));
    match format {
        Format::Png { .. } => {
            let mut buf = vec![0u8; w as usize * h as usize * 3];
            {
                let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
                draw::chart(&root, &ctx).map_err(Error::Render)?;
                root.present().map_err(|e| Error::Render(e.to_string()))?;
            }
            encode_png(&buf, w, h)
        }
        Format::Svg { .. } => {
            let mut s = String::new();
            {
                let root = SVGBackend::with_string(&mut s, (w, h)).into_drawing_area();
                draw::chart(&root, &ctx).map_err(Error::Render)?;
                root.present().map_err(|e| Error::Render(e.to_string()))?;
            }
            Ok(s.into_bytes())
        }
    }
}

fn encode_png(rgb: &[u8], w: u32, h: u32) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        // charts are flat colours: fast filtering compresses them well
        enc.set_compression(png::Compression::Fast);
        let mut writer = enc
            .write_header()
            .map_err(|e| Error::Render(e.to_string()))?;
        writer
            .write_image_data(rgb)
            .map_err(|e| Error::Render(e.to_string()))?;
    }
    Ok(out)
}

/// Everything a drawing function needs besides the data.
pub(crate) struct Ctx<'a> {
    pub chart: &'a Chart,
    pub theme: &'a Theme,
    pub lang: Lang,
    pub title_px: u32,
    pub label_px: u32,
    pub tick_px: u32,
    pub stroke: u32,
    pub w: u32,
}

impl<'a> Ctx<'a> {
    fn new(chart: &'a Chart, theme: &'a Theme, lang: Lang, (w, h): (u32, u32)) -> Self {
        let side = h.min(w * 5 / 8) as f64;
        let px = |s: f64, min: f64| (side * s).max(min).round() as u32;
        Ctx {
            chart,
            theme,
            lang,
            title_px: px(theme.title_scale, 12.0),
            label_px: px(theme.label_scale, 10.0),
            tick_px: px(theme.label_scale * 0.85, 9.0),
            stroke: (side / 350.0).round().max(1.0) as u32,
            w,
        }
    }

    pub fn text(&self) -> RGBColor {
        Theme::color(self.theme.text)
    }

    pub fn font(&self, px: u32) -> TextStyle<'static> {
        style(px, self.text(), Pos::default())
    }

    /// A centred text style.
    pub fn centred(&self, px: u32, color: RGBColor) -> TextStyle<'static> {
        style(px, color, Pos::new(HPos::Center, VPos::Center))
    }
}

/// Text in the embedded font. (Built field by field: plotters'
/// `TextStyle::color` wants a colour reference as long-lived as the font.)
pub(crate) fn style(px: u32, color: RGBColor, pos: Pos) -> TextStyle<'static> {
    TextStyle {
        font: (FONT, px).into_font(),
        color: color.to_backend_color(),
        pos,
    }
}

/// Plotting errors as text (the backend's error type differs per format).
pub(crate) trait OrMessage<T> {
    fn msg(self) -> std::result::Result<T, String>;
}

impl<T, E: std::fmt::Display> OrMessage<T> for std::result::Result<T, E> {
    fn msg(self) -> std::result::Result<T, String> {
        self.map_err(|e| e.to_string())
    }
}

/// The cartesian chart context every kind draws into.
pub(crate) type Plot<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Axis label formatter.
pub(crate) type Fmt<'f> = &'f dyn Fn(&f64) -> String;

/// Background, title, axes with their labels and grid: the frame every
/// cartesian chart shares. `y_area` widens the left label area (for long
/// category names).
pub(crate) fn frame<'a, DB: DrawingBackend>(
    root: &'a DrawingArea<DB, Shift>,
    ctx: &Ctx,
    x: Range<f64>,
    y: Range<f64>,
    fmt: (Option<Fmt>, Option<Fmt>),
    y_area: Option<u32>,
) -> std::result::Result<Plot<'a, DB>, String> {
    let theme = ctx.theme;
    root.fill(&Theme::color(theme.background)).msg()?;
    let margin = ctx.tick_px;
    let mut plot = ChartBuilder::on(root)
        .caption(&ctx.chart.title, ctx.font(ctx.title_px))
        .margin(margin)
        .margin_right(margin * 2)
        .x_label_area_size(ctx.tick_px * 2 + ctx.label_px * 2)
        .y_label_area_size(y_area.unwrap_or(ctx.tick_px * 4 + ctx.label_px * 2))
        .build_cartesian_2d(x, y)
        .msg()?;
    let grid = Theme::color(theme.grid);
    let axis = Theme::color(theme.axis);
    let default_fmt = |v: &f64| number(*v);
    let mut mesh = plot.configure_mesh();
    mesh.x_desc(ctx.chart.x_label.as_str())
        .y_desc(ctx.chart.y_label.as_str())
        .axis_desc_style(ctx.font(ctx.label_px))
        .label_style(style(ctx.tick_px, axis, Pos::default()))
        .axis_style(axis.stroke_width(1))
        .bold_line_style(grid.stroke_width(1))
        .light_line_style(TRANSPARENT)
        .x_labels(8)
        .y_labels(8)
        .x_label_formatter(fmt.0.unwrap_or(&default_fmt))
        .y_label_formatter(fmt.1.unwrap_or(&default_fmt));
    mesh.draw().msg()?;
    Ok(plot)
}

/// [`frame`] for x–y data spanning `x` and `y`, with a little room around.
pub(crate) fn xy_frame<'a, DB: DrawingBackend>(
    root: &'a DrawingArea<DB, Shift>,
    ctx: &Ctx,
    x: (f64, f64),
    y: (f64, f64),
) -> std::result::Result<Plot<'a, DB>, String> {
    frame(
        root,
        ctx,
        padded(x.0, x.1, 0.03),
        padded(y.0, y.1, 0.05),
        (None, None),
        None,
    )
}

/// A number for a tick or annotation: few digits, no trailing zeros.
pub fn number(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let a = v.abs();
    let s = if a >= 1e6 {
        format!("{:.1}M", v / 1e6)
    } else if a >= 1e4 {
        format!("{:.0}k", v / 1e3)
    } else if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 1.0 {
        format!("{v:.2}")
    } else if a >= 1e-6 {
        // three significant digits: 0.000812
        let digits = (2.0 - a.log10().floor()) as usize;
        format!("{v:.digits$}")
    } else {
        return format!("{v:.1e}");
    };
    if s.contains('.') && !s.ends_with('M') && !s.ends_with('k') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// A count in full, with thin spaces between thousands ("12 345").
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{2009}');
        }
        out.push(ch);
    }
    out
}

/// A share as a percentage ("12.5 %").
pub fn percent(v: f64) -> String {
    format!("{} %", number(v * 100.0))
}

/// The label of category `i` on an axis of categories at 0, 1, 2, …
pub(crate) fn category(labels: &[String], v: f64) -> String {
    let i = v.round();
    if (v - i).abs() > 1e-6 || i < 0.0 {
        return String::new();
    }
    labels.get(i as usize).cloned().unwrap_or_default()
}

/// Colour between `a` (t = 0) and `b` (t = 1).
pub(crate) fn mix(a: RGBColor, b: RGBColor, t: f64) -> RGBColor {
    let t = t.clamp(0.0, 1.0);
    let m = |x: u8, y: u8| (x as f64 + (y as f64 - x as f64) * t).round() as u8;
    RGBColor(m(a.0, b.0), m(a.1, b.1), m(a.2, b.2))
}

/// `(lo, hi)` widened by `pad` of its span (and made non-empty).
pub(crate) fn padded(lo: f64, hi: f64, pad: f64) -> Range<f64> {
    let (lo, hi) = if lo.is_finite() && hi.is_finite() {
        (lo, hi)
    } else {
        (0.0, 1.0)
    };
    let span = if hi > lo { hi - lo } else { lo.abs().max(1.0) };
    (lo - span * pad)..(hi + span * pad)
}

/// Smallest and largest of some numbers (finite ones).
pub(crate) fn extent<'i>(v: impl IntoIterator<Item = &'i f64>) -> (f64, f64) {
    v.into_iter()
        .filter(|x| x.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
            (a.min(x), b.max(x))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_short() {
        assert_eq!(number(0.0008123), "0.000812");
        assert_eq!(number(1234.7), "1235");
        assert_eq!(number(2.50), "2.5");
        assert_eq!(number(25_000.0), "25k");
        assert_eq!(number(-3.0e-9), "-3.0e-9");
        assert_eq!(count(1_234_567), "1\u{2009}234\u{2009}567");
        assert_eq!(count(12), "12");
        assert_eq!(percent(0.125), "12.5 %");
    }
}
