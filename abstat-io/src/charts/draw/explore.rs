//! Exploration charts: histogram, box plot, bars, QQ plot.

use plotters::coord::Shift;
use plotters::prelude::*;

use abstat_core::summaries::{Density, Histogram, QqPlot};

use super::{Drawn, legend};
use crate::charts::render::{
    Ctx, OrMessage, category, count, extent, frame, number, padded, percent, xy_frame,
};
use crate::charts::spec::{Bar, NamedBox};
use crate::charts::text::Text as Words;

/// Bars of the histogram (as density when a curve goes over it) and the
/// kernel density curve.
pub(super) fn histogram<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    ctx: &Ctx,
    h: &Histogram,
    density: Option<&Density>,
) -> Drawn {
    let heights: Vec<f64> = match density {
        Some(_) => h.density(),
        None => h.counts.iter().map(|&c| c as f64).collect(),
    };
    let edges = &h.bins.edges;
    let (mut x0, mut x1) = (edges[0], edges[edges.len() - 1]);
    let mut top = extent(&heights).1;
    if let Some(d) = density {
        let (a, b) = extent(&d.x);
        (x0, x1) = (x0.min(a), x1.max(b));
        top = top.max(extent(&d.y).1);
    }
    let mut plot = frame(
        root,
        ctx,
        padded(x0, x1, 0.01),
        0.0..top * 1.08,
        (None, None),
        None,
    )?;
    let main = ctx.theme.series(0);
    plot.draw_series(heights.iter().enumerate().map(|(i, &v)| {
        Rectangle::new(
            [(edges[i], 0.0), (edges[i + 1], v)],
            main.mix(0.55).filled(),
        )
    }))
    .msg()?
    .label(format!("n = {}", count(h.n)))
    .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 14, y + 6)], main.mix(0.55).filled()));
    if let Some(d) = density {
        let accent = ctx.theme.series(1);
        plot.draw_series(LineSeries::new(
            d.x.iter().copied().zip(d.y.iter().copied()),
            accent.stroke_width(ctx.stroke * 3),
        ))
        .msg()?
        .label(Words::Density.get(ctx.lang))
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], accent.stroke_width(3)));
    }
    legend_right(&mut plot, ctx)
}

fn legend_right<'a, DB: DrawingBackend + 'a>(
    plot: &mut crate::charts::render::Plot<'a, DB>,
    ctx: &Ctx,
) -> Drawn {
    super::legend_at(plot, ctx, SeriesLabelPosition::UpperRight)
}

/// Boxes (quartiles), median line, whiskers, fliers and the mean (◆).
pub(super) fn box_plot<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    ctx: &Ctx,
    groups: &[NamedBox],
) -> Drawn {
    let names: Vec<String> = groups
        .iter()
        .map(|g| format!("{} (n = {})", g.name, count(g.stats.n as u64)))
        .collect();
    let (lo, hi) = extent(groups.iter().flat_map(|g| {
        [&g.stats.whisker_low, &g.stats.whisker_high]
            .into_iter()
            .chain(g.stats.fliers.iter())
    }));
    let xlab = |v: &f64| category(&names, *v);
    let k = groups.len() as f64;
    let mut plot = frame(
        root,
        ctx,
        -0.5..k - 0.5,
        padded(lo, hi, 0.05),
        (Some(&xlab), None),
        None,
    )?;
    for (i, g) in groups.iter().enumerate() {
        let s = &g.stats;
        let x = i as f64;
        let c = ctx.theme.series(i);
        let w = 0.3;
        let line = c.stroke_width(ctx.stroke * 2);
        plot.draw_series([
            Rectangle::new([(x - w, s.q1), (x + w, s.q3)], c.mix(0.3).filled()),
            Rectangle::new([(x - w, s.q1), (x + w, s.q3)], line),
        ])
        .msg()?;
        plot.draw_series([
            PathElement::new(
                vec![(x - w, s.median), (x + w, s.median)],
                c.stroke_width(ctx.stroke * 4),
            ),
            PathElement::new(vec![(x, s.q3), (x, s.whisker_high)], line),
            PathElement::new(vec![(x, s.q1), (x, s.whisker_low)], line),
            PathElement::new(
                vec![(x - w / 2.0, s.whisker_high), (x + w / 2.0, s.whisker_high)],
                line,
            ),
            PathElement::new(
                vec![(x - w / 2.0, s.whisker_low), (x + w / 2.0, s.whisker_low)],
                line,
            ),
        ])
        .msg()?;
        plot.draw_series(
            s.fliers
                .iter()
                .map(|&f| Circle::new((x, f), ctx.stroke * 3, c.stroke_width(ctx.stroke))),
        )
        .msg()?;
        plot.draw_series(std::iter::once(TriangleMarker::new(
            (x, s.mean),
            ctx.stroke as i32 * 6,
            BLACK.mix(0.7).filled(),
        )))
        .msg()?;
    }
    Ok(())
}

