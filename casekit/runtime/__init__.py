"""How a casekit process runs its work: the pool of worker processes (``--jobs``) and
the garbage collector's settings for phases that build large object trees. Below every
stage, so that the build and a format (the PDF's pieces) share them."""
