"""Packages: search and detail, shipping with TikTok's label or the seller's carrier, split
shipments, shipping documents, and the carrier moving orders on with the clock."""

import re

import pytest
import requests

from tiktok_shop_sandbox import orders

HOLD = 3601


def detail(client, shop, order_id):
    return client.request(
        "GET", "/order/202309/orders", params={"ids": order_id}, shop_cipher=shop.cipher
    )["orders"][0]


def ready_order(sandbox, place, shop, skus, shipping_type):
    """A seller-fulfilled order past its hold, waiting to be shipped."""
    order = place(
        shop, skus, shipping_type=shipping_type, fulfillment_type=orders.SELLER_FULFILLMENT
    )
    sandbox.advance(HOLD)
    assert order.status == "AWAITING_SHIPMENT"
    return order


def seller_provider_id(sandbox, shop):
    return next(
        provider["id"]
        for provider in sorted(sandbox.state.shipping_providers.values(), key=lambda p: p["id"])
        if provider.get("region") == shop.region
    )


def statuses_pushed(pushed, order_id):
    return [n["data"]["order_status"] for n in pushed(1) if n["data"]["order_id"] == order_id]


def test_tiktok_label_shipping_then_the_carrier_moves_it_on(
    sandbox, client, us_shop, place, stock, pushed
):
    order = ready_order(sandbox, place, us_shop, [stock(us_shop)[0].id], "TIKTOK")
    package_id = order.package_ids[0]
    client.request(
        "POST",
        f"/fulfillment/202309/packages/{package_id}/ship",
        json={"handover_method": "DROP_OFF"},
        shop_cipher=us_shop.cipher,
    )
    data = detail(client, us_shop, order.id)
    assert data["status"] == "AWAITING_COLLECTION"
    assert data["tracking_number"].startswith("TTUS") and data["shipping_provider_id"]
    assert data["line_items"][0]["package_status"] == "PROCESSING"
    timing = sandbox.state.timing
    sandbox.advance(timing["collection"] + 1)
    assert detail(client, us_shop, order.id)["status"] == "IN_TRANSIT"
    sandbox.advance(timing["transit"] + 1)
    data = detail(client, us_shop, order.id)
    assert data["status"] == "DELIVERED" and data["delivery_time"]
    assert data["line_items"][0]["package_status"] == "COMPLETED"
    sandbox.advance(timing["completion"] + 1)
    assert detail(client, us_shop, order.id)["status"] == "COMPLETED"
    assert statuses_pushed(pushed, order.id) == [
        "ON_HOLD",
        "AWAITING_SHIPMENT",
        "AWAITING_COLLECTION",
        "IN_TRANSIT",
        "DELIVERED",
        "COMPLETED",
    ]


def test_shipping_an_order_on_hold_is_refused(sandbox, client, us_shop, place, stock, api_error):
    order = place(
        us_shop,
        [stock(us_shop)[0].id],
        shipping_type="TIKTOK",
        fulfillment_type=orders.SELLER_FULFILLMENT,
    )
    error = api_error(
        client.request,
        "POST",
        f"/fulfillment/202309/packages/{order.package_ids[0]}/ship",
        shop_cipher=us_shop.cipher,
    )
    assert error.code == 36009004 and "ON_HOLD" in error.message


def test_shipping_twice_is_refused(sandbox, client, us_shop, place, stock, api_error):
    order = ready_order(sandbox, place, us_shop, [stock(us_shop)[0].id], "TIKTOK")
    path = f"/fulfillment/202309/packages/{order.package_ids[0]}/ship"
    client.request("POST", path, shop_cipher=us_shop.cipher)
    assert (
        "already shipped"
        in api_error(client.request, "POST", path, shop_cipher=us_shop.cipher).message
    )


def test_mark_shipped_with_the_sellers_carrier(sandbox, client, us_shop, place, stock):
    order = ready_order(sandbox, place, us_shop, [stock(us_shop)[0].id], "SELLER")
    provider_id = seller_provider_id(sandbox, us_shop)
    answer = client.request(
        "POST",
        f"/fulfillment/202309/orders/{order.id}/packages",
        json={"tracking_number": "1Z999AA10123456784", "shipping_provider_id": provider_id},
        shop_cipher=us_shop.cipher,
    )
    assert answer == {
        "order_id": order.id,
        "package_id": order.package_ids[0],
        "order_line_item_ids": [order.line_items[0].id],
    }
    data = detail(client, us_shop, order.id)
    assert data["status"] == "IN_TRANSIT"
    assert data["tracking_number"] == "1Z999AA10123456784"
    assert data["shipping_provider_id"] == provider_id
    assert (
        data["line_items"][0]["shipping_provider_name"]
        == sandbox.state.shipping_providers[provider_id]["name"]
    )


