"""Helpers shared by the CTR experiments of the demo."""
