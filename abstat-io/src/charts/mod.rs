//! Charts people would rather look at than read: PNG for Telegram (sized
//! for a phone), SVG for the web and notebooks.
//!
//! A [`Chart`] is a typed, serde-serialisable spec holding already
//! summarised data (abstat-core [`summaries`](abstat_core::summaries):
//! histogram bins, density curves, box statistics, QQ points, binned
//! scatters, ROC points, power curves, posterior densities), so a server
//! or bot can build it, send it as JSON, and any process can [`render`] it.
//! The constructors on [`Chart`] summarise raw columns and abstat-core
//! results; rendering never sees more than a few thousand numbers, so any
//! dataset size renders in about the same time.
//!
//! Text uses DejaVu Sans, embedded in the binary (Cyrillic included, no
//! system fonts needed); colours are the Okabe–Ito palette; see [`Theme`].
//!
//! ```
//! use abstat_io::charts::{Chart, Format, Lang, Theme, render};
//! let x: Vec<f64> = (0..1000).map(|i| ((i * 37) % 101) as f64).collect();
//! let chart = Chart::histogram(&x, "Выручка, ₽", Lang::Ru)?;
//! let png = render(&chart, Format::Png { w: 800, h: 500 }, &Theme::default(), None)?;
//! assert_eq!(&png[1..4], b"PNG");
//! # Ok::<(), abstat_io::Error>(())
//! ```

mod build;
mod draw;
mod render;
mod spec;
mod text;
mod theme;

pub use render::{Format, SIZE_LIMITS, count, number, percent, render};
pub use spec::{Bar, Chart, ChartKind, IntervalRow, NamedBox, NamedRoc, NamedSeries};
pub use text::Lang;
pub use theme::{Theme, okabe_ito};
