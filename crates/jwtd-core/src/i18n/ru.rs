//! Russian: what a live `LANGUAGE_CODE = "ru"` deployment of SimpleJWT 5.5 + DRF answers.
//!
//! `None` means the deployment answers in English: SimpleJWT's `ru_RU` catalog marks
//! `Token is invalid`, `Token is expired` and `No active account found for the given token.`
//! fuzzy (gettext ignores fuzzy entries), and DRF's `ru` catalog leaves `Not a valid string.`,
//! `Null characters are not allowed.`, `No data provided` and `JSON parse error - {}` untranslated.

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
        Msg::NoCreds => "Учетные данные не были предоставлены.",
        Msg::Method => "Метод \"{}\" не разрешен.",
        Msg::Media => "Неподдерживаемый тип данных \"{}\" в запросе.",
        Msg::MalformedRequest => "Искаженный запрос.",
        Msg::NotFound => "Не найдено.",
        Msg::ServerError => "Произошла ошибка сервера.",
        Msg::TooLarge => "Тело запроса слишком велико. Предел — {} байт.",
        Msg::Overloaded => "Сейчас обрабатывается слишком много входов. Повторите попытку позже.",
        Msg::DatabaseUnavailable => "База данных недоступна. Повторите попытку позже.",
        Msg::NotString
        | Msg::NullCharacters
        | Msg::NoData
        | Msg::NoActiveToken
        | Msg::Invalid
        | Msg::Expired
        | Msg::JsonParse => return None,
    })
}
