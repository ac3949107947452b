"""The web app: JSON API (same JSON as the CLI), pages, errors, security headers, fuzzing.

Browser tests are in test_web_browser.py; this file needs no browser.
"""

from __future__ import annotations

import json
import re
import socket
import string
import warnings
from html.parser import HTMLParser
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's note that TestClient will move to httpx2
    from fastapi.testclient import TestClient

from foedus.web import create_app
from foedus.web.app import MAX_QUERY_BYTES


@pytest.fixture(scope="module")
def app():
    return create_app()


@pytest.fixture(scope="module")
def client(app):
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def cli_json(*args: str):
    """What `foedus ARGS --json` prints, parsed."""
    from typer.testing import CliRunner

    from foedus.cli import app as cli

    result = CliRunner().invoke(cli, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def by_name(rows):
    return {row["name"]: row for row in rows}


# ---------------------------------------------------------------- the JSON API = the CLI's --json


def test_api_allies_of_north_korea_2025_06_01_include_russia_and_china_for_defense(client):
    response = client.get("/api/allies", params={"state": "PRK", "date": "2025-06-01"})
    assert response.status_code == 200
    rows = response.json()
    defense = {row["ccode"] for row in rows if "defense" in row["provisions"]}
    assert {365, 710} <= defense
    for row in rows:
        assert {"ccode", "name", "treaty_id", "provisions", "since"} <= row.keys()


def test_api_allies_is_the_cli_json(client):
    api = client.get("/api/allies", params={"state": "PRK", "date": "2025-06-01"}).json()
    assert api == cli_json("allies", "PRK", "--date", "2025-06-01")


def test_api_respond_usa_attacks_prk_2025_obligates_russia_art_4_and_china_art_ii(client):
    response = client.get(
        "/api/respond", params={"attacker": "USA", "target": "PRK", "date": "2025-01-01"}
    )
    assert response.status_code == 200
    body = response.json()
    assert {"scenario", "responses"} <= body.keys()
    obligated = {r["ccode"]: r for r in body["responses"] if r["verdict"] == "obligated"}
    assert obligated[365]["article"].removeprefix("Art. ") == "4"
    assert obligated[710]["article"].removeprefix("Art. ") == "II"
    for r in body["responses"]:
        assert {"ccode", "name", "verdict", "treaty_id", "article", "trace"} <= r.keys()


def test_api_respond_is_the_cli_json(client):
    api = client.get(
        "/api/respond", params={"attacker": "USA", "target": "PRK", "date": "2025-01-01"}
    ).json()
    assert api == cli_json(
        "respond", "--attacker", "USA", "--target", "PRK", "--date", "2025-01-01"
    )


def test_api_respond_with_cascade_and_kind_is_the_cli_json(client):
    params = [
        ("attacker", "USA"),
        ("target", "PRK"),
        ("date", "2025-01-01"),
        ("kind", "state-of-war"),
        ("cascade", "true"),
    ]
    api = client.get("/api/respond", params=params).json()
    assert api == cli_json(
        "respond",
        "--attacker",
        "USA",
        "--target",
        "PRK",
        "--date",
        "2025-01-01",
        "--kind",
        "state-of-war",
        "--cascade",
    )


def test_api_respond_2023_china_obligated_russia_not(client):
    body = client.get(
        "/api/respond", params={"attacker": "USA", "target": "PRK", "date": "2023-01-01"}
    ).json()
    verdicts = {r["ccode"]: r["verdict"] for r in body["responses"]}
    assert verdicts[710] == "obligated"
    assert verdicts.get(365, "not_obligated") != "obligated"


def test_api_treaty_is_the_cli_json(client):
    response = client.get("/api/treaty/rus_prk_2024")
    assert response.status_code == 200
    assert response.json() == cli_json("treaty", "rus_prk_2024")


def test_api_treaties_is_the_cli_json(client):
    api = client.get("/api/treaties", params={"state": "PRK", "date": "2025-06-01"}).json()
    assert api == cli_json("treaties", "--state", "PRK", "--date", "2025-06-01")
    assert any(t.get("id", t.get("treaty_id")) == "rus_prk_2024" for t in api)


def test_api_history_is_the_cli_json(client):
    api = client.get("/api/history", params={"a": "RUS", "b": "PRK"}).json()
    assert api == cli_json("history", "RUS", "PRK")
    text = json.dumps(api)
    for treaty_id in ("ussr_prk_1961", "rus_prk_2000", "rus_prk_2024"):
        assert treaty_id in text


def test_api_network_is_the_cli_json(client):
    api = client.get("/api/network", params={"year": "1914"}).json()
    assert api == cli_json("network", "--year", "1914")
    assert client.get("/api/network", params={"date": "1914-01-01"}).json() == api
    day = client.get("/api/network", params={"date": "1914-06-28"}).json()
    assert day == cli_json("network", "--date", "1914-06-28")


def test_api_network_with_seed_and_kinds_is_the_cli_json(client):
    params = {"date": "1990-01-01", "seed": "3", "kinds": "defense,offense"}
    api = client.get("/api/network", params=params).json()
    assert api == cli_json(
        "network", "--date", "1990-01-01", "--seed", "3", "--kinds", "defense,offense"
    )
    assert api["weights"] == {"defense": 3, "offense": 3}


def test_api_network_1914_has_the_entente_and_central_powers_in_different_pole_blocs(client):
    body = client.get("/api/network", params={"year": "1914"}).json()
    bloc = {row["abbrev"]: row for row in body["blocs"]}
    assert bloc["FRN"]["bloc"] == bloc["RUS"]["bloc"] != bloc["GMY"]["bloc"] == bloc["AUH"]["bloc"]
    assert bloc["FRN"]["pole"]
    assert bloc["GMY"]["pole"]
    assert body["n_poles"] == len({r["bloc"] for r in body["blocs"] if r["pole"]})
    eigen = [row["eigenvector"] for row in body["centrality"]]
    assert eigen == sorted(eigen, reverse=True)


def test_cli_network_json_keeps_its_keys_and_the_domain_frames():
    """`foedus network --json` prints the same keys, in the same order, as before the web API
    shared its serialisation, and each frame is the domain function's."""
    from foedus import network

    out = cli_json("network", "--year", "1914")
    assert list(out) == [
        "date", "n_states", "n_ties", "density", "n_poles", "ties", "blocs", "centrality", "weights",
    ]  # fmt: skip
    assert out["date"] == "1914-01-01"
    assert out["blocs"] == network.blocs(1914).to_dicts()
    assert out["ties"] == network.graph(1914).to_dicts()
    assert (
        out["centrality"]
        == network.centrality(1914).sort("eigenvector", descending=True).to_dicts()
    )
    assert out["weights"] == dict(network.OBLIGATION_WEIGHTS)


def test_network_page_1914_shows_pole_blocs_central_states_and_links(client):
    response = client.get("/network", params={"year": "1914"})
    assert response.status_code == 200
    text = response.text
    assert "The alliance network on 1914-01-01" in text
    blocs = text[text.index('<table class="blocs">') : text.index('<table class="central">')]
    assert blocs.count('class="bloc pole"') == 3
    assert "36.4%" in blocs  # the British-led bloc's CINC share
    assert '<a href="/map?state=220&amp;date=1914-01-01" data-ccode="220">France</a>' in blocs
    central = text[text.index('<table class="central">') : text.index('class="network-ties"')]
    assert "Italy" in central
    assert '<a href="/pair?a=220&amp;b=365">France – Russia</a>' in text
    assert 'value="1914"' in text  # the slider holds the year
    assert 'href="/network?year=1913"' in text
    assert 'href="/network?year=1915"' in text
    assert 'href="/api/network?year=1914"' in text
    assert 'aria-current="page">Network</a>' in text


def test_network_page_summary_agrees_with_the_domain(client):
    from foedus import network

    row = network.summary(1914)
    text = client.get("/network", params={"year": "1914"}).text
    assert f"<strong>{row['n_poles']}</strong>" in text
    assert f"{row['effective_poles']:.2f}" in text
    assert f"density {row['density']:.3f}" in text


def test_network_page_polarity_chart_links_every_year(client):
    from foedus import dates

    text = client.get("/network", params={"year": "1914"}).text
    chart = text[text.index('<figure class="polarity">') : text.index("</figure>")]
    years = re.findall(r'href="/network\?year=(\d{4})"', chart)
    assert years == [str(y) for y in range(1816, dates.today().year + 1)]
    assert '<polyline class="poles"' in chart


@pytest.mark.parametrize(
    ("params", "status", "words"),
    [
        ({"year": "1700"}, 400, "year 1700 is outside"),
        ({"year": "abc"}, 400, "year &#39;abc&#39; is not a year"),
        ({"year": "1914", "seed": "x"}, 400, "seed"),
        ({"year": "1914", "kinds": "alliance"}, 400, "alliance"),
    ],
)
def test_network_page_with_bad_input_says_what_is_wrong(client, params, status, words):
    response = client.get("/network", params=params)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert words in response.text
    assert '<figure class="polarity">' in response.text  # the page stays usable


def test_api_states_on_2025_include_north_korea_not_the_soviet_union_twice(client):
    rows = client.get("/api/states", params={"date": "2025-06-01"}).json()
    codes = [r["ccode"] for r in rows]
    assert 731 in codes
    assert 365 in codes
    assert len(codes) == len(set(codes))


def test_api_search_finds_north_korea_and_the_2024_treaty(client):
    body = client.get("/api/search", params={"q": "korea"}).json()
    assert 731 in {s["ccode"] for s in body["states"]}
    assert "rus_prk_2024" in {t["id"] for t in body["treaties"]}


def test_api_map_gives_north_korea_its_cow_code_and_germany_its_1960_code(client):
    now = client.get("/api/map", params={"date": "2025-06-01"}).json()["features"]
    assert now["408"]["ccode"] == 731
    assert now["408"]["member"]
    assert now["276"]["ccode"] == 255
    then = client.get("/api/map", params={"date": "1960-01-01"}).json()["features"]
    assert then["276"]["ccode"] == 260  # West Germany


def test_openapi_lists_every_api_route(client):
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/allies",
        "/api/respond",
        "/api/treaties",
        "/api/treaty/{treaty_id}",
        "/api/history",
        "/api/search",
        "/api/states",
        "/api/map",
        "/api/network",
    ):
        assert path in paths


