//! A/B charts: overlaid distributions, cumulative lift, posterior, power.

use plotters::coord::Shift;
use plotters::prelude::*;

use abstat_core::ConfidenceInterval;
use abstat_core::summaries::{Density, LiftPoint, PowerCurve};

use super::{Drawn, legend, legend_at};
use crate::charts::render::{Ctx, OrMessage, count, extent, frame, number, padded, percent};
use crate::charts::spec::NamedSeries;
use crate::charts::text::Text;
use crate::charts::theme::Theme;

/// Histograms as translucent step areas and density curves, one colour per
/// group.
pub(super) fn distributions<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    ctx: &Ctx,
    series: &[NamedSeries],
) -> Drawn {
    let mut x = (f64::INFINITY, f64::NEG_INFINITY);
    let mut top: f64 = 0.0;
    for s in series {
        let e = &s.histogram.bins.edges;
        x = (x.0.min(e[0]), x.1.max(e[e.len() - 1]));
        top = top.max(extent(&s.histogram.density()).1);
        if let Some(d) = &s.density {
            top = top.max(extent(&d.y).1);
        }
    }
    let mut plot = frame(
        root,
        ctx,
        padded(x.0, x.1, 0.01),
        0.0..top * 1.08,
        (None, None),
        None,
    )?;
    for (i, s) in series.iter().enumerate() {
        let c = ctx.theme.series(i);
        let e = &s.histogram.bins.edges;
        let steps: Vec<(f64, f64)> = s
            .histogram
            .density()
            .iter()
            .enumerate()
            .flat_map(|(j, &v)| [(e[j], v), (e[j + 1], v)])
            .collect();
        plot.draw_series(AreaSeries::new(steps, 0.0, c.mix(0.25)).border_style(c.mix(0.6)))
            .msg()?;
        let label = format!("{} (n = {})", s.name, count(s.histogram.n));
        if let Some(d) = &s.density {
            plot.draw_series(LineSeries::new(
                d.x.iter().copied().zip(d.y.iter().copied()),
                c.stroke_width(ctx.stroke * 3),
            ))
            .msg()?
            .label(label)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(3)));
        }
    }
    legend_at(&mut plot, ctx, SeriesLabelPosition::UpperRight)
}

/// The lift line over periods inside its shaded interval, with a zero line.
pub(super) fn cumulative_lift<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    ctx: &Ctx,
    points: &[LiftPoint],
) -> Drawn {
    let pct = |v: f64| v * 100.0;
    let t = |p: &LiftPoint| p.period as f64 + 1.0;
    let (lo, hi) = extent(points.iter().flat_map(|p| [&p.lower, &p.upper]));
    let (t0, t1) = (t(&points[0]), t(&points[points.len() - 1]));
    let mut plot = frame(
        root,
        ctx,
        padded(t0, t1.max(t0 + 1.0), 0.02),
        padded(pct(lo).min(0.0), pct(hi).max(0.0), 0.06),
        (None, None),
        None,
    )?;
    let main = ctx.theme.series(0);
    let band: Vec<(f64, f64)> = points
        .iter()
        .map(|p| (t(p), pct(p.upper)))
        .chain(points.iter().rev().map(|p| (t(p), pct(p.lower))))
        .collect();
    plot.draw_series(std::iter::once(Polygon::new(band, main.mix(0.2).filled())))
        .msg()?;
    let axis = Theme::color(ctx.theme.axis);
    plot.draw_series(std::iter::once(PathElement::new(
        vec![(t0, 0.0), (t1, 0.0)],
        axis.stroke_width(ctx.stroke),
    )))
    .msg()?;
    let last = &points[points.len() - 1];
    plot.draw_series(LineSeries::new(
        points.iter().map(|p| (t(p), pct(p.lift))),
        main.stroke_width(ctx.stroke * 3),
    ))
    .msg()?
    .label(format!(
        "{:+.2} % [{:+.2}, {:+.2}], n = {}",
        pct(last.lift),
        pct(last.lower),
        pct(last.upper),
        count(last.n_control + last.n_treatment)
    ))
    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], main.stroke_width(3)));
    legend(&mut plot, ctx)
}

