//! The label `send` gives an event read from a file (`task_created 4f1e…`), read off the event's
//! top-level object without parsing its entity.
//!
//! Every event read from a file is labelled, on the thread that hands events to the engine, and
//! the label goes into each log line. An event is mostly its entity, which awork writes between
//! `eventType` and `entityId`: the label's reader walks the top-level object from its start until
//! it has `eventType`, then from its end, backwards, until it has `entityId`, so it reads a few
//! hundred bytes of an event of 2 KB; a value it must pass is jumped over (`memchr` finds the end
//! of each string) rather than tokenized as a JSON parser does. Measured on 50,000 generated
//! events in a loop over the whole file (most of its time cache misses, which a line just read
//! does not have): 1.5 µs an event with serde (a tenth of `send FILE`'s CPU at concurrency 64),
//! 1.1 µs walking forwards alone, 0.65 µs so.
//!
//! The file was checked before anything is sent, so the walk trusts its structure: it never
//! fails, and anything it cannot read gives `?` for that part of the label.

use std::borrow::Cow;

/// `eventType entityId` of an event, each `?` when the top-level object has no such string
/// property (or when the event is not an object, as `--raw` allows). A property given twice
/// (which the check refuses without `--raw`) is read from one of its places.
pub fn label_of(body: &[u8]) -> String {
    let mut walk = Walk { bytes: body, at: 0 };
    let (mut event_type, mut entity_id) = (None, None);
    let whole = walk.top_level_strings(|key, value| {
        match &*unescaped(key) {
            "eventType" => event_type = Some(value),
            "entityId" if entity_id.is_none() => entity_id = Some(value),
            _ => {}
        }
        event_type.is_none()
    });
    if !whole && entity_id.is_none() {
        walk.top_level_strings_backwards(|key, value| {
            if unescaped(key) == "entityId" {
                entity_id = Some(value);
            }
            entity_id.is_none()
        });
    }
    format!("{} {}", text_of(event_type), text_of(entity_id))
}

/// A label part: a string's text, or `?`.
fn text_of(raw: Option<&[u8]>) -> Cow<'_, str> {
    raw.map_or(Cow::Borrowed("?"), unescaped)
}

/// A string's text from its raw bytes between the quotes: escapes read as JSON reads them (rare
/// in an event type or an id), bytes that are not UTF-8 replaced.
fn unescaped(raw: &[u8]) -> Cow<'_, str> {
    if raw.contains(&b'\\') {
        let mut quoted = Vec::with_capacity(raw.len() + 2);
        quoted.push(b'"');
        quoted.extend_from_slice(raw);
        quoted.push(b'"');
        if let Ok(text) = serde_json::from_slice::<String>(&quoted) {
            return Cow::Owned(text);
        }
    }
    String::from_utf8_lossy(raw)
}

