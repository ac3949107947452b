"""Curated treaties that replace ATOP alliances carry every primary obligation ATOP codes for them.

A curated treaty that lists an ATOP id replaces that alliance in the registry, so any obligation
ATOP codes and the curated file lacks is lost from the foedus alliance panel. ATOP 5.1 codes the
peaceful-settlement / no-force articles of these treaties as non-aggression (codebook: NONAGG,
a promise "to refrain from the use of force in relations with the alliance partner, to refrain
from participating in any action against the alliance partner and/or to settle all disputes
peacefully"). Compared against ATOP's member-level file (shared/data/atop/atop5_1m.csv).
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from foedus import data
from foedus.panels import foedus_vs_atop
from foedus.treaties import ties_frame
from foedus.treaties.curated import load_curated
from foedus.treaties.model import Treaty

D = dt.date

#: ATOP member-level column -> foedus provision kind.
ATOP_KIND = {
    "defense": "defense",
    "offense": "offense",
    "neutral": "neutrality",
    "nonagg": "non_aggression",
    "consul": "consultation",
}

#: (treaty id, ccode, kind) that ATOP codes but the curated file deliberately does not carry,
#: with the reason. None today: every kind ATOP codes for a curated member has its article.
EXCEPTIONS: dict[tuple[str, int, str], str] = {}

#: Where each linked treaty's non-aggression obligation sits (ATOP codes nonagg=1 for all).
NON_AGGRESSION_ARTICLES = {
    "nato_1949": ["1"],
    "rio_1947": ["1", "2"],
    "anzus_1951": ["I", "I", "I"],  # split at the 1986 US suspension, like Arts. III and IV
    "usa_rok_1953": ["I"],
    "usa_jpn_1960": ["I"],
    "ussr_prk_1961": ["2"],
    "prc_prk_1961": ["not recorded (ATOP codes it)"],
    "csto_1992": ["1"],
}


@pytest.fixture(scope="module")
def curated() -> dict[str, Treaty]:
    return {t.id: t for t in load_curated()}


@pytest.fixture(scope="module")
def atop_members() -> pl.DataFrame:
    cols = ["atopid", "member", "phase", *ATOP_KIND]
    return pl.read_csv(data.path("atop5_1m"), columns=cols, infer_schema_length=0).with_columns(
        pl.all().cast(pl.Int64)
    )


def _binds(treaty: Treaty, ccode: int, kind: str) -> bool:
    """Whether some provision of ``kind`` binds ``ccode`` (obliged None = every member)."""
    return any(
        p.kind == kind and (p.obliged is None or ccode in p.obliged) for p in treaty.provisions
    )


def _pairs(treaty: Treaty, kind: str, day: dt.date) -> set[tuple[int, int]]:
    members = treaty.member_codes(day)
    out = set()
    for p in treaty.provisions_on(day):
        if p.kind != kind:
            continue
        for a in p.obliged or members:
            for b in p.beneficiaries or members:
                if a != b and a in members and b in members:
                    out.add((a, b))
    return out


def test_linked_curated_treaties_carry_every_primary_obligation_atop_codes_for_their_members(
    curated, atop_members
):
    linked = [t for t in curated.values() if t.atop_ids]
    assert set(NON_AGGRESSION_ARTICLES) <= {t.id for t in linked}
    missing = []
    for t in linked:
        rows = atop_members.filter(
            pl.col("atopid").is_in(t.atop_ids) & pl.col("member").is_in(t.member_codes())
        )
        assert rows.height > 0, t.id
        for row in rows.iter_rows(named=True):
            for col, kind in ATOP_KIND.items():
                key = (t.id, row["member"], kind)
                if row[col] == 1 and key not in EXCEPTIONS and not _binds(t, row["member"], kind):
                    missing.append(key)
    assert sorted(set(missing)) == []


def test_nato_article_1_is_a_non_aggression_provision_quoting_the_official_text(curated):
    nato = curated["nato_1949"]
    (art1,) = [p for p in nato.provisions if p.kind == "non_aggression"]
    assert art1.article == "1"
    assert art1.quote
    assert art1.obliged is None
    assert art1.beneficiaries is None
    assert art1.text.startswith(
        "The Parties undertake, as set forth in the Charter of the United Nations, to settle any "
        "international dispute in which they may be involved by peaceful means"
    )
    assert "refrain in their international relations from the threat or use of force" in art1.text
    assert any(s.quote and "UNTS vol. 34, p. 243" in s.citation for s in art1.sources)
    assert any("nonagg=1" in s.citation and "3180" in s.citation for s in art1.sources)
    (article,) = [a for a in nato.articles if a.number == "1"]
    assert article.text == art1.text
    assert article.quote


@pytest.mark.parametrize("treaty_id", sorted(NON_AGGRESSION_ARTICLES))
def test_non_aggression_sits_in_the_recorded_article_and_cites_atop_nonagg(curated, treaty_id):
    t = curated[treaty_id]
    found = [p for p in t.provisions if p.kind == "non_aggression"]
    assert [p.article for p in found] == NON_AGGRESSION_ARTICLES[treaty_id]
    for p in found:
        atop = [s for s in p.sources if "nonagg=1" in s.citation]
        assert atop, (treaty_id, p.article)
        assert all(str(n) in atop[0].citation for n in t.atop_ids), (treaty_id, p.article)
        assert any("Leeds" in s.citation for s in atop)
        if not p.article.startswith("not recorded"):
            # the treaty text itself is cited for the article, not only ATOP
            assert any(s.article == p.article and "ATOP" not in s.citation for s in p.sources)


def test_prc_prk_non_aggression_article_is_not_recorded_and_flagged_unverified(curated):
    t = curated["prc_prk_1961"]
    (p,) = [p for p in t.provisions if p.kind == "non_aggression"]
    assert p.article == "not recorded (ATOP codes it)"
    assert not p.quote
    assert all(not s.verified for s in p.sources)
    (note,) = [n for n in t.notes if n.text.startswith("Non-aggression: ATOP 3445")]
    assert "mutual non-aggression" in note.text
    assert "Art. III" in note.text
    assert any(not s.verified for s in note.sources)


def test_ussr_prk_article_2_is_both_non_aggression_and_no_hostile_alliance(curated):
    t = curated["ussr_prk_1961"]
    assert {p.kind for p in t.provisions if p.article == "2"} == {
        "no_other_alliance",
        "non_aggression",
    }
    (p,) = [p for p in t.provisions if p.kind == "non_aggression"]
    assert p.quote
    assert "in any action or measure, directed against the other Contracting Party" in p.text


def test_anzus_article_i_drops_the_us_new_zealand_pair_after_the_1986_suspension(curated):
    t = curated["anzus_1951"]
    everyone = {(a, b) for a in (2, 900, 920) for b in (2, 900, 920) if a != b}
    assert _pairs(t, "non_aggression", D(1980, 1, 1)) == everyone
    assert _pairs(t, "non_aggression", D(1990, 1, 1)) == everyone - {(2, 920), (920, 2)}
    # the same pairs as the Art. III consultation provisions, before and after
    for day in (D(1980, 1, 1), D(1990, 1, 1)):
        assert _pairs(t, "non_aggression", day) == _pairs(t, "consultation", day)


def test_foedus_vs_atop_has_no_atop_only_nonagg_cell_where_a_linked_treaty_binds_the_dyad(curated):
    linked_ids = [t.id for t in curated.values() if t.atop_ids]
    bound = (
        ties_frame("curated")
        .filter(pl.col("treaty_id").is_in(linked_ids))
        .select(
            pl.col("obliged").cast(pl.Int32).alias("ccode1"),
            pl.col("beneficiary").cast(pl.Int32).alias("ccode2"),
            pl.int_ranges("year_from", pl.col("year_to").fill_null(2018) + 1).alias("year"),
        )
        .explode("year")
        .with_columns(pl.col("year").cast(pl.Int32))
        .unique()
    )
    atop_only = foedus_vs_atop().filter(pl.col("atop_nonagg") > pl.col("foedus_nonagg"))
    keys = ["ccode1", "ccode2", "year"]
    lost = atop_only.select(pl.col(keys).cast(pl.Int32)).join(bound, on=keys, how="inner")
    assert lost.height == 0, lost.head(10)
    # NATO's Art. 1 reaches the registry ties: the US owes the UK non-aggression from 1949 on.
    us_uk = ties_frame("curated").filter(
        (pl.col("treaty_id") == "nato_1949")
        & (pl.col("kind") == "non_aggression")
        & (pl.col("obliged") == 2)
        & (pl.col("beneficiary") == 200)
    )
    assert us_uk["year_from"].to_list() == [1949]
    assert us_uk["year_to"].to_list() == [None]
