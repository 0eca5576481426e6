//! `GET /openapi.json`: the OpenAPI 3.1 description of this deployment, built from its
//! settings — the configured paths, login field, header keywords and switched-on endpoints —
//! so it is always the API actually served. Every operation lists every status it can answer,
//! with the body schema and an example, error bodies included.

use axum::Json;
use axum::extract::State;
use jwtd_core::Settings;
use serde_json::{Map, Value, json};

use crate::state::AppState;

pub async fn document(State(app): State<AppState>) -> Json<Value> {
    Json(app.openapi.clone())
}

/// The document for `settings`; built once at start.
pub fn build(settings: &Settings) -> Value {
    let routes = &settings.routes;
    let mut paths = Map::new();
    let mut add = |path: &str, method: &str, operation: Value| {
        if path.is_empty() {
            return;
        }
        let entry = paths.entry(path.to_owned()).or_insert_with(|| json!({}));
        entry[method] = operation;
    };

    add(
        &routes.token_obtain,
        "post",
        post(
            "Log in (`TokenObtainPairView`): a refresh and an access token.",
            "credentials",
            ok("TokenPair", json!({"refresh": "eyJ…", "access": "eyJ…"})),
            &["400", "401", "429"],
        ),
    );
    add(
        &routes.token_refresh,
        "post",
        post(
            "A new access token (`TokenRefreshView`); with rotation also a new refresh token.",
            "refresh",
            ok("RefreshResult", json!({"access": "eyJ…"})),
            &["400", "401"],
        ),
    );
    add(
        &routes.token_verify,
        "post",
        post(
            "Checks any token's signature and expiry (`TokenVerifyView`).",
            "token",
            ok("Empty", json!({})),
            &["400", "401"],
        ),
    );
    add(
        &routes.token_blacklist,
        "post",
        post(
            "Retires a refresh token (`TokenBlacklistView`).",
            "refresh",
            ok("Empty", json!({})),
            &["400", "401"],
        ),
    );
    add(
        &routes.token_obtain_sliding,
        "post",
        post(
            "Log in for a sliding token (`TokenObtainSlidingView`).",
            "credentials",
            ok("SlidingToken", json!({"token": "eyJ…"})),
            &["400", "401", "429"],
        ),
    );
    add(
        &routes.token_refresh_sliding,
        "post",
        post(
            "The same sliding token with a fresh expiry (`TokenRefreshSlidingView`).",
            "token",
            ok("SlidingToken", json!({"token": "eyJ…"})),
            &["400", "401"],
        ),
    );
    add(
        &routes.user_me,
        "get",
        authenticated(
            "The authenticated user.",
            ok(
                "Me",
                json!({"id": 1, "username": "alice", "email": "alice@example.com", "roles": ["admin"]}),
            ),
        ),
    );
    add(
        &routes.logout_all,
        "post",
        authenticated(
            "Log out everywhere: every token of the user issued so far is refused.",
            ok("Empty", json!({})),
        ),
    );
    add(
        "/healthz",
        "get",
        probe(
            "Liveness: the process answers.",
            ok("Health", json!({"status": "ok", "database": "ok"})),
            false,
        ),
    );
    add(
        "/readyz",
        "get",
        probe(
            "Readiness: database reachable, migrations applied, key loaded.",
            ok(
                "Readiness",
                json!({"status": "ready", "database": "ok", "migrations": "ok", "signing_key": "loaded"}),
            ),
            true,
        ),
    );
    if settings.metrics.enabled && settings.metrics.bind.is_none() {
        add(
            "/metrics",
            "get",
            json!({
                "summary": "Prometheus metrics (text format 0.0.4).",
                "responses": {"200": {"description": "Metrics", "content": {"text/plain": {"schema": {"type": "string"}}}}},
            }),
        );
    }
    add(
        "/openapi.json",
        "get",
        json!({
            "summary": "This document.",
            "responses": {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {"schema": {"type": "object"}}}}},
        }),
    );

    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "jwtd",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "JWT authentication speaking Django REST Framework SimpleJWT's API. \
                Bodies may be JSON, form-urlencoded or multipart; errors are SimpleJWT's and DRF's \
                JSON shapes, localized by Accept-Language.",
        },
        "paths": paths,
        "components": components(settings),
    })
}

/// A token endpoint: a POST with string fields, in the three body encodings DRF parses.
fn post(summary: &str, body: &str, success: Value, errors: &[&str]) -> Value {
    let mut responses = Map::new();
    responses.insert("200".into(), success);
    for status in errors.iter().copied().chain(["405", "413", "415", "503"]) {
        responses.insert(status.into(), error(status));
    }
    let schema = json!({"$ref": format!("#/components/schemas/{}", body_schema(body))});
    json!({
        "summary": summary,
        "parameters": [{"$ref": "#/components/parameters/AcceptLanguage"}],
        "requestBody": {
            "required": true,
            "content": {
                "application/json": {"schema": schema},
                "application/x-www-form-urlencoded": {"schema": schema},
                "multipart/form-data": {"schema": schema},
            },
        },
        "responses": responses,
    })
}

fn body_schema(body: &str) -> &'static str {
    match body {
        "credentials" => "Credentials",
        "refresh" => "RefreshRequest",
        _ => "TokenRequest",
    }
}

