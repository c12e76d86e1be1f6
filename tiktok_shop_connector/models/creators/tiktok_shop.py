import logging
from collections import defaultdict

from odoo import Command, api, fields, models

from ...tiktok_shop import TikTokDataError, TikTokShopError, endpoints
from ...tiktok_shop.affiliates import (
    read_creator,
    read_open_collaboration,
    read_sample_application,
    read_target_collaboration,
)
from ...tools import RELOAD_VIEW, check_manager, notification
from ..finance.tiktok_settlement import post_shop_entry

_logger = logging.getLogger(__name__)

# Affiliate orders whose lines are written per batch.
AFFILIATE_BATCH_SIZE = 100
# Creators known only by username looked up in TikTok's creator marketplace per sync run.
CREATORS_IDENTIFIED_PER_RUN = 20
# TikTok's status of an approved sample application whose sample order was just placed.
NEW_SAMPLE_STATUS = "AWAITING_SHIPMENT"


class TikTokShop(models.Model):
    _inherit = "tiktok.shop"

    affiliate_payable_account_id = fields.Many2one(
        "account.account",
        string="Affiliate commissions payable",
        check_company=True,
        help="The commission owed to creators: accrued when their orders are invoiced, cleared "
        "by the settlements that deduct it. Created on first use.",
    )
    creator_samples_account_id = fields.Many2one(
        "account.account",
        string="Creator samples",
        check_company=True,
        help="The marketing expense the cost of the samples sent to creators is booked on.",
    )
    affiliates_high_water_mark = fields.Integer(
        compute="_compute_high_water_marks",
        help="create_time (Unix seconds) up to which every affiliate order was imported.",
    )
    affiliates_first_sync_days = fields.Integer(
        string="First creator sync: days back",
        default=30,
        help="How far back the first affiliate orders import looks.",
    )
    affiliate_line_ids = fields.One2many("tiktok.affiliate.line", "shop_id")
    collaboration_ids = fields.One2many("tiktok.collaboration", "shop_id")


class TikTokShopCommissions(models.Model):
    """The creators' commissions booked: accruals, reversals and true-ups of the shop."""

    _inherit = "tiktok.shop"

    def _tiktok_post_commission_changes(self, changes):
        """One entry for `changes` [(affiliate line, change of the commission owed, accrued
        so far)]: the expense against the payable, both against the creator."""
        self.ensure_one()
        expense = self._tiktok_finance_account("affiliate_commission")
        payable = self._tiktok_finance_account("affiliate_payable")
        items = []
        for line, delta, accrued in changes:
            label = line._tiktok_accrual_label(delta, accrued)
            partner = line.creator_id.partner_id.id
            items.append(
                {
                    "account_id": expense.id,
                    "name": label,
                    "partner_id": partner,
                    "currency_id": line.currency_id.id,
                    "amount_currency": delta,
                }
            )
            items.append(
                {
                    "account_id": payable.id,
                    "name": label,
                    "partner_id": partner,
                    "currency_id": line.currency_id.id,
                    "amount_currency": -delta,
                    "tiktok_affiliate_line_id": line.id,
                    "tiktok_commission_order_id": line.sale_order_id.id,
                }
            )
        currency = changes[0][0].currency_id
        return post_shop_entry(
            self,
            currency,
            items,
            self.env._("TikTok creator commissions"),
            fields.Date.context_today(self),
        )


