"""The ``notegen`` MkDocs plugin (entry point ``notegen`` in ``mkdocs.plugins``)."""
