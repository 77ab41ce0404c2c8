//! The shared look of every figure: page size, the embedded font, colours, line and marker
//! styles, and the helpers that draw a labelled curve or a set of markers.
//!
//! Text sizes are plotters' sizes; its SVG backend writes `font-size = size / 1.24`, so the
//! smallest size used here (18.5) renders at about 15 px.

use crate::Failure;
use plotters::coord::Shift;
use plotters::coord::ranged1d::ValueFormatter;
use plotters::element::{DashedPathElement, DynElement, IntoDynElement};
use plotters::prelude::*;
use std::sync::OnceLock;

/// Page size of a figure in px: readable at the width of a documentation page.
pub const WIDTH: u32 = 800;
pub const HEIGHT: u32 = 500;

/// The font family: DejaVu Sans, registered under the CSS list the SVG `font-family` attribute
/// receives verbatim, so a browser without DejaVu Sans falls back to its sans-serif font.
pub const FAMILY: &str = "DejaVu Sans, sans-serif";

/// DejaVu Sans 2.37 (Bitstream Vera licence, see `assets/fonts/DejaVuSans-LICENSE.txt`):
/// embedded, so text layout never depends on the fonts installed on the machine.
static FONT_DATA: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// Tick labels.
pub const TICK: f64 = 19.0;
/// Axis labels.
pub const LABEL: f64 = 21.0;
/// Legend entries and annotations.
pub const LEGEND: f64 = 18.5;

/// Registers the embedded font with plotters (once per process).
pub fn register_font() -> Result<(), Failure> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        plotters::style::register_font(FAMILY, FontStyle::Normal, FONT_DATA).is_ok()
    });
    if ok {
        Ok(())
    } else {
        Err(Failure::Check(
            "the embedded font DejaVuSans.ttf could not be loaded".to_owned(),
        ))
    }
}

/// The font at `size`.
pub fn font(size: f64) -> TextStyle<'static> {
    TextStyle::from((FAMILY, size).into_font()).color(&BLACK)
}

/// A plotting error as a [`Failure`].
pub fn plot_error(e: impl std::fmt::Debug) -> Failure {
    Failure::Check(format!("cannot draw the figure: {e:?}"))
}

/// The Okabe–Ito palette (distinguishable with the common colour-vision deficiencies).
pub const BLUE: RGBColor = RGBColor(0, 114, 178);
pub const VERMILLION: RGBColor = RGBColor(213, 94, 0);
pub const GREEN: RGBColor = RGBColor(0, 158, 115);
pub const ORANGE: RGBColor = RGBColor(230, 159, 0);
pub const PURPLE: RGBColor = RGBColor(204, 121, 167);
pub const SKY: RGBColor = RGBColor(86, 180, 233);
pub const GREY: RGBColor = RGBColor(90, 90, 90);
/// A dark wine red, the ninth colour when seven are not enough.
pub const WINE: RGBColor = RGBColor(136, 34, 85);

/// A line style: colour is never the only distinction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dash {
    Solid,
    Dashed,
    Dotted,
    Long,
}

impl Dash {
    /// (dash, gap) in px, `None` for a solid line.
    fn pattern(self) -> Option<(i32, i32)> {
        match self {
            Dash::Solid => None,
            Dash::Dashed => Some((9, 6)),
            Dash::Dotted => Some((3, 4)),
            Dash::Long => Some((18, 6)),
        }
    }
}

/// Marker radius in px.
const MARK_RADIUS: i32 = 5;

/// A marker shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Circle,
    Square,
    Triangle,
    Diamond,
    Cross,
}

/// The vertices of a triangle or diamond marker relative to its centre; `closed` repeats the
/// first vertex (a hollow marker is a closed path: plotters always fills a polygon).
fn outline(mark: Mark, closed: bool) -> Vec<(i32, i32)> {
    let r = MARK_RADIUS;
    let mut v = match mark {
        Mark::Triangle => vec![(0, -r - 1), (-r - 1, r), (r + 1, r)],
        _ => vec![(0, -r - 1), (r + 1, 0), (0, r + 1), (-r - 1, 0)],
    };
    if closed {
        v.push(v[0]);
    }
    v
}

