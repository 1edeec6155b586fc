//! Writes every chart abstat draws, from a deterministic sample dataset
//! (20 000 users of a shop's A/B/C test), to `docs/gallery/<kind>.png`
//! (800 × 500) and `.svg`, and the page `docs/gallery.md`.
//!
//! ```sh
//! cargo run --example gallery
//! ```

mod sample;

use std::fmt::Write as _;
use std::path::Path;

use abstat::io::charts::{Format, Theme, render};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs");
    let dir = root.join("gallery");
    std::fs::create_dir_all(&dir)?;
    let data = sample::Sample::new(20_000);
    let theme = Theme::default();
    let mut page = String::from(
        "# Chart gallery\n\n\
         Every chart abstat draws, rendered by `cargo run --example gallery` from a \
         deterministic sample: 20 000 users of a shop's A/B/C test (revenue, sessions, \
         time on site, city, conversion). PNGs are 800 × 500 here; Telegram gets \
         1280 × 800. Each has an SVG twin for the web.\n\n",
    );
    for kind in sample::KINDS {
        let chart = data.chart(kind);
        let png = render(&chart, Format::Png { w: 800, h: 500 }, &theme, None)?;
        let svg = render(&chart, Format::Svg { w: 800, h: 500 }, &theme, None)?;
        std::fs::write(dir.join(format!("{kind}.png")), png)?;
        std::fs::write(dir.join(format!("{kind}.svg")), svg)?;
        writeln!(
            page,
            "## {}\n\n![{kind}](gallery/{kind}.png)\n\n[SVG](gallery/{kind}.svg)\n",
            chart.title
        )?;
    }
    std::fs::write(root.join("gallery.md"), page)?;
    println!("wrote {} charts to {}", sample::KINDS.len(), dir.display());
    Ok(())
}
