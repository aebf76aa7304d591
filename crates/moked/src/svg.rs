//! Self-contained SVG line charts and HTML pages for the `--report` outputs.
//!
//! Reports are single files a planner can mail or open offline, so charts are
//! inline SVG with no scripts and no external assets. Every text that reaches
//! the page goes through [`escape`].

use std::fmt::Write as _;

const WIDTH: f64 = 860.0;
const MARGIN_LEFT: f64 = 64.0;
const MARGIN_RIGHT: f64 = 24.0;
const MARGIN_BOTTOM: f64 = 56.0;
/// The plot area's height; the legend's rows add to the chart's height above it.
const PLOT_HEIGHT: f64 = 224.0;
/// The title's baseline; the legend's rows follow beneath it, then the plot.
const TITLE_BASELINE: f64 = 22.0;
const LEGEND_ROW: f64 = 18.0;
/// Estimated advance of one character at the chart's 12px font: SVG cannot
/// measure text, so legend entries are laid out from this (a little generous).
const CHAR_WIDTH: f64 = 7.5;
const PALETTE: [&str; 8] = [
    "#1f6feb", "#d1242f", "#1a7f37", "#9a6700", "#8250df", "#bf3989", "#0a7f86", "#57606a",
];

/// One named line of a chart.
#[derive(Debug, Clone, Default)]
pub struct Series {
    /// The legend's text.
    pub name: String,
    /// The points, in increasing x.
    pub points: Vec<(f64, f64)>,
    /// Draw as steps (a value holds until the next x), as for per-interval staffing.
    pub step: bool,
    /// Draw dashed, for a target or a bound rather than a measurement.
    pub dashed: bool,
}

/// A chart of one or more series against a shared x axis.
#[derive(Debug, Clone, Default)]
pub struct LineChart {
    /// The heading above the plot.
    pub title: String,
    /// The x axis' caption.
    pub x_label: String,
    /// The y axis' caption.
    pub y_label: String,
    /// The lines.
    pub series: Vec<Series>,
    /// Labels at chosen x positions (for times of day or dates); numeric ticks when empty.
    pub x_ticks: Vec<(f64, String)>,
    /// Forces the y axis to include this range, e.g. `Some((0.0, 1.0))` for a share.
    pub y_range: Option<(f64, f64)>,
}

impl LineChart {
    /// Renders the chart as an `<svg>` element.
    pub fn to_svg(&self) -> String {
        let legend = self.legend_layout();
        let rows = legend.last().map_or(0.0, |&(_, row)| row + 1.0);
        let top = TITLE_BASELINE + 14.0 + rows * LEGEND_ROW;
        let frame = Frame::fit(self, top);
        let height = frame.bottom + MARGIN_BOTTOM;
        let mut svg = String::new();
        let _ = write!(
            svg,
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{title}" font-family="sans-serif" font-size="12" direction="ltr">"#,
            title = escape(&self.title)
        );
        let _ = write!(
            svg,
            r##"<text x="{x}" y="{TITLE_BASELINE}" font-size="15" font-weight="bold" text-anchor="middle">{title}</text>"##,
            x = WIDTH / 2.0,
            title = escape(&self.title)
        );
        self.draw_axes(&frame, &mut svg);
        for (index, series) in self.series.iter().enumerate() {
            draw_series(&frame, series, PALETTE[index % PALETTE.len()], &mut svg);
        }
        self.draw_legend(&legend, &mut svg);
        svg.push_str("</svg>");
        svg
    }

