//! Russian: what a live SimpleJWT 5.5 + DRF 3.16–3.18 deployment with
//! `LANGUAGE_CODE = "ru-ru"` answers.
//!
//! Django looks a message up in the `ru_RU` catalogs first and falls back to `ru`, so:
//! * DRF: its `ru_RU` catalog where it has the message («Обязательное поле.», «Страница не
//!   найдена.»), else its `ru` catalog («Метод "{}" не разрешен.»);
//! * SimpleJWT ships `ru_RU` only. It marks `Token is invalid`, `Token is expired` and
//!   `No active account found for the given token.` fuzzy (gettext skips fuzzy entries) and
//!   leaves `The user's password has been changed.` empty.
//!
//! `None` means neither catalog translates the message and the English text is sent, exactly as
//! gettext falls back. DRF formats the throttle's "Expected available in N seconds." *before*
//! the lookup, so that half is never found and stays English after the Russian first sentence.
//! `TooLarge`, `BodyTimeout`, `Overloaded`, `DatabaseUnavailable`, `NotAHash`, `PasswordOrHash` and
//! `UsersElsewhere` and the key set's `Key…` messages are jwtd's own (DRF has no such text).

use super::Msg;

pub(super) fn text(msg: Msg) -> Option<&'static str> {
    Some(match msg {
        Msg::Required => "Обязательное поле.",
        Msg::Blank => "Это поле не может быть пустым.",
        Msg::Null => "Это поле не может быть пустым.",
        Msg::NotDict => "Недопустимые данные. Ожидался dictionary, но был получен {}.",
        Msg::NoActive => "Не найдено активной учетной записи с указанными данными",
        Msg::BadHeader => {
            "Заголовок авторизации должен содержать два значения, разделенных пробелом"
        }
        Msg::NotValidAny => "Данный токен недействителен для любого типа токена",
        Msg::WrongType => "Токен имеет неправильный тип",
        Msg::Blacklisted => "Токен занесен в черный список",
        Msg::UserNotFound => "Пользователь не найден",
        Msg::UserInactive => "Пользователь неактивен",
        Msg::NoUserId => "Токен не содержит идентификатор пользователя",
        Msg::NoJti => "У токена нет идентификатора",
        Msg::NoType => "Токен не имеет типа",
        Msg::NoClaim => "Токен не содержит '{}'",
        Msg::ClaimExpired => "Токен имеет просроченное значение '{}'",
        Msg::NoCreds => "Учетные данные не были предоставлены.",
        Msg::Method => "Метод \"{}\" не разрешен.",
        Msg::Media => "Неподдерживаемый тип данных \"{}\" в запросе.",
        Msg::MalformedRequest => "Искаженный запрос.",
        Msg::NotFound => "Страница не найдена.",
        Msg::ServerError => "Ошибка сервера.",
        Msg::ThrottledOneSecond => "Запрос был проигнорирован. Expected available in 1 second.",
        Msg::Throttled => "Запрос был проигнорирован. Expected available in {} seconds.",
        Msg::TooLarge => "Тело запроса слишком велико. Предел — {} байт.",
        Msg::BodyTimeout => "Тело запроса не пришло вовремя.",
        Msg::Overloaded => "Сейчас обрабатывается слишком много входов. Повторите попытку позже.",
        Msg::DatabaseUnavailable => "База данных недоступна. Повторите попытку позже.",
        Msg::PermissionDenied => "У вас недостаточно прав для выполнения данного действия.",
        Msg::BadCredentials => "Некорректные учетные данные.",
        Msg::NotInteger => "Введите правильное число.",
        Msg::NotList => "Ожидался list со значениями, но был получен \"{}\".",
        Msg::MaxLength => "Убедитесь, что это значение содержит не более {} символов.",
        Msg::InvalidPage => "Неправильная страница",
        Msg::InvalidDateTime => "Введите правильную дату и время.",
        Msg::InvalidEmail => "Введите правильный адрес электронной почты.",
        Msg::InvalidUsername => {
            "Введите правильное имя пользователя. Оно может содержать только буквы, цифры и знаки @/./+/-/_."
        }
        Msg::UsernameTaken => "Пользователь с таким именем уже существует.",
        Msg::EmailTaken => "пользователь с таким адрес электронной почты уже существует.",
        Msg::WrongOldPassword => {
            "Ваш старый пароль введен неправильно. Пожалуйста, введите его снова."
        }
        Msg::PasswordTooShort => {
            "Введённый пароль слишком короткий. Он должен состоять из как минимум {} символ.|Введённый пароль слишком короткий. Он должен состоять из как минимум {} символа.|Введённый пароль слишком короткий. Он должен состоять из как минимум {} символов.|Введённый пароль слишком короткий. Он должен состоять из как минимум {} символов."
        }
        Msg::PasswordSimilarUsername => "Введённый пароль слишком похож на имя пользователя.",
        Msg::PasswordSimilarEmail => "Введённый пароль слишком похож на адрес электронной почты.",
        Msg::PasswordCommon => "Введённый пароль слишком широко распространён.",
        Msg::PasswordNumeric => "Введённый пароль состоит только из цифр.",
        // jwtd's own
        Msg::NotAHash => "Это не хеш пароля Django, который jwtd может проверить.",
        Msg::PasswordOrHash => "Укажите пароль или хеш пароля, но не оба.",
        Msg::UsersElsewhere => {
            "Пользователи этого развёртывания принадлежат сайту Django: изменяйте их там."
        }
        // Django leaves its CSRF reasons untranslated; cookie mode is jwtd's own, so these are.
        Msg::CsrfCrossSite => "Ошибка CSRF: межсайтовый запрос отклонён.",
        Msg::CsrfBadOrigin => {
            "Ошибка CSRF: проверка Origin не пройдена - {} не входит в доверенные источники."
        }
        Msg::CsrfNoCookie => "Ошибка CSRF: cookie CSRF не установлен.",
        Msg::CsrfMissing => "Ошибка CSRF: отсутствует токен CSRF.",
        Msg::CsrfIncorrect => "Ошибка CSRF: неверный токен CSRF из HTTP-заголовка {}.",
        Msg::InvalidChoice => "Значения {} нет среди допустимых вариантов.",
        Msg::KeySetUnmanaged => {
            "Это развёртывание не подписывает набором ключей (для него нужен асимметричный алгоритм без signing_key)."
        }
        Msg::KeySymmetric => {
            "{} подписывает общим секретом, который не публикуется; выберите асимметричный алгоритм."
        }
        Msg::KeyNotReady => {
            "Следующий ключ опубликован меньше задержки публикации назад: проверяющие могли ещё не получить его. Подождите {} секунду или выполните ротацию сейчас.|Следующий ключ опубликован меньше задержки публикации назад: проверяющие могли ещё не получить его. Подождите {} секунды или выполните ротацию сейчас.|Следующий ключ опубликован меньше задержки публикации назад: проверяющие могли ещё не получить его. Подождите {} секунд или выполните ротацию сейчас.|Следующий ключ опубликован меньше задержки публикации назад: проверяющие могли ещё не получить его. Подождите {} секунд или выполните ротацию сейчас."
        }
        Msg::KeySigning => {
            "Этот ключ подписывает новые токены: сначала выполните ротацию на другой ключ."
        }
        Msg::KeyAlreadyRetired => {
            "Этот ключ уже выведен из работы и покинет набор, когда истекут его токены; отзовите его, чтобы отклонять их сейчас."
        }
        Msg::KeySetChanged => {
            "Набор ключей тем временем изменился; обновите его и попробуйте снова."
        }
        Msg::NotString
        | Msg::NullCharacters
        | Msg::NoData
        | Msg::NoActiveToken
        | Msg::Invalid
        | Msg::Expired
        | Msg::PasswordChanged
        | Msg::JsonParse
        | Msg::NotBoolean => return None,
    })
}
