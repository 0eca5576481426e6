//! Every message jwtd can send, per language, and Django-style language negotiation.
//!
//! A catalog is one file (`en.rs`, `ru.rs`) holding one `match` over [`Msg`]. The English
//! catalog is exhaustive, so the compiler rejects a message without English text; other
//! catalogs return `None` where the deployment being replaced answers in English (a missing or
//! fuzzy gettext entry), and the English text is used, exactly as gettext falls back.
//! Adding a language is adding a catalog file and one line in [`Lang`].

mod en;
mod ru;

use std::borrow::Cow;

/// A language jwtd can answer in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    En,
    Ru,
}

impl Lang {
    pub const ALL: &'static [Lang] = &[Lang::En, Lang::Ru];

    /// The language code as Django writes it (`LANGUAGE_CODE`).
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ru => "ru",
        }
    }

    /// Parses a language code (`en`, `ru`, `ru-RU`, `ru_RU`; case-insensitive).
    pub fn from_code(code: &str) -> Option<Lang> {
        let generic = code
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        Lang::ALL.iter().copied().find(|l| l.code() == generic)
    }

    fn catalog(self, msg: Msg) -> Option<&'static str> {
        match self {
            Lang::En => Some(en::text(msg)),
            Lang::Ru => ru::text(msg),
        }
    }

    /// The message's template in this language (English when the catalog has no entry).
    pub fn template(self, msg: Msg) -> &'static str {
        self.catalog(msg).unwrap_or_else(|| en::text(msg))
    }

    /// The message with its `{}` placeholder (if any) filled with `arg`.
    pub fn render(self, msg: Msg, arg: Option<&str>) -> Cow<'static, str> {
        let template = self.template(msg);
        match arg {
            Some(arg) if template.contains("{}") => Cow::Owned(template.replacen("{}", arg, 1)),
            _ => Cow::Borrowed(template),
        }
    }
}

/// Message keys. Names follow SimpleJWT's and DRF's error codes where they have one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Msg {
    // DRF field errors
    Required,
    Blank,
    Null,
    NotString,
    NullCharacters,
    /// `{}` = Python type name of the body (`list`, `str`, ...).
    NotDict,
    NoData,
    // SimpleJWT
    NoActive,
    NoActiveToken,
    BadHeader,
    NotValidAny,
    WrongType,
    Invalid,
    Expired,
    Blacklisted,
    UserNotFound,
    UserInactive,
    NoUserId,
    NoJti,
    NoType,
    /// `{}` = claim name (`exp`).
    NoClaim,
    // DRF request errors
    NoCreds,
    /// `{}` = HTTP method.
    Method,
    /// `{}` = the request's Content-Type.
    Media,
    /// `{}` = the parser's description of the fault.
    JsonParse,
    MalformedRequest,
    NotFound,
    ServerError,
    // jwtd's own
    /// `{}` = the limit in bytes.
    TooLarge,
    Overloaded,
    DatabaseUnavailable,
}

/// Picks the answer language as Django's `LocaleMiddleware` does: the best-weighted
/// `Accept-Language` entry that is offered (exact or by its generic code), else `default`.
pub fn negotiate(accept_language: Option<&str>, offered: &[Lang], default: Lang) -> Lang {
    let Some(header) = accept_language else {
        return default;
    };
    let mut ranges: Vec<(&str, f32, usize)> = header
        .split(',')
        .enumerate()
        .filter_map(|(position, item)| {
            let mut parts = item.trim().split(';');
            let tag = parts.next()?.trim();
            if tag.is_empty() {
                return None;
            }
            let mut q = 1.0f32;
            for param in parts {
                if let Some(v) = param.trim().strip_prefix("q=") {
                    q = v
                        .trim()
                        .parse()
                        .ok()
                        .filter(|q: &f32| (0.0..=1.0).contains(q))?;
                }
            }
            (q > 0.0).then_some((tag, q, position))
        })
        .collect();
    // Stable: equal weights keep header order.
    ranges.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.2.cmp(&b.2)));
    for (tag, _, _) in ranges {
        if tag == "*" {
            break;
        }
        if let Some(lang) = Lang::from_code(tag).filter(|l| offered.contains(l)) {
            return lang;
        }
    }
    default
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_follows_weights_and_offers() {
        let both = [Lang::Ru, Lang::En];
        assert_eq!(negotiate(None, &both, Lang::Ru), Lang::Ru);
        assert_eq!(negotiate(Some("en-US,en;q=0.9"), &both, Lang::Ru), Lang::En);
        assert_eq!(negotiate(Some("ru-RU"), &both, Lang::En), Lang::Ru);
        assert_eq!(negotiate(Some("de, en;q=0.5"), &both, Lang::Ru), Lang::En);
        assert_eq!(
            negotiate(Some("en;q=0.1, ru;q=0.8"), &both, Lang::En),
            Lang::Ru
        );
        assert_eq!(negotiate(Some("ru"), &[Lang::En], Lang::En), Lang::En);
        assert_eq!(negotiate(Some("*"), &both, Lang::Ru), Lang::Ru);
        assert_eq!(negotiate(Some("en;q=0"), &both, Lang::Ru), Lang::Ru);
        assert_eq!(negotiate(Some(";;,,"), &both, Lang::Ru), Lang::Ru);
    }

    #[test]
    fn russian_falls_back_to_english_where_the_deployment_does() {
        assert_eq!(Lang::Ru.template(Msg::Invalid), "Token is invalid");
        assert_eq!(Lang::Ru.template(Msg::Required), "Обязательное поле.");
        assert_eq!(
            Lang::Ru.render(Msg::Method, Some("GET")),
            "Метод \"GET\" не разрешен."
        );
        assert_eq!(
            Lang::En.render(Msg::NotDict, Some("list")),
            "Invalid data. Expected a dictionary, but got list."
        );
    }
}
