"""The README's "Use it from Python" and "Use it from Hermes" snippets run
as written against a real server (only the URL is replaced)."""

import os
import re

import pytest

README = os.path.join(os.path.dirname(__file__), "..", "..", "..", "README.md")


def snippet(section):
    with open(README, encoding="utf-8") as f:
        text = f.read()
    body = text.split("## " + section + "\n", 1)[1].split("\n## ", 1)[0]
    return re.search(r"```python\n(.*?)```", body, re.S).group(1)


@pytest.mark.parametrize("section", ["Use it from Python", "Use it from Hermes"])
def test_readme_snippet_runs(fresh_server, section, capsys):
    code = snippet(section).replace("http://127.0.0.1:8377", fresh_server.url)
    exec(compile(code, "README.md:" + section, "exec"), {})
    assert capsys.readouterr().out  # every snippet prints something
