//! Lenient readers for the JSON that real Plex servers send. The same field arrives as a
//! number in one response and as a string in another (`"id": 46` and `"id": "307380"`), and
//! flags arrive as `true`/`false`, `1`/`0` or `"1"`/`"0"`. Each helper accepts every form and
//! turns anything unusable into `None` rather than failing the whole document: a parser that
//! rejects a library listing because one rating is a string helps no one.

use serde::Deserialize;
use serde::de::Deserializer;
use serde_json::Value;

/// Reads an optional unsigned integer from a number or a numeric string.
pub fn opt_u64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    Ok(value_u64(&Value::deserialize(deserializer)?))
}

/// Reads an optional signed integer from a number or a numeric string.
pub fn opt_i64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<i64>, D::Error> {
    let value = Value::deserialize(deserializer)?;
    Ok(match value {
        Value::Number(number) => number
            .as_i64()
            .or_else(|| number.as_f64().map(|f| f as i64)),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    })
}

/// Reads an optional float from a number or a numeric string.
pub fn opt_f64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<f64>, D::Error> {
    let value = Value::deserialize(deserializer)?;
    Ok(match value {
        Value::Number(number) => number.as_f64(),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    })
}

/// Reads an optional flag from `true`/`false`, `1`/`0`, or those as strings.
pub fn opt_bool<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<bool>, D::Error> {
    let value = Value::deserialize(deserializer)?;
    Ok(match value {
        Value::Bool(flag) => Some(flag),
        Value::Number(number) => number.as_i64().map(|n| n != 0),
        Value::String(text) => match text.trim().to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" => Some(true),
            "0" | "false" | "no" => Some(false),
            _ => None,
        },
        _ => None,
    })
}

/// Reads an optional string from a string or a number (ids and keys arrive as both).
pub fn opt_string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    let value = Value::deserialize(deserializer)?;
    Ok(value_string(&value))
}

/// Reads a list that may be missing or `null`; items that do not parse are skipped rather
/// than failing the document.
pub fn list<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    let value = Value::deserialize(deserializer)?;
    Ok(match value {
        Value::Array(items) => items
            .into_iter()
            .filter_map(|item| match serde_json::from_value(item) {
                Ok(parsed) => Some(parsed),
                Err(error) => {
                    tracing::debug!(%error, "skipping a list entry that does not parse");
                    None
                }
            })
            .collect(),
        // A single object where a list was expected (seen in XML-to-JSON conversions).
        Value::Object(_) => serde_json::from_value(value)
            .map(|one| vec![one])
            .unwrap_or_default(),
        _ => Vec::new(),
    })
}

/// Reads an optional object; a value of the wrong shape becomes `None`.
pub fn opt_object<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    let value = Value::deserialize(deserializer)?;
    Ok(if value.is_object() {
        serde_json::from_value(value).ok()
    } else {
        None
    })
}

/// A number or numeric string as `u64`.
pub fn value_u64(value: &Value) -> Option<u64> {
    match value {
        Value::Number(number) => number
            .as_u64()
            .or_else(|| number.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64)),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

/// A string or number as text.
pub fn value_string(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Sample {
        #[serde(default, deserialize_with = "opt_u64")]
        id: Option<u64>,
        #[serde(default, deserialize_with = "opt_bool")]
        flag: Option<bool>,
        #[serde(default, deserialize_with = "opt_string")]
        key: Option<String>,
        #[serde(default, deserialize_with = "opt_f64")]
        rate: Option<f64>,
        #[serde(default, deserialize_with = "list")]
        items: Vec<u32>,
    }

    fn parse(text: &str) -> Sample {
        serde_json::from_str(text).expect("lenient parse never fails on these")
    }

    #[test]
    fn numbers_and_strings_are_both_accepted() {
        assert_eq!(parse(r#"{"id": 46}"#).id, Some(46));
        assert_eq!(parse(r#"{"id": "307380"}"#).id, Some(307_380));
        assert_eq!(parse(r#"{"id": "abc"}"#).id, None);
        assert_eq!(parse(r#"{"key": 22}"#).key.as_deref(), Some("22"));
        assert_eq!(parse(r#"{"rate": "2.5"}"#).rate, Some(2.5));
    }

    #[test]
    fn flags_accept_every_form() {
        for (text, expected) in [
            (r#"{"flag": true}"#, Some(true)),
            (r#"{"flag": "1"}"#, Some(true)),
            (r#"{"flag": 0}"#, Some(false)),
            (r#"{"flag": "false"}"#, Some(false)),
            (r#"{"flag": "maybe"}"#, None),
            (r#"{}"#, None),
        ] {
            assert_eq!(parse(text).flag, expected, "{text}");
        }
    }

    #[test]
    fn lists_skip_bad_entries_and_accept_null() {
        assert_eq!(parse(r#"{"items": [1, "x", 3]}"#).items, vec![1, 3]);
        assert!(parse(r#"{"items": null}"#).items.is_empty());
    }
}
