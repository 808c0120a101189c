"""mkdocs_plugin stage."""
