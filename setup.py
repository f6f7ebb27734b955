"""Packaging: what pyproject.toml cannot say. Everything else is in pyproject.toml.

The migrations live at the top level of the repository (`migrations/`, next to `service/`), and
ship inside the package as `service.migrations` so that an installed Sidenote finds them
(service/migrate.py). A checkout (editable install, PYTHONPATH) reads the top-level folder.
"""

from setuptools import find_namespace_packages, setup

setup(
    packages=[
        *find_namespace_packages(include=["service", "service.*"], exclude=["*.__pycache__"]),
        "service.migrations",
        "service.migrations.versions",
    ],
    package_dir={"service.migrations": "migrations"},
)
