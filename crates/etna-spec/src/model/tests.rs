use super::*;
use serde_json::json;

fn spec() -> Value {
    json!({
        "servers": [{"url": "{root}/v{version}", "variables": {"root": {"default": "x"}, "version": {"default": "1.0"}}}],
        "security": [{"Key": []}],
        "components": {
            "securitySchemes": {
                "Key": {"type": "apiKey", "in": "header", "name": "K"},
                "Session": {"type": "http", "scheme": "bearer"}
            },
            "schemas": {
                "Env": {"type": "object", "x-etna-envelope": {"success": "Ok", "errors": "E", "errorCodes": "C", "statusCode": "S", "model": "M"}},
                "Wrapped": {"allOf": [{"$ref": "#/components/schemas/Env"}, {"type": "object"}]}
            }
        },
        "paths": {
            "/at-root": {"post": {
                "operationId": "root_op",
                "servers": [{"url": "{root}", "variables": {"root": {"default": "x"}}}],
                "security": [{"Key": []}, {"Key": [], "Session": []}],
                "parameters": [{"name": "Secret", "in": "header", "schema": {"type": "string", "format": "password"}}],
                "responses": {"200": {"content": {"application/json": {"schema": {"type": "object"}}}}, "202": {"content": {"application/json": {"schema": {"type": "object"}}}}}
            }},
            "/things/{id}": {
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "put": {
                    "operationId": "bearer_op",
                    "security": [{"Key": [], "Session": []}],
                    "responses": {"200": {"description": "none"}, "400": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Wrapped"}}}}}
                }
            }
        }
    })
}

#[test]
fn reads_servers_security_parameters_and_response_kinds() {
    let spec = spec();
    let api = Api::read(&spec).unwrap();
    assert_eq!(api.servers.len(), 2);
    assert_eq!(api.servers[0].base_path, "/v{version}");
    assert_eq!(
        api.servers[0].variables,
        [("version".to_owned(), "1.0".to_owned())]
    );
    let root = api.operation("root_op").unwrap();
    assert_eq!(api.full_path(root), "/at-root");
    assert_eq!(root.needs("Session"), Need::Optional);
    assert_eq!(root.needs("Key"), Need::Required);
    assert_eq!(root.parameters[0].location, Location::Header);
    assert!(root.parameters[0].secret);
    assert_eq!(root.successes().count(), 2);
    assert!(root.responses.iter().all(|r| r.kind == BodyKind::Plain));
    let bearer = api.operation("bearer_op").unwrap();
    assert_eq!(api.full_path(bearer), "/v{version}/things/{id}");
    assert_eq!(bearer.needs("Session"), Need::Required);
    assert_eq!(bearer.parameters[0].location, Location::Path);
    assert_eq!(bearer.responses[0].kind, BodyKind::Empty);
    assert_eq!(bearer.responses[1].kind, BodyKind::Envelope);
    assert_eq!(api.schemes["Session"], Scheme::Bearer);
}

#[test]
fn what_the_model_cannot_express_is_an_error_with_its_pointer() {
    let mut spec = spec();
    spec["components"]["securitySchemes"]["Cookie"] =
        json!({"type": "apiKey", "in": "cookie", "name": "c"});
    spec["paths"]["/at-root"]["post"]["parameters"][0]["in"] = json!("cookie");
    spec["paths"]["/at-root"]["post"]["servers"][0]["url"] = json!("https://fixed.example");
    let problems = Api::read(&spec).unwrap_err();
    let pointers: Vec<&str> = problems.iter().map(|p| p.pointer.as_str()).collect();
    assert!(
        pointers.contains(&"#/components/securitySchemes/Cookie"),
        "{problems:?}"
    );
    assert!(
        pointers.contains(&"#/paths/~1at-root/post/parameters/0"),
        "{problems:?}"
    );
    assert!(
        pointers.contains(&"#/paths/~1at-root/post/servers/0"),
        "{problems:?}"
    );
}

#[test]
fn a_refusal_names_the_scheme_whose_credential_was_refused() {
    let mut spec = spec();
    spec["components"]["responses"] =
        json!({"KeyRefused": {"description": "d", "x-etna-refuses": "Key"}});
    let bearer = &mut spec["paths"]["/things/{id}"]["put"]["responses"];
    bearer["403"] = json!({"$ref": "#/components/responses/KeyRefused"});
    bearer["401"] = json!({"description": "d", "x-etna-refuses": "Session"});
    let api = Api::read(&spec).unwrap();
    let op = api.operation("bearer_op").unwrap();
    assert_eq!(op.refusal_of("Key"), Some(403));
    assert_eq!(op.refusal_of("Session"), Some(401));
    // A 400 that says nothing of a credential refuses none.
    assert!(
        op.responses
            .iter()
            .any(|r| r.status == 400 && r.refuses.is_none())
    );

    // A scheme the spec lacks, one the operation does not send, or no name.
    let root = &mut spec["paths"]["/at-root"]["post"]["responses"];
    root["401"] = json!({"description": "d", "x-etna-refuses": "Nothing"});
    spec["paths"]["/things/{id}"]["put"]["security"] = json!([{"Key": []}]);
    spec["components"]["responses"]["KeyRefused"]["x-etna-refuses"] = json!(true);
    let problems = Api::read(&spec).unwrap_err();
    let pointers: Vec<&str> = problems.iter().map(|p| p.pointer.as_str()).collect();
    assert_eq!(
        pointers,
        [
            "#/paths/~1at-root/post/responses/401/x-etna-refuses",
            "#/paths/~1things~1{id}/put/responses/401/x-etna-refuses",
            "#/paths/~1things~1{id}/put/responses/403/x-etna-refuses",
        ],
        "{problems:?}"
    );
    assert!(
        problems[1].message.contains("does not send"),
        "{problems:?}"
    );
}

#[test]
fn secret_properties_follow_references_wherever_they_are() {
    let spec = json!({
        "components": {"schemas": {
            "Password": {"type": "string", "format": "password"},
            "Alias": {"$ref": "#/components/schemas/Password"},
            "Pin": {"type": "integer", "format": "password"},
            "Inner": {"type": "object", "properties": {
                "Ticket": {"$ref": "#/components/schemas/Alias"},
                "Loop": {"$ref": "#/components/schemas/Outer"}
            }},
            "Outer": {"allOf": [
                {"$ref": "#/components/schemas/Inner"},
                {"type": "object", "properties": {
                    "Pin": {"$ref": "#/components/schemas/Pin"},
                    "Name": {"type": "string"},
                    "Items": {"type": "array", "items": {"type": "object", "properties": {
                        "Code": {"type": "string", "format": "password"}
                    }}}
                }, "example": {"Shown": {"type": "string", "format": "password"}}}
            ]},
            "Dangling": {"type": "object", "properties": {
                "Nowhere": {"$ref": "#/components/schemas/Missing"}
            }}
        }}
    });
    let outer = json!({"$ref": "#/components/schemas/Outer"});
    assert_eq!(secret_properties(&spec, &outer), ["Code", "Pin", "Ticket"]);
    assert!(is_secret_schema(
        &spec,
        &json!({"$ref": "#/components/schemas/Alias"})
    ));
    assert!(!is_secret_schema(
        &spec,
        &json!({"$ref": "#/components/schemas/Missing"})
    ));
    assert!(secret_properties(&spec, &spec["components"]["schemas"]["Dangling"]).is_empty());
}
