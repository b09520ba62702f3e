//! Charts for the HTML report, drawn with `plotters` into SVG strings.
//!
//! Only plotters' SVG backend is compiled in, without its TrueType feature: text is laid out
//! with plotters' built-in size estimate and drawn as SVG `<text>` in a generic font family,
//! so rendering needs no font file, and the browser shows the page's own sans-serif. Plotters
//! escapes every label it writes (`<`, `>`, `&`, quotes). Money is exact everywhere else in
//! the report; a chart converts it to `f64` only to place a mark, never to show a figure.

use plotters::coord::Shift;
use plotters::prelude::*;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use super::format;

/// Chart width in SVG units; the page scales it down on narrow screens.
const WIDTH: u32 = 760;
const FONT: &str = "sans-serif";
/// Labels longer than this are cut with an ellipsis (tables carry the full names).
const LABEL_CHARS: usize = 28;

/// Colour-blind-safe palette (Okabe–Ito), then greys.
const PALETTE: [RGBColor; 10] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(213, 94, 0),
    RGBColor(240, 228, 66),
    RGBColor(0, 0, 0),
    RGBColor(120, 120, 120),
    RGBColor(180, 180, 180),
];

pub fn colour(index: usize) -> RGBColor {
    PALETTE[index % PALETTE.len()]
}

/// The colour as CSS, for legends drawn in HTML.
pub fn css_colour(index: usize) -> String {
    let RGBColor(r, g, b) = colour(index);
    format!("#{r:02x}{g:02x}{b:02x}")
}

fn f64_of(value: Decimal) -> f64 {
    value.to_f64().unwrap_or(0.0)
}

fn short(label: &str) -> String {
    if label.chars().count() <= LABEL_CHARS {
        label.to_string()
    } else {
        let cut: String = label.chars().take(LABEL_CHARS - 1).collect();
        format!("{cut}…")
    }
}

/// Whole dollars with thousands separators, for axis ticks.
fn axis_money(value: f64) -> String {
    let rounded = Decimal::from_f64_retain(value.round()).unwrap_or_default();
    format::money(rounded).trim_end_matches(".00").to_string()
}

/// An upper bound with some head room, never zero.
fn ceiling(max: f64) -> f64 {
    if max <= 0.0 {
        1.0
    } else {
        max * 1.08
    }
}

/// Row `index` of `rows` drawn from the top: plotters counts segments from the bottom.
fn from_top(index: usize, rows: usize) -> i32 {
    (rows - 1 - index.min(rows - 1)) as i32
}

/// The item shown at segment `segment` of a category axis; `None` past either end (plotters
/// also asks for the label of the segment after the last).
fn at_segment<T>(items: &[T], segment: i32) -> Option<&T> {
    let segment = usize::try_from(segment).ok()?;
    if segment >= items.len() {
        return None;
    }
    items.get(from_top(segment, items.len()) as usize)
}

/// Room for the longest category label, in SVG units.
fn label_room(labels: impl Iterator<Item = usize>) -> u32 {
    let longest = labels.max().unwrap_or(8).min(36) as u32;
    (30 + longest * 9).clamp(90, 340)
}

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

/// A chart of horizontal rows over money: `labels` down the left (row 0 at the top), dollars
/// along the bottom. `y_room` is the left margin for the labels.
fn money_rows<'a, 'b>(
    area: &'a Area<'b>,
    x: std::ops::Range<f64>,
    labels: &[String],
    (x_room, y_room): (u32, u32),
    font: u32,
) -> Result<RowChart<'a, 'b>, String> {
    let rows = labels.len().max(1);
    let mut chart = ChartBuilder::on(area)
        .margin(12)
        .x_label_area_size(x_room)
        .y_label_area_size(y_room)
        .build_cartesian_2d(x, (0..rows as i32).into_segmented())
        .map_err(|e| e.to_string())?;
    let names = |value: &SegmentValue<i32>| match value {
        SegmentValue::CenterOf(i) => at_segment(labels, *i).cloned().unwrap_or_default(),
        _ => String::new(),
    };
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(rows)
        .y_label_formatter(&names)
        .x_labels(6)
        .x_label_formatter(&|v| axis_money(*v))
        .label_style((FONT, font))
        .draw()
        .map_err(|e| e.to_string())?;
    Ok(chart)
}

type RowChart<'a, 'b> = ChartContext<
    'a,
    SVGBackend<'b>,
    Cartesian2d<
        plotters::coord::types::RangedCoordf64,
        plotters::coord::ranged1d::SegmentedCoord<plotters::coord::types::RangedCoordi32>,
    >,
