//! `GET /openapi.json`: the OpenAPI 3.1 description of this deployment, built once at start
//! from the endpoint table's rows (their [`Doc`]s) and the settings — the configured paths,
//! login field, header keywords and switched-on endpoints — so it is always the API actually
//! served. Every operation lists every status it can answer, with an example.
//!
//! Response schemas are derived from the body types ([`super::bodies`]) by schemars. The
//! credentials schema is written here: its field is named by the `login_field` setting, which
//! no type can know.

mod responses;

use jwtd_core::Settings;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde_json::{Map, Value, json};

use super::bodies::{RefreshRequest, TokenRequest};

/// An endpoint's documentation: one row's `doc` in the endpoint table.
pub struct Doc {
    method: &'static str,
    summary: &'static str,
    request: Option<Request>,
    success: Response,
    /// Statuses answered with the standard error bodies, besides the ones every endpoint of its
    /// kind has.
    errors: &'static [u16],
    /// Behind the `Authorization` header.
    authenticated: bool,
    /// Also open to admin API keys (`Api-Key <key>`), and a 403 for others.
    admin: bool,
    /// Query parameters: (name, JSON type).
    query: &'static [(&'static str, &'static str)],
    /// The success status (200, 201, or 204 without a body).
    status: u16,
    /// OpenAPI links from the success answer: (operation id, JSON pointer to the `id` the
    /// linked operation takes), so a client or a stateful tester can follow a new item.
    links: &'static [(&'static str, &'static str)],
    /// A 503 whose body is not the standard one (readiness).
    unavailable: Option<Response>,
}

/// A token endpoint's request body.
pub enum Request {
    /// `{<login_field>, password}`.
    Credentials,
    /// `{refresh}`.
    Refresh,
    /// `{token}`.
    Token,
    /// A JSON object described by a body type.
    Json(fn(&mut SchemaGenerator) -> Schema),
}

impl Request {
    pub const fn json<T: JsonSchema>() -> Request {
        Request::Json(SchemaGenerator::subschema_for::<T>)
    }
}

pub enum Response {
    Json {
        schema: fn(&mut SchemaGenerator) -> Schema,
        example: fn() -> Value,
    },
    /// Any JSON object (the OpenAPI document itself).
    AnyJson,
    /// Prometheus text.
    Text,
    /// 204: no body.
    Empty,
}

impl Response {
    pub const fn json<T: JsonSchema>(example: fn() -> Value) -> Response {
        Response::Json {
            schema: SchemaGenerator::subschema_for::<T>,
            example,
        }
    }
}

impl Doc {
    /// A token endpoint: a POST with string fields, in the three body encodings DRF parses.
    pub const fn post(
        summary: &'static str,
        request: Request,
        success: Response,
        errors: &'static [u16],
    ) -> Doc {
        Doc {
            method: "post",
            summary,
            request: Some(request),
            success,
            errors,
            authenticated: false,
            admin: false,
            query: &[],
            status: 200,
            links: &[],
            unavailable: None,
        }
    }

    /// An operation behind the `Authorization` header.
    pub const fn authenticated(
        method: &'static str,
        summary: &'static str,
        success: Response,
    ) -> Doc {
        Doc {
            method,
            summary,
            request: None,
            success,
            errors: &[401],
            authenticated: true,
            admin: false,
            query: &[],
            status: 200,
            links: &[],
            unavailable: None,
        }
    }

    /// A GET for operators (probes, metrics, this document).
    pub const fn probe(
        summary: &'static str,
        success: Response,
        unavailable: Option<Response>,
    ) -> Doc {
        Doc {
            method: "get",
            summary,
            request: None,
            success,
            errors: &[],
            authenticated: false,
            admin: false,
            query: &[],
            status: 200,
            links: &[],
            unavailable,
        }
    }
}

impl Doc {
    /// An admin operation: an admin's access token or an API key; 403 for anyone else.
    pub const fn admin(method: &'static str, summary: &'static str, success: Response) -> Doc {
        let mut doc = Doc::authenticated(method, summary, success);
        doc.admin = true;
        doc.errors = &[401, 403];
        doc
    }

    /// The statuses answered besides the ones every operation of its kind has.
    pub const fn errors(mut self, errors: &'static [u16]) -> Doc {
        self.errors = errors;
        self
    }

    pub const fn request(mut self, request: Request) -> Doc {
        self.request = Some(request);
        self
    }

    pub const fn query(mut self, query: &'static [(&'static str, &'static str)]) -> Doc {
        self.query = query;
        self
    }

    pub const fn status(mut self, status: u16) -> Doc {
        self.status = status;
        self
    }

    pub const fn links(mut self, links: &'static [(&'static str, &'static str)]) -> Doc {
        self.links = links;
        self
    }
}