    fn draw_axes(&self, frame: &Frame, svg: &mut String) {
        let (left, right) = (MARGIN_LEFT, WIDTH - MARGIN_RIGHT);
        let (top, bottom) = (frame.top, frame.bottom);
        for value in nice_ticks(frame.y_min, frame.y_max, 5) {
            let y = frame.y(value);
            let _ = write!(
                svg,
                r##"<line x1="{left}" y1="{y:.1}" x2="{right}" y2="{y:.1}" stroke="#d0d7de" stroke-width="1"/><text x="{tx}" y="{ty:.1}" text-anchor="end">{label}</text>"##,
                tx = left - 6.0,
                ty = y + 4.0,
                label = format_number(value)
            );
        }
        let x_ticks: Vec<(f64, String)> = if self.x_ticks.is_empty() {
            nice_ticks(frame.x_min, frame.x_max, 8)
                .into_iter()
                .map(|value| (value, format_number(value)))
                .collect()
        } else {
            self.x_ticks.clone()
        };
        for (value, label) in x_ticks {
            let x = frame.x(value);
            let _ = write!(
                svg,
                r##"<line x1="{x:.1}" y1="{bottom}" x2="{x:.1}" y2="{tick}" stroke="#57606a"/><text x="{x:.1}" y="{ty}" text-anchor="middle">{label}</text>"##,
                tick = bottom + 4.0,
                ty = bottom + 18.0,
                label = escape(&label)
            );
        }
        let _ = write!(
            svg,
            r##"<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#57606a"/><line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" stroke="#57606a"/><text x="{cx}" y="{xl}" text-anchor="middle">{x_label}</text><text x="14" y="{cy}" text-anchor="middle" transform="rotate(-90 14 {cy})">{y_label}</text>"##,
            cx = (left + right) / 2.0,
            xl = bottom + MARGIN_BOTTOM - 12.0,
            cy = (top + bottom) / 2.0,
            x_label = escape(&self.x_label),
            y_label = escape(&self.y_label)
        );
    }

    /// Each series' legend entry as (x, row): on the line beneath the title,
    /// wrapping onto further rows when the entries do not fit the width.
    fn legend_layout(&self) -> Vec<(f64, f64)> {
        let (start, end) = (MARGIN_LEFT + 8.0, WIDTH - MARGIN_RIGHT);
        let (mut x, mut row) = (start, 0.0);
        let mut layout = Vec::with_capacity(self.series.len());
        for series in &self.series {
            let width = 22.0 + CHAR_WIDTH * series.name.chars().count() as f64;
            if x > start && x + width > end {
                (x, row) = (start, row + 1.0);
            }
            layout.push((x, row));
            x += width + 18.0;
        }
        layout
    }

    fn draw_legend(&self, layout: &[(f64, f64)], svg: &mut String) {
        for (index, (series, &(x, row))) in self.series.iter().zip(layout).enumerate() {
            let colour = PALETTE[index % PALETTE.len()];
            let dash = if series.dashed {
                r#" stroke-dasharray="6 4""#
            } else {
                ""
            };
            let baseline = TITLE_BASELINE + 22.0 + row * LEGEND_ROW;
            let _ = write!(
                svg,
                r#"<line x1="{x}" y1="{y}" x2="{x2}" y2="{y}" stroke="{colour}" stroke-width="2.5"{dash}/><text x="{tx}" y="{baseline}">{name}</text>"#,
                y = baseline - 4.0,
                x2 = x + 18.0,
                tx = x + 22.0,
                name = escape(&series.name)
            );
        }
    }
}

fn draw_series(frame: &Frame, series: &Series, colour: &str, svg: &mut String) {
    let mut path = String::new();
    let mut previous_y = None;
    for &(x, y) in series.points.iter().filter(|(x, _)| x.is_finite()) {
        let px = frame.x(x);
        if !y.is_finite() {
            // An undefined value (e.g. a service level with no contacts) is a
            // gap: a step's last value still holds up to here, then the line
            // breaks and resumes with a new subpath at the next defined point.
            if let (Some(last_y), true) = (previous_y, series.step) {
                let _ = write!(path, " L{px:.1},{last_y:.1}");
            }
            previous_y = None;
            continue;
        }
        let py = frame.y(y);
        match previous_y {
            None => {
                let gap = if path.is_empty() { "" } else { " " };
                let _ = write!(path, "{gap}M{px:.1},{py:.1}");
            }
            Some(last_y) if series.step => {
                let _ = write!(path, " L{px:.1},{last_y:.1} L{px:.1},{py:.1}");
            }
            Some(_) => {
                let _ = write!(path, " L{px:.1},{py:.1}");
            }
        }
        previous_y = Some(py);
    }
    if path.is_empty() {
        return;
    }
    let dash = if series.dashed {
        r#" stroke-dasharray="6 4""#
    } else {
        ""
    };
    let _ = write!(
        svg,
        r#"<path d="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash}><title>{name}</title></path>"#,
        name = escape(&series.name)
    );
}

/// The data ranges of a chart and their mapping onto the plot area.
struct Frame {
    /// The plot area's top and bottom edges in SVG units.
    top: f64,
    bottom: f64,
    x_min: f64,
    x_max: f64,
    y_min: f64,
    y_max: f64,
}

