"""Template filters for member cards: ``{{ member.card_number|code128 }}`` and ``|qr``."""

from django import template

from serambi.members.cards import code128_svg, qr_svg

register = template.Library()


@register.filter
def code128(text: str):
    return code128_svg(str(text or ""))


@register.filter
def qr(text: str):
    return qr_svg(str(text or ""))
