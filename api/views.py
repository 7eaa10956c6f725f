"""The API reference page (issue 20): the OpenAPI description, drawn on the server as one readable page.
No Swagger UI: nothing loads from elsewhere and the Content-Security-Policy stays strict."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .api import api

METHODS = ("get", "post", "put", "patch", "delete")


def _fields(schema: dict, components: dict) -> list[dict]:
    """The properties of a (possibly referenced) object schema, each with its type and whether required."""
    if "$ref" in schema:
        schema = components.get(schema["$ref"].rsplit("/", 1)[-1], {})
    if schema.get("type") == "array":
        return _fields(schema.get("items", {}), components)
    required = set(schema.get("required", []))
    rows = []
    for name, prop in schema.get("properties", {}).items():
        kind = prop.get("type") or (
            "object" if "$ref" in prop else "/".join(a.get("type", "?") for a in prop.get("anyOf", []))
        )
        rows.append({"name": name, "type": kind, "required": name in required, "about": prop.get("description", ""),
                     "choices": prop.get("enum", [])})  # fmt: skip
    return rows


def operations(schema: dict) -> list[dict]:
    components = schema.get("components", {}).get("schemas", {})
    found = []
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
            ok = next((r for code, r in op.get("responses", {}).items() if str(code).startswith("2")), {})
            answer = ok.get("content", {}).get("application/json", {}).get("schema", {})
            found.append({
                "method": method.upper(), "path": path, "summary": op.get("summary", ""),
                "tag": (op.get("tags") or ["other"])[0], "parameters": op.get("parameters", []),
                "body": _fields(body, components), "answer": _fields(answer, components),
                "codes": sorted(str(c) for c in op.get("responses", {})), "secured": bool(op.get("security")),
            })  # fmt: skip
    return sorted(found, key=lambda o: (o["tag"], o["path"], o["method"]))


@login_not_required
@require_GET
def reference(request):
    schema = api.get_openapi_schema()
    return render(request, "api/reference.html", {"schema": schema, "operations": operations(schema)})