/// The marker `mark` centred at backend coordinate `(x, y)`.
pub fn marker<'a, DB: DrawingBackend + 'a>(
    mark: Mark,
    (x, y): (i32, i32),
    colour: RGBColor,
    filled: bool,
) -> DynElement<'a, DB, (i32, i32)> {
    let style = if filled {
        colour.filled()
    } else {
        colour.stroke_width(2)
    };
    let r = MARK_RADIUS;
    match mark {
        Mark::Circle => Circle::new((x, y), r, style).into_dyn(),
        Mark::Square => {
            Rectangle::new([(x - r + 1, y - r + 1), (x + r - 1, y + r - 1)], style).into_dyn()
        }
        Mark::Triangle | Mark::Diamond if !filled => {
            (EmptyElement::at((x, y)) + PathElement::new(outline(mark, true), style)).into_dyn()
        }
        Mark::Triangle | Mark::Diamond => {
            (EmptyElement::at((x, y)) + Polygon::new(outline(mark, false), style)).into_dyn()
        }
        Mark::Cross => {
            let s = colour.stroke_width(2);
            (EmptyElement::at((x, y))
                + PathElement::new(vec![(-r, -r), (r, r)], s)
                + PathElement::new(vec![(-r, r), (r, -r)], s))
            .into_dyn()
        }
    }
}

/// A short legend sample of a line in `dash` and `colour` at `(x, y)`.
fn legend_line<'a, DB: DrawingBackend + 'a>(
    (x, y): (i32, i32),
    colour: RGBColor,
    dash: Dash,
) -> DynElement<'a, DB, (i32, i32)> {
    let style = colour.stroke_width(3);
    let pts = vec![(x - 2, y), (x + 26, y)];
    match dash.pattern() {
        None => PathElement::new(pts, style).into_dyn(),
        Some((d, g)) => DashedPathElement::new(pts, d, g, style).into_dyn(),
    }
}

/// The chart type of every panel: linear or logarithmic f64 axes.
pub type Chart<'a, 'b, X, Y> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<X, Y>>;

/// Draws the curve `points` in `colour` and `dash`.
pub fn line<X, Y>(
    chart: &mut Chart<'_, '_, X, Y>,
    points: Vec<(f64, f64)>,
    colour: RGBColor,
    dash: Dash,
) -> Result<(), Failure>
where
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    let style = colour.stroke_width(3);
    match dash.pattern() {
        None => chart.draw_series(LineSeries::new(points, style)),
        Some((d, g)) => chart.draw_series(DashedLineSeries::new(points, d, g, style)),
    }
    .map_err(plot_error)?;
    Ok(())
}

/// Draws markers at `points` (filled or open).
pub fn markers<X, Y>(
    chart: &mut Chart<'_, '_, X, Y>,
    points: Vec<(f64, f64)>,
    colour: RGBColor,
    mark: Mark,
    filled: bool,
) -> Result<(), Failure>
where
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    let style = if filled {
        colour.filled()
    } else {
        colour.stroke_width(2)
    };
    let r = MARK_RADIUS;
    let at = |p: &(f64, f64)| EmptyElement::at(*p);
    match mark {
        Mark::Circle => chart.draw_series(points.iter().map(|p| Circle::new(*p, r, style))),
        Mark::Square => chart.draw_series(
            points
                .iter()
                .map(|p| at(p) + Rectangle::new([(1 - r, 1 - r), (r - 1, r - 1)], style)),
        ),
        Mark::Triangle | Mark::Diamond if !filled => chart.draw_series(
            points
                .iter()
                .map(|p| at(p) + PathElement::new(outline(mark, true), style)),
        ),
        Mark::Triangle | Mark::Diamond => chart.draw_series(
            points
                .iter()
                .map(|p| at(p) + Polygon::new(outline(mark, false), style)),
        ),
        Mark::Cross => chart.draw_series(points.iter().map(|p| {
            at(p)
                + PathElement::new(vec![(-r, -r), (r, r)], colour.stroke_width(2))
                + PathElement::new(vec![(-r, r), (r, -r)], colour.stroke_width(2))
        })),
    }
    .map_err(plot_error)?;
    Ok(())
}

/// How a closed-form curve and the markers of its independent check are drawn.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub label: &'static str,
    pub colour: RGBColor,
    pub dash: Dash,
    pub mark: Mark,
}