def test_partial_shipment_splits_the_package(sandbox, client, us_shop, place, stock, pushed):
    sku_a, sku_b = stock(us_shop, count=2)
    order = ready_order(sandbox, place, us_shop, [sku_a.id, sku_b.id], "SELLER")
    provider_id = seller_provider_id(sandbox, us_shop)
    first = order.line_items[0].id
    path = f"/fulfillment/202309/orders/{order.id}/packages"
    answer = client.request(
        "POST",
        path,
        json={
            "order_line_item_ids": [first],
            "tracking_number": "TRACK-1",
            "shipping_provider_id": provider_id,
        },
        shop_cipher=us_shop.cipher,
    )
    data = detail(client, us_shop, order.id)
    assert data["status"] == "PARTIALLY_SHIPPING"
    assert len(data["packages"]) == 2 and data["split_or_combine_tag"] == "SPLIT"
    [split] = pushed(4)
    assert split["data"]["sc_type"] == "SPLIT" and split["data"]["role_type"] == "ROLE_SELLER"
    assert answer["package_id"] in {p["package_id"] for p in split["data"]["package_list"]}
    client.request(
        "POST",
        path,
        json={"tracking_number": "TRACK-2", "shipping_provider_id": provider_id},
        shop_cipher=us_shop.cipher,
    )
    data = detail(client, us_shop, order.id)
    assert data["status"] == "IN_TRANSIT"
    assert {item["tracking_number"] for item in data["line_items"]} == {"TRACK-1", "TRACK-2"}
    assert "PARTIALLY_SHIPPING" not in statuses_pushed(pushed, order.id)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"shipping_provider_id": "x"}, "tracking_number"),
        ({"tracking_number": "T1"}, "shipping_provider_id"),
        ({"tracking_number": "T1", "shipping_provider_id": "123"}, "Invalid shipping_provider_id"),
        ({"tracking_number": "T1", "order_line_item_ids": ["1"]}, "Line items"),
    ],
)
def test_mark_shipped_checks_its_body(
    sandbox, client, us_shop, place, stock, api_error, body, message
):
    order = ready_order(sandbox, place, us_shop, [stock(us_shop)[0].id], "SELLER")
    if "order_line_item_ids" in body:
        body["shipping_provider_id"] = seller_provider_id(sandbox, us_shop)
    error = api_error(
        client.request,
        "POST",
        f"/fulfillment/202309/orders/{order.id}/packages",
        json=body,
        shop_cipher=us_shop.cipher,
    )
    assert error.code == 36009004 and message in error.message


def test_a_provider_of_another_market_is_refused(sandbox, client, us_shop, place, stock, api_error):
    order = ready_order(sandbox, place, us_shop, [stock(us_shop)[0].id], "SELLER")
    british = seller_provider_id(sandbox, sandbox.shop("GB"))
    error = api_error(
        client.request,
        "POST",
        f"/fulfillment/202309/orders/{order.id}/packages",
        json={"tracking_number": "T1", "shipping_provider_id": british},
        shop_cipher=us_shop.cipher,
    )
    assert "Invalid shipping_provider_id" in error.message


def test_mark_shipped_is_for_seller_shipping_only(
    sandbox, client, us_shop, place, stock, api_error
):
    order = ready_order(sandbox, place, us_shop, [stock(us_shop)[0].id], "TIKTOK")
    error = api_error(
        client.request,
        "POST",
        f"/fulfillment/202309/orders/{order.id}/packages",
        json={
            "tracking_number": "T1",
            "shipping_provider_id": seller_provider_id(sandbox, us_shop),
        },
        shop_cipher=us_shop.cipher,
    )
    assert "Ship Package" in error.message


def test_ship_package_with_self_shipment_for_seller_shipping(
    sandbox, client, us_shop, place, stock, api_error
):
    order = ready_order(sandbox, place, us_shop, [stock(us_shop)[0].id], "SELLER")
    path = f"/fulfillment/202309/packages/{order.package_ids[0]}/ship"
    assert (
        "self_shipment"
        in api_error(
            client.request,
            "POST",
            path,
            json={"handover_method": "PICKUP"},
            shop_cipher=us_shop.cipher,
        ).message
    )
    self_shipment = {
        "tracking_number": "SELF-1",
        "shipping_provider_id": seller_provider_id(sandbox, us_shop),
    }
    client.request("POST", path, json={"self_shipment": self_shipment}, shop_cipher=us_shop.cipher)
    assert detail(client, us_shop, order.id)["status"] == "IN_TRANSIT"


