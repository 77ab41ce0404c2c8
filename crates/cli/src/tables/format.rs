//! Fixed, platform-independent text for the generated tables: numbers to 10 significant digits,
//! Markdown cells and CSV fields.

/// The Markdown cell of a value that is not a finite number, such as the relative error of a
/// comparison with 0 (in CSV the cell is empty, see [`csv_number`]).
pub const NO_VALUE: &str = "—";

/// `x` to 10 significant digits: fixed notation for $10^{-4} \le |x| < 10^{10}$ with trailing
/// zeros dropped, scientific notation (`1.25e-7`) outside; `0` for ±0, and [`NO_VALUE`] for
/// ±∞ and NaN. The rounding is Rust's correctly rounded formatting, so the text depends only on
/// the value.
pub fn sig10(x: f64) -> String {
    if x == 0.0 {
        return "0".to_owned();
    }
    if !x.is_finite() {
        return NO_VALUE.to_owned();
    }
    let scientific = format!("{x:.9e}");
    let (mantissa, exponent) = scientific
        .split_once('e')
        .expect("`{:e}` formatting has an exponent");
    let exponent: i32 = exponent.parse().expect("integer exponent");
    if (-4..10).contains(&exponent) {
        let decimals = usize::try_from(9 - exponent).expect("exponent below 10");
        trim_zeros(&format!("{x:.decimals$}")).to_owned()
    } else {
        format!("{}e{exponent}", trim_zeros(mantissa))
    }
}

/// An error or a tolerance: 3 significant digits in scientific notation; [`NO_VALUE`] for ±∞
/// and NaN (the relative error where the reference value is 0).
pub fn sci3(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.2e}")
    } else {
        NO_VALUE.to_owned()
    }
}

/// A numeric cell of [`sig10`] or [`sci3`] as a CSV field: [`NO_VALUE`] becomes an empty field,
/// which R (`read.csv`), pandas and Excel read as missing, whereas `inf`, `—` or `NaN` would
/// make the whole column text (or fail to parse).
pub fn csv_number(cell: &str) -> String {
    if cell == NO_VALUE {
        String::new()
    } else {
        cell.to_owned()
    }
}

fn trim_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

/// Text as one GitHub-flavoured Markdown table cell: one line, with the characters that would
/// end the cell or start emphasis, code or links escaped.
pub fn md_cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '\n' | '\r' => out.push(' '),
            '\\' | '|' | '*' | '_' | '`' | '<' | '>' | '[' | ']' => {
                out.push('\\');
                out.push(ch);
            }
            _ => out.push(ch),
        }
    }
    out
}

/// A Markdown table with a header row.
pub fn md_table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    out.push_str(&format!("| {} |\n", header.join(" | ")));
    out.push_str(&format!("|{}\n", "---|".repeat(header.len())));
    for row in rows {
        let cells: Vec<String> = row.iter().map(|c| md_cell(c)).collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    out
}

/// One RFC 4180 field: quoted when it holds a comma, quote or line break.
pub fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// A CSV document (header and rows, `\n` line ends).
pub fn csv(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    let line = |cells: Vec<String>| cells.join(",") + "\n";
    out.push_str(&line(header.iter().map(|h| csv_field(h)).collect()));
    for row in rows {
        out.push_str(&line(row.iter().map(|c| csv_field(c)).collect()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_significant_digits() {
        assert_eq!(sig10(0.47619047619047616), "0.4761904762");
        assert_eq!(sig10(8.333333333333334), "8.333333333");
        assert_eq!(sig10(0.5), "0.5");
        assert_eq!(sig10(-0.375), "-0.375");
        assert_eq!(sig10(25.0), "25");
        assert_eq!(sig10(1.9230769230769232e17), "1.923076923e17");
        assert_eq!(sig10(1.3427614652674153e-5), "1.342761465e-5");
        assert_eq!(sig10(0.000998003992015968), "0.000998003992");
        assert_eq!(sig10(-0.0), "0");
        assert_eq!(sig10(f64::INFINITY), "—");
        assert_eq!(sig10(f64::NEG_INFINITY), "—");
        assert_eq!(sig10(f64::NAN), "—");
    }

    #[test]
    fn non_finite_numbers_are_a_dash_in_markdown_and_empty_in_csv() {
        // The relative error of a comparison with 0: |x − 0| / 0 = ∞.
        let rel_err = 6.036116341e-18_f64 / 0.0;
        assert_eq!(sci3(rel_err), "—");
        assert_eq!(sci3(f64::NAN), "—");
        assert_eq!(csv_number(&sci3(rel_err)), "");
        assert_eq!(csv_number(&sig10(f64::NAN)), "");
        assert_eq!(sci3(6.036116341e-18), "6.04e-18");
        assert_eq!(csv_number(&sci3(6.036116341e-18)), "6.04e-18");
        assert_eq!(csv_number(&sig10(-0.375)), "-0.375");
    }

    #[test]
    fn cells_and_fields_are_escaped() {
        assert_eq!(
            md_cell("|f(2h)−f(h)|/3, W*_ex"),
            "\\|f(2h)−f(h)\\|/3, W\\*\\_ex"
        );
        assert_eq!(csv_field("a, \"b\""), "\"a, \"\"b\"\"\"");
        assert_eq!(csv_field("plain"), "plain");
    }
}