class TikTokShopAffiliates(models.Model):
    """The affiliate orders sync: TikTok's affiliate orders created since the mark (less a
    month: their commission changes until they settle), onto affiliate lines attached to the
    sale order lines they cover; and the open collaborations' rates."""

    _inherit = "tiktok.shop"

    @api.model
    def _cron_sync_affiliates(self):
        shops = self.search([("sync_enabled", "=", True), ("sync_affiliates", "=", True)])
        due = shops.filtered(lambda shop: shop._is_syncing("affiliates"))
        self.env["tiktok.runner"]._run_per_shop("affiliates", due, "_tiktok_sync_affiliates")

    def action_sync_affiliates(self):
        check_manager(self.env)
        counts = defaultdict(int)
        for shop in self.sudo():
            log = shop._tiktok_sync_affiliates(trigger="manual")
            for outcome in ("created", "updated", "skipped"):
                counts[outcome] += log[f"{outcome}_count"]
        return notification(
            self.env._(
                "Creator sales read from TikTok: %(created)s new, %(updated)s updated, "
                "%(skipped)s unchanged.",
                **counts,
            ),
            "success",
            then=RELOAD_VIEW,
        )

    def _tiktok_sync_affiliates(self, since=None, trigger="cron", log=None):
        """Import the affiliate orders created since the mark less its overlap; one sync run.

        TikTok lists them newest first: the mark moves once the whole window is read.
        """
        self.ensure_one()
        if since is None:
            since = self._tiktok_mark_start("affiliates", self.affiliates_first_sync_days * 86400)
        with self._tiktok_sync_run("affiliates", trigger, log) as log:
            self._tiktok_sync_collaborations()
            batch, newest = [], 0
            for order in self._tiktok_affiliate_orders(since or 0):
                batch.append(order)
                newest = max(newest, order.update_time)
                if len(batch) == AFFILIATE_BATCH_SIZE:
                    self._tiktok_import_affiliate_orders(batch, log)
                    batch = []
            self._tiktok_import_affiliate_orders(batch, log)
            self._tiktok_mark_advance("affiliates", [{"update_time": newest}])
            self._tiktok_sync_sample_applications()
        return log

    def _tiktok_import_affiliate_orders(self, orders, log):
        """Create or update the lines of read `AffiliateOrder`s (unchanged ones are skipped),
        attach them to their orders and bring their accrued commission up to date."""
        if not orders:
            return
        Line = self.env["tiktok.affiliate.line"].sudo()
        existing = {
            (line.tiktok_order_ref, line.line_key): line
            for line in Line._tiktok_find(self, [order.ref for order in orders])
        }
        lines = [line for order in orders for line in order.lines]
        creators = (
            self.env["tiktok.creator"]
            .sudo()
            ._tiktok_find_or_create(self.company_id, {line.creator_username for line in lines})
        )
        collaborations = self._tiktok_collaborations_of(lines)
        to_create, changed = [], Line
        for order in orders:
            for line in order.lines:
                values = Line._tiktok_values(self, order, line)
                creator = creators.get(line.creator_username)
                collaboration = collaborations.get(
                    ("target", line.target_collaboration_ref)
                ) or collaborations.get(("open", line.open_collaboration_ref))
                values["creator_id"] = creator.id if creator else False
                values["collaboration_id"] = collaboration.id if collaboration else False
                record = existing.get((order.ref, line.key))
                if record and record.fingerprint == values["fingerprint"]:
                    log._count("skipped")
                elif record:
                    record.write(values)
                    changed |= record
                    log._count("updated")
                else:
                    to_create.append(values)
                    log._count("created")
        changed |= Line.create(to_create)
        for creator in changed.creator_id.filtered(lambda c: self not in c.shop_ids):
            creator.shop_ids = [Command.link(self.id)]
        self._tiktok_identify_creators(changed.creator_id)
        changed._tiktok_attach(self._tiktok_existing_orders(list({o.ref for o in orders})))
        changed._tiktok_accrue()

    def _tiktok_finish_created(self, orders, mapped_orders):
        """Override: affiliate lines read before their order arrived are attached to it."""
        result = super()._tiktok_finish_created(orders, mapped_orders)
        waiting = (
            self.env["tiktok.affiliate.line"]
            .sudo()
            .search(
                [
                    ("shop_id", "=", self.id),
                    ("tiktok_order_ref", "in", orders.mapped("tiktok_order_ref")),
                    ("sale_order_id", "=", False),
                ]
            )
        )
        if waiting:
            waiting._tiktok_attach({order.tiktok_order_ref: order for order in orders})
        if any(orders.mapped("tiktok_is_sample")):
            self._tiktok_link_new_samples()
        return result

    def _tiktok_link_new_samples(self):
        """New sample orders name their creator at once: TikTok places a sample order when the
        seller approves the creator's application, which is then awaiting shipment."""
        try:
            with self.env.cr.savepoint():
                self._tiktok_sync_sample_applications(status=NEW_SAMPLE_STATUS)
        except (TikTokShopError, TikTokDataError) as error:
            # The order is imported all the same; the sync or the status push links it later.
            _logger.warning("shop %s: sample applications not read: %s", self.id, error)

    def _tiktok_identify_creators(self, creators):
        """Record TikTok's id and nickname of creators known only by the username an affiliate
        order gives, from the creator marketplace (a few per run: the next run does the rest)."""
        unknown = creators.filtered(lambda creator: not creator.tiktok_creator_ref)
        found = []
        for creator in unknown[:CREATORS_IDENTIFIED_PER_RUN]:
            try:
                remote = (
                    self._tiktok_request(
                        endpoints.MARKETPLACE_CREATOR_SEARCH,
                        params={"page_size": 20},
                        json={"keyword": creator.username},
                    ).get("creators")
                    or []
                )
                matches = [read_creator(data, "creators[]") for data in remote]
            except (TikTokShopError, TikTokDataError) as error:
                _logger.warning("creator %s not identified: %s", creator.username, error)
                continue
            found += [match for match in matches if match.username == creator.username]
        if found:
            self.env["tiktok.creator"].sudo()._tiktok_find_or_create(self.company_id, (), found)

    # === COLLABORATIONS === #

    def _tiktok_sync_collaborations(self):
        """The shop's open and target collaborations and their rates, as TikTok has them now."""
        Collaboration = self.env["tiktok.collaboration"].sudo()
        for endpoint, items_key, read in (
            (endpoints.OPEN_COLLABORATION_SEARCH, "open_collaborations", read_open_collaboration),
            (
                endpoints.TARGET_COLLABORATION_SEARCH,
                "target_collaborations",
                read_target_collaboration,
            ),
        ):
            remote = self._tiktok_paginate(endpoint, items_key=items_key, page_size=100)
            Collaboration._tiktok_store(
                self, [read(data, f"{items_key}[{index}]") for index, data in enumerate(remote)]
            )

    def _tiktok_collaborations_of(self, lines):
        """{(kind, TikTok id): collaboration} named by read affiliate lines."""
        Collaboration = self.env["tiktok.collaboration"].sudo()
        found = {}
        for kind, refs in (
            ("open", {line.open_collaboration_ref for line in lines}),
            ("target", {line.target_collaboration_ref for line in lines}),
        ):
            for ref, collaboration in Collaboration._tiktok_find_by_refs(self, kind, refs).items():
                found[(kind, ref)] = collaboration
        return found

    # === SAMPLES === #

    def _tiktok_sync_sample_applications(self, status=None):
        """Link each approved sample application's order (of `status`, TikTok's status of the
        applications to read; all when None) to the creator who asked for it; the number of
        orders linked."""
        remote = self._tiktok_paginate(
            endpoints.SAMPLE_APPLICATION_SEARCH,
            items_key="sample_applications",
            page_size=100,
            json={"status": status} if status else None,
        )
        applications = [
            read_sample_application(data, f"sample_applications[{index}]")
            for index, data in enumerate(remote)
        ]
        applications = [a for a in applications if a.order_ref]
        orders = self._tiktok_existing_orders([a.order_ref for a in applications])
        creators = (
            self.env["tiktok.creator"]
            .sudo()
            ._tiktok_find_or_create(self.company_id, (), [a.creator for a in applications])
        )
        linked = 0
        for application in applications:
            order = orders.get(application.order_ref)
            creator = creators[application.creator.username]
            if order and order.tiktok_creator_id != creator:
                order._tiktok_link_sample_creator(creator)
                linked += 1
        return linked
