-- A copied database must never call TikTok with the original's credentials.
UPDATE tiktok_account SET state = 'disconnected';
