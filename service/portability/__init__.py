"""Data portability: importers per format, the exporter, privacy requests and retention.

Every importer is a streaming parser (one module per format) that yields the same small records
(`records.py`); `importer.py` stages them on disk, groups them by page and writes one page per
transaction through the comments domain. `exporter.py` writes Sidenote's own versioned format
(`docs/export.schema.json`), which the `sidenote` importer reads back.
"""
