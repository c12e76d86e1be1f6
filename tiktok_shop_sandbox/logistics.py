"""Warehouses, delivery options and shipping providers (§5.4 of the API reference).

Reference data is deterministic: a delivery option or provider keeps its id across runs and seeds,
because ids are derived from the region and the name (`stable_id`), not from the id counter.
Delivery options and providers are per region, as on TikTok: the USPS of a US shop and the
J&T Express of an Indonesian shop are different provider ids.
"""

import hashlib

from .constants import CODE_INVALID_PARAMETER
from .routing import ApiError, route

# (type, name, description, max weight in kg): the four delivery services TikTok offers.
DELIVERY_OPTION_TYPES = (
    ("STANDARD", "Standard Shipping", "Delivered in 3-7 business days.", 30),
    ("EXPRESS", "Express Shipping", "Delivered in 1-3 business days.", 20),
    ("ECONOMY", "Economy Shipping", "Delivered in 7-12 business days.", 30),
    ("SEND_BY_SELLER", "Shipped by Seller", "The seller ships with its own carrier.", 70),
)

_US = {
    "STANDARD": ("USPS", "UPS", "FedEx"),
    "EXPRESS": ("UPS", "FedEx"),
    "ECONOMY": ("USPS",),
    "SEND_BY_SELLER": ("USPS", "UPS", "FedEx", "DHL eCommerce", "OnTrac"),
}
_GB = {
    "STANDARD": ("Royal Mail", "Evri"),
    "EXPRESS": ("DPD",),
    "ECONOMY": ("Evri",),
    "SEND_BY_SELLER": ("Royal Mail", "Evri", "DPD", "Yodel"),
}
_ID = {
    "STANDARD": ("J&T Express", "JNE", "SiCepat"),
    "EXPRESS": ("J&T Express",),
    "ECONOMY": ("J&T Cargo",),
    "SEND_BY_SELLER": ("J&T Express", "JNE", "SiCepat", "Pos Indonesia"),
}
_JP = {
    "STANDARD": ("Yamato", "Sagawa"),
    "EXPRESS": ("Yamato",),
    "ECONOMY": ("Japan Post",),
    "SEND_BY_SELLER": ("Yamato", "Sagawa", "Japan Post"),
}
_SEA = {
    "STANDARD": ("J&T Express", "Ninja Van"),
    "EXPRESS": ("Flash Express",),
    "ECONOMY": ("J&T Express",),
    "SEND_BY_SELLER": ("J&T Express", "Ninja Van", "Flash Express", "DHL eCommerce"),
}
_EU = {
    "STANDARD": ("DHL", "GLS"),
    "EXPRESS": ("DPD",),
    "ECONOMY": ("GLS",),
    "SEND_BY_SELLER": ("DHL", "GLS", "DPD", "UPS"),
}
_LATAM = {
    "STANDARD": ("J&T Express", "Correios"),
    "EXPRESS": ("FedEx",),
    "ECONOMY": ("Correios",),
    "SEND_BY_SELLER": ("J&T Express", "Correios", "FedEx", "DHL"),
}
PROVIDERS_BY_REGION = {
    "US": _US,
    "GB": _GB,
    "ID": _ID,
    "JP": _JP,
    **dict.fromkeys(("TH", "VN", "MY", "PH", "SG"), _SEA),
    **dict.fromkeys(("DE", "FR", "ES", "IT", "IE"), _EU),
    **dict.fromkeys(("BR", "MX"), _LATAM),
}

# Where a sample warehouse of each market sits (the API returns a full address).
_ADDRESSES = {
    "US": ("California", "Los Angeles", "90021", "1200 S Alameda St"),
    "GB": ("England", "London", "E14 5AB", "1 Canada Square"),
    "ID": ("DKI Jakarta", "Jakarta Selatan", "12190", "Jl. Jend. Sudirman Kav. 52"),
    "JP": ("Tokyo", "Minato-ku", "105-0011", "1-1-1 Shibakoen"),
}
_DEFAULT_ADDRESS = ("Central", "Capital City", "10000", "1 Commerce Road")
# Markets that weigh in pounds and measure in inches.
_IMPERIAL_REGIONS = frozenset({"US"})


def stable_id(*parts):
    """A 19-digit id string derived from `parts`: the same reference data, the same id."""
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest()
    return str(7_000_000_000_000_000_000 + int(digest[:15], 16) % 1_000_000_000_000_000_000)


def seed_reference_data(state):
    """Fill `state.delivery_options` and `state.shipping_providers` for every market."""
    with state.lock:
        for region, providers in PROVIDERS_BY_REGION.items():
            for option_type, name, description, max_weight in DELIVERY_OPTION_TYPES:
                option = _delivery_option(region, option_type, name, description, max_weight)
                state.delivery_options[option["id"]] = option
                for provider_name in providers[option_type]:
                    provider = {
                        "id": stable_id("provider", region, option_type, provider_name),
                        "name": provider_name,
                        "delivery_option_id": option["id"],
                        "region": region,
                    }
                    state.shipping_providers[provider["id"]] = provider


