"""Answer sheets as data: their geometry (``layout``) and what their QR codes say
(``payload``). The PDF writer draws from these, the scanner reads with them."""
