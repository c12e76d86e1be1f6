from odoo import models

# What a control room asks to listen to: the prefix and the event's id.
CONTROL_ROOM_CHANNEL = "tiktok_live_event:"


class IrWebsocket(models.AbstractModel):
    _inherit = "ir.websocket"

    def _build_bus_channel_list(self, channels):
        """Override of `bus`: a control room listens to its LIVE event's channel, where the
        event's figures are announced when they move (`tiktok.live.event._tiktok_live_changed`)."""
        channels = list(channels)
        if self.env.uid:
            channels.extend(control_room_events(self.env, channels))
        return super()._build_bus_channel_list(channels)


def control_room_events(env, channels):
    """The LIVE events of the control rooms among `channels` that the user may read."""
    event_ids = [
        int(channel.removeprefix(CONTROL_ROOM_CHANNEL))
        for channel in channels
        if isinstance(channel, str)
        and channel.startswith(CONTROL_ROOM_CHANNEL)
        and channel.removeprefix(CONTROL_ROOM_CHANNEL).isdecimal()
    ]
    events = env["tiktok.live.event"].browse(event_ids).exists()
    return events._filtered_access("read")