impl Frame {
    fn fit(chart: &LineChart, top: f64) -> Frame {
        let points = || {
            chart
                .series
                .iter()
                .flat_map(|series| series.points.iter().copied())
                .filter(|(x, y)| x.is_finite() && y.is_finite())
        };
        let (mut x_min, mut x_max) = bounds(points().map(|(x, _)| x)).unwrap_or((0.0, 1.0));
        let (mut y_min, mut y_max) = bounds(points().map(|(_, y)| y)).unwrap_or((0.0, 1.0));
        if let Some((low, high)) = chart.y_range {
            y_min = y_min.min(low);
            y_max = y_max.max(high);
        }
        y_min = y_min.min(0.0);
        if x_max <= x_min {
            x_max = x_min + 1.0;
        }
        if y_max <= y_min {
            y_max = y_min + 1.0;
        }
        let top_tick = nice_ticks(y_min, y_max, 5).last().copied().unwrap_or(y_max);
        y_max = y_max.max(top_tick);
        x_min = x_min.min(x_max);
        Frame {
            top,
            bottom: top + PLOT_HEIGHT,
            x_min,
            x_max,
            y_min,
            y_max,
        }
    }

    fn x(&self, value: f64) -> f64 {
        let width = WIDTH - MARGIN_LEFT - MARGIN_RIGHT;
        MARGIN_LEFT + (value - self.x_min) / (self.x_max - self.x_min) * width
    }

    fn y(&self, value: f64) -> f64 {
        self.bottom - (value - self.y_min) / (self.y_max - self.y_min) * PLOT_HEIGHT
    }
}

fn bounds(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    values.fold(None, |range, value| match range {
        None => Some((value, value)),
        Some((low, high)) => Some((low.min(value), high.max(value))),
    })
}

/// Round tick values (1, 2 or 5 times a power of ten) covering `[low, high]`.
fn nice_ticks(low: f64, high: f64, wanted: usize) -> Vec<f64> {
    let span = high - low;
    if !(span.is_finite() && span > 0.0) {
        return vec![low];
    }
    let rough = span / wanted.max(1) as f64;
    let magnitude = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|factor| factor * magnitude)
        .find(|step| *step >= rough)
        .unwrap_or(10.0 * magnitude);
    let first = (low / step).floor() as i64;
    let last = (high / step).ceil() as i64;
    (first..=last).map(|index| index as f64 * step).collect()
}

fn format_number(value: f64) -> String {
    if value.abs() >= 1000.0 || value.fract() == 0.0 {
        format!("{value:.0}")
    } else if value.abs() >= 1.0 {
        format!("{value:.1}")
    } else {
        let text = format!("{value:.3}");
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

/// Escapes text for HTML and SVG content and attribute values.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            _ => escaped.push(character),
        }
    }
    escaped
}

/// The writing direction of a report page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Hebrew: right to left.
    Rtl,
    /// English: left to right.
    Ltr,
}