/// The posterior density, its credible interval shaded, the area above
/// zero and the chance to win written on it.
pub(super) fn posterior<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    ctx: &Ctx,
    d: &Density,
    ci: &ConfidenceInterval,
    chance: f64,
) -> Drawn {
    // x in percent, so the density is per percentage point
    let xs: Vec<f64> = d.x.iter().map(|v| v * 100.0).collect();
    let ys: Vec<f64> = d.y.iter().map(|v| v / 100.0).collect();
    let (x0, x1) = extent(&xs);
    let top = extent(&ys).1;
    let mut plot = frame(
        root,
        ctx,
        x0.min(0.0)..x1.max(0.0),
        0.0..top * 1.15,
        (None, None),
        None,
    )?;
    let main = ctx.theme.series(0);
    let good = Theme::color(ctx.theme.good);
    let pts = || xs.iter().copied().zip(ys.iter().copied());
    plot.draw_series(AreaSeries::new(
        pts().filter(|(x, _)| *x >= 0.0),
        0.0,
        good.mix(0.3),
    ))
    .msg()?
    .label(format!(
        "{}: {}",
        Text::ChanceToWin.get(ctx.lang),
        percent(chance)
    ))
    .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 14, y + 6)], good.mix(0.4).filled()));
    let (l, u) = (ci.lower * 100.0, ci.upper * 100.0);
    plot.draw_series(LineSeries::new(pts(), main.stroke_width(ctx.stroke * 3)))
        .msg()?
        .label(format!(
            "{:.0} %: [{:+.2} %, {:+.2} %]",
            ci.level * 100.0,
            l,
            u
        ))
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], main.stroke_width(3)));
    let axis = Theme::color(ctx.theme.axis);
    let y = top * 0.04;
    plot.draw_series([
        PathElement::new(vec![(l, y), (u, y)], main.stroke_width(ctx.stroke * 4)),
        PathElement::new(
            vec![(0.0, 0.0), (0.0, top * 1.1)],
            axis.stroke_width(ctx.stroke),
        ),
    ])
    .msg()?;
    legend(&mut plot, ctx)
}

/// Power against sample size (or effect), the target line and a marker.
pub(super) fn power_curve<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    ctx: &Ctx,
    c: &PowerCurve,
    target: f64,
    marker: Option<f64>,
) -> Drawn {
    let (x0, x1) = extent(&c.x);
    let mut plot = frame(root, ctx, 0.0f64.min(x0)..x1, 0.0..1.02, (None, None), None)?;
    let main = ctx.theme.series(0);
    let accent = ctx.theme.series(1);
    let axis = Theme::color(ctx.theme.axis);
    plot.draw_series(LineSeries::new(
        c.x.iter().copied().zip(c.power.iter().copied()),
        main.stroke_width(ctx.stroke * 3),
    ))
    .msg()?;
    plot.draw_series(std::iter::once(PathElement::new(
        vec![(0.0, target), (x1, target)],
        axis.stroke_width(ctx.stroke),
    )))
    .msg()?
    .label(format!(
        "{} {}",
        Text::Target.get(ctx.lang),
        percent(target)
    ))
    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], axis.stroke_width(2)));
    if let Some(m) = marker {
        plot.draw_series(std::iter::once(PathElement::new(
            vec![(m, 0.0), (m, 1.0)],
            accent.stroke_width(ctx.stroke * 2),
        )))
        .msg()?
        .label(format!("n = {}", number(m.ceil())))
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], accent.stroke_width(3)));
    }
    legend_at(&mut plot, ctx, SeriesLabelPosition::LowerRight)
}
