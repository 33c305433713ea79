import pytest

from summit.core.auth import is_safe_next


@pytest.mark.parametrize(
    "target", ["/", "/2027/", "/account/profile?tab=tokens", "/2027/staff/tracks#new"]
)
def test_is_safe_next_local_path_is_safe(target):
    assert is_safe_next(target) is True


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "//evil.example",
        "///evil.example",
        "https:evil",
        "http://evil.example",
        "https://evil.example/2027/",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        "javascript:alert(1)",
        "evil.example",
        "2027/",
    ],
)
def test_is_safe_next_off_site_or_odd_target_is_unsafe(target):
    assert is_safe_next(target) is False
