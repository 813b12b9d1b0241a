"""Executes a notebook in one kernel session, then runs some of its cells again in that same session (as a learner
who re-runs a chart cell in JupyterLab), and saves it the way the Jupyter server saves a notebook (nbformat.write).

    python rerun_cells.py <notebook> <saved> <kernel> <cell id>[,<cell id>...]

The kernel's working directory is the notebook's folder. Prints one JSON line: the cells' execution counts.
"""
import json
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def main() -> None:
    source, saved, kernel, ids = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4].split(",")
    nb = nbformat.read(source, as_version=4)
    client = NotebookClient(
        nb, kernel_name=kernel, timeout=600, allow_errors=False,
        resources={"metadata": {"path": str(Path(source).resolve().parent)}},
    )
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        for cell_id in ids:
            index = next(i for i, c in enumerate(nb.cells) if c.get("id") == cell_id)
            client.execute_cell(nb.cells[index], index)
    nbformat.write(nb, saved)
    print(json.dumps({c.get("id"): c.get("execution_count") for c in nb.cells if c.cell_type == "code"}))


if __name__ == "__main__":
    main()