/// Draws every closed-form curve as a line (`lines[i]` in `styles[i]`), then every independent
/// check as open markers (`marks[i]`), so that no line covers a marker.
pub fn curves_with_checks<X, Y>(
    chart: &mut Chart<'_, '_, X, Y>,
    styles: &[Style],
    lines: &[Vec<(f64, f64)>],
    marks: &[Vec<(f64, f64)>],
) -> Result<(), Failure>
where
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    for (style, points) in styles.iter().zip(lines) {
        line(chart, points.clone(), style.colour, style.dash)?;
    }
    for (style, points) in styles.iter().zip(marks) {
        markers(chart, points.clone(), style.colour, style.mark, false)?;
    }
    Ok(())
}

/// One entry of a side legend: a line sample and/or a marker, then the label.
#[derive(Debug, Clone)]
pub struct Entry {
    pub label: String,
    pub colour: RGBColor,
    pub dash: Option<Dash>,
    pub mark: Option<(Mark, bool)>,
}

impl Entry {
    pub fn line(label: impl Into<String>, colour: RGBColor, dash: Dash) -> Self {
        Entry {
            label: label.into(),
            colour,
            dash: Some(dash),
            mark: None,
        }
    }
    pub fn mark(label: impl Into<String>, colour: RGBColor, mark: Mark, filled: bool) -> Self {
        Entry {
            label: label.into(),
            colour,
            dash: None,
            mark: Some((mark, filled)),
        }
    }
    /// A curve's entry: its line sample and open marker.
    pub fn curve(style: &Style) -> Self {
        Entry {
            label: style.label.to_owned(),
            colour: style.colour,
            dash: Some(style.dash),
            mark: Some((style.mark, false)),
        }
    }
    /// A heading line of text without a sample.
    pub fn heading(label: impl Into<String>) -> Self {
        Entry {
            label: label.into(),
            colour: BLACK,
            dash: None,
            mark: None,
        }
    }
}

/// Width of the legend column right of the panels, in px.
pub const LEGEND_WIDTH: u32 = 236;

/// Draws `entries` top-down in `area` (the legend column), starting `top` px below its top:
/// outside every panel, so a legend never covers data.
pub fn side_legend(
    area: &DrawingArea<SVGBackend<'_>, Shift>,
    top: i32,
    entries: &[Entry],
) -> Result<(), Failure> {
    let row = 27;
    for (i, e) in entries.iter().enumerate() {
        let y = top + row * i as i32;
        let sample_x = 6;
        if let Some(d) = e.dash {
            area.draw(&legend_line((sample_x + 2, y), e.colour, d))
                .map_err(plot_error)?;
        }
        if let Some((m, filled)) = e.mark {
            area.draw(&marker(m, (sample_x + 14, y), e.colour, filled))
                .map_err(plot_error)?;
        }
        // A label starting with spaces continues the entry above: indent it to the text column
        // (SVG collapses the spaces themselves).
        let continued = e.label.starts_with(' ');
        let x = if e.dash.is_none() && e.mark.is_none() && !continued {
            sample_x
        } else {
            sample_x + 38
        };
        area.draw(&Text::new(
            e.label.trim_start().to_owned(),
            (x, y),
            font(LEGEND).pos(plotters::style::text_anchor::Pos::new(
                plotters::style::text_anchor::HPos::Left,
                plotters::style::text_anchor::VPos::Center,
            )),
        ))
        .map_err(plot_error)?;
    }
    Ok(())
}

/// Renders one SVG document of `WIDTH × HEIGHT` with `draw`.
pub fn svg(
    size: (u32, u32),
    draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> Result<(), Failure>,
) -> Result<String, Failure> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, size).into_drawing_area();
        root.fill(&WHITE).map_err(plot_error)?;
        draw(&root)?;
        root.present().map_err(plot_error)?;
    }
    Ok(out)
}

