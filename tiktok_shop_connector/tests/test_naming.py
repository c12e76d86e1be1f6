import re

from odoo.tests import TransactionCase, tagged

ADDON = "tiktok_shop_connector"
# A field label that says it holds TikTok's id of something, e.g. "TikTok SKU id".
TIKTOK_ID_LABEL = re.compile(r"\bTikTok\b.*\bids?$", re.IGNORECASE)
TIKTOK_REF_NAME = re.compile(r"^tiktok_\w+_refs?$")


@tagged("post_install", "-at_install")
class TestFieldNames(TransactionCase):
    """One name, one meaning, on every model: `_id` is a Many2one and `_ids` a One2many or
    Many2many; TikTok's own ids are text fields named `tiktok_…_ref`."""

    def _addon_fields(self):
        """Every field the addon defines, on its own models and on those it extends."""
        return [
            field
            for model in self.env.registry.values()
            for field in model._fields.values()
            if ADDON in field._modules
        ]

    def test_id_names_a_many2one_and_ids_a_list_of_records(self):
        fields = self._addon_fields()
        # The models the addon extends are checked too.
        self.assertIn(("sale.order", "tiktok_shop_id"), {(f.model_name, f.name) for f in fields})
        wrong = [
            f"{field.model_name}.{field.name} ({field.type})"
            for field in fields
            if (field.name.endswith("_id") and field.type != "many2one")
            or (field.name.endswith("_ids") and field.type not in ("one2many", "many2many"))
        ]
        self.assertEqual(wrong, [], "TikTok's ids are tiktok_..._ref, never ..._id")

    def test_a_field_holding_tiktok_ids_is_named_ref(self):
        labelled = [field for field in self._addon_fields() if TIKTOK_ID_LABEL.search(field.string)]
        self.assertIn("tiktok_sku_ref", [field.name for field in labelled])
        wrong = [
            f"{field.model_name}.{field.name} ({field.string!r})"
            for field in labelled
            if not TIKTOK_REF_NAME.match(field.name)
        ]
        self.assertEqual(wrong, [])
