"""The event rules: from the sentences of one article to typed records (``article.ArticleReader``).

``core`` holds the state of a reading, the cues, the grammar and the helpers the frames share; each
frame reads one kind of event (``funding``, ``deals``, ``acquisitions``); ``organizations`` and
``platforms`` collect the records named in the article. Never imports spaCy or rdflib.
"""
