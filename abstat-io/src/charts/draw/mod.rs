//! One drawing function per kind of chart, and the pieces several share
//! (interval rows, cell grids, scatter summaries).

mod ab;
mod explore;
mod models;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::Pos;

use abstat_core::summaries::ScatterSummary;

use super::render::{
    Ctx, OrMessage, category, count, extent, frame, mix, number, padded, style, xy_frame,
};
use super::spec::{ChartKind, IntervalRow};
use super::theme::Theme;

type Drawn = Result<(), String>;

/// Draw the context's chart onto `root`.
pub(crate) fn chart<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, ctx: &Ctx) -> Drawn {
    match &ctx.chart.kind {
        ChartKind::Histogram { histogram, density } => {
            explore::histogram(root, ctx, histogram, density.as_ref())
        }
        ChartKind::BoxPlot { groups } => explore::box_plot(root, ctx, groups),
        ChartKind::Bars { bars, percent } => explore::bars(root, ctx, bars, *percent),
        ChartKind::Scatter { scatter } | ChartKind::Residuals { scatter } => scatter_summary(
            root,
            ctx,
            scatter,
            matches!(ctx.chart.kind, ChartKind::Residuals { .. }),
        ),
        ChartKind::Heatmap { matrix } => {
            let cells: Vec<Vec<f64>> = matrix.r.clone();
            let (neg, pos) = (Theme::color(ctx.theme.bad), ctx.theme.series(0));
            cell_grid(
                root,
                ctx,
                &matrix.names,
                &matrix.names,
                &cells,
                &|v| {
                    if v >= 0.0 {
                        mix(WHITE, pos, v)
                    } else {
                        mix(WHITE, neg, -v)
                    }
                },
                &|v| format!("{v:.2}"),
            )
        }
        ChartKind::Qq { qq } => explore::qq(root, ctx, qq),
        ChartKind::Forest { rows } => intervals(root, ctx, rows, true),
        ChartKind::Coefficients { rows } => intervals(root, ctx, rows, false),
        ChartKind::Distributions { series } => ab::distributions(root, ctx, series),
        ChartKind::CumulativeLift { points } => ab::cumulative_lift(root, ctx, points),
        ChartKind::Posterior {
            density,
            ci,
            chance_to_win,
        } => ab::posterior(root, ctx, density, ci, *chance_to_win),
        ChartKind::PowerCurve {
            curve,
            target,
            marker,
        } => ab::power_curve(root, ctx, curve, *target, *marker),
        ChartKind::Roc { curves } => models::roc(root, ctx, curves),
        ChartKind::Confusion { labels, counts } => {
            let max = counts.iter().flatten().copied().max().unwrap_or(0).max(1) as f64;
            let cells: Vec<Vec<f64>> = counts
                .iter()
                .map(|r| r.iter().map(|&c| c as f64).collect())
                .collect();
            let base = ctx.theme.series(0);
            cell_grid(
                root,
                ctx,
                labels,
                labels,
                &cells,
                &|v| mix(WHITE, base, v / max),
                &|v| format!("{v:.0}"),
            )
        }
        ChartKind::Importance {
            features,
            mean,
            std,
        } => models::importance(root, ctx, features, mean, std),
    }
}

