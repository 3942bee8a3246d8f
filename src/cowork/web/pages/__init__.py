"""Server-rendered pages and their form posts, one module per wing.

Every action works as a plain form post; htmx and the live script only enhance.
"""
