"""index.html is one self-contained page with every data string escaped."""

from __future__ import annotations

import json
import re

from equitykit.execute import DistrictResult
from equitykit.execute._index import render_index


def test_every_string_is_escaped_and_nothing_is_fetched(tmp_path):
    (tmp_path / "A&B").mkdir()
    findings = [{"title": "<script>alert(1)</script>", "statement": "x < y & z"}] * 4
    (tmp_path / "A&B" / "findings.json").write_text(json.dumps(findings))
    results = [
        DistrictResult("A&B", "ok", outputs={"findings": "A&B/findings.json",
                                             "html": "A&B/audit.html"}),
        DistrictResult("<D2>", "failed", error={"cell": 5, "name": "KeyError",
                                                "message": "'<img src=x>'"}),
        DistrictResult("D3", "invalid", problems=["students.csv, column 'sex': \"Q\" <bad>"]),
    ]
    page = render_index(results, tmp_path, title="Audit <Client>")
    assert "<script>" not in page and "<img" not in page and "<D2>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.count("x &lt; y &amp; z") == 3  # top three findings only
    assert 'href="A%26B/audit.html"' in page
    assert "cell 5: KeyError: &#x27;&lt;img src=x&gt;&#x27;" in page
    assert "column &#x27;sex&#x27;: &quot;Q&quot; &lt;bad&gt;" in page
    assert "<title>Audit &lt;Client&gt;: all districts</title>" in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "1 ok, 1 failed, 1 invalid" in page
