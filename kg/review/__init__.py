"""Review of the graph by the people who check it: the facts with their evidence, human corrections
(kg.review.corrections, applied to records at build time; kg.review.entries writes new ones), the static
report (kg.review.report), the review application (kg.review.app, `kg review --serve`), the ontology's
quality report (kg.review.quality) and the differences between two builds (kg.review.diff).

Importing this package imports nothing else: the build needs kg.review.corrections without the web side.
"""
