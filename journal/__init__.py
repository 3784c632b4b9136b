"""Relationship Journal: a local customer journal for small shops."""

__version__ = "0.1.0"
APP_NAME = "Relationship Journal"
APP_ID = "relationship-journal"
ORG_NAME = "Relationship Journal"