def test_package_detail_and_search(sandbox, client, us_shop, place, stock):
    sku = stock(us_shop)[0]
    order = ready_order(sandbox, place, us_shop, [(sku.id, 2)], "TIKTOK")
    package_id = order.package_ids[0]
    package = client.request(
        "GET", f"/fulfillment/202309/packages/{package_id}", shop_cipher=us_shop.cipher
    )
    assert package["package_id"] == package_id and package["package_status"] == "PROCESSING"
    assert package["orders"] == [
        {
            "id": order.id,
            "skus": [
                {
                    "id": sku.id,
                    "name": order.line_items[0].sku_name,
                    "image_url": order.line_items[0].sku_image,
                    "quantity": 2,
                }
            ],
        }
    ]
    assert sorted(package["order_line_item_ids"]) == sorted(item.id for item in order.line_items)
    found = client.request(
        "POST",
        "/fulfillment/202309/packages/search",
        params={"page_size": 50},
        json={"package_status": "PROCESSING"},
        shop_cipher=us_shop.cipher,
    )
    assert package_id in [p["id"] for p in found["packages"]]
    assert all(p["status"] == "PROCESSING" for p in found["packages"])


def test_a_package_of_another_shop_is_not_found(sandbox, client, us_shop, place, stock, api_error):
    gb_shop = sandbox.shop("GB")
    order = place(gb_shop, [stock(gb_shop)[0].id])
    error = api_error(
        client.request,
        "GET",
        f"/fulfillment/202309/packages/{order.package_ids[0]}",
        shop_cipher=us_shop.cipher,
    )
    assert error.code == 36009004


def test_shipping_label_is_a_real_pdf_valid_for_24_hours(
    sandbox, client, us_shop, place, stock, api_error
):
    order = ready_order(sandbox, place, us_shop, [stock(us_shop)[0].id], "TIKTOK")
    package_id = order.package_ids[0]
    path = f"/fulfillment/202309/packages/{package_id}/shipping_documents"
    params = {"document_type": "SHIPPING_LABEL"}
    assert (
        "Ship the package"
        in api_error(client.request, "GET", path, params=params, shop_cipher=us_shop.cipher).message
    )
    client.request(
        "POST", f"/fulfillment/202309/packages/{package_id}/ship", shop_cipher=us_shop.cipher
    )
    document = client.request("GET", path, params=params, shop_cipher=us_shop.cipher)
    assert document["tracking_number"] == order.tracking_number
    response = requests.get(document["doc_url"], timeout=5)
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/pdf"
    assert_valid_pdf(response.content)
    sandbox.advance(86400 + 1)
    assert requests.get(document["doc_url"], timeout=5).status_code == 404


def test_a_packing_slip_is_available_before_shipping(sandbox, client, us_shop, place, stock):
    order = ready_order(sandbox, place, us_shop, [stock(us_shop)[0].id], "SELLER")
    path = f"/fulfillment/202309/packages/{order.package_ids[0]}/shipping_documents"
    document = client.request(
        "GET",
        path,
        params={"document_type": "PACKING_SLIP", "document_size": "A5"},
        shop_cipher=us_shop.cipher,
    )
    assert_valid_pdf(requests.get(document["doc_url"], timeout=5).content)


@pytest.mark.parametrize(
    "params",
    [{}, {"document_type": "POSTER"}, {"document_type": "PACKING_SLIP", "document_format": "ZPL"}],
)
def test_shipping_documents_check_their_parameters(
    sandbox, client, us_shop, place, stock, api_error, params
):
    order = place(us_shop, [stock(us_shop)[0].id])
    path = f"/fulfillment/202309/packages/{order.package_ids[0]}/shipping_documents"
    assert (
        api_error(client.request, "GET", path, params=params, shop_cipher=us_shop.cipher).code
        == 36009004
    )


def assert_valid_pdf(content):
    """Header, trailer, and an xref table whose offsets point at the objects."""
    assert content.startswith(b"%PDF-1.4\n") and content.rstrip().endswith(b"%%EOF")
    startxref = int(re.search(rb"startxref\n(\d+)\n", content).group(1))
    assert content[startxref:].startswith(b"xref\n")
    offsets = [int(offset) for offset in re.findall(rb"(\d{10}) 00000 n", content)]
    for number, offset in enumerate(offsets, start=1):
        assert content[offset:].startswith(f"{number} 0 obj".encode())


def test_the_control_api_drives_an_order_to_delivered(
    sandbox, control, us_shop, place, stock, pushed
):
    order = place(us_shop, [stock(us_shop)[0].id], fulfillment_type=orders.SELLER_FULFILLMENT)
    status, data = control("POST", f"/sandbox/orders/{order.id}/status", {"status": "DELIVERED"})
    assert status == 200 and data["status"] == "DELIVERED"
    assert statuses_pushed(pushed, order.id)[-1] == "DELIVERED"