/// An operation behind the `Authorization` header.
fn authenticated(summary: &str, success: Value) -> Value {
    json!({
        "summary": summary,
        "security": [{"jwt": []}],
        "parameters": [{"$ref": "#/components/parameters/AcceptLanguage"}],
        "responses": {
            "200": success,
            "401": error("401"),
            "405": error("405"),
            "503": error("503"),
        },
    })
}

fn probe(summary: &str, success: Value, may_fail: bool) -> Value {
    let mut responses = json!({"200": success, "405": error("405")});
    if may_fail {
        responses["503"] = json!({
            "description": "Not ready",
            "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Readiness"},
                "example": {"status": "unavailable", "database": "unreachable",
                            "migrations": "unknown", "signing_key": "loaded"},
            }},
        });
    }
    json!({"summary": summary, "responses": responses})
}

fn ok(schema: &str, example: Value) -> Value {
    json!({
        "description": "OK",
        "content": {"application/json": {
            "schema": {"$ref": format!("#/components/schemas/{schema}")},
            "example": example,
        }},
    })
}

/// The documented error answer for a status, with SimpleJWT's or DRF's body and an example.
fn error(status: &str) -> Value {
    let (description, schema, example) = match status {
        "400" => (
            "Invalid input: field errors, a non-dict body, a JSON parse error, or a blacklisted token at verify",
            "BadRequest",
            json!({"password": ["This field is required."]}),
        ),
        "401" => (
            "Bad credentials or a refused token",
            "Detail",
            json!({"detail": "Token is invalid", "code": "token_not_valid"}),
        ),
        "405" => (
            "Method not allowed",
            "Detail",
            json!({"detail": "Method \"GET\" not allowed."}),
        ),
        "413" => (
            "Body over max_body_bytes",
            "Detail",
            json!({"detail": "Request body is too large. The limit is 1048576 bytes."}),
        ),
        "415" => (
            "Unsupported content type",
            "Detail",
            json!({"detail": "Unsupported media type \"text/plain\" in request."}),
        ),
        "429" => (
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

fn components(settings: &Settings) -> Value {
    let login = settings.login_field.name();
    let string = json!({"type": "string", "minLength": 1});
    let keywords = settings.auth_header_types.join(", ");
    json!({
        "securitySchemes": {
            "jwt": {
                "type": "apiKey",
                "in": "header",
                "name": settings.auth_header_name,
                "description": format!("`<keyword> <access token>`; keywords: {keywords}"),
            },
        },
        "parameters": {
            "AcceptLanguage": {
                "name": "Accept-Language",
                "in": "header",
                "required": false,
                "schema": {"type": "string"},
                "description": "Picks the answer language among the offered ones.",
            },
        },
        "schemas": {
            "Credentials": {
                "type": "object",
                "properties": {login: string, "password": string},
                "required": [login, "password"],
            },
            "RefreshRequest": {
                "type": "object",
                "properties": {"refresh": string},
                "required": ["refresh"],
            },
            "TokenRequest": {
                "type": "object",
                "properties": {"token": string},
                "required": ["token"],
            },
            "TokenPair": {
                "type": "object",
                "properties": {"refresh": {"type": "string"}, "access": {"type": "string"}},
                "required": ["refresh", "access"],
                "additionalProperties": false,
            },
            "RefreshResult": {
                "type": "object",
                "properties": {"access": {"type": "string"}, "refresh": {"type": "string"}},
                "required": ["access"],
                "additionalProperties": false,
            },
            "SlidingToken": {
                "type": "object",
                "properties": {"token": {"type": "string"}},
                "required": ["token"],
                "additionalProperties": false,
            },
            "Empty": {"type": "object", "maxProperties": 0},
            "Me": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "username": {"type": "string"},
                    "email": {"type": "string"},
                    "roles": {"type": "array", "items": {"type": "string"}},
                },
                "required": ["id", "username", "email", "roles"],
                "additionalProperties": false,
            },
            "Detail": {
                "type": "object",
                "properties": {
                    "detail": {"type": "string"},
                    "code": {"type": "string"},
                    "messages": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "token_class": {"type": "string"},
                                "token_type": {"type": "string"},
                                "message": {"type": "string"},
                            },
                            "required": ["token_class", "token_type", "message"],
                        },
                    },
                },
                "required": ["detail"],
                "additionalProperties": false,
            },
            "FieldErrors": {
                "type": "object",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
                "minProperties": 1,
            },
            "BadRequest": {
                "anyOf": [
                    {"$ref": "#/components/schemas/FieldErrors"},
                    {"$ref": "#/components/schemas/Detail"},
                ],
            },
            "Health": {
                "type": "object",
                "properties": {
                    "status": {"const": "ok"},
                    "database": {"enum": ["ok", "unreachable"]},
                },
                "required": ["status", "database"],
            },
            "Readiness": {
                "type": "object",
                "properties": {
                    "status": {"enum": ["ready", "unavailable"]},
                    "database": {"enum": ["ok", "unreachable"]},
                    "migrations": {"enum": ["ok", "pending", "unknown"]},
                    "signing_key": {"const": "loaded"},
                },
                "required": ["status", "database", "migrations", "signing_key"],
            },
        },
    })
}
