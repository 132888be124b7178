"""The RDF side: records -> rdflib graphs, validation, queries, export, stores. Never imports spaCy."""
