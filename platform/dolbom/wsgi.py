"""WSGI entry point for gunicorn: `gunicorn dolbom.wsgi:app`."""

from dolbom.app import create_app

app = create_app()
