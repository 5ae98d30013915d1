"""Policy profiles: bands per province at every threshold, deadlines, fallback, sources, new files."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from services.accounting.errors import InvalidPolicyQuery, PolicyProfileError, UnknownJurisdiction
from services.accounting.policies.profiles import PROFILES_DIR, list_profiles, load_profiles, resolve
from services.accounting.policies.vocabulary import ConfirmationMethod, DisclosureField, Obligation, OffsetKind

SELF = ConfirmationMethod.SELF_COMMITMENT
THIRD = ConfirmationMethod.THIRD_PARTY
ENCOURAGED, VOLUNTARY = Obligation.ENCOURAGED, Obligation.VOLUNTARY
HAINAN_ITEMS = ("event_name", "organizers", "dates", "accounted_emissions", "offset_method")
SHANDONG_ITEMS = (
    "event_name",
    "organizers",
    "scale",
    "dates",
    "accounting_boundary",
    "accounted_emissions",
    "offset_method",
    "neutrality_date",
    "confirmation_method",
)

# (jurisdiction, host type, participants, ends on, band, obligation, confirmation, self-commitment items, deadline)
CASES = [
    (
        "CN-HI",
        "government",
        199,
        date(2024, 8, 31),
        "government-below-500",
        VOLUNTARY,
        SELF,
        HAINAN_ITEMS,
        date(2025, 2, 28),
    ),
    (
        "CN-HI",
        "government",
        200,
        date(2024, 3, 15),
        "government-below-500",
        VOLUNTARY,
        SELF,
        HAINAN_ITEMS,
        date(2024, 9, 15),
    ),
    (
        "CN-HI",
        "government",
        499,
        date(2023, 8, 31),
        "government-below-500",
        VOLUNTARY,
        SELF,
        HAINAN_ITEMS,
        date(2024, 2, 29),
    ),
    (
        "CN-HI",
        "government",
        500,
        date(2024, 4, 16),
        "government-500-plus",
        ENCOURAGED,
        SELF,
        HAINAN_ITEMS,
        date(2024, 10, 16),
    ),
    ("CN-HI", "enterprise", 199, date(2024, 12, 31), "other-hosts", VOLUNTARY, SELF, HAINAN_ITEMS, date(2025, 6, 30)),
    ("CN-HI", "association", 200, date(2025, 1, 10), "other-hosts", VOLUNTARY, SELF, HAINAN_ITEMS, date(2025, 7, 10)),
    ("CN-HI", "other", 499, date(2025, 5, 31), "other-hosts", VOLUNTARY, SELF, HAINAN_ITEMS, date(2025, 11, 30)),
    ("CN-HI", "enterprise", 500, date(2025, 3, 31), "other-hosts", VOLUNTARY, SELF, HAINAN_ITEMS, date(2025, 9, 30)),
    (
        "CN-SD",
        "government",
        199,
        date(2024, 8, 31),
        "below-200-government",
        ENCOURAGED,
        SELF,
        SHANDONG_ITEMS,
        date(2025, 2, 28),
    ),
    ("CN-SD", "government", 200, date(2024, 5, 19), "200-499", ENCOURAGED, SELF, SHANDONG_ITEMS, date(2024, 11, 19)),
    ("CN-SD", "government", 499, date(2024, 5, 19), "200-499", ENCOURAGED, SELF, SHANDONG_ITEMS, date(2024, 11, 19)),
    ("CN-SD", "government", 500, date(2024, 5, 19), "500-plus", ENCOURAGED, THIRD, (), date(2024, 11, 19)),
    (
        "CN-SD",
        "enterprise",
        199,
        date(2024, 2, 29),
        "below-200-other",
        VOLUNTARY,
        SELF,
        SHANDONG_ITEMS,
        date(2024, 8, 29),
    ),
    ("CN-SD", "association", 200, date(2024, 10, 1), "200-499", ENCOURAGED, SELF, SHANDONG_ITEMS, date(2025, 4, 1)),
    ("CN-SD", "other", 499, date(2024, 10, 1), "200-499", ENCOURAGED, SELF, SHANDONG_ITEMS, date(2025, 4, 1)),
    ("CN-SD", "association", 500, date(2024, 10, 1), "500-plus", ENCOURAGED, THIRD, (), date(2025, 4, 1)),
]


@pytest.mark.parametrize(
    ("jurisdiction", "host", "participants", "ends_on", "band", "obligation", "method", "items", "deadline"), CASES
)
def test_resolves_band_obligation_confirmation_and_deadline(
    jurisdiction: str,
    host: str,
    participants: int,
    ends_on: date,
    band: str,
    obligation: Obligation,
    method: ConfirmationMethod,
    items: tuple[str, ...],
    deadline: date,
) -> None:
    result = resolve(jurisdiction, host, participants, ends_on)
    assert (result.band_id, result.obligation, result.confirmation_method) == (band, obligation, method)
    assert result.self_commitment_contents == tuple(DisclosureField(i) for i in items)
    assert result.neutrality_deadline == deadline
    assert result.fallback is False


def test_shandong_500_plus_accepts_only_third_party_evaluation() -> None:
    result = resolve("CN-SD", "enterprise", 30000, date(2024, 11, 3))
    assert result.accepted_confirmation_methods == (THIRD,)
    assert result.confirmation_source.clause == "三、实施范围（一）"
    assert "第三方机构" in result.confirmation_source.quote


def test_shandong_new_sink_projects_get_one_and_two_years() -> None:
    result = resolve("CN-SD", "association", 30000, date(2024, 11, 3))
    deadlines = {d.id: d for d in result.sink_project_deadlines}
    assert deadlines["sink-project-application"].due_on == date(2025, 11, 3)
    assert deadlines["sink-measurement-and-validation"].due_on == date(2026, 11, 3)
    assert set(deadlines["sink-project-application"].applies_to) == {OffsetKind.FORESTRY_SINK, OffsetKind.OCEAN_SINK}


def test_resolution_lists_the_disclosures_of_its_band() -> None:
    government = resolve("CN-HI", "government", 500, date(2024, 4, 16))
    assert [rule.id for rule in government.disclosures] == ["government-events", "cancellations"]
    forum = resolve("CN-SD", "enterprise", 320, date(2024, 6, 1))
    assert [rule.id for rule in forum.disclosures] == ["implementation-plan", "self-commitment", "cancellations"]


def test_hainan_sets_no_sink_deadlines() -> None:
    assert resolve("CN-HI", "government", 2800, date(2024, 4, 16)).sink_project_deadlines == ()


def test_other_jurisdictions_fall_back_to_the_national_guideline() -> None:
    result = resolve("CN-GD", "enterprise", 800, date(2024, 8, 31))
    assert (result.profile_id, result.profile_jurisdiction, result.fallback) == ("national-2019", "CN", True)
    assert result.requested_jurisdiction == "CN-GD"
    assert result.neutrality_deadline == date(2025, 8, 31)
    assert result.neutrality_deadline_source.verified is False


def test_jurisdiction_codes_are_case_insensitive() -> None:
    assert resolve(" cn-hi ", "government", 500, date(2024, 4, 16)).profile_id == "hainan-2023"


@pytest.mark.parametrize("jurisdiction", ["Hainan", "US-CA", ""])
def test_unknown_jurisdictions_are_refused(jurisdiction: str) -> None:
    with pytest.raises(UnknownJurisdiction):
        resolve(jurisdiction, "government", 500, date(2024, 4, 16))


@pytest.mark.parametrize(("host", "participants"), [("ministry", 500), ("government", -1)])
def test_bad_event_facts_are_refused(host: str, participants: int) -> None:
    with pytest.raises(InvalidPolicyQuery):
        resolve("CN-HI", host, participants, date(2024, 4, 16))


def test_a_datetime_end_is_refused_because_its_day_depends_on_the_time_zone() -> None:
    with pytest.raises(InvalidPolicyQuery, match="date in local time"):
        resolve("CN-HI", "government", 500, datetime(2024, 4, 16, 23, 30, tzinfo=UTC))


def test_lists_the_shipped_profiles() -> None:
    assert {(p.id, p.jurisdiction) for p in list_profiles()} == {
        ("national-2019", "CN"),
        ("hainan-2023", "CN-HI"),
        ("shandong-2023", "CN-SD"),
    }


CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_rule_cites_a_clause_with_a_chinese_quote() -> None:
    for profile in list_profiles():
        keys = {document.key for document in profile.documents}
        for source in profile.sources():
            assert source.document in keys
            assert source.clause.strip(), profile.id
            assert CJK.search(source.quote), (profile.id, source.clause)
            assert source.verified or source.note, (profile.id, source.clause)


def test_hainan_offset_order_and_certificate() -> None:
    hainan = load_profiles().get("hainan-2023")
    assert [list(tier.kinds) for tier in hainan.offsets.tiers] == [
        ["afforestation", "key_emitter_allowance_donation", "personal_carbon_inclusion"],
        ["provincial_carbon_inclusion"],
        ["ccer_in_province"],
        ["cea"],
        ["cer", "vcu"],
    ]
    assert hainan.offsets.tiers[1].unit_types == ("HNCI",)
    assert hainan.certificate.issued and hainan.certificate.issuer is not None
    assert hainan.certificate.issuer.zh == "海南省国家生态文明试验区建设领导小组办公室"
    assert (hainan.audit.random_audits, hainan.audit.revocation) == (True, True)
    disclosed = {rule.id: rule.fields for rule in hainan.disclosure}
    assert disclosed["government-events"] == tuple(DisclosureField(i) for i in HAINAN_ITEMS)


def test_shandong_offset_order_sink_rule_and_no_certificate_issuer() -> None:
    shandong = load_profiles().get("shandong-2023")
    assert [list(tier.kinds) for tier in shandong.offsets.tiers] == [
        ["forestry_sink", "ocean_sink", "provincial_carbon_inclusion", "personal_carbon_inclusion"],
        ["ccer_in_province", "other_mechanism"],
        ["cea", "key_emitter_allowance_donation"],
    ]
    assert shandong.offsets.tiers[0].unit_types == ("SDCI",)
    assert [c.id for c in shandong.offsets.constraints] == ["new-sink-exclusive"]
    assert shandong.certificate.issued is False and shandong.certificate.issuer is None
    assert shandong.certificate.note is not None and "names no certificate" in shandong.certificate.note
    assert (shandong.audit.random_audits, shandong.audit.revocation) == (False, False)
    document = shandong.documents[0]
    assert (document.number, document.date, len(document.issuers)) == ("鲁环发〔2023〕2号", date(2023, 1, 2), 8)


def test_hainan_document_gaps_are_explained_not_invented() -> None:
    document = load_profiles().get("hainan-2023").documents[0]
    assert (document.number, document.date, document.issuers) == (None, None, ())
    assert document.note is not None and "no issuer" in document.note


MINIMAL = """
id = "{id}"
version = "1.0.0"
jurisdiction = "{jurisdiction}"
title = {{ zh = "测试省大型活动碳中和", en = "Test province" }}
{extra}

