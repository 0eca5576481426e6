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

    /// Which plural form gettext picks for `n` (the catalogs' `Plural-Forms`; Russian is
    /// Django's four-form rule).
    pub fn plural_form(self, n: u64) -> usize {
        match self {
            Lang::En => usize::from(n != 1),
            Lang::Ru => {
                let (n10, n100) = (n % 10, n % 100);
                if n10 == 1 && n100 != 11 {
                    0
                } else if (2..=4).contains(&n10) && !(12..=14).contains(&n100) {
                    1
                } else if n10 == 0 || (5..=9).contains(&n10) || (11..=14).contains(&n100) {
                    2
                } else {
                    3
                }
            }
        }
    }

    /// The message with its `{}` placeholder (if any) filled with `arg`; for a plural message
    /// the form `arg` (a number) calls for.
    pub fn render(self, msg: Msg, arg: Option<&str>) -> Cow<'static, str> {
        let mut template = self.template(msg);
        if msg.plural() {
            let n = arg.and_then(|a| a.parse().ok()).unwrap_or(0);
            let forms: Vec<&'static str> = template.split('|').collect();
            template = forms[self.plural_form(n).min(forms.len() - 1)];
        }
        match arg {
            Some(arg) if template.contains("{}") => Cow::Owned(template.replacen("{}", arg, 1)),
            _ => Cow::Borrowed(template),
        }
    }
}

/// Settings name languages by code (`language = "ru"`).
impl serde::Serialize for Lang {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> serde::Deserialize<'de> for Lang {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = String::deserialize(d)?;
        Lang::from_code(&code).ok_or_else(|| {
            let known: Vec<_> = Lang::ALL.iter().map(|l| l.code()).collect();
            serde::de::Error::custom(format!(
                "unknown language {code:?}, expected one of {}",
                known.join(", ")
            ))
        })
    }
}

