from pathlib import Path

import polib
from odoo.modules.module import get_module_path
from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import TranslationModuleReader

ADDON = "tiktok_shop_connector"


@tagged("post_install", "-at_install")
class TestTranslationTemplate(TransactionCase):
    def test_the_committed_template_holds_exactly_the_translatable_strings(self):
        """Odoo's exporter, run here as `make pot` runs it, finds the strings of the .pot.

        Python `_()` / `self.env._()` calls, field strings and help, selection labels, views,
        menus, data records: a new one missing from the file, or one the code no longer has.
        """
        reader = TranslationModuleReader(self.env.cr, modules=[ADDON])
        in_code = {source for _module, _type, _name, _id, source, _value, _comments in reader}
        template = polib.pofile(str(Path(get_module_path(ADDON), "i18n", f"{ADDON}.pot")))
        in_template = {entry.msgid for entry in template}
        self.assertEqual(sorted(in_code - in_template), [], "missing from the .pot: run `make pot`")
        self.assertEqual(sorted(in_template - in_code), [], "no longer in the code: run `make pot`")