/// Rows of estimate ± interval, top to bottom, with a reference line at 0
/// (forest plots in percent, coefficient plots in units).
fn intervals<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    ctx: &Ctx,
    rows: &[IntervalRow],
    as_percent: bool,
) -> Drawn {
    let k = rows.len();
    let scale = if as_percent { 100.0 } else { 1.0 };
    let (lo, hi) = extent(rows.iter().flat_map(|r| [&r.lower, &r.upper]));
    let x = padded((lo * scale).min(0.0), (hi * scale).max(0.0), 0.08);
    // rows from the top: row i at y = k − 1 − i
    let labels: Vec<String> = rows.iter().rev().map(|r| r.label.clone()).collect();
    let ylab = |v: &f64| category(&labels, *v);
    let longest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(4) as u32;
    let y_area = (longest * ctx.tick_px * 6 / 10 + ctx.tick_px * 2).min(ctx.w / 3);
    let mut plot = frame(
        root,
        ctx,
        x.clone(),
        -0.6..k as f64 - 0.4,
        (None, Some(&ylab)),
        Some(y_area),
    )?;
    let axis = Theme::color(ctx.theme.axis);
    plot.draw_series(std::iter::once(PathElement::new(
        vec![(0.0, -0.6), (0.0, k as f64 - 0.4)],
        axis.stroke_width(ctx.stroke),
    )))
    .msg()?;
    let neutral = ctx.theme.series(0);
    for (i, r) in rows.iter().enumerate() {
        let y = (k - 1 - i) as f64;
        let color = match r.better {
            Some(true) => Theme::color(ctx.theme.good),
            Some(false) => Theme::color(ctx.theme.bad),
            None => neutral,
        };
        let (l, e, u) = (r.lower * scale, r.estimate * scale, r.upper * scale);
        let (l, u) = (l.max(x.start), u.min(x.end));
        let cap = 0.15;
        plot.draw_series([
            PathElement::new(vec![(l, y), (u, y)], color.stroke_width(ctx.stroke * 3)),
            PathElement::new(
                vec![(l, y - cap), (l, y + cap)],
                color.stroke_width(ctx.stroke * 2),
            ),
            PathElement::new(
                vec![(u, y - cap), (u, y + cap)],
                color.stroke_width(ctx.stroke * 2),
            ),
        ])
        .msg()?;
        plot.draw_series(std::iter::once(Circle::new(
            (e, y),
            ctx.stroke * 6,
            color.filled(),
        )))
        .msg()?;
        let text = if as_percent {
            format!(
                "{:+.1} % [{:+.1}, {:+.1}]",
                e,
                r.lower * scale,
                r.upper * scale
            )
        } else {
            format!("{} [{}, {}]", number(e), number(r.lower), number(r.upper))
        };
        plot.draw_series(std::iter::once(Text::new(
            text,
            (e, y + 0.32),
            style(
                ctx.tick_px,
                ctx.text(),
                Pos::new(
                    plotters::style::text_anchor::HPos::Center,
                    plotters::style::text_anchor::VPos::Center,
                ),
            ),
        )))
        .msg()?;
    }
    Ok(())
}

/// A grid of coloured cells with their values written in (correlation
/// heatmap, confusion matrix). `cells[row][col]`, row 0 at the top.
fn cell_grid<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    ctx: &Ctx,
    rows: &[String],
    cols: &[String],
    cells: &[Vec<f64>],
    color: &dyn Fn(f64) -> RGBColor,
    text: &dyn Fn(f64) -> String,
) -> Drawn {
    let (nr, nc) = (rows.len(), cols.len());
    let row_labels: Vec<String> = rows.iter().rev().cloned().collect();
    let xlab = |v: &f64| category(cols, *v);
    let ylab = |v: &f64| category(&row_labels, *v);
    let longest = rows.iter().map(|l| l.chars().count()).max().unwrap_or(4) as u32;
    let y_area =
        (longest * ctx.tick_px * 6 / 10 + ctx.tick_px * 2 + ctx.label_px * 2).min(ctx.w / 3);
    let mut plot = frame(
        root,
        ctx,
        -0.5..nc as f64 - 0.5,
        -0.5..nr as f64 - 0.5,
        (Some(&xlab), Some(&ylab)),
        Some(y_area),
    )?;
    let big = (ctx.label_px as usize * 12 / (nr.max(nc) + 2)).max(ctx.tick_px as usize) as u32;
    let px = big.min(ctx.label_px * 3 / 2);
    for (i, row) in cells.iter().enumerate() {
        let y = (nr - 1 - i) as f64;
        for (j, &v) in row.iter().enumerate() {
            let x = j as f64;
            let fill = color(v);
            plot.draw_series(std::iter::once(Rectangle::new(
                [(x - 0.5, y - 0.5), (x + 0.5, y + 0.5)],
                fill.filled(),
            )))
            .msg()?;
            // dark text on light cells, white on dark ones
            let light =
                0.299 * fill.0 as f64 + 0.587 * fill.1 as f64 + 0.114 * fill.2 as f64 > 140.0;
            let ink = if light { ctx.text() } else { WHITE };
            plot.draw_series(std::iter::once(Text::new(
                text(v),
                (x, y),
                ctx.centred(px, ink),
            )))
            .msg()?;
        }
    }
    Ok(())
}

