"""Haizhu District public-inquiry bot: answers citizens from the district's official report."""

__version__ = "0.1.0"