>;

fn render(height: u32, draw: impl FnOnce(&Area) -> Result<(), String>) -> String {
    let mut svg = String::new();
    {
        let backend = SVGBackend::with_string(&mut svg, (WIDTH, height));
        let area = backend.into_drawing_area();
        let outcome = area
            .fill(&WHITE)
            .map_err(|e| e.to_string())
            .and_then(|()| draw(&area))
            .and_then(|()| area.present().map_err(|e| e.to_string()));
        if let Err(error) = outcome {
            // A chart that cannot be drawn must not take the report down with it.
            return format!(
                "<p class=\"note\">chart not drawn: {}</p>",
                super::html::escape(&error)
            );
        }
    }
    svg
}

/// Horizontal stacked bars: one bar per category (policy), one segment per series.
/// `values[s][c]` is series `s` in category `c`.
pub fn stacked_bars(categories: &[String], series: &[(String, Vec<Decimal>)]) -> String {
    let rows = categories.len().max(1);
    let height = 70 + 46 * rows as u32;
    let totals: Vec<f64> = (0..categories.len())
        .map(|c| series.iter().map(|(_, v)| f64_of(v[c])).sum())
        .collect();
    let max = ceiling(totals.iter().copied().fold(0.0, f64::max));
    render(height, |area| {
        let names: Vec<String> = categories.iter().map(|name| short(name)).collect();
        let room = label_room(categories.iter().map(|c| c.chars().count()));
        let mut chart = money_rows(area, 0.0..max, &names, (34, room), 17)?;
        let mut start = vec![0.0; categories.len()];
        for (index, (_, values)) in series.iter().enumerate() {
            let style = colour(index).filled();
            chart
                .draw_series(values.iter().enumerate().map(|(c, value)| {
                    let x0 = start[c];
                    let x1 = x0 + f64_of(*value);
                    start[c] = x1;
                    let row = from_top(c, rows);
                    let mut bar = Rectangle::new(
                        [
                            (x0, SegmentValue::Exact(row)),
                            (x1, SegmentValue::Exact(row + 1)),
                        ],
                        style,
                    );
                    bar.set_margin(7, 7, 0, 0);
                    bar
                }))
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    })
}

/// One bar of a tornado, ready to draw.
pub struct TornadoBar {
    pub label: String,
    pub low: Decimal,
    pub high: Decimal,
}

/// A tornado: each input's cost moved down and up around the base cost, widest first.
pub fn tornado(base: Decimal, bars: &[TornadoBar]) -> String {
    let rows = bars.len().max(1);
    let height = 80 + 34 * rows as u32;
    let base = f64_of(base);
    let (mut least, mut most) = (base, base);
    for bar in bars {
        least = least.min(f64_of(bar.low)).min(f64_of(bar.high));
        most = most.max(f64_of(bar.low)).max(f64_of(bar.high));
    }
    let pad = ((most - least) * 0.08).max(base.abs() * 0.01).max(0.01);
    let (left, right) = ((least - pad).max(0.0), most + pad);
    render(height, |area| {
        let names: Vec<String> = bars.iter().map(|bar| short_path(&bar.label)).collect();
        let room = label_room(bars.iter().map(|b| b.label.chars().count().min(36)));
        let mut chart = money_rows(area, left..right, &names, (30, room), 16)?;
        for (side, style) in [(0, colour(0).filled()), (1, colour(1).filled())] {
            chart
                .draw_series(bars.iter().enumerate().map(|(i, bar)| {
                    let end = f64_of(if side == 0 { bar.low } else { bar.high });
                    let row = from_top(i, rows);
                    let mut rect = Rectangle::new(
                        [
                            (base, SegmentValue::Exact(row)),
                            (end, SegmentValue::Exact(row + 1)),
                        ],
                        style,
                    );
                    rect.set_margin(5, 5, 0, 0);
                    rect
                }))
                .map_err(|e| e.to_string())?;
        }
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![
                    (base, SegmentValue::Exact(0)),
                    (base, SegmentValue::Exact(rows as i32)),
                ],
                BLACK.stroke_width(1),
            )))
            .map_err(|e| e.to_string())?;
        Ok(())
    })
}

