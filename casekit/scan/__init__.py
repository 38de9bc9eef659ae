"""Reading returned answer sheets: pure steps from an image to a decision.

``sources`` yields page images from PDFs, images and folders (bounded decoding,
EXIF rotation); ``qr`` finds and decodes the sheet's QR code; ``fit`` finds the
four corner marks near where the QR says they are and warps the page onto its
layout (``casekit.sheets.layout``) with the light evened out; ``boxes`` measures
every answer box and decides each question; ``page`` chains them into one
``PageReading``. Nothing here touches the register: the caller records.
"""
