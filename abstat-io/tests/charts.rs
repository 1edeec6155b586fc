//! Charts from big inputs stay small, refusals are errors with reasons,
//! and Cyrillic text is drawn with the embedded font.

use abstat_io::Error;
use abstat_io::charts::{Chart, ChartKind, Format, Lang, Theme, render};

/// A deterministic pseudo-normal column (sum of 4 uniforms from an LCG).
fn column(n: usize, seed: u64) -> Vec<f64> {
    let mut s = seed;
    let mut next = || {
        s = s
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (s >> 11) as f64 / (1u64 << 53) as f64
    };
    (0..n)
        .map(|_| next() + next() + next() + next() - 2.0)
        .collect()
}

#[test]
fn ten_million_points_are_summarised_not_drawn_one_by_one() {
    let x = column(10_000_000, 1);
    let y: Vec<f64> = column(10_000_000, 2)
        .iter()
        .zip(&x)
        .map(|(e, a)| a + e)
        .collect();
    let theme = Theme::default();
    for chart in [
        Chart::histogram(&x, "x", Lang::En).unwrap(),
        Chart::scatter(&x, &y, "x", "y", Lang::En).unwrap(),
        Chart::qq(&x, "x", Lang::En).unwrap(),
    ] {
        // the spec holds a summary: a bounded number of values
        let json = serde_json::to_vec(&chart).unwrap();
        assert!(
            json.len() < 3_000_000,
            "{}: {} bytes of spec",
            chart.kind.name(),
            json.len()
        );
        let svg = render(&chart, Format::Svg { w: 1280, h: 800 }, &theme, None).unwrap();
        assert!(
            svg.len() < 2_000_000,
            "{}: {} bytes of SVG",
            chart.kind.name(),
            svg.len()
        );
    }
}

#[test]
fn refusals_are_errors_that_say_why() {
    let theme = Theme::default();
    let chart = Chart::histogram(&[1.0, 2.0, 3.0], "x", Lang::En).unwrap();
    for (w, h) in [(10, 800), (1280, 10_000)] {
        let err = render(&chart, Format::Png { w, h }, &theme, None).unwrap_err();
        assert!(matches!(err, Error::Render(_)), "{err}");
        assert!(err.to_string().contains("between"), "{err}");
    }
    let err = Chart::histogram(&[], "x", Lang::En).unwrap_err();
    assert!(matches!(err, Error::ChartData(_)), "{err}");
    let err = Chart::scatter(&[1.0, 2.0], &[1.0], "x", "y", Lang::En).unwrap_err();
    assert!(err.to_string().contains("same length"), "{err}");
    let err = Chart::histogram(&[1.0, f64::INFINITY], "x", Lang::En).unwrap_err();
    assert!(err.to_string().contains("infinite"), "{err}");
    let err = Chart::power_curve(0.0, 1.0, 0.05, 0.8, None, "m", Lang::En).unwrap_err();
    assert!(err.to_string().contains("effect"), "{err}");
    let err = Chart::counts(&["a", "b"], &[1], "c", Lang::En).unwrap_err();
    assert!(matches!(err, Error::ChartData(_)), "{err}");
    // a constant column has no density curve, but still a histogram
    let flat = Chart::histogram(&[5.0; 10], "x", Lang::En).unwrap();
    assert!(render(&flat, Format::Png { w: 400, h: 300 }, &theme, None).is_ok());
}

/// Dark pixels of a PNG (RGB): how much text/ink it has.
fn ink(png_bytes: &[u8]) -> usize {
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    reader.next_frame(&mut buf).unwrap();
    buf.chunks(3).filter(|p| p.iter().all(|&c| c < 128)).count()
}

