"""Configuration, read from the environment.

`create_app()` picks the class named by ``SUMMIT_ENV`` (development, testing,
production). Production refuses to start without ``SECRET_KEY`` and
``DATABASE_URL``: a forgotten variable must fail at boot, not at first login.
"""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw else default


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    return float(raw) if raw else default


def normalise_database_url(url: str) -> str:
    """Point plain ``postgres://`` URLs at the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'instance' / 'summit.db'}")
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    # A pooled connection idle longer than this is pinged before use (summit/core/pool.py)
    DATABASE_PING_AFTER_IDLE = _float("DATABASE_PING_AFTER_IDLE", 5.0)
    MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 2 * 1024 * 1024)

    # Sessions and cookies
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME", "http")
    SERVER_NAME = os.environ.get("SERVER_NAME") or None
    # Host names the app answers to. Links in emails are built from the request's
    # host, so production must pin it (here or with SERVER_NAME) or a forged Host
    # header could make a password-reset email point elsewhere.
    TRUSTED_HOSTS = [h.strip() for h in os.environ.get("TRUSTED_HOSTS", "").split(",") if h.strip()]
    TRUSTED_HOSTS = TRUSTED_HOSTS or None

    # Languages
    LANGUAGES = ("en", "es")
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"

    # Rate limits (Flask-Limiter). REDIS_URL shares counters between workers;
    # when Redis is unreachable the limiter falls back to process memory.
    REDIS_URL = os.environ.get("REDIS_URL", "")
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    RATELIMIT_STORAGE_URI = REDIS_URL or "memory://"
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute;50 per hour")
    # Per scanner: a busy door scans a person every two or three seconds.
    SCAN_RATE_LIMIT = os.environ.get("SCAN_RATE_LIMIT", "120 per minute;3000 per hour")
    # Personal calendar feeds, per address: only unknown or revoked links count against
    # the second limit, so guessing feed URLs is slow while calendar apps poll freely.
    FEED_RATE_LIMIT = os.environ.get("FEED_RATE_LIMIT", "60 per minute")
    FEED_MISS_RATE_LIMIT = os.environ.get("FEED_MISS_RATE_LIMIT", "10 per minute;50 per day")

    # Mail: "console" prints and keeps mail in the outbox, "smtp" delivers.
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "console")
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = _int("MAIL_PORT", 25)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)
    MAIL_TIMEOUT = _int("MAIL_TIMEOUT", 20)
    MAIL_DEFAULT_SENDER = os.environ.get(
        "MAIL_DEFAULT_SENDER", "Community Schools Summit <summit@localhost>"
    )
    MAIL_MAX_ATTEMPTS = _int("MAIL_MAX_ATTEMPTS", 6)
    MAIL_SEND_AFTER_REQUEST = _bool("MAIL_SEND_AFTER_REQUEST", False)

    # Account links
    VERIFY_TOKEN_HOURS = _int("VERIFY_TOKEN_HOURS", 72)
    RESET_TOKEN_MINUTES = _int("RESET_TOKEN_MINUTES", 60)

    # API documentation (flask-smorest)
    API_TITLE = "Summit API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"

    LOG_JSON = _bool("LOG_JSON", False)
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")


class DevelopmentConfig(Config):
    DEBUG = True
    MAIL_SEND_AFTER_REQUEST = _bool("MAIL_SEND_AFTER_REQUEST", True)


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-secret-key"  # noqa: S105
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    MAIL_BACKEND = "smtp"
    MAIL_SEND_AFTER_REQUEST = False
    SERVER_NAME = None


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME", "https")
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "smtp")
    LOG_JSON = _bool("LOG_JSON", True)

    @classmethod
    def check(cls) -> None:
        missing = [name for name in ("SECRET_KEY", "DATABASE_URL") if not os.environ.get(name)]
        if not (os.environ.get("SERVER_NAME") or os.environ.get("TRUSTED_HOSTS")):
            missing.append("SERVER_NAME or TRUSTED_HOSTS")
        if missing:
            raise RuntimeError(
                "Production configuration needs these environment variables: " + ", ".join(missing)
            )


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def get_config(name: str | None = None) -> type[Config]:
    name = (name or os.environ.get("SUMMIT_ENV") or "development").lower()
    try:
        config = CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"SUMMIT_ENV must be one of {', '.join(CONFIGS)}, not {name!r}")
    if config is ProductionConfig:
        ProductionConfig.check()
    return config
