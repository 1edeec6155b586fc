//! `GET /analytics/visualize/` and `GET /jobs/{id}/image`: charts of a
//! dataset's columns or of a finished analysis, rendered by a chart job.

use serde::{Deserialize, Serialize};

/// Defines a snake_case enum with `ALL`, `as_str` and a `FromStr` whose
/// error lists the allowed values.
macro_rules! named_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident = $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub enum $name {
            $($(#[$vm])* #[serde(rename = $s)] $v,)+
        }

        impl $name {
            /// Every value, in the order the documentation lists them.
            pub const ALL: &'static [$name] = &[$($name::$v),+];

            /// The name used in queries and JSON.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$v => $s,)+ }
            }

            /// The allowed names, comma-separated (for error messages).
            pub fn allowed() -> String {
                Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == s)
                    .ok_or_else(|| format!("one of: {}", Self::allowed()))
            }
        }
    };
}

named_enum! {
    /// What to draw. Dataset charts take `dataset_id` and columns; result
    /// charts take `job_id` of a finished analysis.
    ChartType {
        /// Histogram with a density curve of `column`.
        Histogram = "histogram",
        /// Box plot of `column` per value of `group` (one box without it).
        Box = "box",
        /// Bars of the value counts of `column`.
        Bars = "bars",
        /// Scatter of `y` against `x` (binned beyond a few thousand points).
        Scatter = "scatter",
        /// Correlation heatmap of `columns` (at least two).
        Correlation = "correlation",
        /// Normal QQ plot of `column`.
        Qq = "qq",
        /// A/B result: relative lift with its interval per metric × treatment.
        Forest = "forest",
        /// A/B result (Bayesian engine): posterior of the relative lift of
        /// the first metric and treatment.
        Posterior = "posterior",
        /// Regression result: coefficients with their intervals.
        Coefficients = "coefficients",
        /// Regression result (OLS / WLS): residuals against fitted values.
        Residuals = "residuals",
        /// Classification result: the test-set confusion matrix.
        Confusion = "confusion",
    }
}

impl ChartType {
    /// Whether it draws a finished analysis (`job_id`) rather than columns.
    pub fn of_result(self) -> bool {
        matches!(
            self,
            ChartType::Forest
                | ChartType::Posterior
                | ChartType::Coefficients
                | ChartType::Residuals
                | ChartType::Confusion
        )
    }
}

named_enum! {
    /// Image format.
    ChartFormat {
        /// PNG (the default; what Telegram shows inline).
        Png = "png",
        /// SVG.
        Svg = "svg",
    }
}

impl ChartFormat {
    /// The HTTP content type.
    pub fn content_type(self) -> &'static str {
        match self {
            ChartFormat::Png => "image/png",
            ChartFormat::Svg => "image/svg+xml",
        }
    }
}

named_enum! {
    /// Language of the words a chart adds (axis names, legends).
    ChartLang {
        /// English (the default).
        En = "en",
        /// Russian.
        Ru = "ru",
    }
}

named_enum! {
    /// Colours.
    ChartTheme {
        /// Dark text on white (the default).
        Light = "light",
        /// Light text on a dark background.
        Dark = "dark",
    }
}

/// Query of `GET /analytics/visualize/`. Enumerated values are given as
/// text so that a wrong one is answered with the allowed values (422).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
pub struct VisualizeQuery {
    /// What to draw: `histogram`, `box`, `bars`, `scatter`, `correlation`,
    /// `qq` (dataset charts) or `forest`, `posterior`, `coefficients`,
    /// `residuals`, `confusion` (charts of a finished analysis).
    pub kind: String,
    /// The dataset of a dataset chart.
    pub dataset_id: Option<String>,
    /// Its version (the newest when absent).
    pub version: Option<u32>,
    /// The finished analysis job of a result chart.
    pub job_id: Option<String>,
    /// The column (`histogram`, `box`, `bars`, `qq`).
    pub column: Option<String>,
    /// Comma-separated columns (`correlation`).
    pub columns: Option<String>,
    /// The x column (`scatter`).
    pub x: Option<String>,
    /// The y column (`scatter`).
    pub y: Option<String>,
    /// The grouping column (`box`).
    pub group: Option<String>,
    /// `png` (default) or `svg`.
    pub format: Option<String>,
    /// `en` (default) or `ru`.
    pub lang: Option<String>,
    /// `light` (default) or `dark`.
    pub theme: Option<String>,
    /// Width in pixels (200–4096, default 1280).
    pub width: Option<u32>,
    /// Height in pixels (200–4096, default 800).
    pub height: Option<u32>,
    /// Wait up to this many seconds for the image (default 5, at most 60);
    /// not ready by then → `202` with the job and a link to the image.
    pub wait: Option<f64>,
}

/// The result of a chart job (`kind = chart`): the rendered image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChartImage {
    /// What was drawn.
    pub chart: ChartType,
    /// The format.
    pub format: ChartFormat,
    /// Its HTTP content type.
    pub content_type: String,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// The image bytes, base64 (standard alphabet, padded). `GET
    /// /jobs/{id}/image` serves them as they are.
    pub data: String,
}
