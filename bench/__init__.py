"""Performance figures for Dolbom: `make bench` (= `python -m bench`).

Each benchmark prints what it measured next to the goal from the issue and marks it met or
missed; nothing here asserts a timing. See `bench/__main__.py` for the order of the runs."""
