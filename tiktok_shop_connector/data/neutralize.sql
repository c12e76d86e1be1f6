-- A copied database must never call TikTok with the original's credentials.
UPDATE tiktok_account
   SET app_secret_encrypted = NULL,
       access_token_encrypted = NULL,
       refresh_token_encrypted = NULL,
       oauth_nonce = NULL,
       state = 'disconnected';
UPDATE tiktok_shop SET sync_enabled = false;
UPDATE ir_cron SET active = false
 WHERE id IN (SELECT res_id FROM ir_model_data
               WHERE module = 'tiktok_shop_connector' AND model = 'ir.cron');
