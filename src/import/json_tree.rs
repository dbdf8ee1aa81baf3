//! The JSON trees browsers keep bookmarks in (Chrome's `Bookmarks`, Firefox's backups), read
//! into typed nodes holding only the fields Quire uses. A generic JSON value tree took 17
//! bytes of memory for each byte of a 255 MB backup; these keep the strings and little else.
//!
//! Every field is read leniently: a field of another type than expected (a number for a
//! title, an object for the children) reads as missing instead of failing the file. Nesting
//! is bounded by serde_json's recursion limit, which turns a crafted file into an error.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// A node of either browser's tree; the top of Chrome's file is one too (with `roots`).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct JsonNode {
    #[serde(rename = "type")]
    pub kind: Text,
    /// Chrome's title.
    pub name: Text,
    /// Firefox's title.
    pub title: Text,
    /// Chrome's address.
    pub url: Text,
    /// Firefox's address.
    pub uri: Text,
    pub guid: Text,
    /// Firefox's tags, comma-separated.
    pub tags: Text,
    /// Chrome: microseconds since 1601, as a string.
    pub date_added: Number,
    /// Firefox: microseconds since 1970.
    #[serde(rename = "dateAdded")]
    pub date_added_1970: Number,
    /// Firefox's annotations (older backups keep a description there).
    pub annos: List<Anno>,
    pub children: List<JsonNode>,
    /// Chrome's top: its roots by name.
    pub roots: Option<Box<ChromeRoots>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ChromeRoots {
    pub bookmark_bar: Option<JsonNode>,
    pub other: Option<JsonNode>,
    pub synced: Option<JsonNode>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Anno {
    pub name: Text,
    pub value: Text,
}

/// A string field; anything else reads as empty.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Text(pub String);

impl Text {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A whole number, written as a number or as a string of digits; anything else is none.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Number(pub Option<i64>);

/// A list of `T`; anything else reads as empty.
#[derive(Debug)]
pub struct List<T>(pub Vec<T>);

impl<T> Default for List<T> {
    fn default() -> Self {
        List(Vec::new())
    }
}

/// What a visitor does with a value it has no use for: skips it whole.
macro_rules! ignore_others {
    ($value:expr) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok($value)
        }
    };
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Text, E> {
                Ok(Text(v))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Text, E> {
                Ok(Text::default())
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Text, E> {
                Ok(Text::default())
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Text, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Text::default())
            }
            ignore_others!(Text::default());
        }
        deserializer.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Number;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Number, E> {
                Ok(Number(Some(v)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Number, E> {
                Ok(Number(i64::try_from(v).ok()))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Number, E> {
                Ok(Number(v.trim().parse().ok()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Number, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Number(None))
            }
            ignore_others!(Number(None));
        }
        deserializer.deserialize_any(V)
    }
}

/// Elements of all lists read by one parse at most: a real export of 100,000 bookmarks has
/// some 110,000; a crafted `[{},{},…]` costs a node's size for three bytes of input.
pub const MAX_ELEMENTS: usize = 1_000_000;

thread_local! {
    static ELEMENTS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Reads `bytes` as a browser's JSON tree, within [`MAX_ELEMENTS`].
pub fn parse(bytes: &[u8]) -> Result<JsonNode, serde_json::Error> {
    ELEMENTS.with(|n| n.set(0));
    serde_json::from_slice(bytes)
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = List<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<List<T>, A::Error> {
                let mut items = Vec::new();
                while let Some(Element(item)) = seq.next_element::<Element<T>>()? {
                    let counted = ELEMENTS.with(|n| {
                        n.set(n.get() + 1);
                        n.get()
                    });
                    if counted > MAX_ELEMENTS {
                        return Err(de::Error::custom(format!(
                            "more than {MAX_ELEMENTS} bookmarks, folders and entries"
                        )));
                    }
                    items.extend(item);
                }
                Ok(List(items))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<List<T>, E> {
                Ok(List::default())
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<List<T>, E> {
                Ok(List::default())
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<List<T>, E> {
                Ok(List::default())
            }
            ignore_others!(List::default());
        }
        deserializer.deserialize_any(V(std::marker::PhantomData))
    }
}

/// An element of a list: an object read as `T`; anything else (a number, a string, a list
/// among the children) is passed over, not an error for the whole file.
struct Element<T>(Option<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Element<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Element<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Element<T>, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map)).map(|t| Element(Some(t)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Element<T>, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Element(None))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Element<T>, E> {
                Ok(Element(None))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Element<T>, E> {
                Ok(Element(None))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Element<T>, E> {
                Ok(Element(None))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Element<T>, E> {
                Ok(Element(None))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Element<T>, E> {
                Ok(Element(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Element<T>, E> {
                Ok(Element(None))
            }
        }
        deserializer.deserialize_any(V(std::marker::PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_of_another_type_read_as_missing() {
        let node: JsonNode = serde_json::from_str(
            r#"{"type": "url", "name": 42, "url": {"x": [1, 2]}, "date_added": "13345",
                "children": "none", "annos": [{"name": "n", "value": 3}], "other": [1]}"#,
        )
        .expect("reads");
        assert_eq!(node.kind.as_str(), "url");
        assert_eq!(node.name.as_str(), "");
        assert_eq!(node.url.as_str(), "");
        assert_eq!(node.date_added, Number(Some(13345)));
        assert!(node.children.0.is_empty());
        assert_eq!(node.annos.0[0].name.as_str(), "n");
        // An element of another kind among the children is passed over, not the file.
        let node: JsonNode =
            parse(br#"{"children": [1, "x", [2], {"type": "url", "url": "https://a.example"}]}"#)
                .expect("reads");
        assert_eq!(node.children.0.len(), 1);
    }

    #[test]
    fn a_million_empty_objects_are_refused_not_held() {
        let crafted = format!("{{\"children\": [{}{{}}]}}", "{},".repeat(MAX_ELEMENTS));
        let err = parse(crafted.as_bytes()).expect_err("refused");
        assert!(err.to_string().contains("more than"), "{err}");
    }

    #[test]
    fn nesting_past_the_limit_is_an_error_not_a_crash() {
        let deep = "{\"children\": [".repeat(5000) + &"]}".repeat(5000);
        assert!(serde_json::from_str::<JsonNode>(&deep).is_err());
    }
}
