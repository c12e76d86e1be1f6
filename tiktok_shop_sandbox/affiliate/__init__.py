"""Affiliate, seller side (§5.9): creators, collaborations, affiliate orders, samples.

    creators.py        the creator marketplace: seeded creators with stable user ids, search, get
    collaborations.py  open and target collaborations, and the terms a creator's sale earns
    orders.py          affiliate orders and their commission (finance's, to the cent); a
                       creator's sale placed on the terms in force
    samples.py         sample applications: a creator applies, the seller reviews, a sample
                       order ships (topic 56)

The names below are what the rest of the sandbox, its tests and the Odoo tests use.
"""

from .collaborations import open_collaboration_rate
from .creators import SEEDED_CREATORS, creator_view, register_creator, seed_creators
from .orders import CONTENT_TYPES, affiliate_order_view, is_affiliate_order, place_creator_order
from .samples import application_view, request_sample, sample_status
