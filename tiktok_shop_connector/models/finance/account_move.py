from odoo import fields, models

# Context key set while a TikTok statement reconciles the invoices it pays.
SETTLING_CONTEXT_KEY = "tiktok_settling"


class AccountMove(models.Model):
    _inherit = "account.move"

    tiktok_shop_id = fields.Many2one(
        "tiktok.shop", string="TikTok shop", readonly=True, copy=False, index="btree_not_null"
    )
    tiktok_order_ref = fields.Char(string="TikTok order id", readonly=True, copy=False, index=True)

    def _post(self, soft=True):
        """Override of `account`: the posted invoices of TikTok orders meet their settlements."""
        posted = super()._post(soft)
        tiktok = posted.filtered(lambda move: move.tiktok_order_ref and move.is_sale_document())
        if tiktok:
            tiktok._tiktok_invoices_posted()
        return posted

    def _tiktok_invoices_posted(self):
        """Settlements that reached these orders before their invoices are matched to them
        (finance/tiktok_settlement.py).

        Called with the invoices and credit notes of TikTok orders just posted.
        """
        self.env["tiktok.settlement.transaction"].sudo()._tiktok_match_invoices(self)
        return True

    def _invoice_paid_hook(self):
        """Override of `sale`: the TikTok invoices a statement pays get no "Invoice paid" message
        on their orders, hundreds per statement; the statement and the order's TikTok money page
        say it."""
        invoices = self
        if self.env.context.get(SETTLING_CONTEXT_KEY):
            invoices = self.filtered(lambda move: not move.tiktok_order_ref)
        return super(AccountMove, invoices)._invoice_paid_hook()

    def _reverse_moves(self, default_values_list=None, cancel=False):
        """Override of `account`: a credit note keeps the TikTok order its invoice is for."""
        if not default_values_list:
            default_values_list = [{} for _move in self]
        for move, default_values in zip(self, default_values_list, strict=True):
            if move.tiktok_order_ref:
                default_values.setdefault("tiktok_order_ref", move.tiktok_order_ref)
                default_values.setdefault("tiktok_shop_id", move.tiktok_shop_id.id)
        return super()._reverse_moves(default_values_list=default_values_list, cancel=cancel)
