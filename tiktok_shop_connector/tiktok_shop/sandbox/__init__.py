"""A local TikTok Shop: the Open API, the seller authorization page and webhook pushes, over HTTP.

Pure Python (no Odoo import). Start it with `python -m tiktok_shop.sandbox` (see __main__.py) or
in-process from tests.
"""