/// The document for `settings`, serving each `(path, endpoint name, doc)` of `operations` (the
/// served rows of the endpoint table). Operation ids are `<endpoint name>_<method>`.
pub fn build<'a>(
    settings: &Settings,
    operations: impl IntoIterator<Item = (&'a str, &'a str, &'a Doc)>,
) -> Value {
    let mut generator = SchemaGenerator::new(
        schemars::generate::SchemaSettings::draft2020_12().with(|s| {
            s.definitions_path = "/components/schemas/".into();
            s.meta_schema = None;
        }),
    );
    let mut paths = Map::new();
    for (path, name, doc) in operations {
        let entry = paths.entry(path.to_owned()).or_insert_with(|| json!({}));
        let mut operation = operation(doc, &mut generator);
        operation["operationId"] = json!(format!("{name}_{}", doc.method));
        let mut parameters = path_parameters(path);
        if let Some(Value::Array(more)) = operation.get("parameters") {
            parameters.extend(more.iter().cloned());
        }
        if !parameters.is_empty() {
            operation["parameters"] = Value::Array(parameters);
        }
        entry[doc.method] = operation;
    }
    let mut schemas = generator.take_definitions(true);
    schemas.extend(responses::error_schemas(&mut generator));
    schemas.extend(generator.take_definitions(true));
    schemas.insert("Credentials".into(), credentials_schema(settings));
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
        "components": {
            "securitySchemes": {
                "jwt": security_scheme(settings),
                "apiKey": {
                    "type": "apiKey",
                    "in": "header",
                    "name": settings.auth_header_name,
                    "description": "`Api-Key <key>`, a key made by `jwtd api-key create`",
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
            "schemas": schemas,
        },
    })
}

/// `{name}` segments of a path, as integer path parameters.
fn path_parameters(path: &str) -> Vec<Value> {
    path.split('/')
        .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
        .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "integer"}}))
        .collect()
}

fn operation(doc: &Doc, generator: &mut SchemaGenerator) -> Value {
    let mut responses = Map::new();
    let description = match doc.status {
        201 => "Created",
        204 => "No content",
        _ => "OK",
    };
    let mut success = response(description, &doc.success, generator);
    if !doc.links.is_empty() {
        let links: Map<String, Value> = doc
            .links
            .iter()
            .map(|(target, pointer)| {
                let link = json!({"operationId": target, "parameters": {"id": format!("$response.body#{pointer}")}});
                ((*target).to_owned(), link)
            })
            .collect();
        success["links"] = Value::Object(links);
    }
    responses.insert(doc.status.to_string(), success);
    let mut errors: Vec<u16> = doc.errors.to_vec();
    errors.push(405);
    if doc.request.is_some() {
        errors.extend([413, 415]);
    }
    if doc.request.is_some() || doc.authenticated {
        errors.push(503);
    }
    for status in errors {
        responses.insert(status.to_string(), responses::error(status));
    }
    if let Some(unavailable) = &doc.unavailable {
        responses.insert("503".into(), response("Not ready", unavailable, generator));
    }
    let mut operation = json!({"summary": doc.summary, "responses": responses});
    if doc.request.is_some() || doc.authenticated {
        let mut parameters = vec![json!({"$ref": "#/components/parameters/AcceptLanguage"})];
        parameters.extend(doc.query.iter().map(|(name, kind)| {
            json!({"name": name, "in": "query", "required": false, "schema": {"type": kind}})
        }));
        operation["parameters"] = Value::Array(parameters);
    }
    if doc.admin {
        operation["security"] = json!([{"jwt": []}, {"apiKey": []}]);
    } else if doc.authenticated {
        operation["security"] = json!([{"jwt": []}]);
    }
    if let Some(request) = &doc.request {
        let schema = match request {
            Request::Credentials => json!({"$ref": "#/components/schemas/Credentials"}),
            Request::Refresh => generator.subschema_for::<RefreshRequest>().to_value(),
            Request::Token => generator.subschema_for::<TokenRequest>().to_value(),
            Request::Json(schema) => schema(generator).to_value(),
        };
        operation["requestBody"] = json!({
            "required": true,
            "content": {
                "application/json": {"schema": schema},
                "application/x-www-form-urlencoded": {"schema": schema},
                "multipart/form-data": {"schema": schema},
            },
        });
    }
    operation
}

fn response(description: &str, body: &Response, generator: &mut SchemaGenerator) -> Value {
    match body {
        Response::Json { schema, example } => json!({
            "description": description,
            "content": {"application/json": {
                "schema": schema(generator).to_value(),
                "example": example(),
            }},
        }),
        Response::AnyJson => json!({
            "description": "OpenAPI 3.1",
            "content": {"application/json": {"schema": {"type": "object"}}},
        }),
        Response::Text => json!({
            "description": "Metrics",
            "content": {"text/plain": {"schema": {"type": "string"}}},
        }),
        Response::Empty => json!({"description": description}),
    }
}

fn credentials_schema(settings: &Settings) -> Value {
    let login = settings.login_field.name();
    let string = json!({"type": "string", "minLength": 1});
    json!({
        "type": "object",
        "properties": {login: string, "password": string},
        "required": [login, "password"],
    })
}

fn security_scheme(settings: &Settings) -> Value {
    let keywords = settings.auth_header_types.join(", ");
    json!({
        "type": "apiKey",
        "in": "header",
        "name": settings.auth_header_name,
        "description": format!("`<keyword> <access token>`; keywords: {keywords}"),
    })
}
