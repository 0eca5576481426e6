//! English: SimpleJWT 5.5 and DRF 3.x msgids, verbatim.

use super::Msg;

pub(super) fn text(msg: Msg) -> &'static str {
    match msg {
        Msg::Required => "This field is required.",
        Msg::Blank => "This field may not be blank.",
        Msg::Null => "This field may not be null.",
        Msg::NotString => "Not a valid string.",
        Msg::NullCharacters => "Null characters are not allowed.",
        Msg::NotDict => "Invalid data. Expected a dictionary, but got {}.",
        Msg::NoData => "No data provided",
        Msg::NoActive => "No active account found with the given credentials",
        Msg::NoActiveToken => "No active account found for the given token.",
        Msg::BadHeader => "Authorization header must contain two space-delimited values",
        Msg::NotValidAny => "Given token not valid for any token type",
        Msg::WrongType => "Token has wrong type",
        Msg::Invalid => "Token is invalid",
        Msg::Expired => "Token is expired",
        Msg::Blacklisted => "Token is blacklisted",
        Msg::UserNotFound => "User not found",
        Msg::UserInactive => "User is inactive",
        Msg::NoUserId => "Token contained no recognizable user identification",
        Msg::NoJti => "Token has no id",
        Msg::NoType => "Token has no type",
        Msg::NoClaim => "Token has no '{}' claim",
        Msg::ClaimExpired => "Token '{}' claim has expired",
        Msg::PasswordChanged => "The user's password has been changed.",
        Msg::NoCreds => "Authentication credentials were not provided.",
        Msg::Method => "Method \"{}\" not allowed.",
        Msg::Media => "Unsupported media type \"{}\" in request.",
        Msg::JsonParse => "JSON parse error - {}",
        Msg::MalformedRequest => "Malformed request.",
        Msg::NotFound => "Not found.",
        Msg::ThrottledOneSecond => "Request was throttled. Expected available in 1 second.",
        Msg::Throttled => "Request was throttled. Expected available in {} seconds.",
        Msg::ServerError => "A server error occurred.",
        Msg::TooLarge => "Request body is too large. The limit is {} bytes.",
        Msg::BodyTimeout => "The request body did not arrive in time.",
        Msg::Overloaded => "Too many logins are being processed. Try again shortly.",
        Msg::DatabaseUnavailable => "The database is unavailable. Try again shortly.",
        Msg::PermissionDenied => "You do not have permission to perform this action.",
        Msg::BadCredentials => "Incorrect authentication credentials.",
        Msg::NotInteger => "A valid integer is required.",
        Msg::NotBoolean => "Must be a valid boolean.",
        Msg::NotList => "Expected a list of items but got type \"{}\".",
        Msg::MaxLength => "Ensure this field has no more than {} characters.",
        Msg::InvalidPage => "Invalid page.",
        Msg::InvalidDateTime => "Enter a valid date/time.",
        Msg::InvalidEmail => "Enter a valid email address.",
        Msg::InvalidUsername => {
            "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters."
        }
        Msg::UsernameTaken => "A user with that username already exists.",
        Msg::EmailTaken => "user with this email address already exists.",
        Msg::WrongOldPassword => {
            "Your old password was entered incorrectly. Please enter it again."
        }
        Msg::PasswordTooShort => {
            "This password is too short. It must contain at least {} character.|This password is too short. It must contain at least {} characters."
        }
        Msg::PasswordSimilarUsername => "The password is too similar to the username.",
        Msg::PasswordSimilarEmail => "The password is too similar to the email address.",
        Msg::PasswordCommon => "This password is too common.",
        Msg::PasswordNumeric => "This password is entirely numeric.",
        Msg::NotAHash => "Not a Django password hash jwtd can verify.",
        Msg::PasswordOrHash => "Give a password or a password hash, not both.",
        Msg::UsersElsewhere => {
            "The users of this deployment belong to the Django site: change them there."
        }
        Msg::CsrfCrossSite => "CSRF Failed: Cross-site request refused.",
        Msg::CsrfBadOrigin => {
            "CSRF Failed: Origin checking failed - {} does not match any trusted origins."
        }
        Msg::CsrfNoCookie => "CSRF Failed: CSRF cookie not set.",
        Msg::CsrfMissing => "CSRF Failed: CSRF token missing.",
        Msg::CsrfIncorrect => "CSRF Failed: CSRF token from the {} HTTP header incorrect.",
        Msg::InvalidChoice => "\"{}\" is not a valid choice.",
        Msg::KeySetUnmanaged => {
            "This deployment does not sign with a key set (that needs an asymmetric algorithm without signing_key)."
        }
        Msg::KeySymmetric => {
            "{} signs with a shared secret, which is never published; choose an asymmetric algorithm."
        }
        Msg::KeyNotReady => {
            "The next key has been published for less than the publish delay: verifiers may not have fetched it yet. Wait {} second or rotate now.|The next key has been published for less than the publish delay: verifiers may not have fetched it yet. Wait {} seconds or rotate now."
        }
        Msg::KeySigning => "This key signs new tokens: rotate to another key first.",
        Msg::KeyAlreadyRetired => {
            "This key is already retired and leaves the key set once its tokens expire; revoke it to refuse them now."
        }
        Msg::KeySetChanged => "The key set changed meanwhile; reload it and try again.",
    }
}
