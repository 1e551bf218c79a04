"""Chinese first, English second: the chosen language lives in the session.

The Chinese catalog lives in translations/zh/: Babel spells zh_CN as zh_Hans_CN, and the
plain language directory is what every spelling of Simplified Chinese falls back to.
"""

from flask import current_app, request, session

from core.extensions import babel


def select_locale() -> str:
    chosen = session.get("lang")
    if chosen in current_app.config["LANGUAGES"]:
        return chosen
    if request.path.startswith("/api/"):
        best = request.accept_languages.best_match(["zh", "zh_CN", "en"])
        if best == "en":
            return "en"
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def init_i18n(app) -> None:
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories="translations")
