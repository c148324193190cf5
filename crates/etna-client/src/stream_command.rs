//! The JSON text of a streamer command, written by the generated
//! `Protocol::subscribe`/`unsubscribe` (what generated code calls only).

/// `{"name":"value",...}` in the order given, every value a JSON string (the
/// streamers take text only).
pub fn command(fields: &[(&str, &str)]) -> String {
    let mut out = String::from("{");
    for (index, (name, value)) in fields.iter().enumerate() {
        if index > 0 {
            out.push(',');
        }
        // Writing a `&str` into a `String` cannot fail.
        out.push_str(&serde_json::to_string(name).unwrap_or_default());
        out.push(':');
        out.push_str(&serde_json::to_string(value).unwrap_or_default());
    }
    out.push('}');
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn fields_are_written_in_order_and_escaped() {
        assert_eq!(
            super::command(&[("Cmd", "Subscribe.txt"), ("Keys", "4;\"5")]),
            r#"{"Cmd":"Subscribe.txt","Keys":"4;\"5"}"#
        );
    }
}
