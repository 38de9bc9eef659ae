"""Which of the course's faces draws an SVG's text: one rule for the PDF and for the
DOCX's rasteriser. Every family an SVG names (installed here or not) is drawn in a
face that covers Kazakh and Russian; its weight and style are kept."""

from __future__ import annotations

#: the face role (``[fonts]`` field names) for (bold, italic)
SANS = {
    (False, False): "regular",
    (True, False): "bold",
    (False, True): "italic",
    (True, True): "bold_italic",
}
MONO = {False: "mono", True: "mono_bold"}
MONO_FAMILIES = ("monospace", "courier", "courier new", "dejavu sans mono", "consolas")


def face_role(family: str, weight: str = "normal", style: str = "normal") -> str:
    """``bold`` for ``font-weight: 700``, ``mono`` for Courier, ``regular`` otherwise."""
    weight, style = str(weight).lower(), str(style).lower()
    bold = weight in ("bold", "bolder") or (weight.isdigit() and int(weight) >= 600)
    italic = style in ("italic", "oblique")
    if family.strip().strip("'\"").lower() in MONO_FAMILIES:
        return MONO[bold]
    return SANS[bold, italic]


class FaceFonts:
    """svglib's font lookup answered with ``font_for(role)``, the reportlab name of the
    face a format draws that role in. svglib calls only ``find_font`` of its
    ``font_map``, so this is no subclass of its ``FontMap``: svglib stays unimported
    until an SVG is drawn."""

    def find_font(
        self, font_name: str, weight: str = "normal", style: str = "normal"
    ) -> tuple[str, bool]:
        return self.font_for(face_role(font_name, weight, style)), True

    def font_for(self, role: str) -> str:
        raise NotImplementedError
