from . import (
    test_connect,
    test_connect_tour,
    test_install,
    test_oauth,
    test_secrets,
    test_tokens,
    test_webhook,
)
