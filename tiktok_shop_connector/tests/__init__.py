from . import (
    test_connect,
    test_connect_tour,
    test_fulfillment,
    test_install,
    test_oauth,
    test_order_sync,
    test_orders,
    test_publish,
    test_sandbox_demo,
    test_secrets,
    test_tokens,
    test_webhook,
)
