"""The paper loop after the reader (``casekit.scan``): answer keys and grading,
recording scanned pages in the register (``intake``), the review of doubtful
pages, teacher grades and the progress report."""