/// An arrow from `from` to `to` (data coordinates) with a filled head at `to`.
pub fn arrow<X, Y>(
    chart: &mut Chart<'_, '_, X, Y>,
    from: (f64, f64),
    to: (f64, f64),
    colour: RGBColor,
) -> Result<(), Failure>
where
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    let a = chart.backend_coord(&from);
    let b = chart.backend_coord(&to);
    let (dx, dy) = ((b.0 - a.0) as f64, (b.1 - a.1) as f64);
    let len = dx.hypot(dy).max(1.0);
    let (ux, uy) = (dx / len, dy / len);
    let (head, half) = (12.0, 6.0);
    // Offsets in px relative to the tip.
    let base = (-ux * head, -uy * head);
    let round = |p: (f64, f64)| (p.0.round() as i32, p.1.round() as i32);
    let p1 = round((base.0 - uy * half, base.1 + ux * half));
    let p2 = round((base.0 + uy * half, base.1 - ux * half));
    let tail = (a.0 - b.0, a.1 - b.1);
    let element = EmptyElement::at(to)
        + PathElement::new(vec![tail, round(base)], colour.stroke_width(3))
        + Polygon::new(vec![(0, 0), p1, p2], colour.filled());
    chart.plotting_area().draw(&element).map_err(plot_error)?;
    Ok(())
}

/// Text at data coordinate `at`, anchored by `pos`.
pub fn text<X, Y>(
    chart: &mut Chart<'_, '_, X, Y>,
    label: &str,
    at: (f64, f64),
    pos: plotters::style::text_anchor::Pos,
    colour: RGBColor,
) -> Result<(), Failure>
where
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    chart
        .draw_series(std::iter::once(Text::new(
            label.to_owned(),
            at,
            font(LEGEND).color(&colour).pos(pos),
        )))
        .map_err(plot_error)?;
    Ok(())
}

/// `n + 1` points spaced evenly in $\ln x$ from `lo` to `hi`.
pub fn log_grid(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    let (a, b) = (lo.ln(), hi.ln());
    (0..=n)
        .map(|i| (a + (b - a) * i as f64 / n as f64).exp())
        .collect()
}

/// Statistical deviations in captions: three significant digits in scientific notation.
pub fn sci(x: f64) -> String {
    format!("{x:.2e}")
}

/// Deterministic errors (round-off, solver tolerance) in captions: the power of ten that bounds
/// them, `≤ 10⁻¹⁵`. Their last digits depend on the platform's `libm` and would make
/// `--check` fail on another machine for no change of substance; the bound does not.
pub fn bound(x: f64) -> String {
    if x == 0.0 {
        "0 (exact)".to_owned()
    } else {
        let e = x.log10().ceil() as i32;
        format!("≤ 10{}", superscript(e))
    }
}

/// The house mesh: light grid, labelled axes, tick labels at [`TICK`] size.
pub fn mesh<X, Y>(
    chart: &mut Chart<'_, '_, X, Y>,
    x_label: &str,
    y_label: &str,
    x_format: &dyn Fn(&f64) -> String,
    y_format: &dyn Fn(&f64) -> String,
) -> Result<(), Failure>
where
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    chart
        .configure_mesh()
        .x_desc(x_label)
        .y_desc(y_label)
        .axis_desc_style(font(LABEL))
        .label_style(font(TICK))
        .x_label_formatter(x_format)
        .y_label_formatter(y_format)
        .light_line_style(RGBColor(235, 235, 235))
        .bold_line_style(RGBColor(205, 205, 205))
        .x_labels(8)
        .y_labels(7)
        .draw()
        .map_err(plot_error)
}

/// Tick label of a logarithmic axis: powers of ten as `10⁻²`, others plainly.
pub fn log_tick(v: &f64) -> String {
    let e = v.log10().round();
    if (v.log10() - e).abs() < 1e-9 {
        let exp = e as i32;
        match exp {
            0 => "1".to_owned(),
            1 => "10".to_owned(),
            _ => format!("10{}", superscript(exp)),
        }
    } else {
        String::new()
    }
}

/// `n` in Unicode superscript digits.
fn superscript(n: i32) -> String {
    let digits = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    let mut s = String::new();
    if n < 0 {
        s.push('⁻');
    }
    for c in n.unsigned_abs().to_string().chars() {
        s.push(digits[c.to_digit(10).unwrap_or(0) as usize]);
    }
    s
}

/// Tick label of a linear axis with `decimals` decimals.
pub fn fixed(decimals: usize) -> impl Fn(&f64) -> String {
    move |v: &f64| {
        let s = format!("{:.*}", decimals, v);
        if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
            s[1..].to_owned()
        } else {
            s
        }
    }
}
