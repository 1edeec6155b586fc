//! Every chart kind, built from the sample dataset of the gallery, renders
//! to a valid PNG (decoded) and a valid SVG (parsed as XML) of the
//! requested size, and survives a JSON round trip unchanged.

#[path = "../examples/sample/mod.rs"]
mod sample;

use abstat::io::charts::{Chart, Format, Lang, Theme, render};
use quick_xml::Reader;
use quick_xml::events::Event;

fn png_size(bytes: &[u8]) -> (u32, u32) {
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().expect("a PNG header");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("PNG image data decodes");
    (info.width, info.height)
}

fn svg_size(bytes: &[u8]) -> (u32, u32) {
    let text = std::str::from_utf8(bytes).expect("SVG is UTF-8");
    let mut reader = Reader::from_str(text);
    let mut size = None;
    let mut depth = 0i64;
    loop {
        match reader.read_event().expect("SVG is well-formed XML") {
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == "svg" => {
                let attr = |k: &str| -> u32 {
                    let a = e
                        .try_get_attribute(k)
                        .unwrap()
                        .unwrap_or_else(|| panic!("svg has {k}"));
                    a.value.parse().unwrap()
                };
                size = Some((attr("width"), attr("height")));
                depth += 1;
            }
            Event::Start(_) => depth += 1,
            Event::End(_) => depth -= 1,
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(depth, 0, "every element is closed");
    size.expect("an <svg> root element")
}

#[test]
fn every_kind_renders_valid_png_and_svg_of_the_requested_size() {
    let data = sample::Sample::new(3000);
    let theme = Theme::default();
    for kind in sample::KINDS {
        let chart = data.chart(kind);
        assert_eq!(chart.kind.name(), kind);
        for (w, h) in [(1280, 800), (800, 500), (360, 240)] {
            let png = render(&chart, Format::Png { w, h }, &theme, None).unwrap();
            assert_eq!(png_size(&png), (w, h), "{kind} PNG {w}×{h}");
            let svg = render(&chart, Format::Svg { w, h }, &theme, None).unwrap();
            assert_eq!(svg_size(&svg), (w, h), "{kind} SVG {w}×{h}");
        }
    }
}

#[test]
fn a_chart_spec_round_trips_through_json() {
    let data = sample::Sample::new(3000);
    for kind in sample::KINDS {
        let chart = data.chart(kind);
        let json = serde_json::to_string(&chart).unwrap();
        let back: Chart = serde_json::from_str(&json).unwrap();
        assert_eq!(back, chart, "{kind}");
        assert!(
            json.contains(&format!("\"chart\":\"{kind}\"")),
            "{kind}: tagged"
        );
        let f = Format::Png { w: 400, h: 250 };
        let theme = Theme::default();
        assert_eq!(
            render(&back, f, &theme, None).unwrap(),
            render(&chart, f, &theme, None).unwrap(),
            "{kind}: same picture"
        );
    }
}

#[test]
fn the_language_switches_the_words_the_chart_adds() {
    let data = sample::Sample::new(3000);
    let chart = data.chart("posterior");
    let svg = |lang| {
        String::from_utf8(
            render(
                &chart,
                Format::Svg { w: 800, h: 500 },
                &Theme::default(),
                lang,
            )
            .unwrap(),
        )
        .unwrap()
    };
    assert!(svg(Some(Lang::En)).contains("Chance to win"));
    assert!(svg(Some(Lang::Ru)).contains("Вероятность выигрыша"));
}
