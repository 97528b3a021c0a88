"""The store: models, engine factory and migrations. Never imports Textual or the app.

Nothing is imported here: ``sscp_tui.db.enums`` is read before SQLAlchemy is loaded, and
importing a module of this package runs this file first."""