/// Tornado labels keep the end of a path (`…gpt-5.5.output`), where the field is.
fn short_path(path: &str) -> String {
    let count = path.chars().count();
    if count <= 36 {
        path.to_string()
    } else {
        let tail: String = path.chars().skip(count - 35).collect();
        format!("…{tail}")
    }
}

/// Cost against a swept input: one line per policy over the values, in order.
pub fn sweep(path: &str, labels: &[String], series: &[(String, Vec<Decimal>)]) -> String {
    let points = labels.len().max(1);
    let max = ceiling(
        series
            .iter()
            .flat_map(|(_, values)| values.iter().map(|v| f64_of(*v)))
            .fold(0.0, f64::max),
    );
    render(360, |area| {
        let mut chart = ChartBuilder::on(area)
            .margin(14)
            .x_label_area_size(46)
            .y_label_area_size(90)
            .build_cartesian_2d((0..points as i32).into_segmented(), 0.0..max)
            .map_err(|e| e.to_string())?;
        let every = points.div_ceil(10).max(1);
        let x_labels = |value: &SegmentValue<i32>| match value {
            SegmentValue::CenterOf(i) if (*i as usize).is_multiple_of(every) => labels
                .get(*i as usize)
                .map(|label| short(label))
                .unwrap_or_default(),
            _ => String::new(),
        };
        chart
            .configure_mesh()
            .x_labels(points)
            .x_label_formatter(&x_labels)
            .x_desc(short_path(path))
            .y_labels(6)
            .y_label_formatter(&|v| axis_money(*v))
            .label_style((FONT, 16))
            .draw()
            .map_err(|e| e.to_string())?;
        for (index, (_, values)) in series.iter().enumerate() {
            let style = colour(index).stroke_width(2);
            chart
                .draw_series(LineSeries::new(
                    values
                        .iter()
                        .enumerate()
                        .map(|(i, v)| (SegmentValue::CenterOf(i as i32), f64_of(*v))),
                    style,
                ))
                .map_err(|e| e.to_string())?;
            chart
                .draw_series(values.iter().enumerate().map(|(i, v)| {
                    Circle::new(
                        (SegmentValue::CenterOf(i as i32), f64_of(*v)),
                        3,
                        colour(index).filled(),
                    )
                }))
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    })
}

/// One policy's simulated spread.
pub struct Spread {
    pub label: String,
    pub p5: Decimal,
    pub p50: Decimal,
    pub p95: Decimal,
    pub expected: Decimal,
}

/// P5–P95 bands per policy, with the median (dot) and the exact expectation (tick).
pub fn spread(bands: &[Spread]) -> String {
    let rows = bands.len().max(1);
    let height = 70 + 46 * rows as u32;
    let max = ceiling(
        bands
            .iter()
            .map(|b| f64_of(b.p95).max(f64_of(b.expected)))
            .fold(0.0, f64::max),
    );
    let least = bands
        .iter()
        .map(|b| f64_of(b.p5).min(f64_of(b.expected)))
        .fold(f64::INFINITY, f64::min);
    let min = if least.is_finite() { least * 0.9 } else { 0.0 };
    let max = if max > min { max } else { min + 1.0 };
    render(height, |area| {
        let names: Vec<String> = bands.iter().map(|band| short(&band.label)).collect();
        let room = label_room(bands.iter().map(|b| b.label.chars().count()));
        let mut chart = money_rows(area, min..max, &names, (34, room), 17)?;
        chart
            .draw_series(bands.iter().enumerate().map(|(i, band)| {
                let mut rect = Rectangle::new(
                    [
                        (f64_of(band.p5), SegmentValue::Exact(from_top(i, rows))),
                        (f64_of(band.p95), SegmentValue::Exact(from_top(i, rows) + 1)),
                    ],
                    colour(4).filled(),
                );
                rect.set_margin(9, 9, 0, 0);
                rect
            }))
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(bands.iter().enumerate().map(|(i, band)| {
                Circle::new(
                    (f64_of(band.p50), SegmentValue::CenterOf(from_top(i, rows))),
                    5,
                    colour(0).filled(),
                )
            }))
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(bands.iter().enumerate().map(|(i, band)| {
                PathElement::new(
                    vec![
                        (
                            f64_of(band.expected),
                            SegmentValue::Exact(from_top(i, rows)),
                        ),
                        (
                            f64_of(band.expected),
                            SegmentValue::Exact(from_top(i, rows) + 1),
                        ),
                    ],
                    colour(5).stroke_width(2),
                )
            }))
            .map_err(|e| e.to_string())?;
        Ok(())
    })
}