# ---------------------------------------------------------------- bad input: a clear 4xx, never a 5xx


@pytest.mark.parametrize(
    ("url", "status", "words"),
    [
        ("/api/allies?state=Narnia", 404, "unknown state 'Narnia'"),
        ("/api/allies?state=PRK&date=2025-13-01", 400, "not a valid date"),
        ("/api/allies?state=PRK&date=1700-01-01", 400, "outside"),
        ("/api/allies?state=PRK&date=2999-01-01", 400, "outside"),
        ("/api/allies", 422, "state"),
        ("/api/allies?state=", 422, "state"),
        ("/api/respond?attacker=PRK&target=PRK", 400, ""),
        ("/api/respond?attacker=USA&target=Atlantis", 404, "Atlantis"),
        ("/api/respond?target=PRK", 422, "attacker"),
        ("/api/respond?attacker=USA&target=PRK&kind=invasion", 400, "invasion"),
        ("/api/respond?attacker=USA&target=PRK&place=Mordor", 404, "Mordor"),
        ("/api/treaty/no_such_treaty", 404, "no_such_treaty"),
        ("/api/history?a=RUS", 422, "b"),
        ("/api/states?date=yesterday", 400, "yesterday"),
        ("/api/search?q=", 422, "q"),
        ("/api/nothing-here", 404, "/api/nothing-here"),
        ("/api/network?year=1700", 400, "year 1700 is outside foedus's coverage"),
        ("/api/network?year=abc", 400, "year 'abc' is not a year"),
        ("/api/network?year=²²²²", 400, "is not a year"),
        ("/api/network?date=abc", 400, "not a valid date"),
        ("/api/network?date=1700-01-01", 400, "outside"),
        ("/api/network?year=1914&date=1914-01-01", 400, "not both"),
        ("/api/network?year=1914&kinds=alliance", 400, "unknown obligation kind(s) ['alliance']"),
        ("/api/network?year=1914&seed=-1", 422, "seed"),
    ],
)
def test_bad_input_is_a_4xx_with_a_clear_message(client, url, status, words):
    response = client.get(url)
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"]
    assert words in body["error"]


