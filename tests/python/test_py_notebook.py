"""examples/notebook.ipynb runs from top to bottom.

The notebook is JSON (nbformat 4): its code cells are executed in order in
one namespace, as a kernel would, with the standard library only (no
Jupyter kernel needs installing for the test suite); the value of each
cell's last expression is rendered the way Jupyter would (``_repr_html_``
when present, or the image of a chart: exactly one of ``_repr_png_`` /
``_repr_svg_``, so one picture shows) so display code is exercised too."""

import ast
import json
import os

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
NOTEBOOK = os.path.join(ROOT, "examples", "notebook.ipynb")


def test_example_notebook_executes():
    with open(NOTEBOOK, encoding="utf-8") as f:
        nb = json.load(f)
    assert nb["nbformat"] == 4
    ns = {"__name__": "__main__"}
    code_cells = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code_cells
    charts = 0
    for i, cell in enumerate(code_cells):
        src = "".join(cell["source"])
        tree = ast.parse(src, filename=f"cell {i}")
        last = tree.body[-1] if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        if last is not None:
            tree.body = tree.body[:-1]
        exec(compile(tree, f"cell {i}", "exec"), ns)
        if last is not None:
            value = eval(compile(ast.Expression(last.value), f"cell {i}", "eval"), ns)
            images = [getattr(value, m)() for m in ("_repr_png_", "_repr_svg_") if hasattr(value, m)]
            images = [im for im in images if im is not None]
            if images:
                assert len(images) == 1, f"cell {i} would show {len(images)} images"
                charts += 1
            html = getattr(value, "_repr_html_", None)
            rendered = images[0] if images else html() if callable(html) else repr(value)
            assert rendered
    assert charts >= 2
