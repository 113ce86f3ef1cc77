"""The README stays true to the tree: the set-up commands CI runs, the paths of "How the code is laid out"
and "Where to add", and the links into docs/ (files and section anchors)."""
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOCS = ["README.md", *(os.path.join("docs", name) for name in sorted(os.listdir(os.path.join(ROOT, "docs")))
                       if name.endswith(".md"))]


def read(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as handle:
        return handle.read()


def section(text, heading):
    """The text under a '## heading', up to the next '## '."""
    return text.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]


def layout_paths(readme):
    """Every path the code-layout block names: top-level entries, and entries indented under a folder."""
    block = section(readme, "How the code is laid out").split("```", 2)[1]
    paths, folder = [], ""
    for line in block.splitlines():
        indent = len(line) - len(line.lstrip())
        if not line.strip() or indent > 2:  # a description running on
            continue
        names = re.split(r"\s{2,}", line.strip())[0]
        for name in names.split(", "):
            paths.append(name if indent == 0 else folder + name)
        if indent == 0 and names.endswith("/"):
            folder = names
    return paths


def slug(heading):
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_the_set_up_commands_are_the_ones_ci_and_visitors_run():
    """.ci/run greps the first line starting 'pip install -r requirements-dev.txt' and runs it."""
    lines = read("README.md").splitlines()
    assert [line for line in lines if line.startswith("pip install -r requirements-dev.txt")][0] == \
        "pip install -r requirements-dev.txt && python -m pytest"
    assert "pip install -r requirements.txt && streamlit run streamlit_app.py" in lines
    assert 'python -m pytest -m "not slow"' in lines
    assert "grep -m1 -E '^pip install -r requirements-dev.txt' README.md" in read(os.path.join(".ci", "run"))


def test_every_path_in_the_code_layout_exists():
    paths = layout_paths(read("README.md"))
    assert {"streamlit_app.py", "ui/state.py", "experiments/pool/", "nn/"} <= set(paths)  # the parser works
    assert [path for path in paths if not os.path.exists(os.path.join(ROOT, path))] == []


def test_every_file_named_in_where_to_add_exists():
    where = section(read("README.md"), "Where to add")
    named = set(re.findall(r"`((?:nn|ui|experiments|benchmarks|docs)/[\w/.]+)`", where))
    assert "nn/layers.py" in named
    assert sorted(path for path in named if not os.path.exists(os.path.join(ROOT, path))) == []


def test_links_between_the_documents_resolve():
    broken = []
    for path in DOCS:
        for target in re.findall(r"\]\(([^)\s]+)\)", read(path)):
            if target.startswith(("http://", "https://")) or target.endswith(".png"):
                continue
            file, _, anchor = target.partition("#")
            linked = os.path.normpath(os.path.join(os.path.dirname(path), file)) if file else path
            if not os.path.exists(os.path.join(ROOT, linked)):
                broken.append(f"{path}: {target}")
            elif anchor and anchor not in {slug(h) for h in re.findall(r"^#+ (.+)$", read(linked), re.M)}:
                broken.append(f"{path}: {target}")
    assert broken == []


def test_the_readme_fits_a_screen_or_two():
    assert len(read("README.md").splitlines()) <= 200
