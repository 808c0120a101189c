"""The ``notegen`` pytest plugin (``pytest11`` entry point): the ``claim`` marker, the
``measure`` and ``device`` fixtures, and the hooks that run experiments and record
their results (see :mod:`notegen.pytest_plugin.plugin`)."""
