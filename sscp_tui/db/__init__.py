"""The store: models, engine factory and migrations. Never imports Textual or the app."""

from sscp_tui.db.store import Store, StoreError, open_store

__all__ = ["Store", "StoreError", "open_store"]
