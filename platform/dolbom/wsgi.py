"""WSGI entry point for gunicorn: `gunicorn dolbom.wsgi:app`."""

import gc

from dolbom.app import create_app

app = create_app()
# Everything made at start-up (modules, templates, SQLAlchemy mappers) lives as long as the
# process: move it out of the collector's sight, so a full collection during a request scans
# only what requests made (a few ms saved on each collection on a large page).
gc.freeze()
