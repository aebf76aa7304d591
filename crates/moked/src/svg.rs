//! Self-contained SVG line charts and HTML pages for the `--report` outputs.
//!
//! Reports are single files a planner can mail or open offline, so charts are
//! inline SVG with no scripts and no external assets. Every text that reaches
//! the page goes through [`escape`].

use std::fmt::Write as _;

const WIDTH: f64 = 860.0;
const HEIGHT: f64 = 320.0;
const MARGIN_LEFT: f64 = 64.0;
const MARGIN_RIGHT: f64 = 24.0;
const MARGIN_TOP: f64 = 40.0;
const MARGIN_BOTTOM: f64 = 56.0;
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
        let frame = Frame::fit(self);
        let mut svg = String::new();
        let _ = write!(
            svg,
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{title}" font-family="sans-serif" font-size="12" direction="ltr">"#,
            title = escape(&self.title)
        );
        let _ = write!(
            svg,
            r##"<text x="{x}" y="22" font-size="15" font-weight="bold" text-anchor="middle">{title}</text>"##,
            x = WIDTH / 2.0,
            title = escape(&self.title)
        );
        self.draw_axes(&frame, &mut svg);
        for (index, series) in self.series.iter().enumerate() {
            draw_series(&frame, series, PALETTE[index % PALETTE.len()], &mut svg);
        }
        self.draw_legend(&mut svg);
        svg.push_str("</svg>");
        svg
    }

    fn draw_axes(&self, frame: &Frame, svg: &mut String) {
        let (left, right) = (MARGIN_LEFT, WIDTH - MARGIN_RIGHT);
        let (top, bottom) = (MARGIN_TOP, HEIGHT - MARGIN_BOTTOM);
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
            xl = HEIGHT - 12.0,
            cy = (top + bottom) / 2.0,
            x_label = escape(&self.x_label),
            y_label = escape(&self.y_label)
        );
    }

    fn draw_legend(&self, svg: &mut String) {
        let mut x = MARGIN_LEFT + 8.0;
        for (index, series) in self.series.iter().enumerate() {
            let colour = PALETTE[index % PALETTE.len()];
            let dash = if series.dashed {
                r#" stroke-dasharray="6 4""#
            } else {
                ""
            };
            let _ = write!(
                svg,
                r#"<line x1="{x}" y1="{y}" x2="{x2}" y2="{y}" stroke="{colour}" stroke-width="2.5"{dash}/><text x="{tx}" y="{ty}">{name}</text>"#,
                y = MARGIN_TOP - 8.0,
                x2 = x + 18.0,
                tx = x + 22.0,
                ty = MARGIN_TOP - 4.0,
                name = escape(&series.name)
            );
            x += 40.0 + 7.0 * series.name.chars().count() as f64;
        }
    }
}

fn draw_series(frame: &Frame, series: &Series, colour: &str, svg: &mut String) {
    let mut path = String::new();
    let mut previous_y = None;
    for &(x, y) in series
        .points
        .iter()
        .filter(|(x, y)| x.is_finite() && y.is_finite())
    {
        let (px, py) = (frame.x(x), frame.y(y));
        match previous_y {
            None => {
                let _ = write!(path, "M{px:.1},{py:.1}");
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
    x_min: f64,
    x_max: f64,
    y_min: f64,
    y_max: f64,
}

impl Frame {
    fn fit(chart: &LineChart) -> Frame {
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
        let height = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM;
        HEIGHT - MARGIN_BOTTOM - (value - self.y_min) / (self.y_max - self.y_min) * height
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
