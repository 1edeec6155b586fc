//! Model charts: ROC curves and feature importance. (Residuals, the
//! coefficient plot and the confusion matrix use the shared pieces.)

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Drawn, legend_at};
use crate::charts::render::{Ctx, OrMessage, category, extent, frame, number};
use crate::charts::spec::NamedRoc;
use crate::charts::theme::Theme;

/// ROC curves with the chance diagonal; the AUC in the legend ("AUC ≈"
/// for a binned curve, see `abstat_core::summaries::roc`).
pub(super) fn roc<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    ctx: &Ctx,
    curves: &[NamedRoc],
) -> Drawn {
    let mut plot = frame(root, ctx, 0.0..1.0, 0.0..1.01, (None, None), None)?;
    let axis = Theme::color(ctx.theme.axis);
    plot.draw_series(std::iter::once(PathElement::new(
        vec![(0.0, 0.0), (1.0, 1.0)],
        axis.mix(0.6).stroke_width(ctx.stroke),
    )))
    .msg()?;
    for (i, c) in curves.iter().enumerate() {
        let color = ctx.theme.series(i);
        // at most ~4000 vertices: more are below a pixel apart
        let step = c.roc.fpr.len().div_ceil(4000).max(1);
        let n = c.roc.fpr.len();
        let pts = (0..n)
            .filter(move |j| j % step == 0 || *j == n - 1)
            .map(|j| (c.roc.fpr[j], c.roc.tpr[j]));
        plot.draw_series(LineSeries::new(pts, color.stroke_width(ctx.stroke * 3)))
            .msg()?
            .label(format!(
                "{}: AUC {} {:.3}",
                c.name,
                if c.roc.binned { "≈" } else { "=" },
                c.roc.auc
            ))
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(3))
            });
    }
    legend_at(&mut plot, ctx, SeriesLabelPosition::LowerRight)
}

/// Horizontal bars, most important on top, with ± one standard deviation.
pub(super) fn importance<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    ctx: &Ctx,
    features: &[String],
    mean: &[f64],
    std: &[f64],
) -> Drawn {
    let k = features.len();
    let labels: Vec<String> = features.iter().rev().cloned().collect();
    let ylab = |v: &f64| category(&labels, *v);
    let (lo, hi) = extent(
        mean.iter()
            .zip(std)
            .flat_map(|(m, s)| [m - s, m + s])
            .collect::<Vec<_>>()
            .iter(),
    );
    let span = (hi.max(0.0) - lo.min(0.0)).max(1e-9);
    let longest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(4) as u32;
    let y_area = (longest * ctx.tick_px * 6 / 10 + ctx.tick_px * 2).min(ctx.w / 3);
    let mut plot = frame(
        root,
        ctx,
        lo.min(0.0) - 0.02 * span..hi.max(0.0) + 0.12 * span,
        -0.6..k as f64 - 0.4,
        (None, Some(&ylab)),
        Some(y_area),
    )?;
    let main = ctx.theme.series(0);
    let dark = ctx.text();
    for i in 0..k {
        let y = (k - 1 - i) as f64;
        let (m, s) = (mean[i], std[i]);
        plot.draw_series(std::iter::once(Rectangle::new(
            [(0.0, y - 0.35), (m, y + 0.35)],
            main.mix(0.75).filled(),
        )))
        .msg()?;
        plot.draw_series(std::iter::once(PathElement::new(
            vec![(m - s, y), (m + s, y)],
            dark.stroke_width(ctx.stroke * 2),
        )))
        .msg()?;
        plot.draw_series(std::iter::once(Text::new(
            number(m),
            (m.max(0.0) + s + 0.02 * span, y),
            crate::charts::render::style(
                ctx.tick_px,
                dark,
                plotters::style::text_anchor::Pos::new(
                    plotters::style::text_anchor::HPos::Left,
                    plotters::style::text_anchor::VPos::Center,
                ),
            ),
        )))
        .msg()?;
    }
    Ok(())
}
