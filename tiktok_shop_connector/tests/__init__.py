from . import test_install, test_oauth, test_secrets, test_webhook
