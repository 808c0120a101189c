"""pytest_plugin stage."""
