//! The console's words, English and Russian, in one table (`web/strings.json`); the page
//! gets its language's half. The API's messages are not here: they come from the API,
//! localized by its own catalogs.

use std::sync::LazyLock;

use jwtd_core::Lang;
use serde_json::Value;

static STRINGS: LazyLock<Value> = LazyLock::new(|| {
    serde_json::from_str(include_str!("web/strings.json")).expect("strings.json is valid JSON")
});

/// Every word of the page in `lang`.
pub fn of(lang: Lang) -> &'static Value {
    &STRINGS[lang.code()]
}

/// The page title.
pub fn title(lang: Lang) -> &'static str {
    of(lang)["title"].as_str().unwrap_or("jwtd")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn keys(lang: Lang) -> BTreeSet<&'static str> {
        of(lang)
            .as_object()
            .unwrap_or_else(|| panic!("no strings for {lang:?}"))
            .keys()
            .map(String::as_str)
            .collect()
    }

    #[test]
    fn both_languages_have_every_word() {
        let en = keys(Lang::En);
        let ru = keys(Lang::Ru);
        assert_eq!(
            en.symmetric_difference(&ru).collect::<Vec<_>>(),
            Vec::<&&str>::new()
        );
        for lang in Lang::ALL {
            for (key, text) in of(*lang).as_object().unwrap() {
                assert!(
                    text.as_str().is_some_and(|t| !t.trim().is_empty()),
                    "{lang:?}: {key}"
                );
            }
        }
    }

    /// Every `t("key")` of the script names a word of the table, and every word is used.
    #[test]
    fn the_script_uses_exactly_the_table() {
        let script = include_str!("web/console.js");
        let mut used = BTreeSet::new();
        for (i, _) in script.match_indices("t(\"") {
            // `t(` itself, not `split(` or `x.t(`.
            let before = script[..i].chars().next_back().unwrap_or(' ');
            if before.is_alphanumeric() || "_$.".contains(before) {
                continue;
            }
            let rest = &script[i + 3..];
            let end = rest.find('"').expect("a closing quote");
            used.insert(&rest[..end]);
        }
        let table = keys(Lang::En);
        let missing: Vec<_> = used.difference(&table).collect();
        assert!(missing.is_empty(), "not in strings.json: {missing:?}");
        let unused: Vec<_> = table
            .iter()
            .filter(|k| **k != "title" && !used.contains(*k))
            .collect();
        assert!(unused.is_empty(), "never used: {unused:?}");
    }
}