/// Declares [`Msg`] and [`Msg::ALL`] from one list, so `ALL` cannot miss a message.
macro_rules! messages {
    ($($(#[$meta:meta])* $name:ident,)*) => {
        /// Message keys. Names follow SimpleJWT's and DRF's error codes where they have one.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Msg {
            $($(#[$meta])* $name,)*
        }

        impl Msg {
            /// Every message, in declaration order.
            pub const ALL: &'static [Msg] = &[$(Msg::$name,)*];
        }
    };
}

messages! {
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
    /// `{}` = claim name (`exp`, `refresh_exp`).
    NoClaim,
    /// `{}` = claim name (`refresh_exp`).
    ClaimExpired,
    /// `check_revoke_token`: the token predates a password change.
    PasswordChanged,
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
    /// DRF's `Throttled` with a wait of one second.
    ThrottledOneSecond,
    /// DRF's `Throttled`; `{}` = seconds to wait (more than one).
    Throttled,
    ServerError,
    // jwtd's own
    /// `{}` = the limit in bytes.
    TooLarge,
    /// The body did not arrive within `connections.body_read_timeout`.
    BodyTimeout,
    Overloaded,
    DatabaseUnavailable,
    // The admin and self-service API: DRF's and Django's messages
    PermissionDenied,
    /// DRF's `AuthenticationFailed` (an unknown API key).
    BadCredentials,
    NotInteger,
    NotBoolean,
    /// `{}` = the Python type name of the value.
    NotList,
    /// `{}` = the limit in characters.
    MaxLength,
    InvalidPage,
    InvalidDateTime,
    InvalidEmail,
    InvalidUsername,
    UsernameTaken,
    EmailTaken,
    WrongOldPassword,
    /// Plural: `{}` = the minimum length (see [`Msg::plural`]).
    PasswordTooShort,
    PasswordSimilarUsername,
    PasswordSimilarEmail,
    PasswordCommon,
    PasswordNumeric,
    // jwtd's own, for the admin API
    NotAHash,
    PasswordOrHash,
    UsersElsewhere,
    // Cookie mode: DRF's "CSRF Failed: " and Django's CSRF reasons (which Django leaves
    // untranslated; the Russian is jwtd's own)
    CsrfCrossSite,
    /// `{}` = the request's `Origin`.
    CsrfBadOrigin,
    CsrfNoCookie,
    CsrfMissing,
    /// `{}` = the header, as Django names it (`'X-Csrftoken'`).
    CsrfIncorrect,
    // The admin API's key set and choices (jwtd's own, but InvalidChoice: DRF's)
    /// `{}` = the value given (DRF's `ChoiceField`).
    InvalidChoice,
    KeySetUnmanaged,
    /// `{}` = the algorithm.
    KeySymmetric,
    /// `{}` = seconds to wait (plural forms).
    KeyNotReady,
    KeySigning,
    KeyAlreadyRetired,
    KeySetChanged,
}

impl Msg {
    /// Whether the message has plural forms: its catalog text lists them separated by `|`,
    /// and [`Lang::render`] picks one by the number given as the argument, with the
    /// language's gettext plural rule.
    pub fn plural(self) -> bool {
        matches!(self, Msg::PasswordTooShort | Msg::KeyNotReady)
    }

    /// DRF's `Throttled(wait)` message and its argument.
    pub fn throttled(wait_secs: u64) -> (Msg, Option<String>) {
        if wait_secs == 1 {
            (Msg::ThrottledOneSecond, None)
        } else {
            (Msg::Throttled, Some(wait_secs.to_string()))
        }
    }
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

    /// The catalog, pinned message by message: English (SimpleJWT 5.5 / DRF msgids) and what a
    /// `ru-ru` deployment answers (DRF `ru_RU` over `ru`, SimpleJWT `ru_RU`, read from the
    /// 5.5.1 / 3.16.1 / 3.18.3 wheels' locale files).
    const CATALOG: &[(Msg, &str, &str)] = &[
        (
            Msg::Required,
            "This field is required.",
            "Обязательное поле.",
        ),
        (
            Msg::Blank,
            "This field may not be blank.",
            "Это поле не может быть пустым.",
        ),
        (
            Msg::Null,
            "This field may not be null.",
            "Это поле не может быть пустым.",
        ),
        (Msg::NotString, "Not a valid string.", "Not a valid string."),
        (
            Msg::NullCharacters,
            "Null characters are not allowed.",
            "Null characters are not allowed.",
        ),
        (
            Msg::NotDict,
            "Invalid data. Expected a dictionary, but got {}.",
            "Недопустимые данные. Ожидался dictionary, но был получен {}.",
        ),
        (Msg::NoData, "No data provided", "No data provided"),
        (
            Msg::NoActive,
            "No active account found with the given credentials",
            "Не найдено активной учетной записи с указанными данными",
        ),
        (
            Msg::NoActiveToken,
            "No active account found for the given token.",
            "No active account found for the given token.",
        ),
        (
            Msg::BadHeader,
            "Authorization header must contain two space-delimited values",
            "Заголовок авторизации должен содержать два значения, разделенных пробелом",
        ),
        (
            Msg::NotValidAny,
            "Given token not valid for any token type",
            "Данный токен недействителен для любого типа токена",
        ),
        (
            Msg::WrongType,
            "Token has wrong type",
            "Токен имеет неправильный тип",
        ),
        (Msg::Invalid, "Token is invalid", "Token is invalid"),
        (Msg::Expired, "Token is expired", "Token is expired"),
        (
            Msg::Blacklisted,
            "Token is blacklisted",
            "Токен занесен в черный список",
        ),
        (
            Msg::UserNotFound,
            "User not found",
            "Пользователь не найден",
        ),
        (
            Msg::UserInactive,
            "User is inactive",
            "Пользователь неактивен",
        ),
        (
            Msg::NoUserId,
            "Token contained no recognizable user identification",
            "Токен не содержит идентификатор пользователя",
        ),
        (Msg::NoJti, "Token has no id", "У токена нет идентификатора"),
        (Msg::NoType, "Token has no type", "Токен не имеет типа"),
        (
            Msg::NoClaim,
            "Token has no '{}' claim",
            "Токен не содержит '{}'",
        ),
        (
            Msg::ClaimExpired,
            "Token '{}' claim has expired",
            "Токен имеет просроченное значение '{}'",
        ),
        (
            Msg::PasswordChanged,
            "The user's password has been changed.",
            "The user's password has been changed.",
        ),
        (
            Msg::NoCreds,
            "Authentication credentials were not provided.",
            "Учетные данные не были предоставлены.",
        ),
        (
            Msg::Method,
            "Method \"{}\" not allowed.",
            "Метод \"{}\" не разрешен.",
        ),
        (
            Msg::Media,
            "Unsupported media type \"{}\" in request.",
            "Неподдерживаемый тип данных \"{}\" в запросе.",
        ),
        (
            Msg::JsonParse,
            "JSON parse error - {}",
            "JSON parse error - {}",
        ),
        (
            Msg::MalformedRequest,
            "Malformed request.",
            "Искаженный запрос.",
        ),
        (Msg::NotFound, "Not found.", "Страница не найдена."),
        (
            Msg::ThrottledOneSecond,
            "Request was throttled. Expected available in 1 second.",
            "Запрос был проигнорирован. Expected available in 1 second.",
        ),
        (
            Msg::Throttled,
            "Request was throttled. Expected available in {} seconds.",
            "Запрос был проигнорирован. Expected available in {} seconds.",
        ),
        (
            Msg::ServerError,
            "A server error occurred.",
            "Ошибка сервера.",
        ),
        (
            Msg::TooLarge,
            "Request body is too large. The limit is {} bytes.",
            "Тело запроса слишком велико. Предел — {} байт.",
        ),
        (
            Msg::BodyTimeout,
            "The request body did not arrive in time.",
            "Тело запроса не пришло вовремя.",
        ),
        (
            Msg::Overloaded,
            "Too many logins are being processed. Try again shortly.",
            "Сейчас обрабатывается слишком много входов. Повторите попытку позже.",
        ),
        (
            Msg::DatabaseUnavailable,
            "The database is unavailable. Try again shortly.",
            "База данных недоступна. Повторите попытку позже.",
        ),
        (
            Msg::PermissionDenied,
            "You do not have permission to perform this action.",
            "У вас недостаточно прав для выполнения данного действия.",
        ),
        (
            Msg::BadCredentials,
            "Incorrect authentication credentials.",
            "Некорректные учетные данные.",
        ),
        (
            Msg::NotInteger,
            "A valid integer is required.",
            "Введите правильное число.",
        ),
        (
            Msg::NotBoolean,
            "Must be a valid boolean.",
            "Must be a valid boolean.",
        ),
        (
            Msg::NotList,
            "Expected a list of items but got type \"{}\".",
            "Ожидался list со значениями, но был получен \"{}\".",
        ),
        (
            Msg::MaxLength,
            "Ensure this field has no more than {} characters.",
            "Убедитесь, что это значение содержит не более {} символов.",
        ),
        (Msg::InvalidPage, "Invalid page.", "Неправильная страница"),
        (
            Msg::InvalidDateTime,
            "Enter a valid date/time.",
            "Введите правильную дату и время.",
        ),
        (
            Msg::InvalidEmail,
            "Enter a valid email address.",
            "Введите правильный адрес электронной почты.",
        ),
        (
            Msg::InvalidUsername,
            "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.",
            "Введите правильное имя пользователя. Оно может содержать только буквы, цифры и знаки @/./+/-/_.",
        ),
        (
            Msg::UsernameTaken,
            "A user with that username already exists.",
            "Пользователь с таким именем уже существует.",
        ),
        (
            Msg::EmailTaken,
            "user with this email address already exists.",
            "пользователь с таким адрес электронной почты уже существует.",
        ),
        (
            Msg::WrongOldPassword,
            "Your old password was entered incorrectly. Please enter it again.",
            "Ваш старый пароль введен неправильно. Пожалуйста, введите его снова.",
        ),
        (
            Msg::PasswordTooShort,
            "This password is too short. It must contain at least {} character.|This password is too short. It must contain at least {} characters.",
            "Введённый пароль слишком короткий. Он должен состоять из как минимум {} символ.|Введённый пароль слишком короткий. Он должен состоять из как минимум {} символа.|Введённый пароль слишком короткий. Он должен состоять из как минимум {} символов.|Введённый пароль слишком короткий. Он должен состоять из как минимум {} символов.",
        ),
        (
            Msg::PasswordSimilarUsername,
            "The password is too similar to the username.",
            "Введённый пароль слишком похож на имя пользователя.",
        ),
        (
            Msg::PasswordSimilarEmail,
            "The password is too similar to the email address.",
            "Введённый пароль слишком похож на адрес электронной почты.",
        ),
        (
            Msg::PasswordCommon,
            "This password is too common.",
            "Введённый пароль слишком широко распространён.",
        ),
        (
            Msg::PasswordNumeric,
            "This password is entirely numeric.",
            "Введённый пароль состоит только из цифр.",
        ),
        (
            Msg::NotAHash,
            "Not a Django password hash jwtd can verify.",
            "Это не хеш пароля Django, который jwtd может проверить.",
        ),
        (
            Msg::PasswordOrHash,
            "Give a password or a password hash, not both.",
            "Укажите пароль или хеш пароля, но не оба.",
        ),
        (
            Msg::UsersElsewhere,
            "The users of this deployment belong to the Django site: change them there.",
            "Пользователи этого развёртывания принадлежат сайту Django: изменяйте их там.",
        ),
        (
            Msg::CsrfCrossSite,
            "CSRF Failed: Cross-site request refused.",
            "Ошибка CSRF: межсайтовый запрос отклонён.",
        ),
        (
            Msg::CsrfBadOrigin,
            "CSRF Failed: Origin checking failed - {} does not match any trusted origins.",
            "Ошибка CSRF: проверка Origin не пройдена - {} не входит в доверенные источники.",
        ),
        (
            Msg::CsrfNoCookie,
            "CSRF Failed: CSRF cookie not set.",
            "Ошибка CSRF: cookie CSRF не установлен.",
        ),
        (
            Msg::CsrfMissing,
            "CSRF Failed: CSRF token missing.",
            "Ошибка CSRF: отсутствует токен CSRF.",
        ),
        (
            Msg::CsrfIncorrect,
            "CSRF Failed: CSRF token from the {} HTTP header incorrect.",
            "Ошибка CSRF: неверный токен CSRF из HTTP-заголовка {}.",
        ),
        (
            Msg::InvalidChoice,
            "\"{}\" is not a valid choice.",
            "Значения {} нет среди допустимых вариантов.",
        ),
        (
            Msg::KeySetUnmanaged,
            "This deployment does not sign with a key set (that needs an asymmetric algorithm without signing_key).",
            "Это развёртывание не подписывает набором ключей (для него нужен асимметричный алгоритм без signing_key).",
        ),
        (
            Msg::KeySymmetric,
            "{} signs with a shared secret, which is never published; choose an asymmetric algorithm.",
            "{} подписывает общим секретом, который не публикуется; выберите асимметричный алгоритм.",
        ),
        (
            Msg::KeyNotReady,
            "The next key has been published for less than the publish delay: verifiers may not have fetched it yet. Wait {} second or rotate now.|The next key has been published for less than the publish delay: verifiers may not have fetched it yet. Wait {} seconds or rotate now.",
            "Следующий ключ опубликован меньше задержки публикации назад: проверяющие могли ещё не получить его. Подождите {} секунду или выполните ротацию сейчас.|Следующий ключ опубликован меньше задержки публикации назад: проверяющие могли ещё не получить его. Подождите {} секунды или выполните ротацию сейчас.|Следующий ключ опубликован меньше задержки публикации назад: проверяющие могли ещё не получить его. Подождите {} секунд или выполните ротацию сейчас.|Следующий ключ опубликован меньше задержки публикации назад: проверяющие могли ещё не получить его. Подождите {} секунд или выполните ротацию сейчас.",
        ),
        (
            Msg::KeySigning,
            "This key signs new tokens: rotate to another key first.",
            "Этот ключ подписывает новые токены: сначала выполните ротацию на другой ключ.",
        ),
        (
            Msg::KeyAlreadyRetired,
            "This key is already retired and leaves the key set once its tokens expire; revoke it to refuse them now.",
            "Этот ключ уже выведен из работы и покинет набор, когда истекут его токены; отзовите его, чтобы отклонять их сейчас.",
        ),
        (
            Msg::KeySetChanged,
            "The key set changed meanwhile; reload it and try again.",
            "Набор ключей тем временем изменился; обновите его и попробуйте снова.",
        ),
    ];

    /// Django 5.2.19's own `ngettext` output for `MinimumLengthValidator`, per language.
    #[test]
    fn plural_forms_are_djangos() {
        let en = |n: u32| {
            Lang::En
                .render(Msg::PasswordTooShort, Some(&n.to_string()))
                .into_owned()
        };
        let ru = |n: u32| {
            Lang::Ru
                .render(Msg::PasswordTooShort, Some(&n.to_string()))
                .into_owned()
        };
        assert_eq!(
            en(1),
            "This password is too short. It must contain at least 1 character."
        );
        assert_eq!(
            en(8),
            "This password is too short. It must contain at least 8 characters."
        );
        let prefix = "Введённый пароль слишком короткий. Он должен состоять из как минимум ";
        for (n, tail) in [
            (1, "1 символ."),
            (2, "2 символа."),
            (5, "5 символов."),
            (8, "8 символов."),
            (21, "21 символ."),
            (12, "12 символов."),
        ] {
            assert_eq!(ru(n), format!("{prefix}{tail}"), "{n}");
        }
    }

    #[test]
    fn every_message_in_english_and_russian() {
        assert_eq!(
            CATALOG.iter().map(|(m, _, _)| *m).collect::<Vec<_>>(),
            Msg::ALL,
            "the table lists every message once, in declaration order"
        );
        for (msg, en, ru) in CATALOG {
            assert_eq!(Lang::En.template(*msg), *en, "{msg:?}");
            assert_eq!(Lang::Ru.template(*msg), *ru, "{msg:?}");
        }
        assert_eq!(
            Msg::throttled(1),
            (Msg::ThrottledOneSecond, None),
            "DRF's ngettext picks the singular for 1"
        );
        let (msg, arg) = Msg::throttled(42);
        assert_eq!(
            Lang::Ru.render(msg, arg.as_deref()),
            "Запрос был проигнорирован. Expected available in 42 seconds."
        );
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