/// Points (small data) or a count grid (big data), with the fitted line;
/// residual plots get a zero line instead.
fn scatter_summary<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    ctx: &Ctx,
    s: &ScatterSummary,
    residuals: bool,
) -> Drawn {
    let (xr, yr) = match (&s.points, &s.binned) {
        (Some((x, y)), _) => (extent(x), extent(y)),
        (None, Some(b)) => (
            (b.x_bins.edges[0], *b.x_bins.edges.last().unwrap_or(&1.0)),
            (b.y_bins.edges[0], *b.y_bins.edges.last().unwrap_or(&1.0)),
        ),
        (None, None) => return Err("the scatter has neither points nor bins".into()),
    };
    let mut plot = xy_frame(root, ctx, xr, yr)?;
    let main = ctx.theme.series(0);
    if let Some((x, y)) = &s.points {
        let r = if x.len() > 1000 {
            ctx.stroke + 1
        } else {
            ctx.stroke * 2 + 1
        };
        plot.draw_series(
            x.iter()
                .zip(y)
                .map(|(&a, &b)| Circle::new((a, b), r, main.mix(0.45).filled())),
        )
        .msg()?;
    }
    if let Some(b) = &s.binned {
        let max = b.counts.iter().flatten().copied().max().unwrap_or(1).max(1) as f64;
        let (xe, ye) = (&b.x_bins.edges, &b.y_bins.edges);
        let mut cells = Vec::new();
        for (j, row) in b.counts.iter().enumerate() {
            for (i, &c) in row.iter().enumerate() {
                if c > 0 {
                    // log scale so sparse cells stay visible next to dense ones
                    let t = 0.15 + 0.85 * (c as f64).ln_1p() / max.ln_1p();
                    cells.push(Rectangle::new(
                        [(xe[i], ye[j]), (xe[i + 1], ye[j + 1])],
                        mix(WHITE, main, t).filled(),
                    ));
                }
            }
        }
        plot.draw_series(cells).msg()?;
    }
    let accent = ctx.theme.series(1);
    let (x0, x1) = (xr.0, xr.1);
    if residuals {
        plot.draw_series(std::iter::once(PathElement::new(
            vec![(x0, 0.0), (x1, 0.0)],
            accent.stroke_width(ctx.stroke * 2),
        )))
        .msg()?;
    } else if let Some(f) = &s.fit {
        let label = format!(
            "{}: y = {} + {}·x, r = {:.3}, n = {}",
            super::text::Text::Fit.get(ctx.lang),
            number(f.intercept),
            number(f.slope),
            f.r,
            count(s.n as u64)
        );
        plot.draw_series(std::iter::once(PathElement::new(
            vec![(x0, f.at(x0)), (x1, f.at(x1))],
            accent.stroke_width(ctx.stroke * 3),
        )))
        .msg()?
        .label(label)
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], accent.stroke_width(3)));
        legend(&mut plot, ctx)?;
    }
    Ok(())
}

/// The series legend, top left, in the theme's fonts.
fn legend<'a, DB: DrawingBackend + 'a>(plot: &mut super::render::Plot<'a, DB>, ctx: &Ctx) -> Drawn {
    legend_at(plot, ctx, SeriesLabelPosition::UpperLeft)
}

fn legend_at<'a, DB: DrawingBackend + 'a>(
    plot: &mut super::render::Plot<'a, DB>,
    ctx: &Ctx,
    at: SeriesLabelPosition,
) -> Drawn {
    plot.configure_series_labels()
        .position(at)
        .label_font(ctx.font(ctx.tick_px))
        .background_style(WHITE.mix(0.85))
        .border_style(Theme::color(ctx.theme.grid))
        .margin(ctx.tick_px / 2)
        .draw()
        .msg()
}
