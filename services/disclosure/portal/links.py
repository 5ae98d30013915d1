"""Links inside the portal: under the proxy's prefix, carrying the page language."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode

from services.disclosure.portal.i18n import Language


@dataclass(frozen=True)
class Links:
    """Builds the portal's URLs so they work directly and behind the gateway."""

    prefix: str
    lang: Language

    def to(self, path: str, **params: str | None) -> str:
        """`path` (from the service root) under the prefix, with the language and the non-empty params."""
        query = {k: v for k, v in params.items() if v}
        if self.lang == "en":
            query["lang"] = "en"
        url = self.prefix + quote(path)
        return f"{url}?{urlencode(query)}" if query else url

    def asset(self, path: str) -> str:
        """A static file's URL (the same in every language)."""
        return self.prefix + quote(path)

    def other_language(self, path: str, **params: str | None) -> str:
        """The same page in the other language."""
        return Links(self.prefix, "zh" if self.lang == "en" else "en").to(path, **params)
