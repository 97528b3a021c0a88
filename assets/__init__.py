"""The files sscp-tui needs at run time: the stylesheet and the demo data.

They are kept here, at the top of the repository, and installed as the package
``sscp_tui.assets`` (see ``[tool.setuptools.package-dir]`` in pyproject.toml), so an
installed copy carries them. Code reaches them only through ``sscp_tui.resources``.
"""