/// A position in a JSON text.
struct Walk<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Walk<'a> {
    /// Calls `found(key, raw value)` for each property of the top-level object whose value is a
    /// string, in order, until it returns false; true when the walk reached the object's end
    /// (or text that is not JSON).
    fn top_level_strings(&mut self, mut found: impl FnMut(&'a [u8], &'a [u8]) -> bool) -> bool {
        if self.next_token() != Some(b'{') {
            return true;
        }
        self.at += 1;
        loop {
            if self.next_token() != Some(b'"') {
                return true;
            }
            let Some(key) = self.string() else {
                return true;
            };
            if self.next_token() != Some(b':') {
                return true;
            }
            self.at += 1;
            match self.next_token() {
                Some(b'"') => {
                    let Some(value) = self.string() else {
                        return true;
                    };
                    if !found(key, value) {
                        return false;
                    }
                }
                Some(_) if self.skip_value() => {}
                _ => return true,
            }
            if self.next_token() != Some(b',') {
                return true;
            }
            self.at += 1;
        }
    }

    /// [`Walk::top_level_strings`] from the object's end, its properties in reverse order; stops
    /// quietly at anything that is not JSON.
    fn top_level_strings_backwards(&mut self, mut found: impl FnMut(&'a [u8], &'a [u8]) -> bool) {
        self.at = self.bytes.len();
        if self.previous_token() != Some(b'}') {
            return;
        }
        loop {
            let value = match self.previous_token() {
                Some(b'"') => match self.string_backwards() {
                    Some(value) => Some(value),
                    None => return,
                },
                Some(b'{') | None => return,
                Some(_) if self.skip_value_backwards() => None,
                Some(_) => return,
            };
            if self.previous_token() != Some(b':') || self.previous_token() != Some(b'"') {
                return;
            }
            let Some(key) = self.string_backwards() else {
                return;
            };
            if let Some(value) = value {
                if !found(key, value) {
                    return;
                }
            }
            if self.previous_token() != Some(b',') {
                return;
            }
        }
    }

    /// The next byte that is not white space, left unread.
    fn next_token(&mut self) -> Option<u8> {
        while let Some(&byte) = self.bytes.get(self.at) {
            if !matches!(byte, b' ' | b'\t' | b'\n' | b'\r') {
                return Some(byte);
            }
            self.at += 1;
        }
        None
    }

    /// Reads the string starting at the opening quote under the cursor; gives its raw bytes
    /// between the quotes, or `None` when it does not end.
    fn string(&mut self) -> Option<&'a [u8]> {
        let start = self.at + 1;
        let mut from = start;
        loop {
            let found = from + memchr::memchr2(b'"', b'\\', self.bytes.get(from..)?)?;
            if self.bytes[found] == b'"' {
                self.at = found + 1;
                return Some(&self.bytes[start..found]);
            }
            // A backslash escapes the byte after it (a `\uXXXX` escape's digits need no care).
            from = found + 2;
        }
    }

    /// The byte before the cursor that is not white space, which the cursor then points to.
    fn previous_token(&mut self) -> Option<u8> {
        while self.at > 0 {
            self.at -= 1;
            let byte = self.bytes[self.at];
            if !matches!(byte, b' ' | b'\t' | b'\n' | b'\r') {
                return Some(byte);
            }
        }
        None
    }

    /// Reads backwards the string whose closing quote is under the cursor, leaving the cursor
    /// on its opening quote; gives its raw bytes between the quotes. A quote inside a string is
    /// escaped, by an odd number of backslashes before it.
    fn string_backwards(&mut self) -> Option<&'a [u8]> {
        let end = self.at;
        let mut before = end;
        loop {
            let quote = memchr::memrchr(b'"', &self.bytes[..before])?;
            let backslashes = self.bytes[..quote]
                .iter()
                .rev()
                .take_while(|&&byte| byte == b'\\')
                .count();
            if backslashes % 2 == 0 {
                self.at = quote;
                return Some(&self.bytes[quote + 1..end]);
            }
            before = quote;
        }
    }

    /// Skips backwards the value that ends under the cursor (an object, an array, a number,
    /// `true`, `false` or `null`), leaving the cursor on its first byte; false when the text
    /// starts inside it.
    fn skip_value_backwards(&mut self) -> bool {
        let mut depth = 0usize;
        loop {
            match self.bytes[self.at] {
                b'"' => {
                    let Some(_) = self.string_backwards() else {
                        return false;
                    };
                }
                b'}' | b']' => depth += 1,
                b'{' | b'[' => {
                    depth = match depth.checked_sub(1) {
                        Some(depth) => depth,
                        None => return false,
                    };
                    if depth == 0 {
                        return true;
                    }
                }
                b',' | b':' | b' ' | b'\t' | b'\n' | b'\r' if depth == 0 => {
                    // Past the scalar's first byte.
                    self.at += 1;
                    return true;
                }
                _ => {}
            }
            if self.at == 0 {
                return false;
            }
            self.at -= 1;
        }
    }

    /// Skips the value starting under the cursor (an object, an array, a number, `true`,
    /// `false` or `null`); false when the text ends inside it.
    fn skip_value(&mut self) -> bool {
        let mut depth = 0usize;
        while let Some(&byte) = self.bytes.get(self.at) {
            match byte {
                b'"' => {
                    if self.string().is_none() {
                        return false;
                    }
                    if depth == 0 {
                        return true;
                    }
                    continue;
                }
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    if depth == 0 {
                        // The end of the object holding a scalar value.
                        return true;
                    }
                    depth -= 1;
                    if depth == 0 {
                        self.at += 1;
                        return true;
                    }
                }
                b',' if depth == 0 => return true,
                _ => {}
            }
            self.at += 1;
        }
        depth == 0
    }
}

#[cfg(test)]
mod tests {
    use super::label_of;

    #[test]
    fn reads_the_type_and_id_around_the_entity() {
        let event = br#"{"timestamp":"2025-02-03T07:59:21.5853073+00:00","eventType":"task_created","entity":{"id":"x","name":"say \"hi\" {[","tags":[{"name":"a]}"},[1,2.5e3,true,null]],"n":-1},"entityId":"66af3188-15f7-4a09-9146-3cf67d33b512","entityType":"task"}"#;
        assert_eq!(
            label_of(event),
            "task_created 66af3188-15f7-4a09-9146-3cf67d33b512"
        );
    }

