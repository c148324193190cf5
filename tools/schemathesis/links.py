"""Schemathesis hook: the password-reset flow's data flow, as OpenAPI links.

`openapi/etna-trader.yaml` declares no `links`, so Schemathesis's stateful
phase has nothing to chain and reports itself "not applicable". This hook
adds, at load time and only for this test run, the links that the spec's
prose describes (tag `Password reset`), so that the stateful phase sends
multi-step sequences:

- `generate_reset_token` 200 -> `reset_password`: the token in `Model` is
  the `Token` of step 4 (the rest of the body is generated).
- `request_password_reset` 200 -> `get_secret_question`: the login in `User`
  is the `username` whose question step 2 reads.

A link that the spec itself already declares (same response, same name) is
left as the spec has it, and a link whose operation has left the spec is
dropped, so this file never has to be edited in step with the spec. When
the spec declares these links itself, this file can go.

Loaded by run.sh through SCHEMATHESIS_HOOKS.
"""

from __future__ import annotations

from typing import Any

import schemathesis

# (source operationId, status, link name) -> the link, as the spec would write it.
LINKS: dict[tuple[str, str, str], dict[str, Any]] = {
    ("generate_reset_token", "200", "ResetPasswordWithToken"): {
        "operationId": "reset_password",
        "requestBody": {"Token": "$response.body#/Model"},
        "description": "Step 4 sends the token that step 3 returned in Model.",
    },
    ("request_password_reset", "200", "ReadSecretQuestion"): {
        "operationId": "get_secret_question",
        "parameters": {"query.username": "$request.body#/User"},
        "description": "Step 2 reads the question of the login that step 1 named.",
    },
}


def _operations(raw_schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = {}
    for item in (raw_schema.get("paths") or {}).values():
        if not isinstance(item, dict):
            continue
        for operation in item.values():
            if isinstance(operation, dict) and "operationId" in operation:
                found[operation["operationId"]] = operation
    return found


@schemathesis.hook
def before_load_schema(context: Any, raw_schema: dict[str, Any]) -> None:
    operations = _operations(raw_schema)
    for (source, status, name), link in LINKS.items():
        if source not in operations or link["operationId"] not in operations:
            continue
        response = (operations[source].get("responses") or {}).get(status)
        # A response given by $ref is shared with other operations: leave it.
        if not isinstance(response, dict) or "$ref" in response:
            continue
        response.setdefault("links", {}).setdefault(name, link)