def test_an_oversized_query_is_refused_with_414(client):
    response = client.get("/api/allies?state=" + "x" * (MAX_QUERY_BYTES + 1))
    assert response.status_code == 414
    assert "shorten" in response.json()["error"]


def test_a_long_parameter_is_refused_with_422(client):
    response = client.get("/api/allies", params={"state": "x" * 500})
    assert response.status_code == 422


def test_too_many_attackers_are_refused(client):
    params = [
        ("attacker", a) for a in ("USA", "GBR", "FRA", "DEU", "JPN", "ITA", "CAN", "AUS", "ESP")
    ]
    response = client.get("/api/respond", params=[*params, ("target", "PRK")])
    assert 400 <= response.status_code < 500


def test_a_page_with_bad_input_keeps_the_form_and_says_what_is_wrong(client):
    response = client.get(
        "/scenario", params={"attacker": "USA", "target": "Narnia", "date": "2025-01-01"}
    )
    assert response.status_code == 404
    assert "unknown state" in response.text
    assert 'value="Narnia"' in response.text


@pytest.mark.parametrize(
    "url",
    [
        "/static/../pyproject.toml",
        "/static/%2e%2e/app.py",
        "/static/%2e%2e/%2e%2e/%2e%2e/pyproject.toml",
        "/static/..%2fapp.py",
        "/static/js/..%2f..%2fapp.py",
        "/static//etc/passwd",
        "/static/%2fetc%2fpasswd",
        "/static/....//app.py",
        "/static/js/%00.js",
    ],
)
def test_no_path_traversal_through_static(client, url):
    response = client.get(url)
    assert response.status_code in (400, 404), url
    assert "import" not in response.text
    assert "root:" not in response.text