/// Wraps already-escaped body HTML in a complete, self-contained page.
///
/// `body` must be built from [`escape`]d text and SVG from [`LineChart::to_svg`].
pub fn html_page(title: &str, lang: &str, direction: Direction, body: &str) -> String {
    let dir = match direction {
        Direction::Rtl => "rtl",
        Direction::Ltr => "ltr",
    };
    format!(
        r#"<!doctype html>
<html lang="{lang}" dir="{dir}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: system-ui, "Noto Sans Hebrew", "Segoe UI", Arial, sans-serif; margin-block: 1.5rem; margin-inline: auto; max-inline-size: 960px; padding-inline: 1rem; color: #1f2328; }}
h1 {{ font-size: 1.5rem; }}
h2 {{ font-size: 1.15rem; margin-block-start: 2rem; }}
table {{ border-collapse: collapse; margin-block: 1rem; }}
th, td {{ border: 1px solid #d0d7de; padding-block: 0.3rem; padding-inline: 0.6rem; text-align: start; font-variant-numeric: tabular-nums; }}
th {{ background: #f6f8fa; }}
td.number {{ text-align: end; direction: ltr; unicode-bidi: isolate; }}
svg {{ inline-size: 100%; block-size: auto; }}
.muted {{ color: #57606a; }}
</style>
</head>
<body>
{body}
</body>
</html>
"#,
        lang = escape(lang),
        title = escape(title)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart() -> LineChart {
        LineChart {
            title: "רמת שירות <לפי> חצי שעה".to_owned(),
            x_label: "שעה".to_owned(),
            y_label: "share".to_owned(),
            series: vec![
                Series {
                    name: "חיובים".to_owned(),
                    points: vec![(0.0, 0.8), (1.0, 0.9), (2.0, f64::NAN), (3.0, 0.7)],
                    ..Series::default()
                },
                Series {
                    name: "target".to_owned(),
                    points: vec![(0.0, 0.8), (3.0, 0.8)],
                    step: true,
                    dashed: true,
                },
            ],
            x_ticks: vec![(0.0, "08:00".to_owned()), (2.0, "09:00".to_owned())],
            y_range: Some((0.0, 1.0)),
        }
    }

    #[test]
    fn renders_every_series_and_escapes_text() {
        let svg = chart().to_svg();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert_eq!(svg.matches("<path").count(), 2);
        assert!(svg.contains("רמת שירות &lt;לפי&gt; חצי שעה"));
        assert!(!svg.contains("<לפי>"));
        assert!(svg.contains("08:00") && svg.contains("stroke-dasharray"));
        assert!(!svg.contains("NaN"));
    }

    #[test]
    fn an_undefined_value_breaks_the_line() {
        let path_of = |step: bool| {
            let svg = LineChart {
                series: vec![Series {
                    name: "sl".into(),
                    points: vec![
                        (0.0, 1.0),
                        (1.0, 0.5),
                        (2.0, f64::NAN),
                        (3.0, 0.8),
                        (4.0, 0.9),
                    ],
                    step,
                    dashed: false,
                }],
                ..LineChart::default()
            }
            .to_svg();
            let start = svg.find(r#"d=""#).unwrap() + 3;
            svg[start..start + svg[start..].find('"').unwrap()].to_owned()
        };
        let line = path_of(false);
        assert_eq!(line.matches('M').count(), 2, "{line}");
        assert_eq!(line.matches('L').count(), 2, "{line}");
        let step = path_of(true);
        assert_eq!(step.matches('M').count(), 2, "{step}");
        assert!(!step.contains("NaN"), "{step}");
    }

    #[test]
    fn legend_sits_between_title_and_plot_and_wraps() {
        let many = LineChart {
            title: "t".into(),
            series: (0..12)
                .map(|index| Series {
                    name: format!("a long queue name {index}"),
                    points: vec![(0.0, 1.0), (1.0, 2.0)],
                    ..Series::default()
                })
                .collect(),
            ..LineChart::default()
        };
        let layout = many.legend_layout();
        let rows = layout.last().unwrap().1 + 1.0;
        assert!(rows >= 2.0, "{layout:?}");
        for &(x, _) in &layout {
            assert!(x + 22.0 <= WIDTH - MARGIN_RIGHT);
        }
        let svg = many.to_svg();
        let frame = Frame::fit(&many, TITLE_BASELINE + 14.0 + rows * LEGEND_ROW);
        let last_legend_baseline = TITLE_BASELINE + 22.0 + (rows - 1.0) * LEGEND_ROW;
        assert!(last_legend_baseline > TITLE_BASELINE + 12.0);
        assert!(frame.top > last_legend_baseline);
        assert!(svg.contains(&format!(
            "viewBox=\"0 0 {WIDTH} {}\"",
            frame.bottom + MARGIN_BOTTOM
        )));
    }

    #[test]
    fn empty_and_flat_charts_still_render() {
        let empty = LineChart::default().to_svg();
        assert!(!empty.contains("NaN") && !empty.contains("inf"));
        let flat = LineChart {
            series: vec![Series {
                name: "x".into(),
                points: vec![(1.0, 5.0)],
                ..Series::default()
            }],
            ..LineChart::default()
        };
        let svg = flat.to_svg();
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
    }

    #[test]
    fn ticks_are_round_and_cover_the_range() {
        let unit = nice_ticks(0.0, 1.0, 5);
        let expected = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0];
        assert_eq!(unit.len(), expected.len());
        assert!(
            unit.iter()
                .zip(expected)
                .all(|(tick, want)| (tick - want).abs() < 1e-12)
        );
        let ticks = nice_ticks(3.0, 97.0, 5);
        assert!(ticks[0] <= 3.0 && *ticks.last().unwrap() >= 97.0);
    }

    #[test]
    fn pages_carry_direction_and_language() {
        let page = html_page("דוח <סימולציה>", "he", Direction::Rtl, "<p>שלום</p>");
        assert!(page.contains(r#"<html lang="he" dir="rtl">"#));
        assert!(page.contains("<title>דוח &lt;סימולציה&gt;</title>"));
        assert!(page.contains("<p>שלום</p>"));
    }
}