    #[test]
    fn takes_the_top_level_properties_only() {
        let event = br#" { "entity" : { "entityId" : "nested", "eventType" : "nested" } ,
            "entityId" : "top" , "eventType" : "project_updated", "eventType": "second" } "#;
        assert_eq!(label_of(event), "project_updated top");
    }

    #[test]
    fn reads_the_properties_in_any_order_and_any_spacing() {
        let entity =
            r#"{"id":"e","note":"a \"quoted\" } ] , : \\","list":[{"x":[]},-0.5e-3,false,null]}"#;
        let orders = [
            format!(r#"{{"eventType":"task_created","entity":{entity},"entityId":"e1"}}"#),
            format!(r#"{{"entity":{entity},"entityId":"e1","eventType":"task_created"}}"#),
            format!(r#"{{"entityId":"e1","eventType":"task_created","entity":{entity}}}"#),
            format!(
                r#"{{"eventType":"task_created","entity":{entity},"entityId":"e1","n":12,"triggeredBy":{entity},"z":true,"e":[]}}"#
            ),
            format!(
                " {{ \"eventType\" :\t\"task_created\" ,\n \"entity\" : {entity} ,\r\n \"entityId\" : \"e1\" , \"n\" : 12 }} \n"
            ),
        ];
        for event in &orders {
            assert_eq!(label_of(event.as_bytes()), "task_created e1", "{event}");
        }
        // The id read backwards ends with escapes.
        assert_eq!(
            label_of(br#"{"eventType":"t","entity":{},"entityId":"a\\\"b\\","z":1}"#),
            r#"t a\"b\"#
        );
    }

    #[test]
    fn marks_what_is_missing_or_not_a_string() {
        assert_eq!(label_of(br#"{"eventType":7,"entityId":null}"#), "? ?");
        assert_eq!(label_of(br#"{"eventType":"user_added"}"#), "user_added ?");
        assert_eq!(label_of(br#"[{"eventType":"user_added"}]"#), "? ?");
        assert_eq!(label_of(b"42"), "? ?");
        assert_eq!(label_of(b""), "? ?");
        assert_eq!(label_of(br#"{"eventType":"t","entity":{"a":1}}"#), "t ?");
        assert_eq!(
            label_of(br#"{"eventType":"t","entityId":{"a":"b"}}"#),
            "t ?"
        );
        assert_eq!(label_of(br#"{"eventType":"t"} trailing"#), "t ?");
    }

    #[test]
    fn reads_escapes_and_survives_text_cut_short() {
        assert_eq!(
            label_of(br#"{"eventType":"task_\u0063reated","entityId":"a\\b"}"#),
            "task_created a\\b"
        );
        // Keys written with escapes, as JSON allows (and validate accepts).
        assert_eq!(
            label_of(br#"{"event\u0054ype":"t","entity":{},"entity\u0049d":"e","z":1}"#),
            "t e"
        );
        assert_eq!(
            label_of(br#"{"eventType":"task_created","entity":{"a":"b"#),
            "task_created ?"
        );
        assert_eq!(label_of(br#"{"eventType":"task_crea"#), "? ?");
        assert_eq!(label_of(b"{\"entityId\":\"\xff\"}"), "? \u{fffd}");
    }

    /// The two properties as serde reads them, `?` for what is not a string.
    fn read_by_serde(body: &[u8]) -> String {
        let value: serde_json::Value = serde_json::from_slice(body).expect("JSON");
        let field = |name: &str| value.get(name).and_then(|v| v.as_str()).unwrap_or("?");
        format!("{} {}", field("eventType"), field("entityId"))
    }

    /// Generated events of both namings, bent every awkward way (texts with quotes, backslashes
    /// and `\u` escapes, unknown properties before and after, future event types), compact and
    /// pretty-printed, are labelled as serde reads them.
    #[test]
    fn agrees_with_serde_on_awkward_events() {
        use awork_generate::awkward::Awkward;
        use awork_generate::{Generator, GeneratorConfig};
        use awork_models::Naming;
        for naming in [Naming::Api, Naming::Spec] {
            let config = GeneratorConfig {
                seed: 5,
                naming,
                ..GeneratorConfig::default()
            };
            let mut awkward = Awkward::new(5);
            for event in Generator::new(config).take(1_000) {
                let compact = awkward.body(&event);
                let value: serde_json::Value = serde_json::from_str(&compact).expect("JSON");
                let pretty = serde_json::to_string_pretty(&value).expect("JSON");
                for body in [compact, pretty] {
                    assert_eq!(
                        label_of(body.as_bytes()),
                        read_by_serde(body.as_bytes()),
                        "{body}"
                    );
                }
            }
        }
    }

    /// Every fixture's label agrees with serde's reading of the same two properties.
    #[test]
    fn agrees_with_serde_on_the_fixtures() {
        let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures");
        let mut compared = 0;
        for entry in std::fs::read_dir(fixtures).expect("fixtures") {
            let path = entry.expect("entry").path();
            if path.extension().is_none_or(|extension| extension != "json") {
                continue;
            }
            let body = std::fs::read(&path).expect("fixture");
            assert_eq!(label_of(&body), read_by_serde(&body), "{}", path.display());
            compared += 1;
        }
        assert!(compared >= 30, "only {compared} fixtures compared");
    }
}