# ---------------------------------------------------------------- security headers, no inline code


PAGES = [
    "/",
    "/map?date=2025-06-01&state=PRK",
    "/map?date=2023-06-01&state=North+Korea",
    "/treaties",
    "/treaties?state=PRK&date=2025-06-01&kind=defense",
    "/treaty/rus_prk_2024",
    "/treaty/nato_1949",
    "/pair?a=RUS&b=PRK",
    "/pair",
    "/scenario",
    "/scenario?attacker=USA&target=PRK&date=2025-01-01",
    "/scenario?attacker=USA&target=PRK&date=2025-01-01&cascade=1",
    "/search?q=korea",
    "/search",
    "/docs",
    "/network?year=1914",
    "/network",
]


@pytest.mark.parametrize(
    "url",
    [
        *PAGES,
        "/api/allies?state=PRK",
        "/api/allies?state=Narnia",
        "/nothing",
        "/static/css/foedus.css",
        "/static/js/map.js",
        "/openapi.json",
    ],
)
def test_security_headers_on_every_response(client, url):
    headers = client.get(url).headers
    csp = headers["content-security-policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"]


class _InlineCode(HTMLParser):
    """Collects what a CSP without 'unsafe-inline' would block: inline scripts, styles, handlers."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        names = {k for k, _ in attrs}
        if tag == "script":
            self._in_script = "src" not in names
            if self._in_script:
                self.found.append("inline <script>")
        if tag == "style":
            self.found.append("<style>")
        if "style" in names:
            self.found.append(f"style= on <{tag}>")
        self.found += [f"{k}= on <{tag}>" for k in names if k.startswith("on")]
        self.found += [
            f"javascript: URL on <{tag}>"
            for k, v in attrs
            if v and v.strip().lower().startswith("javascript:")
        ]

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False


@pytest.mark.parametrize("url", PAGES)
def test_pages_render_without_inline_scripts_or_styles(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    parser = _InlineCode()
    parser.feed(response.text)
    assert parser.found == []


def test_map_page_for_prk_lists_russia_and_china_as_defense_allies(client):
    text = client.get("/map", params={"date": "2025-06-01", "state": "PRK"}).text
    panel = text[text.index('class="allies"') :]
    for ally in ("Russia", "China"):
        assert ally in panel
    assert "kind-defense" in panel


def test_treaty_page_shows_articles_parties_sources(client):
    text = client.get("/treaty/rus_prk_2024").text
    assert "Article 4" in text or "Art. 4" in text
    assert "2024-12-04" in text
    assert "kcnawatch.org" in text
    assert "North Korea" in text
    assert "Russia" in text


def test_treaty_page_links_atop_when_the_treaty_has_an_atop_id(client):
    from foedus.treaties import registry

    linked = next((t for t in registry().treaties if t.origin == "curated" and t.atop_ids), None)
    if linked is None:
        pytest.skip("no curated treaty carries an ATOP id yet")
    text = client.get(f"/treaty/{linked.id}").text
    assert f"/atop/{linked.atop_ids[0]}" in text
    atop_page = client.get(f"/atop/{linked.atop_ids[0]}")
    assert atop_page.status_code == 200
    assert f"/treaty/{linked.id}" in atop_page.text
    assert client.get(f"/api/atop/{linked.atop_ids[0]}").json()["linked_to"] == linked.id


def test_scenario_page_groups_verdicts_and_cites_articles(client):
    text = client.get(
        "/scenario", params={"attacker": "USA", "target": "PRK", "date": "2025-01-01"}
    ).text
    assert 'class="responses verdict-obligated"' in text
    for ccode, article in ((365, "Art. 4"), (710, "Art. II")):
        found = re.search(
            rf'data-ccode="{ccode}" data-verdict="obligated">\s*<details>\s*<summary>(.*?)</summary>',
            text,
            re.S,
        )
        assert found, ccode
        assert article in found.group(1)
    assert '<table class="checks">' in text  # the trace: every condition checked


def test_scenario_page_json_link_gives_the_same_scenario_from_the_api(client):
    params = {
        "attacker": "USA",
        "target": "PRK",
        "date": "2025-01-01",
        "place": "",
        "kind": "state-of-war",
        "provoked": "",
        "cascade": "1",
    }
    text = client.get("/scenario", params=params).text
    link = re.search(r'class="json-link" href="([^"]+)"', text).group(1).replace("&amp;", "&")
    response = client.get(link)
    assert response.status_code == 200
    body = response.json()
    assert body["scenario"]["date"] == "2025-01-01"
    assert "rounds" in body


@pytest.mark.parametrize(
    ("cascade", "provoked", "expected"),
    [
        ("no", "off", ["provoked=false"]),
        ("off", "False", ["provoked=false"]),
        ("1", "1", ["cascade=true", "provoked=true"]),
        ("on", "yes", ["cascade=true", "provoked=true"]),
        ("", "", []),
    ],
)
def test_scenario_page_reads_cascade_and_provoked_the_same_way(client, cascade, provoked, expected):
    # Both flags are one yes/no reading: "no"/"off"/"false" (any case) is no, empty is not said.
    params = {"attacker": "USA", "target": "PRK", "date": "2025-01-01"}
    text = client.get("/scenario", params={**params, "cascade": cascade, "provoked": provoked}).text
    link = re.search(r'class="json-link" href="([^"]+)"', text).group(1).replace("&amp;", "&")
    flags = [p for p in link.split("?", 1)[1].split("&") if p.startswith(("cascade", "provoked"))]
    assert flags == expected


def test_pair_page_shows_the_three_russia_dprk_treaties(client):
    text = client.get("/pair", params={"a": "RUS", "b": "PRK"}).text
    for treaty_id in ("ussr_prk_1961", "rus_prk_2000", "rus_prk_2024"):
        assert treaty_id in text


def test_state_in_the_url_is_kept_in_links_so_pages_can_be_shared(client):
    text = client.get("/map", params={"date": "2025-06-01", "state": "PRK"}).text
    assert "/scenario?target=731&amp;date=2025-06-01" in text
    assert 'data-date="2025-06-01"' in text


def test_unknown_page_is_an_html_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")


# ---------------------------------------------------------------- fuzzing: zero 5xx

_NASTY = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "PRK",
            "USA",
            "North Korea",
            "731",
            "0",
            "-1",
            "9" * 30,
            "2025-06-01",
            "2025-02-30",
            "1816-01-01",
            "1815-12-31",
            "armed-attack",
            "threat",
            "Guam",
            "Crimea",
            "%00",
            "../../etc",
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "\u0000",
            "\ud7ff",
            "NaN",
            "true",
            "  ",
            "²",
            "atop:²",
            "１２",
            "٧٣١",
        ]
    ),
)
_ROUTES = {
    "/api/allies": ["state", "date"],
    "/api/respond": [
        "attacker",
        "attacker",
        "target",
        "date",
        "place",
        "kind",
        "cascade",
        "provoked",
    ],
    "/api/treaties": ["state", "date", "kind"],
    "/api/history": ["a", "b"],
    "/api/states": ["date"],
    "/api/search": ["q"],
    "/api/map": ["date"],
    "/map": ["state", "date"],
    "/map/panel": ["state", "date"],
    "/scenario": ["attacker", "target", "date", "place", "kind", "cascade"],
    "/pair": ["a", "b"],
    "/treaties": ["state", "date", "kind"],
    "/search": ["q"],
    "/api/network": ["date", "year", "seed", "kinds"],
    "/network": ["date", "year", "seed", "kinds"],
}


@settings(max_examples=250, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    route=st.sampled_from(sorted(_ROUTES)),
    data=st.data(),
)
def test_fuzzed_queries_never_give_a_5xx(client, route, data):
    names = data.draw(st.lists(st.sampled_from(_ROUTES[route]), max_size=6))
    params = [(name, data.draw(_NASTY)) for name in names]
    query = urlencode(params)
    response = client.get(f"{route}?{query}")
    assert response.status_code < 500, (route, params, response.text[:300])


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(segment=st.text(alphabet=string.printable + "é/%.", min_size=1, max_size=60))
def test_fuzzed_paths_never_give_a_5xx(client, segment):
    """Random path segments under the routes that take one: a 4xx at worst."""
    for prefix in ("/treaty/", "/api/treaty/", "/static/"):
        response = client.get(prefix + quote(segment, safe="/%"))
        assert response.status_code < 500, (prefix + segment, response.text[:300])


def test_schemathesis_finds_no_server_error(app):
    """Cases generated from the app's own OpenAPI schema (valid and invalid): no 5xx."""
    schemathesis = pytest.importorskip("schemathesis")

    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(
            max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        @given(case=operation.as_strategy())
        def check(case):
            response = case.call()
            if response.status_code >= 500:
                failures.append((case.path, case.path_parameters, case.query, response.status_code))

        check()
    assert failures == []


@pytest.mark.parametrize(
    "url",
    [
        "/api/allies?state=²",
        "/api/history?a=²&b=PRK",
        "/api/treaty/²",
        "/api/treaty/atop:²",
        "/api/atop/²",
        "/api/respond?attacker=²&target=PRK",
        "/map?state=²",
        "/treaty/atop:²",
    ],
)
def test_unicode_digits_are_bad_input_not_a_crash(client, url):
    # str.isdigit() is true for "²", but int("²") raises ValueError: found by fuzzing.
    assert 400 <= client.get(url).status_code < 500


def test_every_api_error_is_json_with_a_message(client):
    for url in ("/api/allies?state=Narnia", "/api/treaty/x", "/api/nothing", "/api/allies"):
        body = client.get(url).json()
        assert isinstance(body["error"], str)
        assert body["error"]
        assert re.search(r"[a-z]", body["error"])


def test_api_states_is_the_cli_json(client):
    api = client.get("/api/states", params={"date": "2025-06-01"}).json()
    assert api == cli_json("states", "--date", "2025-06-01")


def test_api_states_without_a_date_are_the_states_in_the_system_today(client):
    from foedus import dates, states

    assert client.get("/api/states").json() == states.table(dates.today())


def test_api_treaties_and_treaty_are_the_domain_summary_and_detail(client):
    from foedus.treaties import detail, summary, treaties, treaty

    rows = client.get("/api/treaties", params={"state": "RUS", "kind": "defense"}).json()
    assert rows == [summary(t) for t in treaties(state="RUS", kind="defense")]
    assert client.get("/api/treaty/atop:3440").json() == detail(treaty("atop:3440"))


def test_api_allies_with_kind_is_the_cli_json(client):
    api = client.get(
        "/api/allies", params={"state": "FIN", "date": "2024-01-01", "kind": "defense"}
    ).json()
    assert api == cli_json("allies", "FIN", "--date", "2024-01-01", "--kind", "defense")
    assert 2 in {a["ccode"] for a in api}  # the United States, through NATO


def test_serve_with_a_port_in_use_says_choose_another_port(capsys):
    from foedus.cli import main

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(SystemExit) as exit_info:
            main(["serve", "--port", str(port)])
    assert exit_info.value.code == 2
    assert "choose another --port" in capsys.readouterr().err


def test_serve_with_an_unknown_log_level_exits_2(capsys):
    from foedus.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["serve", "--log-level", "loud"])
    assert exit_info.value.code == 2
    assert "unknown log level 'loud'" in capsys.readouterr().err
