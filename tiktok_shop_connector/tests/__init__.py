from . import test_install, test_secrets, test_webhook