/// Bars with error bars for their intervals; labels on top of each bar.
pub(super) fn bars<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    ctx: &Ctx,
    bars: &[Bar],
    as_percent: bool,
) -> Drawn {
    let scale = if as_percent { 100.0 } else { 1.0 };
    let names: Vec<String> = bars.iter().map(|b| b.label.clone()).collect();
    let top = extent(
        bars.iter()
            .flat_map(|b| [Some(&b.value), b.ci.as_ref().map(|c| &c.upper)])
            .flatten(),
    )
    .1
    .max(0.0)
        * scale;
    let xlab = |v: &f64| category(&names, *v);
    let k = bars.len() as f64;
    let mut plot = frame(
        root,
        ctx,
        -0.5..k - 0.5,
        0.0..(top * 1.12).max(1e-9),
        (Some(&xlab), None),
        None,
    )?;
    let main = ctx.theme.series(0);
    let dark = crate::charts::theme::Theme::color(ctx.theme.text);
    for (i, b) in bars.iter().enumerate() {
        let x = i as f64;
        let v = b.value * scale;
        plot.draw_series(std::iter::once(Rectangle::new(
            [(x - 0.35, 0.0), (x + 0.35, v)],
            main.mix(0.75).filled(),
        )))
        .msg()?;
        let mut label_y = v;
        if let Some(ci) = &b.ci {
            let (l, u) = (ci.lower * scale, ci.upper * scale);
            let line = dark.stroke_width(ctx.stroke * 2);
            plot.draw_series([
                PathElement::new(vec![(x, l), (x, u)], line),
                PathElement::new(vec![(x - 0.1, l), (x + 0.1, l)], line),
                PathElement::new(vec![(x - 0.1, u), (x + 0.1, u)], line),
            ])
            .msg()?;
            label_y = label_y.max(u);
        }
        let text = if as_percent {
            percent(b.value)
        } else {
            number(b.value)
        };
        plot.draw_series(std::iter::once(Text::new(
            text,
            (x, label_y + top * 0.04),
            ctx.centred(ctx.tick_px, ctx.text()),
        )))
        .msg()?;
    }
    Ok(())
}

/// Sample quantiles against normal quantiles with the fitted line.
pub(super) fn qq<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    ctx: &Ctx,
    q: &QqPlot,
) -> Drawn {
    let xr = extent(&q.theoretical);
    let yr = extent(&q.sample);
    let mut plot = xy_frame(root, ctx, xr, yr)?;
    let main = ctx.theme.series(0);
    // at most ~2000 markers: beyond that they overlap into a line anyway
    let step = q.sample.len().div_ceil(2000).max(1);
    plot.draw_series(
        q.theoretical
            .iter()
            .zip(&q.sample)
            .step_by(step)
            .map(|(&a, &b)| Circle::new((a, b), ctx.stroke * 2 + 1, main.mix(0.6).filled())),
    )
    .msg()?
    .label(format!("n = {}", count(q.n as u64)))
    .legend(move |(x, y)| Circle::new((x + 7, y), 5, main.filled()));
    let accent = ctx.theme.series(1);
    plot.draw_series(std::iter::once(PathElement::new(
        vec![(xr.0, q.fit.at(xr.0)), (xr.1, q.fit.at(xr.1))],
        accent.stroke_width(ctx.stroke * 3),
    )))
    .msg()?
    .label(format!("r = {:.4}", q.fit.r))
    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], accent.stroke_width(3)));
    legend(&mut plot, ctx)
}
