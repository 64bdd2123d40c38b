"""Make examples/analyse.ipynb from examples/analyse.py.

    python examples/make_notebook.py            # rewrite analyse.ipynb
    python examples/make_notebook.py --check    # exit 1 when analyse.ipynb is out of date

analyse.py is the source: its cells are marked `# %%` (code) and `# %% [markdown]`
(text, written as `# ` comments), the "percent" format that VS Code, Spyder and
jupytext also read. The notebook has no outputs and takes the run folder from
WHOSAID_RUN_DIR. Only the standard library is needed.
"""

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "analyse.py"
NOTEBOOK = HERE / "analyse.ipynb"


def cells(source):
    """(kind, lines) for each `# %%` cell of a percent-format script."""
    out = []
    for line in source.splitlines():
        if line.startswith("# %%"):
            out.append(["markdown" if "[markdown]" in line else "code", []])
        elif out:
            out[-1][1].append(line)
        elif line.strip():
            raise SystemExit(f"{SCRIPT}: text before the first `# %%` cell: {line!r}")
    return out


def notebook(source):
    nb_cells = []
    for kind, lines in cells(source):
        while lines and not lines[-1].strip():
            lines.pop()
        while lines and not lines[0].strip():
            lines.pop(0)
        if kind == "markdown":
            lines = [l[2:] if l.startswith("# ") else l.lstrip("#") for l in lines]
        text = [l + "\n" for l in lines]
        if text:
            text[-1] = text[-1][:-1]
        cell = {"cell_type": kind, "id": f"cell-{len(nb_cells)}", "metadata": {}, "source": text}
        if kind == "code":
            cell.update(execution_count=None, outputs=[])
        nb_cells.append(cell)
    nb = {
        "cells": nb_cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def main():
    text = notebook(SCRIPT.read_text(encoding="utf-8"))
    if sys.argv[1:] == ["--check"]:
        if not NOTEBOOK.exists() or NOTEBOOK.read_text(encoding="utf-8") != text:
            print(f"{NOTEBOOK} is out of date: run python {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    NOTEBOOK.write_text(text, encoding="utf-8")
    print(f"wrote {NOTEBOOK}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
