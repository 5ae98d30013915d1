"""Rendering portal pages: Jinja2 with autoescaping, cacheable, with a policy that allows no scripts."""

from __future__ import annotations

from typing import Any

from fastapi import Request, Response
from jinja2 import Environment, PackageLoader, StrictUndefined

from services.disclosure.portal.i18n import Catalogue, Language
from services.disclosure.portal.links import Links
from services.disclosure.portal.numbers import tonnes_text
from services.disclosure.public.caching import cached
from services.disclosure.public.prefix import forwarded_prefix

_environment = Environment(
    loader=PackageLoader("services.disclosure.portal", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_environment.globals["tonnes"] = tonnes_text

# The portal needs no JavaScript, so the page may run none; styles come only from our stylesheet.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)


def page(request: Request, template: str, lang: Language, path: str, status_code: int = 200, **values: Any) -> Response:
    """A rendered page; `path` and the query values in `values['here']` make the language switch link."""
    links = Links(forwarded_prefix(request), lang)
    catalogue = Catalogue(lang)
    here = values.pop("here", {})
    html = _environment.get_template(template).render(
        t=catalogue.t,
        label=catalogue.label,
        province=catalogue.province,
        lang=lang,
        links=links,
        switch_url=links.other_language(path, **here),
        **values,
    )
    headers = {
        "Content-Language": "en" if lang == "en" else "zh-CN",
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Content-Type-Options": "nosniff",
        "Vary": "X-Forwarded-Prefix",
    }
    response = cached(request, html.encode(), "text/html; charset=utf-8", headers)
    if status_code != 200 and response.status_code == 200:
        response.status_code = status_code
    return response
