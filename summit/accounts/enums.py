from enum import StrEnum

from flask_babel import lazy_gettext as _l


class PresenterRole(StrEnum):
    EDUCATOR = "educator"
    STUDENT = "student"
    FAMILY = "family"
    COMMUNITY_PARTNER = "community_partner"
    ADMINISTRATOR = "administrator"
    OTHER = "other"


PRESENTER_ROLE_LABELS = {
    PresenterRole.EDUCATOR: _l("Educator"),
    PresenterRole.STUDENT: _l("Student"),
    PresenterRole.FAMILY: _l("Family member"),
    PresenterRole.COMMUNITY_PARTNER: _l("Community partner"),
    PresenterRole.ADMINISTRATOR: _l("Administrator"),
    PresenterRole.OTHER: _l("Other"),
}


class AgeBand(StrEnum):
    UNDER_13 = "under_13"
    TEEN = "13_17"
    ADULT = "adult"

    @property
    def is_minor(self) -> bool:
        return self is not AgeBand.ADULT


AGE_BAND_LABELS = {
    AgeBand.UNDER_13: _l("Under 13"),
    AgeBand.TEEN: _l("13 to 17"),
    AgeBand.ADULT: _l("18 or older"),
}


class TokenPurpose(StrEnum):
    VERIFY_EMAIL = "verify_email"
    RESET_PASSWORD = "reset_password"  # noqa: S105


LANGUAGE_LABELS = {"en": "English", "es": "Español"}

# The 58 counties of California, in alphabetical order.
CALIFORNIA_COUNTIES = (
    "Alameda", "Alpine", "Amador", "Butte", "Calaveras", "Colusa", "Contra Costa",
    "Del Norte", "El Dorado", "Fresno", "Glenn", "Humboldt", "Imperial", "Inyo", "Kern",
    "Kings", "Lake", "Lassen", "Los Angeles", "Madera", "Marin", "Mariposa", "Mendocino",
    "Merced", "Modoc", "Mono", "Monterey", "Napa", "Nevada", "Orange", "Placer", "Plumas",
    "Riverside", "Sacramento", "San Benito", "San Bernardino", "San Diego", "San Francisco",
    "San Joaquin", "San Luis Obispo", "San Mateo", "Santa Barbara", "Santa Clara",
    "Santa Cruz", "Shasta", "Sierra", "Siskiyou", "Solano", "Sonoma", "Stanislaus",
    "Sutter", "Tehama", "Trinity", "Tulare", "Tuolumne", "Ventura", "Yolo", "Yuba",
)  # fmt: skip
