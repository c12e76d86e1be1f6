"""A local TikTok Shop: the Open API, the seller authorization page and webhook pushes, over HTTP.

Pure Python beside the connector, sharing none of its code (see README.md). Start it with
`python -m tiktok_shop_sandbox` (see __main__.py) or in-process with `app.Sandbox`.
"""
