//! The JUnit XML report, for CI systems: one `<testcase>` per case. A failed `must` case is a
//! `<failure>`, a skipped case `<skipped>`, and a warning passes with its explanation in
//! `<system-out>`, since JUnit has no warnings and a warning must not fail the build.

use std::fmt::Write;

use super::{CaseReport, Outcome, Report};

impl Report {
    /// The JUnit XML report.
    pub fn to_junit(&self) -> String {
        let tests = self.cases.len();
        let failures = self.with_outcome(Outcome::Fail).count();
        let skipped = self.with_outcome(Outcome::Skip).count();
        let time = self.elapsed.as_secs_f64();
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(
            out,
            "<testsuites name=\"awork-sim check\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\" time=\"{time:.3}\">"
        );
        let _ = writeln!(
            out,
            "  <testsuite name=\"awork-sim check {}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\" time=\"{time:.3}\">",
            escape(&self.url)
        );
        let _ = writeln!(out, "    <properties>");
        let mut properties = vec![
            ("url", self.url.clone()),
            ("seed", self.settings.seed.to_string()),
            (
                "timeout",
                awork_delivery::format_duration(self.settings.timeout),
            ),
            ("burst", self.settings.burst.to_string()),
        ];
        if let Some(command) = self.rerun_command() {
            properties.push(("rerun", command));
        }
        for (name, value) in properties {
            let _ = writeln!(
                out,
                "      <property name=\"{name}\" value=\"{}\"/>",
                escape(&value)
            );
        }
        let _ = writeln!(out, "    </properties>");
        for case in &self.cases {
            write_case(&mut out, case);
        }
        out.push_str("  </testsuite>\n</testsuites>\n");
        out
    }
}

fn write_case(out: &mut String, case: &CaseReport) {
    let _ = write!(
        out,
        "    <testcase name=\"{}\" classname=\"awork-sim.check.{}\" time=\"{:.3}\"",
        case.id,
        case.level.as_str(),
        case.elapsed.as_secs_f64()
    );
    match case.outcome {
        Outcome::Pass => out.push_str("/>\n"),
        Outcome::Skip => {
            let _ = writeln!(
                out,
                ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                escape(&case.detail)
            );
        }
        Outcome::Fail => {
            let _ = writeln!(
                out,
                ">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>",
                escape(&case.detail),
                case.level.as_str(),
                escape_text(&trouble(case))
            );
        }
        Outcome::Warn => {
            let _ = writeln!(
                out,
                ">\n      <system-out>{}</system-out>\n    </testcase>",
                escape_text(&format!("warning: {}", trouble(case)))
            );
        }
    }
}

fn trouble(case: &CaseReport) -> String {
    let mut text = String::new();
    super::text::write_trouble(&mut text, case);
    text.trim().to_owned()
}

/// `text` as XML character data, its lines kept.
fn escape_text(text: &str) -> String {
    text.split('\n').map(escape).collect::<Vec<_>>().join("\n")
}

/// `text` as an XML attribute value (or character data on one line). Characters XML 1.0 cannot hold at all
/// (most control characters, which a receiver's response body may contain) become U+FFFD.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            '\n' => escaped.push_str("&#10;"),
            '\t' | '\r' => escaped.push_str(&format!("&#{};", u32::from(character))),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => escaped.push('\u{fffd}'),
            _ => escaped.push(character),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn markup_and_forbidden_characters_are_escaped() {
        assert_eq!(
            escape("<a href=\"x\">Tom & 'Jerry'</a>"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &apos;Jerry&apos;&lt;/a&gt;"
        );
        assert_eq!(escape("a\u{1}b\nc"), "a\u{fffd}b&#10;c");
    }
}