#[test]
fn cyrillic_titles_are_drawn_with_the_embedded_font() {
    let theme = Theme::default();
    let x = column(500, 3);
    let mut chart = Chart::histogram(&x, "x", Lang::Ru).unwrap();
    let f = Format::Png { w: 800, h: 500 };
    chart.title = String::new();
    let blank = ink(&render(&chart, f, &theme, None).unwrap());
    chart.title = "Выручка по городам: Москва, Казань".into();
    let cyrillic = ink(&render(&chart, f, &theme, None).unwrap());
    // glyphs add ink; a missing glyph would add none (ab_glyph draws
    // nothing for characters the font lacks)
    assert!(cyrillic > blank + 500, "title ink {cyrillic} vs {blank}");
}

#[test]
fn box_plot_by_group_codes_is_the_box_plot_of_the_split_groups() {
    let x = column(200_000, 4);
    let codes: Vec<u32> = column(200_000, 5)
        .iter()
        .map(|u| ((u + 2.0) * 0.75) as u32)
        .collect();
    let by = Chart::box_plot_by(&x, &codes, &["a", "b", "c"], "v", "g", Lang::En).unwrap();
    let mut parts = vec![Vec::new(); 3];
    for (v, &c) in x.iter().zip(&codes) {
        parts[c as usize].push(*v);
    }
    let named: Vec<(&str, &[f64])> = ["a", "b", "c"]
        .iter()
        .zip(&parts)
        .map(|(n, p)| (*n, &p[..]))
        .collect();
    let split = Chart::box_plot(&named, "v", "g", Lang::En).unwrap();
    let (ChartKind::BoxPlot { groups: by }, ChartKind::BoxPlot { groups: split }) =
        (&by.kind, &split.kind)
    else {
        panic!("box plots");
    };
    for (a, b) in by.iter().zip(split) {
        assert_eq!(a.name, b.name);
        // the mean's sum is added in another order: equal to rounding
        assert!((a.stats.mean - b.stats.mean).abs() <= 1e-12 * b.stats.mean.abs().max(1.0));
        let mut a = a.stats.clone();
        a.mean = b.stats.mean;
        assert_eq!(a, b.stats);
    }
    let err = Chart::box_plot_by(&x, &codes[1..], &["a", "b", "c"], "v", "g", Lang::En);
    assert!(matches!(err, Err(Error::ChartData(_))));
}

#[test]
fn distributions_by_variant_codes_is_the_chart_of_the_split_samples() {
    // two variants above the exact KDE limit, a third skipped
    let x = column(200_000, 6);
    let codes: Vec<u32> = column(200_000, 7)
        .iter()
        .map(|u| ((u + 2.0) * 0.75) as u32)
        .collect();
    let by = Chart::distributions_by(&x, &codes, 1, 0, "v", Lang::En).unwrap();
    let part = |g: u32| -> Vec<f64> {
        x.iter()
            .zip(&codes)
            .filter(|(_, c)| **c == g)
            .map(|(v, _)| *v)
            .collect()
    };
    let split = Chart::distributions(&part(1), &part(0), "v", Lang::En).unwrap();
    assert_eq!((&by.title, &by.x_label), (&split.title, &split.x_label));
    let (ChartKind::Distributions { series: by }, ChartKind::Distributions { series: split }) =
        (&by.kind, &split.kind)
    else {
        panic!("distributions");
    };
    for (a, b) in by.iter().zip(split) {
        assert_eq!((&a.name, &a.histogram), (&b.name, &b.histogram));
        let (da, db) = (a.density.as_ref().unwrap(), b.density.as_ref().unwrap());
        // binned densities summed in another order: equal to rounding
        let peak = db.y.iter().cloned().fold(0.0, f64::max);
        for (u, v) in da.y.iter().zip(&db.y) {
            assert!((u - v).abs() <= 1e-12 * peak, "{u} vs {v}");
        }
    }
    let err = Chart::distributions_by(&x, &codes[1..], 0, 1, "v", Lang::En);
    assert!(matches!(err, Err(Error::ChartData(_))));
    let err = Chart::distributions_by(&x, &codes, 0, 9, "v", Lang::En);
    assert!(matches!(err, Err(Error::ChartData(_))));
}
