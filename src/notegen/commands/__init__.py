"""One module per ``notegen`` subcommand, each with ``HELP``, ``add_arguments(parser)``
and ``run(args) -> int`` (see :mod:`notegen.cli`)."""
