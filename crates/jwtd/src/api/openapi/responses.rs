//! The documented error answers: one per status, each with its body schema and an example.

use schemars::SchemaGenerator;
use serde_json::{Map, Value, json};

use crate::api::bodies::{Detail, FieldErrors};

/// The error body schemas: `Detail`, `FieldErrors`, and `BadRequest` (either).
pub fn error_schemas(generator: &mut SchemaGenerator) -> Map<String, Value> {
    generator.subschema_for::<Detail>();
    generator.subschema_for::<FieldErrors>();
    let mut schemas = Map::new();
    schemas.insert(
        "BadRequest".into(),
        json!({
            "anyOf": [
                {"$ref": "#/components/schemas/FieldErrors"},
                {"$ref": "#/components/schemas/Detail"},
            ],
        }),
    );
    schemas
}

/// The documented error answer for a status, with SimpleJWT's or DRF's body and an example.
pub fn error(status: u16) -> Value {
    let (description, schema, example) = match status {
        400 => (
            "Invalid input: field errors, a non-dict body, a JSON parse error, or a blacklisted token at verify",
            "BadRequest",
            json!({"password": ["This field is required."]}),
        ),
        401 => (
            "Bad credentials or a refused token",
            "Detail",
            json!({"detail": "Token is invalid", "code": "token_not_valid"}),
        ),
        403 => (
            "Authenticated, but not an administrator (or a read-only API key on a write)",
            "Detail",
            json!({"detail": "You do not have permission to perform this action."}),
        ),
        404 => (
            "No such user, session or page",
            "Detail",
            json!({"detail": "Not found."}),
        ),
        409 => (
            "The users belong to a Django site (Django-database mode)",
            "Detail",
            json!({"detail": "The users of this deployment belong to the Django site: change them there."}),
        ),
        405 => (
            "Method not allowed",
            "Detail",
            json!({"detail": "Method \"GET\" not allowed."}),
        ),
        413 => (
            "Body over max_body_bytes",
            "Detail",
            json!({"detail": "Request body is too large. The limit is 1048576 bytes."}),
        ),
        415 => (
            "Unsupported content type",
            "Detail",
            json!({"detail": "Unsupported media type \"text/plain\" in request."}),
        ),
        429 => (
            "Backing off after failed logins (Retry-After says how long)",
            "Detail",
            json!({"detail": "Request was throttled. Expected available in 8 seconds."}),
        ),
        _ => (
            "Overloaded or the database is unreachable (Retry-After)",
            "Detail",
            json!({"detail": "The database is unavailable. Try again shortly."}),
        ),
    };
    json!({
        "description": description,
        "content": {"application/json": {
            "schema": {"$ref": format!("#/components/schemas/{schema}")},
            "example": example,
        }},
    })
}
