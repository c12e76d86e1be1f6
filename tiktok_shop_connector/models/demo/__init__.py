from . import tiktok_account