def _delivery_option(region, option_type, name, description, max_weight_kg):
    imperial = region in _IMPERIAL_REGIONS
    return {
        "id": stable_id("delivery_option", region, option_type),
        "name": name,
        "type": option_type,
        "description": description,
        "region": region,
        "weight_limit": {
            "max_weight": round(max_weight_kg * 2.20462) if imperial else max_weight_kg * 1000,
            "min_weight": 0,
            "unit": "POUND" if imperial else "GRAM",
        },
        "dimension_limit": {
            "max_length": 48 if imperial else 120,
            "max_width": 36 if imperial else 90,
            "max_height": 36 if imperial else 90,
            "unit": "INCH" if imperial else "CENTIMETER",
        },
        "platform": ["TIKTOK_SHOP"],
    }


# --- Helpers for the other modules -------------------------------------------------------------


def shipping_provider(state, provider_id):
    """The provider dict {id, name, delivery_option_id, region}, or None if unknown."""
    return state.shipping_providers.get(str(provider_id))


def delivery_options_for_region(state, region):
    """The region's delivery options, in TikTok's order (STANDARD, EXPRESS, ECONOMY, seller)."""
    order = [option_type for option_type, *_ in DELIVERY_OPTION_TYPES]
    options = [o for o in state.delivery_options.values() if o["region"] == region]
    return sorted(options, key=lambda option: order.index(option["type"]))


def providers_of_option(state, delivery_option_id):
    return [
        p
        for p in state.shipping_providers.values()
        if p["delivery_option_id"] == delivery_option_id
    ]


# --- Endpoints ---------------------------------------------------------------------------------


@route("GET", "/logistics/202309/warehouses")
def get_warehouses(state, request):
    shop = request.shop
    with state.lock:
        warehouses = sorted(state.warehouses_of(shop.id), key=lambda w: (not w.is_default, w.id))
        return {"warehouses": [_warehouse_view(w, shop) for w in warehouses]}


def _warehouse_view(warehouse, shop):
    return {
        "id": warehouse.id,
        "name": warehouse.name,
        "type": warehouse.type,
        "sub_type": warehouse.sub_type,
        "effect_status": warehouse.effect_status,
        "is_default": warehouse.is_default,
        "entity_id": stable_id("entity", shop.id),
        "address": _warehouse_address(warehouse, shop),
    }


def _warehouse_address(warehouse, shop):
    province, city, postal_code, street = _ADDRESSES.get(shop.region, _DEFAULT_ADDRESS)
    return {
        "region": shop.region,
        "region_code": shop.region,
        "state": province,
        "city": city,
        # Spelled as TikTok spells it.
        "distict": city,
        "town": "",
        "postal_code": postal_code,
        "address_line1": street,
        "address_line2": warehouse.name,
        "address_line3": "",
        "address_line4": "",
        "full_address": f"{street}, {city}, {province} {postal_code}, {shop.region}",
        "contact_person": f"{shop.name} warehouse",
        "phone_number": "(+1)2135550100" if shop.region == "US" else "(+00)100000000",
    }


@route("GET", "/logistics/202309/warehouses/{warehouse_id}/delivery_options")
def get_warehouse_delivery_options(state, request):
    shop = request.shop
    warehouse_id = request.path_params["warehouse_id"]
    with state.lock:
        warehouse = state.warehouses.get(warehouse_id)
        if warehouse is None or warehouse.shop_id != shop.id:
            raise ApiError(CODE_INVALID_PARAMETER, f"Warehouse {warehouse_id} does not exist")
        if warehouse.type != "SALES_WAREHOUSE":
            raise ApiError(
                CODE_INVALID_PARAMETER, "Delivery options exist for sales warehouses only"
            )
        options = delivery_options_for_region(state, shop.region)
        if warehouse.is_fbt:
            # TikTok's own fulfilment centres never hand parcels to a seller-chosen carrier.
            options = [o for o in options if o["type"] != "SEND_BY_SELLER"]
        return {"delivery_options": [_option_view(option) for option in options]}


def _option_view(option):
    return {key: value for key, value in option.items() if key != "region"}


@route("GET", "/logistics/202309/delivery_options/{delivery_option_id}/shipping_providers")
def get_shipping_providers(state, request):
    option_id = request.path_params["delivery_option_id"]
    with state.lock:
        option = state.delivery_options.get(option_id)
        if option is None or option["region"] != request.shop.region:
            raise ApiError(CODE_INVALID_PARAMETER, f"Delivery option {option_id} does not exist")
        providers = providers_of_option(state, option_id)
        return {"shipping_providers": [{"id": p["id"], "name": p["name"]} for p in providers]}