[[documents]]
key = "doc"
name = "测试省大型活动碳中和指导意见"
name_en = "Test guidance"
issuers = ["测试省生态环境厅"]
date = 2025-01-01
number = "测环发〔2025〕1号"

[[bands]]
id = "all"
label = {{ zh = "所有活动", en = "All events" }}
host_types = ["government", "enterprise", "association", "other"]
{band_extra}

[bands.obligation]
level = "required"
source = {{ document = "doc", clause = "一", quote = "大型活动应当实施碳中和" }}

[bands.confirmation]
methods = ["third_party"]
source = {{ document = "doc", clause = "二", quote = "委托第三方机构评价" }}

[deadlines.neutrality]
id = "neutrality"
label = {{ zh = "完成时间", en = "Neutrality complete" }}
months_after_end = 3
source = {{ document = "doc", clause = "三", quote = "活动结束后3个月内完成" }}

[offsets]
accepted = ["ccer", "cea"]
accepted_source = {{ document = "doc", clause = "四", quote = "使用CCER或配额抵消" }}
{offsets_extra}

[certificate]
issued = false
source = {{ document = "doc", clause = "五", quote = "不颁发证书" }}

[audit]
random_audits = true
revocation = true
source = {{ document = "doc", clause = "六", quote = "随机抽查" }}
"""


def write_profile(folder: Path, profile_id: str, jurisdiction: str, **parts: str) -> Path:
    fields = {"extra": "", "band_extra": "", "offsets_extra": "", **parts}
    path = folder / f"{profile_id}.toml"
    path.write_text(MINIMAL.format(id=profile_id, jurisdiction=jurisdiction, **fields), encoding="utf-8")
    return path


def test_a_third_province_is_one_more_file(tmp_path: Path) -> None:
    shutil.copy(PROFILES_DIR / "national-2019.toml", tmp_path)
    write_profile(tmp_path, "testprovince-2025", "CN-GD")
    registry = load_profiles(tmp_path)
    result = registry.resolve("CN-GD", "enterprise", 150, date(2025, 11, 30))
    assert (result.profile_id, result.fallback, result.obligation) == ("testprovince-2025", False, "required")
    assert result.confirmation_method == THIRD
    assert result.neutrality_deadline == date(2026, 2, 28)
    assert registry.resolve("CN-ZJ", "enterprise", 150, date(2025, 11, 30)).profile_id == "national-2019"


def test_a_new_version_takes_over_from_its_effective_date(tmp_path: Path) -> None:
    write_profile(tmp_path, "testprovince-2023", "CN-GD")
    write_profile(tmp_path, "testprovince-2025", "CN-GD", extra="effective_from = 2025-01-01")
    registry = load_profiles(tmp_path)
    assert registry.resolve("CN-GD", "other", 10, date(2024, 12, 31)).profile_id == "testprovince-2023"
    assert registry.resolve("CN-GD", "other", 10, date(2025, 1, 1)).profile_id == "testprovince-2025"


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        ({"extra": 'colour = "green"'}, "colour"),
        ({"band_extra": "min_participants = 10"}, "do not cover|gap"),
        ({"band_extra": "max_participants = 499"}, "do not cover 500"),
        (
            {
                "offsets_extra": '[[offsets.tiers]]\nrank = 1\nlabel = { zh = "一", en = "One" }\nkinds = ["vcu"]\n'
                'source = { document = "doc", clause = "四", quote = "优先VCU" }'
            },
            "not accepted",
        ),
        (
            {
                "offsets_extra": '[[offsets.tiers]]\nrank = 2\nlabel = { zh = "一", en = "One" }\nkinds = ["ccer"]\n'
                'source = { document = "doc", clause = "四", quote = "优先CCER" }'
            },
            "ranked 1, 2, 3",
        ),
    ],
)
def test_invalid_profiles_are_refused(tmp_path: Path, parts: dict[str, str], message: str) -> None:
    path = write_profile(tmp_path, "broken-2025", "CN-GD", **parts)
    with pytest.raises(PolicyProfileError, match=message):
        load_profiles(path.parent)


def test_a_source_must_cite_a_listed_document(tmp_path: Path) -> None:
    path = write_profile(tmp_path, "broken-2025", "CN-GD")
    path.write_text(
        path.read_text(encoding="utf-8").replace('document = "doc", clause = "六"', 'document = "other", clause = "六"')
    )
    with pytest.raises(PolicyProfileError, match="cites document 'other'"):
        load_profiles(tmp_path)


def test_an_unverified_source_must_say_what_to_check(tmp_path: Path) -> None:
    path = write_profile(tmp_path, "broken-2025", "CN-GD")
    path.write_text(
        path.read_text(encoding="utf-8").replace('quote = "随机抽查" }', 'quote = "随机抽查", verified = false }')
    )
    with pytest.raises(PolicyProfileError, match="unverified source needs a note"):
        load_profiles(tmp_path)


def test_the_id_must_match_the_file_name(tmp_path: Path) -> None:
    path = write_profile(tmp_path, "testprovince-2025", "CN-GD")
    path.rename(tmp_path / "elsewhere-2025.toml")
    with pytest.raises(PolicyProfileError, match="must equal the file name"):
        load_profiles(tmp_path)


def test_two_profiles_in_force_from_the_same_date_are_refused(tmp_path: Path) -> None:
    write_profile(tmp_path, "testprovince-2025", "CN-GD")
    write_profile(tmp_path, "testprovince-bis", "CN-GD")
    with pytest.raises(PolicyProfileError, match="same date"):
        load_profiles(tmp_path)
